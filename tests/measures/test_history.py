"""An item's history as readable differences: field names in officers' words, values in
the measure's unit, newest first, in a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures.history import Change, action_history, measure_history
from measures.models import Action, ActionUpdate, Measure, MeasureUpdate, QuarterTarget
from perfmon.models import Portfolio, Quarter, Return, User
from perfmon.services import create_reporting_year
from tests.factories import ActionFactory, MeasureFactory, PortfolioFactory, ThemeFactory

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 7, 1, 9, 0, tzinfo=LONDON)


@pytest.fixture
def ret(portfolio: Portfolio) -> Return:
    year = create_reporting_year(start_year=2026)
    return Return.objects.create(portfolio=portfolio, quarter=year.quarters.get(number=1))


@pytest.fixture
def measure(ret: Return) -> Measure:
    measure = MeasureFactory.build(
        year=ret.quarter.year,
        portfolio=ret.portfolio,
        theme=ThemeFactory(),
        reference="EHCS PM29",
        unit="percentage",
        target=58,
    )
    return saved(measure, None, START)


def saved(obj: Any, user: User | None, when: datetime) -> Any:
    obj._history_user = user
    obj._history_date = when
    obj.save()
    return obj


def later(hours: int) -> datetime:
    return START + timedelta(hours=hours)


def test_it_writes_a_change_in_the_unit_with_who_and_when(
    measure: Measure, ret: Return, officer: User
) -> None:
    update = saved(MeasureUpdate(measure=measure, ret=ret, actual=54), officer, later(1))
    update.actual = Decimal("56")
    saved(update, officer, later(2))
    newest = measure_history(measure)[0]
    assert newest.summary == "Actual: 54% → 56%"
    assert (newest.by, newest.at, newest.subject, newest.kind) == (
        "Alex Officer",
        later(2),
        "Q1 2026/27",
        "changed",
    )


def test_it_lists_what_a_new_update_said(measure: Measure, ret: Return, officer: User) -> None:
    update = MeasureUpdate(
        measure=measure,
        ret=ret,
        actual=Decimal("91.9"),
        period_label="Q3 data",
        provisional=True,
        status="Green",
    )
    saved(update, officer, later(1))
    newest = measure_history(measure)[0]
    assert newest.kind == "created"
    assert newest.summary == (
        "Actual: 91.9%; Provisional: yes; Data for an earlier period: Q3 data; Status: Green"
    )


def test_it_names_missing_reasons_overrides_and_flags_in_words(
    measure: Measure, ret: Return, officer: User
) -> None:
    update = saved(MeasureUpdate(measure=measure, ret=ret, actual=57), officer, later(1))
    update.actual = None
    update.missing_reason = MeasureUpdate.MissingReason.NOT_YET_AVAILABLE
    update.forecast = True
    update.status_override = "Amber"
    update.override_reason = "Data quality"
    saved(update, officer, later(2))
    newest = measure_history(measure)[0]
    assert newest.summary == (
        "Actual: 57% → none; Why there is no actual: none → Data not yet available; "
        "Forecast: no → yes; Status override: none → Amber; Reason for the override added"
    )
    (reason,) = newest.texts
    assert reason == Change("Reason for the override", "", "Data quality", is_text=True)


def test_it_says_free_text_changed_and_keeps_both_versions(
    measure: Measure, ret: Return, officer: User
) -> None:
    update = MeasureUpdate(measure=measure, ret=ret, commentary="Up on last year.")
    saved(update, officer, later(1))
    update.commentary = "Up on last year, after validation."
    saved(update, officer, later(2))
    newest = measure_history(measure)[0]
    assert newest.summary == "Supporting information changed"
    assert newest.texts[0].before == "Up on last year."
    assert newest.texts[0].after == "Up on last year, after validation."


def test_it_skips_saves_that_changed_nothing_people_see(
    measure: Measure, ret: Return, officer: User
) -> None:
    update = saved(MeasureUpdate(measure=measure, ret=ret, actual=54), officer, later(1))
    update.version += 1
    update.status_explained = "Recomputed"
    saved(update, officer, later(2))
    assert [entry.at for entry in measure_history(measure)] == [later(1), START]


def test_it_shows_definition_changes_with_names_and_labels(
    measure: Measure, admin_user: User
) -> None:
    measure.portfolio = PortfolioFactory(name="Communities")
    measure.polarity = Measure.Polarity.LOWER
    measure.target = Decimal("55.5")
    saved(measure, admin_user, later(1))
    newest = measure_history(measure)[0]
    assert newest.subject == "Definition"
    assert newest.summary == (
        "Portfolio: Governance and Finance → Communities; "
        "Polarity: Higher is better → Lower is better; Target: 58% → 55.5%"
    )
    assert newest.by == "Pat Performance"


def test_it_names_the_quarter_of_a_quarterly_target(measure: Measure, admin_user: User) -> None:
    target = saved(QuarterTarget(measure=measure, quarter_number=3, value=60), admin_user, later(1))
    target.value = Decimal("62")
    saved(target, admin_user, later(2))
    target._history_date = later(3)  # type: ignore[attr-defined]
    target.delete()
    summaries = [(entry.kind, entry.summary) for entry in measure_history(measure)[:3]]
    assert summaries == [
        ("deleted", "Q3 target was 62%"),
        ("changed", "Q3 target: 60% → 62%"),
        ("created", "Q3 target: 60%"),
    ]


def test_it_puts_the_newest_first_across_the_item_and_its_updates(
    measure: Measure, ret: Return, officer: User, admin_user: User
) -> None:
    saved(MeasureUpdate(measure=measure, ret=ret, actual=54), officer, later(2))
    measure.description = "A better description"
    saved(measure, admin_user, later(1))
    subjects = [entry.subject for entry in measure_history(measure)]
    assert subjects == ["Q1 2026/27", "Definition", "Definition"]


def test_it_reads_the_history_in_three_queries_however_long(
    measure: Measure, ret: Return, officer: User
) -> None:
    quarters = Quarter.objects.filter(year=ret.quarter.year).exclude(pk=ret.quarter_id)
    for hours, quarter in enumerate(quarters, start=1):
        other = Return.objects.create(portfolio=ret.portfolio, quarter=quarter)
        update = saved(
            MeasureUpdate(measure=measure, ret=other, actual=hours), officer, later(hours)
        )
        for step in range(3):
            update.actual += 1
            saved(update, officer, later(hours) + timedelta(minutes=step + 1))
        saved(QuarterTarget(measure=measure, quarter_number=hours, value=50), officer, later(hours))
    with CaptureQueriesContext(connection) as context:
        entries = measure_history(measure)
    assert len(context.captured_queries) == 3
    assert len(entries) == 1 + 3 * 4 + 3


def test_it_words_an_actions_statuses(ret: Return, officer: User) -> None:
    action: Action = ActionFactory.build(
        year=ret.quarter.year, portfolio=ret.portfolio, theme=ThemeFactory()
    )
    saved(action, None, START)
    update = saved(ActionUpdate(action=action, ret=ret, status="on_track"), officer, later(1))
    update.status = ActionUpdate.Status.SOME_SLIPPAGE
    saved(update, officer, later(2))
    with CaptureQueriesContext(connection) as context:
        newest = action_history(action)[0]
    assert len(context.captured_queries) == 2
    assert newest.summary == "Status: On track → Some slippage"
    assert newest.by == "Alex Officer"


def test_it_says_when_nobody_was_recorded(measure: Measure) -> None:
    assert measure_history(measure)[0].by == "an unrecorded user"


def test_it_keeps_saves_made_at_the_same_moment_newest_first(
    measure: Measure, ret: Return, officer: User
) -> None:
    update = saved(MeasureUpdate(measure=measure, ret=ret, actual=54), officer, later(1))
    update.actual = Decimal("55")
    saved(update, officer, later(1))
    update.actual = Decimal("56")
    saved(update, officer, later(1))
    assert [entry.summary for entry in measure_history(measure)[:2]] == [
        "Actual: 55% → 56%",
        "Actual: 54% → 55%",
    ]
