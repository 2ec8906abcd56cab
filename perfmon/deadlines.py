"""A return's deadlines once extensions are counted, and how overdue reads: pure
functions, no Django."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Deadlines:
    submission: date | None
    approval: date | None
    extended: bool = False


def deadlines_for(
    *, submission: date | None, approval: date | None, extended_to: date | None
) -> Deadlines:
    """The deadlines of one portfolio's return: the quarter's, unless the portfolio has an
    extension, which moves the submission deadline and the approval deadline by as many
    days (so directors keep the time they had to decide)."""
    if extended_to is None or submission is None:
        return Deadlines(submission=submission, approval=approval)
    moved = approval + (extended_to - submission) if approval else None
    return Deadlines(submission=extended_to, approval=moved, extended=True)


SUBMITTED_STATES = frozenset({"submitted", "approved"})


def overdue_days(*, state: str | None, deadlines: Deadlines, today: date) -> int:
    """Days past the deadline the return's next step is: submission while not submitted
    (None: not started), approval while submitted. 0 when not overdue."""
    if state == "approved":
        return 0
    deadline = deadlines.approval if state == "submitted" else deadlines.submission
    if deadline is None or today <= deadline:
        return 0
    return (today - deadline).days


def describe_overdue(days: int, *, state: str | None) -> str:
    """'Submission 3 days overdue', 'Approval 1 day overdue', '' when not overdue."""
    if days <= 0:
        return ""
    step = "Approval" if state == "submitted" else "Submission"
    return f"{step} {days} day{'' if days == 1 else 's'} overdue"
