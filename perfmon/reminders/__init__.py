"""Deadline reminders and return event notices: who hears what, claimed once, sent once.

The daily job is `run_daily_reminders`: it plans the day's reminders from the rules and
the deadlines in the database, claims them (one digest per person per day) and returns
the digests still to send, which the caller delivers (a Celery task each, or inline from
`manage.py send_reminders`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from perfmon.models import Reminder, ReminderEmail, ReminderRule
from perfmon.reminders.events import claim_event_emails
from perfmon.reminders.planning import Planned, claim_reminders, plan_reminders, unsent_digests
from perfmon.reminders.rules import describe_reminded
from perfmon.reminders.sending import Outcome, SendFailed, deliver_email, give_up, lease

__all__ = [
    "DEFAULT_RULES",
    "DailyRun",
    "Outcome",
    "Planned",
    "SendFailed",
    "claim_event_emails",
    "deliver_email",
    "ensure_default_rules",
    "give_up",
    "lease",
    "plan_reminders",
    "reminders_sent_about",
    "run_daily_reminders",
    "stalled_notices",
    "unsent_digests",
]

Audience, Deadline = ReminderRule.Audience, ReminderRule.Deadline

# (audience, deadline, days from it, repeat every so many days while outstanding)
DEFAULT_RULES: tuple[tuple[str, str, int, int | None], ...] = (
    (Audience.OFFICERS, Deadline.SUBMISSION, -14, None),
    (Audience.OFFICERS, Deadline.SUBMISSION, -3, None),
    (Audience.OFFICERS, Deadline.SUBMISSION, 0, None),
    (Audience.OFFICERS, Deadline.SUBMISSION, 1, 7),
    (Audience.DIRECTORS, Deadline.APPROVAL, -3, None),
    (Audience.DIRECTORS, Deadline.APPROVAL, 0, None),
    (Audience.DIRECTORS, Deadline.APPROVAL, 1, 7),
    (Audience.TEAM, Deadline.SUBMISSION, 1, 7),
    (Audience.TEAM, Deadline.APPROVAL, 1, 7),
)


def ensure_default_rules() -> int:
    """Create the default reminder rules if there are none at all (the team may have
    deleted or changed them: then nothing is touched). Returns how many were created."""
    if ReminderRule.objects.exists():
        return 0
    created = ReminderRule.objects.bulk_create(
        ReminderRule(audience=a, deadline=d, days=days, repeat_every_days=repeat)
        for a, d, days, repeat in DEFAULT_RULES
    )
    return len(created)


@dataclass(frozen=True)
class DailyRun:
    on: date
    planned: list[Planned]
    to_send: list[int]  # ids of ReminderEmail digests not yet sent


def run_daily_reminders(*, on: date, dry_run: bool = False) -> DailyRun:
    """Plan the reminders due on `on` and, unless `dry_run`, claim them.

    Idempotent: a second run for the same day claims nothing new and returns only the
    digests still unsent (those a crashed or failed run left behind).
    """
    planned = plan_reminders(on=on)
    if dry_run:
        return DailyRun(on=on, planned=planned, to_send=[])
    with transaction.atomic():
        to_send = claim_reminders(on=on, planned=planned)
    return DailyRun(on=on, planned=planned, to_send=to_send)


def stalled_notices(*, older_than: timedelta = timedelta(hours=1)) -> list[int]:
    """Event notices claimed a while ago that no worker ever tried: their task was lost
    (the process died between the commit and the enqueue)."""
    return list(
        ReminderEmail.objects.filter(
            kind=ReminderEmail.Kind.EVENT,
            sent_at__isnull=True,
            failed_at__isnull=True,
            attempts=0,
            created_at__lt=timezone.now() - older_than,
        ).values_list("pk", flat=True)
    )


_REMINDED = {
    Reminder.Kind.TO_SUBMIT: ("Officers", "submission deadline"),
    Reminder.Kind.TO_APPROVE: ("Directors", "approval deadline"),
}


def reminders_sent_about(*, portfolio_id: int, quarter_id: int) -> list[str]:
    """What the return page says of the reminders sent about a return: 'Officers were
    reminded 14 and 3 days before the submission deadline.' One query."""
    days: dict[str, set[int]] = {}
    for kind, day in (
        Reminder.objects.filter(
            portfolio_id=portfolio_id,
            quarter_id=quarter_id,
            kind__in=_REMINDED,
            email__sent_at__isnull=False,
        )
        .values_list("kind", "days")
        .distinct()
    ):
        days.setdefault(kind, set()).add(day)
    return [
        f"{who} were reminded {describe_reminded(days[kind], deadline=deadline)}."
        for kind, (who, deadline) in _REMINDED.items()
        if kind in days
    ]
