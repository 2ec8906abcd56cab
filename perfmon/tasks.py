"""Celery tasks for reminders: thin, they take ids or dates and call perfmon.reminders."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from perfmon import reminders

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, *args: Any) -> None:
    """Queue `task` once the transaction commits. If the broker cannot be reached, the
    step that asked still stands (it has committed): the failure is logged and left to
    whatever re-queues the work (the daily job re-sends notices never tried)."""

    def enqueue() -> None:
        try:
            task.delay(*args)
        except Exception:  # kombu raises several kinds for a broker that is down
            logger.exception(
                "Could not queue %s%r: is the broker at REDIS_URL up?", task.name, args
            )

    transaction.on_commit(enqueue)


def retry_delays() -> list[int]:
    """Seconds to wait before each retry of a failed send: doubling from a base."""
    base = getattr(settings, "REMINDER_RETRY_BASE_SECONDS", 60)
    retries = getattr(settings, "REMINDER_MAX_RETRIES", 5)
    return [base * 2**n for n in range(retries)]


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=6,
)
def send_daily_reminders_task(on: str | None = None) -> int:
    """The daily job (beat, 08:00 Europe/London): claim the day's digests, then send each
    in its own task. Idempotent, so a database outage is simply retried later that
    morning. Returns how many emails were queued."""
    day = date.fromisoformat(on) if on else timezone.localdate()
    run = reminders.run_daily_reminders(on=day)
    to_send = run.to_send + reminders.stalled_notices()
    for email_id in to_send:
        send_reminder_email_task.delay(email_id)
    logger.info(
        "Reminders for %s: %d planned, %d emails queued", day, len(run.planned), len(to_send)
    )
    return len(to_send)


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_reminder_email_task(self: Task, email_id: int) -> str:
    """Send one claimed email; retry with growing delays, then give up (shown in admin)."""
    delays = retry_delays()
    try:
        outcome = reminders.deliver_email(email_id=email_id)
    except reminders.SendFailed as failure:
        # Counted on the email, not the task: a re-queued email keeps its count.
        if failure.attempts > len(delays):
            reminders.give_up(email_id=email_id, error=str(failure))
            return "failed"
        raise self.retry(exc=failure, countdown=delays[failure.attempts - 1]) from failure
    if outcome is reminders.Outcome.BUSY:
        # Another worker holds it, or one died holding it: look again once its lease ends.
        raise self.retry(countdown=reminders.lease().total_seconds())
    return outcome.value
