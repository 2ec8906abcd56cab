"""Reminders through the Redis broker and a real Celery worker (not eager mode): the beat
job, beat firing twice at once, a crashed run picked up, sends retried with backoff and
given up in the admin, and event notices sent when the step commits and not otherwise."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from perfmon import reminders, services
from perfmon.models import Portfolio, PortfolioRole, Quarter, ReminderEmail, Return, User
from perfmon.tasks import send_daily_reminders_task
from tests.factories import MeasureFactory, PortfolioFactory, PortfolioRoleFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]

SUBMISSION = date(2026, 10, 21)
APPROVAL = date(2026, 11, 4)
FAILURES: dict[str, int] = {}


class FlakyBackend(EmailBackend):
    """Refuses each recipient's first FAILURES[address] sends, then delivers (locmem)."""

    def send_messages(self, messages: Any) -> int:
        for message in messages:
            address = message.to[0]
            if FAILURES.get(address, 0) > 0:
                FAILURES[address] -= 1
                raise ConnectionResetError("mail server went away")
        return super().send_messages(messages)


class DeadBackend(BaseEmailBackend):
    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")


@pytest.fixture(autouse=True)
def setup(settings: Any) -> None:
    reminders.ensure_default_rules()
    mail.outbox = []
    FAILURES.clear()
    settings.REMINDER_RETRY_BASE_SECONDS = 0.5
    settings.REMINDER_MAX_RETRIES = 3


@pytest.fixture
def quarter() -> Quarter:
    year = services.create_reporting_year(start_year=2026, deadlines={2: (SUBMISSION, APPROVAL)})
    return year.quarters.get(number=2)


@pytest.fixture
def officers(quarter: Quarter) -> list[User]:
    """Six officers, each of their own portfolio with a measure; none has submitted."""
    people = []
    for n in range(6):
        person = UserFactory(username=f"officer{n}")
        portfolio = PortfolioFactory()
        MeasureFactory(portfolio=portfolio, year=quarter.year)
        PortfolioRoleFactory(user=person, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
        people.append(person)
    return people


def wait_until(done: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.1)
    raise AssertionError(f"Still waiting after {seconds} s for {what}")


def all_sent() -> bool:
    return not ReminderEmail.objects.filter(sent_at__isnull=True, failed_at__isnull=True).exists()


def received() -> list[str]:
    return sorted(message.to[0] for message in mail.outbox)


def test_it_sends_the_days_digests_from_the_beat_job(officers: list[User]) -> None:
    with time_machine.travel(datetime(2026, 10, 18, 8, tzinfo=ZoneInfo("Europe/London"))):
        result = send_daily_reminders_task.delay()
        assert result.get(timeout=30) == 6
        wait_until(lambda: len(mail.outbox) == 6, "six digests")
    assert received() == sorted(person.email for person in officers)
    assert all("(due in 3 days)" in message.body for message in mail.outbox)
    assert set(ReminderEmail.objects.values_list("on_date", flat=True)) == {date(2026, 10, 18)}


def test_it_sends_once_when_beat_fires_several_times_at_once(officers: list[User]) -> None:
    results = [send_daily_reminders_task.delay(SUBMISSION.isoformat()) for _ in range(4)]
    for result in results:
        result.get(timeout=30)
    wait_until(all_sent, "every digest sent")
    time.sleep(1)  # any duplicate send would land by now
    assert received() == sorted(person.email for person in officers)
    assert ReminderEmail.objects.count() == 6


def test_it_picks_up_what_a_crashed_run_claimed_and_never_sent(officers: list[User]) -> None:
    claimed = reminders.run_daily_reminders(on=SUBMISSION).to_send  # then the worker died
    first, second, *_ = claimed
    reminders.deliver_email(email_id=first)  # one went before the crash
    # another was mid-send when the worker died: its lease has run out
    ReminderEmail.objects.filter(pk=second).update(
        sending_since=timezone.now() - reminders.lease() - timedelta(seconds=1), attempts=1
    )
    mail.outbox.clear()

    send_daily_reminders_task.delay(SUBMISSION.isoformat()).get(timeout=30)
    wait_until(all_sent, "the rest of the digests")
    first_email = ReminderEmail.objects.get(pk=first).recipient.email
    assert received() == sorted(p.email for p in officers if p.email != first_email)
    assert ReminderEmail.objects.get(pk=second).attempts == 2


def test_it_retries_a_failed_send_with_backoff_then_sends_it(
    officers: list[User], settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FAILURES[officers[0].email] = 2
    started = time.monotonic()
    send_daily_reminders_task.delay(SUBMISSION.isoformat()).get(timeout=30)
    wait_until(all_sent, "the retried digest")
    assert time.monotonic() - started >= 0.5 + 1.0  # waited 0.5 s, then 1 s
    email = ReminderEmail.objects.get(recipient=officers[0])
    assert (email.attempts, email.last_error, email.failed_at) == (3, "", None)
    assert received() == sorted(person.email for person in officers)


def test_it_gives_up_after_the_last_retry_and_shows_it_in_the_admin(
    quarter: Quarter, admin_user: User, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.DeadBackend"
    settings.REMINDER_MAX_RETRIES = 2
    officer = UserFactory(username="alex", first_name="Alex", last_name="Officer")
    portfolio = PortfolioFactory()
    MeasureFactory(portfolio=portfolio, year=quarter.year)
    PortfolioRoleFactory(user=officer, portfolio=portfolio, role="officer")
    send_daily_reminders_task.delay(SUBMISSION.isoformat()).get(timeout=30)
    wait_until(all_sent, "the digest to be given up")
    email = ReminderEmail.objects.get(recipient=officer)
    assert email.failed_at is not None and email.sent_at is None
    assert email.attempts == 3
    assert email.last_error == "ConnectionRefusedError: mail server down"

    client = Client()
    client.force_login(admin_user)
    page = client.get(reverse("admin:perfmon_reminderemail_changelist") + "?status=failed")
    assert "Alex Officer" in page.content.decode()
    assert "Failed" in page.content.decode()


def test_it_emails_the_directors_when_a_return_is_submitted_once_it_commits(
    quarter: Quarter, director: User, officer: User, portfolio: Portfolio
) -> None:
    services.save_return(
        ret=Return(portfolio=portfolio, quarter=quarter), user=officer, forms=[], submit=True
    )
    wait_until(lambda: len(mail.outbox) == 1, "the notice to the director")
    assert mail.outbox[0].to == [director.email]
    assert "submitted for your approval" in mail.outbox[0].subject

    ret = Return.objects.get()
    services.return_to_officers(ret=ret, user=director, comment="Add the Q2 actuals.")
    wait_until(lambda: len(mail.outbox) == 2, "the notice to the officer")
    assert mail.outbox[1].to == [officer.email]
    assert "Add the Q2 actuals." in mail.outbox[1].body


def test_it_sends_nothing_when_the_step_rolls_back(
    quarter: Quarter, director: User, officer: User, portfolio: Portfolio
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        services.save_return(
            ret=Return(portfolio=portfolio, quarter=quarter), user=officer, forms=[], submit=True
        )
        raise RuntimeError("rolled back")
    # a committed step afterwards proves the worker is running and was given only that
    services.save_return(
        ret=Return(portfolio=portfolio, quarter=quarter), user=officer, forms=[], submit=True
    )
    wait_until(lambda: len(mail.outbox) >= 1, "the committed notice")
    time.sleep(1)
    assert len(mail.outbox) == 1
    assert ReminderEmail.objects.count() == 1
