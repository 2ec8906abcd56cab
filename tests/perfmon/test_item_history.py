"""The change-history engine on frame models (themes, portfolios), so it is tested without
any item kind: records paired per object, values in words, who and when, what counts as
blank, deletions, and the newest-first merge."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from perfmon.item_history import (
    Change,
    Entry,
    Field,
    definition,
    entries,
    free_text,
    newest_first,
    text,
    yes_no,
)
from perfmon.models import Portfolio, Theme, User
from tests.factories import CouncilPlanFactory, PortfolioFactory, ThemeFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))

THEME_FIELDS = {
    "plan": Field("Plan", text),
    "name": Field("Name", text),
    "description": Field("Description", free_text, is_text=True),
    "position": Field("Position", text),
}


def saved(obj: Any, user: User | None, hours: int, reason: str = "") -> Any:
    obj._history_user = user
    obj._history_date = START + timedelta(hours=hours)
    obj._change_reason = reason or None
    obj.save()
    return obj


def new_theme(**fields: Any) -> Theme:
    fields.setdefault("plan", CouncilPlanFactory())
    return ThemeFactory.build(**fields)


def theme_history(*themes: Theme, **options: Any) -> list[Entry]:
    records = Theme.history.filter(id__in=[t.pk for t in themes]).select_related(  # type: ignore[attr-defined]
        "history_user", "plan"
    )
    return entries(records, THEME_FIELDS, subject=definition, **options)


def test_it_lists_what_an_object_was_created_with_leaving_out_blanks(officer: User) -> None:
    plan = CouncilPlanFactory(name="Council Plan 2024-27")
    saved(new_theme(plan=plan, name="A Green City", position=0), officer, 0)

    [entry] = theme_history(*Theme.objects.all())

    assert entry.kind == "created"
    assert entry.subject == "Definition"
    assert entry.by == "Alex Officer"
    assert entry.at == START
    # No description: blank, so not listed. Position 0 is a value, not a blank.
    assert (
        entry.summary
        == "Plan: Council Plan 2024-27 (2024/25 to 2027/28); Name: A Green City; Position: 0"
    )


def test_it_writes_each_change_with_who_when_and_why(officer: User, director: User) -> None:
    theme = saved(new_theme(name="A Green City"), officer, 0)
    theme.name = "A Greener City"
    theme.position = 2
    saved(theme, director, 1, reason="Renamed by Cabinet")

    changed, created = theme_history(theme)[::-1]

    assert created.kind == "created"
    assert changed.kind == "changed"
    assert changed.changes == (
        Change("Name", "A Green City", "A Greener City"),
        Change("Position", "0", "2"),
    )
    assert changed.summary == "Name: A Green City → A Greener City; Position: 0 → 2"
    assert (changed.by, changed.at, changed.reason) == (
        "Dana Director",
        START + timedelta(hours=1),
        "Renamed by Cabinet",
    )


def test_it_names_a_related_object_that_changed(officer: User) -> None:
    theme = saved(new_theme(plan=CouncilPlanFactory(name="Plan A")), officer, 0)
    theme.plan = CouncilPlanFactory(name="Plan B")
    saved(theme, officer, 1)

    assert (
        theme_history(theme)[-1].summary
        == "Plan: Plan A (2024/25 to 2027/28) → Plan B (2024/25 to 2027/28)"
    )


def test_it_says_free_text_changed_and_keeps_before_and_after(officer: User) -> None:
    theme = saved(new_theme(), officer, 0)
    theme.description = "Cleaner air."
    saved(theme, officer, 1)
    theme.description = "Cleaner air and water."
    saved(theme, officer, 2)
    theme.description = ""
    saved(theme, officer, 3)

    _, added, changed, removed = theme_history(theme)

    assert added.summary == "Description added"
    assert changed.summary == "Description changed"
    assert changed.texts == (
        Change("Description", "Cleaner air.", "Cleaner air and water.", is_text=True),
    )
    assert removed.summary == "Description removed"


def test_it_leaves_out_saves_that_change_nothing_it_shows(officer: User) -> None:
    theme = saved(new_theme(), officer, 0)
    saved(theme, officer, 1)

    assert [entry.kind for entry in theme_history(theme)] == ["created"]


def test_it_pairs_each_record_with_the_last_one_of_the_same_object(officer: User) -> None:
    first = saved(new_theme(name="One"), officer, 0)
    second = saved(new_theme(name="Two"), officer, 1)
    first.name = "One, renamed"
    saved(first, officer, 2)
    second.name = "Two, renamed"
    saved(second, officer, 3)

    summaries = [entry.summary for entry in theme_history(first, second) if entry.kind == "changed"]

    assert summaries == ["Name: One → One, renamed", "Name: Two → Two, renamed"]


def test_it_says_when_nobody_was_recorded() -> None:
    theme = saved(new_theme(), None, 0)

    assert theme_history(theme)[0].by == "an unrecorded user"


def test_it_shows_a_deletion_unless_told_not_to(officer: User) -> None:
    theme = saved(new_theme(name="A Green City"), officer, 0)
    pk = theme.pk
    theme._history_user = officer  # type: ignore[attr-defined]
    theme.delete()
    theme.pk = pk

    deleted = theme_history(theme)[-1]

    assert deleted.kind == "deleted"
    assert str(deleted.changes[1]) == "Name was A Green City"
    assert [entry.kind for entry in theme_history(theme, deletions=False)] == ["created"]


def test_it_says_no_only_where_no_is_worth_saying(officer: User) -> None:
    housing = saved(PortfolioFactory.build(name="Housing", is_active=False), officer, 0)
    records = Portfolio.history.filter(id=housing.pk).select_related("history_user")  # type: ignore[attr-defined]

    plain = {"is_active": Field("Active", yes_no)}
    worth_saying = {"is_active": Field("Active", yes_no, false_is_a_value=True)}

    assert entries(records, plain, subject=definition) == []
    [entry] = entries(records, worth_saying, subject=definition)
    assert entry.summary == "Active: no"


def test_it_can_tell_a_change_in_a_word(officer: User) -> None:
    def in_a_word(old: Any, new: Any) -> str:
        return "changed" if old and new else ("added" if new else "removed")

    fields = {"description": Field("Description", text, in_a_word=in_a_word)}
    theme = saved(new_theme(description="Cleaner air."), officer, 0)
    theme.description = "Cleaner air and water."
    saved(theme, officer, 1)
    records = Theme.history.select_related("history_user")  # type: ignore[attr-defined]

    summaries = [entry.summary for entry in entries(records, fields, subject=definition)]

    assert summaries == ["Description: added", "Description: changed"]


def test_it_merges_newest_first_keeping_each_sources_order_at_the_same_moment() -> None:
    def entry(hours: int, subject: str) -> Entry:
        return Entry(at=START + timedelta(hours=hours), by="x", subject=subject, changes=())

    merged = newest_first([entry(0, "a"), entry(2, "b"), entry(1, "c"), entry(2, "d")])

    assert [e.subject for e in merged] == ["b", "d", "c", "a"]
