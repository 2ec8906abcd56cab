"""A measure's page and an action's page: the definition, every quarter across the item's
years, the trend chart, and the change history, each shown only to those who may see it."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Action, ActionUpdate, Measure, MeasureUpdate, QuarterTarget
from perfmon.models import Portfolio, PortfolioRole, Quarter, ReportingYear, Return, User
from perfmon.services import create_reporting_year
from tests.factories import ActionFactory, MeasureFactory, PortfolioFactory, PortfolioRoleFactory

APPROVED, SUBMITTED, DRAFT = Return.State.APPROVED, Return.State.SUBMITTED, Return.State.DRAFT
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def years(db: None) -> None:
    for start_year in (2024, 2025, 2026):
        create_reporting_year(start_year=start_year)


def return_for(portfolio: Portfolio, start_year: int, number: int, state: str) -> Return:
    quarter = Quarter.objects.get(year__start_year=start_year, number=number)
    ret, _ = Return.objects.get_or_create(portfolio=portfolio, quarter=quarter)
    if ret.state != state:
        Return.objects.filter(pk=ret.pk).update(state=state)
        ret.refresh_from_db()
    return ret


def report(measure: Measure, number: int, *, state: str = APPROVED, **fields: Any) -> MeasureUpdate:
    ret = return_for(measure.portfolio, measure.year.start_year, number, state)
    return MeasureUpdate.objects.create(measure=measure, ret=ret, **fields)


def report_action(action: Action, number: int, *, state: str = APPROVED, **fields: Any) -> Any:
    ret = return_for(action.portfolio, action.year.start_year, number, state)
    return ActionUpdate.objects.create(action=action, ret=ret, **fields)


def measure_in(start_year: int, portfolio: Portfolio, **fields: Any) -> Measure:
    return MeasureFactory(year=year(start_year), portfolio=portfolio, **fields)


def year(start_year: int) -> ReportingYear:
    return ReportingYear.objects.get(start_year=start_year)


def saved_by(obj: Any, user: User, when: datetime) -> None:
    """Save as simple-history would record a save by `user` at `when`."""
    obj._history_user = user
    obj._history_date = when
    obj.save()


def page(client: Client, user: User, item: Measure | Action) -> str:
    client.force_login(user)
    name = "measures:measure" if isinstance(item, Measure) else "measures:action"
    response = client.get(reverse(name, args=[item.pk]))
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str, testid: str) -> str:
    """The words of the element marked data-testid=`testid`, tags stripped."""
    match = re.search(rf'<(\w+)[^>]*data-testid="{re.escape(testid)}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no element {testid}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


@pytest.fixture
def measure(portfolio: Portfolio) -> Measure:
    return measure_in(
        2026, portfolio, reference="EHCS PM29", description="Pupils at a good school", target=58
    )


# Who sees what -------------------------------------------------------------------------


def test_it_is_404_for_an_item_that_does_not_exist(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    assert client.get(reverse("measures:measure", args=[999999])).status_code == 404
    assert client.get(reverse("measures:action", args=[999999])).status_code == 404


def test_it_asks_people_to_sign_in(client: Client, measure: Measure) -> None:
    response = client.get(reverse("measures:measure", args=[measure.pk]))
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_it_shows_the_definition_to_anyone_signed_in(
    client: Client, outsider: User, measure: Measure
) -> None:
    QuarterTarget.objects.create(measure=measure, quarter_number=4, value=60)
    html = page(client, outsider, measure)
    definition = text_of(html, "definition")
    assert "EHCS PM29" in definition
    assert "Pupils at a good school" in html
    assert "Higher is better" in definition
    assert "58%" in definition and "Quarter 4: 60%" in definition


def test_it_shows_viewers_approved_quarters_only(
    client: Client, outsider: User, measure: Measure
) -> None:
    report(measure, 1, actual=Decimal("56"), status="Amber", status_colour="yellow")
    report(measure, 2, state=SUBMITTED, actual=Decimal("61.5"), status="Green")
    html = page(client, outsider, measure)
    assert "56%" in text_of(html, "quarter-2026-1")
    assert "61.5%" not in html
    assert "No approved result" in text_of(html, "quarter-2026-2")
    assert 'data-testid="history"' not in html and "Change history" not in html
    assert 'data-testid="unapproved-note"' not in html


@pytest.mark.parametrize("who", ["officer", "director", "admin_user"])
def test_it_shows_the_portfolio_and_the_team_unapproved_quarters_marked(
    client: Client, measure: Measure, who: str, request: pytest.FixtureRequest
) -> None:
    report(measure, 2, state=SUBMITTED, actual=Decimal("61.5"), status="Green")
    html = page(client, request.getfixturevalue(who), measure)
    row = text_of(html, "quarter-2026-2")
    assert "61.5%" in row
    assert "Submitted" in row and "Not yet approved" in row
    assert "Change history" in html


def test_it_hides_unapproved_quarters_of_another_portfolio_from_this_ones_officers(
    client: Client, officer: User, portfolio: Portfolio
) -> None:
    elsewhere = PortfolioFactory(name="Communities")
    last_year = measure_in(2025, elsewhere, reference="OLD 1")
    this_year = measure_in(2026, portfolio, reference="NEW 1", previous=last_year)
    report(last_year, 4, state=DRAFT, actual=Decimal("77"))
    html = page(client, officer, this_year)
    assert "77%" not in html
    assert "Not reported" in text_of(html, "quarter-2025-4")


# The quarters --------------------------------------------------------------------------


def test_it_shows_every_quarter_of_every_year_along_a_renamed_lineage(
    client: Client, outsider: User, portfolio: Portfolio
) -> None:
    first = measure_in(2024, portfolio, reference="PM 1", target=50)
    middle = measure_in(2025, portfolio, reference="PM 1a", previous=first, target=55)
    last = measure_in(2026, portfolio, reference="EHCS PM29", previous=middle, target=58)
    report(first, 4, actual=Decimal("49"), target=Decimal("50"))
    report(middle, 4, actual=Decimal("54"), target=Decimal("55"))
    report(last, 1, actual=Decimal("57"), target=Decimal("58"))
    html = page(client, outsider, middle)
    rows = re.findall(r'data-testid="quarter-(\d{4})-(\d)"', html)
    assert rows == [(str(y), str(n)) for y in (2024, 2025, 2026) for n in range(1, 5)]
    assert "49%" in text_of(html, "quarter-2024-4") and "50%" in text_of(html, "quarter-2024-4")
    assert "54%" in text_of(html, "quarter-2025-4") and "55%" in text_of(html, "quarter-2025-4")
    assert "57%" in text_of(html, "quarter-2026-1") and "58%" in text_of(html, "quarter-2026-1")
    assert reverse("measures:measure", args=[first.pk]) in html
    assert reverse("measures:measure", args=[last.pk]) in html


def test_it_writes_actuals_with_their_flags_and_missing_reasons(
    client: Client, outsider: User, measure: Measure
) -> None:
    report(measure, 1, actual=Decimal("91.9"), period_label="Q3 data")
    report(measure, 2, actual=Decimal("76"), provisional=True)
    report(measure, 3, missing_reason=MeasureUpdate.MissingReason.NOT_YET_AVAILABLE)
    report(measure, 4, actual=Decimal("76"), provisional=True, period_label="Q3 data")
    html = page(client, outsider, measure)
    assert "91.9% (Q3 data)" in text_of(html, "quarter-2026-1")
    assert "76% (Provisional)" in text_of(html, "quarter-2026-2")
    assert "Data not yet available" in text_of(html, "quarter-2026-3")
    # In the council's order, as the reports and the annual table write it.
    assert "76% (Q3 data, Provisional)" in text_of(html, "quarter-2026-4")


def test_it_shows_an_overridden_status_beside_the_computed_one(
    client: Client, outsider: User, measure: Measure
) -> None:
    report(
        measure,
        1,
        actual=Decimal("57"),
        target=Decimal("58"),
        status="Green",
        status_colour="green",
        status_override="Amber",
        override_reason="Data quality concerns",
    )
    html = page(client, outsider, measure)
    row = text_of(html, "quarter-2026-1")
    assert row.index("Amber") < row.index("Green")
    assert "Overridden; the rule gives Green" in row
    assert "Data quality concerns" in row
    assert 'govuk-tag--green">Green' in html


def test_it_gives_the_direction_of_travel_against_the_same_quarter_last_year(
    client: Client, outsider: User, portfolio: Portfolio
) -> None:
    last_year = measure_in(2025, portfolio, polarity="lower", unit="days")
    this_year = measure_in(2026, portfolio, polarity="lower", unit="days", previous=last_year)
    report(last_year, 1, actual=Decimal("12.8"))
    report(last_year, 2, actual=Decimal("10"))
    report(this_year, 1, actual=Decimal("11"))
    report(this_year, 2, actual=Decimal("14"))
    report(this_year, 3, actual=Decimal("9"))
    html = page(client, outsider, this_year)
    assert "11 days" in text_of(html, "quarter-2026-1")
    assert "Improving" in text_of(html, "quarter-2026-1")
    assert "Deteriorating" in text_of(html, "quarter-2026-2")
    assert "N/A" in text_of(html, "quarter-2026-3")


def test_it_runs_the_same_queries_for_one_year_as_for_three(
    client: Client, officer: User, portfolio: Portfolio
) -> None:
    def lineage(count: int, prefix: str) -> Measure:
        previous = None
        for start_year in range(2027 - count, 2027):
            previous = measure_in(
                start_year, portfolio, reference=f"{prefix}{start_year}", previous=previous
            )
            QuarterTarget.objects.create(measure=previous, quarter_number=2, value=60)
            for number in range(1, 5):
                update = report(previous, number, actual=Decimal(50 + number), status="Green")
                update.actual += 1
                update.save()
        assert previous is not None
        return previous

    def queries(measure: Measure) -> int:
        client.force_login(officer)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("measures:measure", args=[measure.pk])).status_code == 200
        return len(context.captured_queries)

    one = lineage(1, "ONE")
    queries(one)  # the first page reads the council's settings and schemes into the cache
    assert queries(one) == queries(lineage(3, "THREE"))


# The chart -----------------------------------------------------------------------------


def test_it_draws_the_trend_as_a_labelled_image_with_a_table_alternative(
    client: Client, outsider: User, measure: Measure
) -> None:
    report(measure, 1, actual=Decimal("54"), target=Decimal("58"))
    report(measure, 2, actual=Decimal("56"), target=Decimal("58"))
    html = page(client, outsider, measure)
    svg = re.search(r"<svg[^>]*>", html)
    assert svg is not None
    assert 'role="img"' in svg.group(0)
    assert 'aria-labelledby="trend-title trend-desc"' in svg.group(0)
    assert '<title id="trend-title">' in html and '<desc id="trend-desc">' in html
    assert "<polyline" in html and 'stroke-dasharray="8 5"' in html
    assert html.count("<circle") == 2 + 1  # two quarters and the legend's marker
    assert ">Actual</text>" in html and ">Target</text>" in html
    assert "The same figures as the trend chart" in html


def test_it_says_so_when_there_is_nothing_to_chart(
    client: Client, outsider: User, portfolio: Portfolio
) -> None:
    measure = measure_in(2026, portfolio, target=None)
    html = page(client, outsider, measure)
    assert "<svg" not in html
    assert 'data-testid="no-chart"' in html


# History -------------------------------------------------------------------------------


def test_it_shows_the_history_as_readable_differences(
    client: Client, officer: User, measure: Measure
) -> None:
    ret = return_for(measure.portfolio, 2026, 2, SUBMITTED)
    update = MeasureUpdate(measure=measure, ret=ret, actual=Decimal("54"), status="Amber")
    saved_by(update, officer, datetime(2026, 10, 2, 16, 30, tzinfo=LONDON))
    update.actual = Decimal("56")
    saved_by(update, officer, datetime(2026, 10, 3, 14, 2, tzinfo=LONDON))
    html = page(client, officer, measure)
    history = text_of(html, "history")
    assert "Q2 2026/27 · Actual: 54% → 56%, by Alex Officer, 3 Oct 2026 14:02" in history


def test_it_shows_definition_changes_newest_first(
    client: Client, admin_user: User, measure: Measure
) -> None:
    measure.target = Decimal("60")
    saved_by(measure, admin_user, datetime(2026, 5, 1, 9, 0, tzinfo=LONDON))
    measure.polarity = Measure.Polarity.LOWER
    saved_by(measure, admin_user, datetime(2026, 6, 1, 9, 0, tzinfo=LONDON))
    history = text_of(page(client, admin_user, measure), "history")
    polarity = history.index("Polarity: Higher is better → Lower is better, by Pat Performance")
    target = history.index("Target: 58% → 60%, by Pat Performance, 1 May 2026 09:00")
    assert polarity < target


# The action page -----------------------------------------------------------------------


def test_it_shows_an_actions_quarters_across_years_with_status_tags(
    client: Client, outsider: User, portfolio: Portfolio
) -> None:
    last_year = ActionFactory(year=year(2025), portfolio=portfolio, reference="GW 03")
    action = ActionFactory(
        year=year(2026), portfolio=portfolio, reference="GW 03", previous=last_year
    )
    report_action(last_year, 4, status="some_slippage", commentary="Delayed by the supplier")
    report_action(action, 1, status="completed", commentary="Opened in May")
    report_action(action, 2, state=SUBMITTED, status="major_slippage", commentary="Secret")
    html = page(client, outsider, action)
    assert 'govuk-tag--yellow">Some slippage' in html
    assert "Delayed by the supplier" in text_of(html, "quarter-2025-4")
    assert 'govuk-tag--blue">Completed' in html
    assert "Opened in May" in text_of(html, "quarter-2026-1")
    assert "Secret" not in html
    assert "Major slippage" not in text_of(html, "quarter-2026-2")
    assert "Change history" not in html


def test_it_shows_an_actions_history_to_its_portfolio(
    client: Client, officer: User, director: User, portfolio: Portfolio
) -> None:
    action = ActionFactory(year=year(2026), portfolio=portfolio)
    update = report_action(action, 1, state=SUBMITTED, status="on_track")
    update.status = "completed"
    saved_by(update, officer, datetime(2026, 7, 20, 10, 0, tzinfo=LONDON))
    html = page(client, director, action)
    assert "Not yet approved" in text_of(html, "quarter-2026-1")
    assert "Status: On track → Completed, by Alex Officer" in text_of(html, "history")


def test_it_gives_an_outsider_with_a_role_elsewhere_approved_quarters_only(
    client: Client, portfolio: Portfolio, measure: Measure
) -> None:
    other = PortfolioRoleFactory(
        portfolio=PortfolioFactory(name="Elsewhere"), role=PortfolioRole.Role.DIRECTOR
    ).user
    report(measure, 1, state=SUBMITTED, actual=Decimal("61.5"))
    html = page(client, other, measure)
    assert "61.5%" not in html
    assert "Change history" not in html


def test_it_runs_the_same_queries_for_an_action_of_one_year_as_of_three(
    client: Client, director: User, portfolio: Portfolio
) -> None:
    def lineage(count: int, prefix: str) -> Action:
        previous = None
        for start_year in range(2027 - count, 2027):
            previous = ActionFactory(
                year=year(start_year),
                portfolio=portfolio,
                reference=f"{prefix}{start_year}",
                previous=previous,
            )
            for number in range(1, 5):
                update = report_action(previous, number, status="on_track")
                update.commentary = "Progressing"
                update.save()
        assert previous is not None
        return previous

    def queries(action: Action) -> int:
        client.force_login(director)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("measures:action", args=[action.pk])).status_code == 200
        return len(context.captured_queries)

    one = lineage(1, "ONE")
    queries(one)  # the first page reads the council's settings and schemes into the cache
    assert queries(one) == queries(lineage(3, "THREE"))
