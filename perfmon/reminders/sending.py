"""Sending one claimed email, exactly once, and writing it from its templates.

A worker takes an email with a conditional UPDATE (a lease): only one worker at a time
can hold it, and a lease left by a worker that died mid-send runs out, so a retry picks
the email up rather than skipping it.
"""

from __future__ import annotations

import enum
import logging
from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from perfmon.models import CouncilSettings, Reminder, ReminderEmail, ReturnEvent
from perfmon.reminders.rules import describe_due

logger = logging.getLogger(__name__)

DEFAULT_SITE_URL = "http://127.0.0.1:8000"


class SendFailed(Exception):
    """The mail backend refused an email; `attempts` counts the tries so far."""

    def __init__(self, email_id: int, attempts: int, error: Exception) -> None:
        self.email_id, self.attempts = email_id, attempts
        super().__init__(f"{type(error).__name__}: {error}")


class Outcome(enum.Enum):
    SENT = "sent"
    ALREADY_DONE = "already sent, given up or deleted"
    BUSY = "being sent by another worker"


def lease() -> timedelta:
    """How long a worker may hold an email it is sending before another may take over."""
    return timedelta(seconds=getattr(settings, "REMINDER_SEND_LEASE_SECONDS", 600))


def site_url() -> str:
    return getattr(settings, "SITE_URL", DEFAULT_SITE_URL).rstrip("/")


def return_link(*, portfolio_id: int, start_year: int, number: int) -> str:
    return site_url() + reverse("return", args=[portfolio_id, start_year, number])


def _take(email_id: int) -> bool:
    now = timezone.now()
    return bool(
        ReminderEmail.objects.filter(pk=email_id, sent_at__isnull=True, failed_at__isnull=True)
        .filter(Q(sending_since__isnull=True) | Q(sending_since__lt=now - lease()))
        .update(sending_since=now, attempts=F("attempts") + 1)
    )


def deliver_email(*, email_id: int) -> Outcome:
    """Send one claimed email unless it has gone already or another worker holds it.

    Raises SendFailed when the mail backend fails, after recording the error on the
    email and releasing it for the next attempt.
    """
    if not _take(email_id):
        pending = ReminderEmail.objects.filter(
            pk=email_id, sent_at__isnull=True, failed_at__isnull=True
        ).exists()
        return Outcome.BUSY if pending else Outcome.ALREADY_DONE
    email = ReminderEmail.objects.select_related("recipient").get(pk=email_id)
    try:
        message = compose(email)
        message.send()
    except Exception as error:
        logger.warning("Reminder email %s to %s failed: %s", email.pk, email.recipient, error)
        failure = SendFailed(email.pk, email.attempts, error)
        ReminderEmail.objects.filter(pk=email_id).update(
            sending_since=None, last_error=str(failure)[:2000]
        )
        raise failure from error
    ReminderEmail.objects.filter(pk=email_id).update(
        sent_at=timezone.now(), sending_since=None, last_error="", subject=message.subject
    )
    logger.info("Reminder email %s sent to %s: %s", email.pk, email.recipient, message.subject)
    return Outcome.SENT


def give_up(*, email_id: int, error: str) -> None:
    """Stop trying an email: it shows as failed in the admin."""
    ReminderEmail.objects.filter(pk=email_id, sent_at__isnull=True).update(
        failed_at=timezone.now(), sending_since=None, last_error=error[:2000]
    )
    logger.error("Reminder email %s given up after retries: %s", email_id, error)


def _message(email: ReminderEmail, subject: str, template: str, context: dict[str, Any]) -> Any:
    context = {
        **context,
        "recipient": email.recipient,
        "council": CouncilSettings.current().name,
        "site_url": site_url(),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{template}.txt", context),
        to=[email.recipient.email],
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    return message


def compose(email: ReminderEmail) -> EmailMultiAlternatives:
    if email.kind == ReminderEmail.Kind.EVENT:
        return _compose_event(email)
    return _compose_digest(email)


def _compose_digest(email: ReminderEmail) -> EmailMultiAlternatives:
    reminders = list(
        email.reminders.select_related("portfolio", "quarter__year").order_by(
            "deadline", "portfolio__name"
        )
    )
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for reminder in reminders:
        quarter = reminder.quarter
        groups[reminder.get_kind_display()].append(
            {
                "portfolio": reminder.portfolio.name,
                "quarter": str(quarter),
                "deadline": reminder.deadline,
                "due": describe_due(reminder.days),
                "url": return_link(
                    portfolio_id=reminder.portfolio_id,
                    start_year=quarter.year.start_year,
                    number=quarter.number,
                ),
            }
        )
    order = [label for _, label in Reminder.Kind.choices if label in groups]
    count = len(reminders)
    subject = (
        f"{count} performance return{'s' if count != 1 else ''} need"
        f"{'' if count != 1 else 's'} your attention ({email.on_date:%-d %B %Y})"
    )
    sections = [{"title": label, "lines": groups[label]} for label in order]
    return _message(email, subject, "reminder_digest", {"sections": sections, "email": email})


EVENT_SUBJECTS: dict[str, str] = {
    ReturnEvent.Action.SUBMITTED: "submitted for your approval",
    ReturnEvent.Action.RETURNED: "returned to you for changes",
    ReturnEvent.Action.APPROVED: "approved",
    ReturnEvent.Action.REOPENED: "reopened for changes",
    ReturnEvent.Action.CHASED: "still to be submitted",
    ReturnEvent.Action.CHASED_DIRECTORS: "waiting for your decision",
    ReturnEvent.Action.EXTENDED: "given a later submission deadline",
}

# What the person did, in the notice's first sentence ("Pat Performance chased ...").
EVENT_VERBS: dict[str, str] = {
    ReturnEvent.Action.CHASED: "sent a reminder about",
    ReturnEvent.Action.CHASED_DIRECTORS: "sent a reminder about",
    ReturnEvent.Action.EXTENDED: "extended the deadline of",
}


def _compose_event(email: ReminderEmail) -> EmailMultiAlternatives:
    assert email.event_id is not None, "an event notice without its event"
    event = ReturnEvent.objects.select_related("user", "ret__portfolio", "ret__quarter__year").get(
        pk=email.event_id
    )
    ret = event.ret
    subject = f"{ret.portfolio.name} – {ret.quarter} return {EVENT_SUBJECTS[event.action]}"
    context = {
        "event": event,
        "ret": ret,
        "what": EVENT_SUBJECTS[event.action],
        "did": EVENT_VERBS.get(event.action, event.action),
        "url": return_link(
            portfolio_id=ret.portfolio_id,
            start_year=ret.quarter.year.start_year,
            number=ret.quarter.number,
        ),
    }
    return _message(email, subject, "return_event", context)
