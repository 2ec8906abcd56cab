"""When a reminder rule fires, and how reminders read: pure functions, no Django."""

from __future__ import annotations

from collections.abc import Iterable

# Overdue reminders repeat while a return is outstanding, but not for ever: a return
# still missing three months on is a conversation, not an email.
OVERDUE_LIMIT_DAYS = 91


def fires(days_from_deadline: int, *, days: int, repeat_every_days: int | None) -> bool:
    """Whether a rule set `days` from a deadline (then every `repeat_every_days`) falls on
    a date `days_from_deadline` from it."""
    if days_from_deadline == days:
        return True
    if not repeat_every_days or days_from_deadline < days:
        return False
    if days_from_deadline > max(days, OVERDUE_LIMIT_DAYS):
        return False
    return (days_from_deadline - days) % repeat_every_days == 0


def reach(days: int, repeat_every_days: int | None) -> int:
    """The furthest day from the deadline on which a rule can fire."""
    return max(days, OVERDUE_LIMIT_DAYS) if repeat_every_days else days


def _count(days: int) -> str:
    return f"{days} day{'' if days == 1 else 's'}"


def describe_offset(days: int, *, deadline: str = "deadline") -> str:
    """'3 days before the submission deadline', 'on the day of ...', '1 day after ...'."""
    if days == 0:
        return f"on the day of the {deadline}"
    side = "before" if days < 0 else "after"
    return f"{_count(abs(days))} {side} the {deadline}"


def describe_due(days: int) -> str:
    """How a digest line puts the deadline: 'due in 3 days', 'due today', '2 days overdue'."""
    if days == 0:
        return "due today"
    if days < 0:
        return f"due in {_count(-days)}"
    return f"{_count(days)} overdue"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def describe_reminded(days: Iterable[int], *, deadline: str = "deadline") -> str:
    """'14 and 3 days before the deadline, on the day and 1 day after' for [-14, -3, 0, 1].

    Empty string when there were none.
    """
    ordered = sorted(set(days))
    before = [-d for d in ordered if d < 0]
    after = [d for d in ordered if d > 0]
    parts = []
    if before:
        unit = "day" if before == [1] else "days"
        parts.append(f"{_join([str(d) for d in before])} {unit} before the {deadline}")
    if 0 in ordered:
        parts.append("on the day" if parts else f"on the day of the {deadline}")
    if after:
        unit = "day" if after == [1] else "days"
        tail = "after" if parts else f"after the {deadline}"
        parts.append(f"{_join([str(d) for d in after])} {unit} {tail}")
    return _join(parts) if parts else ""
