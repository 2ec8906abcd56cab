"""The pure rules of reminders: which days a rule fires on, and how reminders read."""

from __future__ import annotations

import pytest

from perfmon.reminders.rules import (
    OVERDUE_LIMIT_DAYS,
    describe_due,
    describe_offset,
    describe_reminded,
    fires,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [(-14, True), (-13, False), (-3, False), (0, False), (7, False)],
)
def test_it_fires_a_one_off_rule_on_its_day_only(day: int, expected: bool) -> None:
    assert fires(day, days=-14, repeat_every_days=None) is expected


def test_it_repeats_a_rule_weekly_from_its_first_day_until_the_overdue_limit() -> None:
    days = [d for d in range(-30, 200) if fires(d, days=1, repeat_every_days=7)]
    assert days[:4] == [1, 8, 15, 22]
    assert days[-1] <= OVERDUE_LIMIT_DAYS
    assert days[-1] + 7 > OVERDUE_LIMIT_DAYS


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (-14, "14 days before the submission deadline"),
        (-1, "1 day before the submission deadline"),
        (0, "on the day of the submission deadline"),
        (1, "1 day after the submission deadline"),
    ],
)
def test_it_describes_a_rules_day(days: int, text: str) -> None:
    assert describe_offset(days, deadline="submission deadline") == text


@pytest.mark.parametrize(
    ("days", "text"),
    [(-3, "due in 3 days"), (-1, "due in 1 day"), (0, "due today"), (8, "8 days overdue")],
)
def test_it_says_when_a_return_is_due(days: int, text: str) -> None:
    assert describe_due(days) == text


@pytest.mark.parametrize(
    ("days", "text"),
    [
        ([-3, -14], "14 and 3 days before the deadline"),
        ([-3], "3 days before the deadline"),
        ([-1], "1 day before the deadline"),
        (
            [-14, -3, 0, 1, 8],
            "14 and 3 days before the deadline, on the day and 1 and 8 days after",
        ),
        ([0], "on the day of the deadline"),
        ([1, 8, 15], "1, 8 and 15 days after the deadline"),
        ([], ""),
    ],
)
def test_it_describes_the_reminders_sent_about_a_return(days: list[int], text: str) -> None:
    assert describe_reminded(days) == text
