"""Deadline reminders through the service and `manage.py send_reminders`: who hears what on
which day, one digest per person per day, never twice, and what the return page and the
admin show. The same service runs under a real Celery worker in test_reminders_worker.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from measures.models import Measure
from perfmon import reminders, services
from perfmon.models import (
    Portfolio,
    PortfolioRole,
    Quarter,
    Reminder,
    ReminderEmail,
    ReminderRule,
    Return,
    User,
)
from tests.factories import MeasureFactory, PortfolioFactory, PortfolioRoleFactory, UserFactory

LONDON = ZoneInfo("Europe/London")
SUBMISSION = date(2026, 10, 21)  # a Wednesday, three weeks after Q2 2026/27 ends
APPROVAL = date(2026, 11, 4)


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses everything."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")


@pytest.fixture(autouse=True)
def rules(db: None) -> None:
    reminders.ensure_default_rules()


@pytest.fixture
def quarter(portfolio: Portfolio) -> Quarter:
    """Q2 2026/27 with its deadlines; the portfolio has a measure that year, so a return
    is expected of it."""
    year = services.create_reporting_year(start_year=2026, deadlines={2: (SUBMISSION, APPROVAL)})
    MeasureFactory(portfolio=portfolio, year=year)
    return year.quarters.get(number=2)


def at_8am(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, tzinfo=LONDON)


def run(day: date | None = None, *args: str) -> str:
    out = StringIO()
    options = ["--date", day.isoformat()] if day else []
    call_command("send_reminders", *options, *args, stdout=out, stderr=out)
    return out.getvalue()


def run_every_day(first: date, last: date) -> dict[str, list[date]]:
    """Run the daily job at 08:00 on each day (time-machine); who got an email when."""
    received: dict[str, list[date]] = {}
    day = first
    while day <= last:
        mail.outbox.clear()
        with time_machine.travel(at_8am(day), tick=False):
            run()
        for message in mail.outbox:
            received.setdefault(message.to[0], []).append(day)
        day += timedelta(days=1)
    return received


def submitted(portfolio: Portfolio, quarter: Quarter) -> Return:
    return Return.objects.create(portfolio=portfolio, quarter=quarter, state="submitted")


def test_it_reminds_officers_14_and_3_days_before_on_the_day_then_weekly_while_overdue(
    officer: User, director: User, admin_user: User, quarter: Quarter
) -> None:
    received = run_every_day(date(2026, 10, 1), date(2026, 11, 20))
    assert received[officer.email] == [
        date(2026, 10, 7),
        date(2026, 10, 18),
        date(2026, 10, 21),
        date(2026, 10, 22),
        date(2026, 10, 29),
        date(2026, 11, 5),
        date(2026, 11, 12),
        date(2026, 11, 19),
    ]
    assert director.email not in received  # nothing submitted for them to approve


def test_it_stops_officers_reminders_once_the_return_is_submitted(
    officer: User, director: User, portfolio: Portfolio, quarter: Quarter
) -> None:
    submitted(portfolio, quarter)
    received = run_every_day(date(2026, 10, 1), date(2026, 11, 20))
    assert officer.email not in received
    assert received[director.email] == [
        date(2026, 11, 1),
        date(2026, 11, 4),
        date(2026, 11, 5),
        date(2026, 11, 12),
        date(2026, 11, 19),
    ]


def test_it_tells_the_team_the_day_after_each_deadline_what_is_missing_then_weekly(
    officer: User, admin_user: User, portfolio: Portfolio, quarter: Quarter
) -> None:
    other = PortfolioFactory(name="Communities and Place")
    submitted(other, quarter)
    PortfolioFactory(name="Nothing to report this year")  # no items, no return: not missing
    received = run_every_day(date(2026, 10, 20), date(2026, 11, 12))
    assert received[admin_user.email] == [
        date(2026, 10, 22),
        date(2026, 10, 29),
        date(2026, 11, 5),
        date(2026, 11, 12),
    ]
    mail.outbox.clear()
    run(date(2026, 10, 22))  # already sent: nothing again
    assert mail.outbox == []
    lines = Reminder.objects.filter(recipient=admin_user, on_date=date(2026, 10, 22))
    assert {(r.kind, r.portfolio.name) for r in lines} == {
        ("not_submitted", "Governance and Finance")
    }
    lines = Reminder.objects.filter(recipient=admin_user, on_date=date(2026, 11, 5))
    assert {(r.kind, r.portfolio.name) for r in lines} == {
        ("not_submitted", "Governance and Finance"),
        ("not_approved", "Governance and Finance"),
        ("not_approved", "Communities and Place"),
    }


def test_it_sends_one_digest_a_day_with_each_return_linked_in_text_and_html(
    officer: User, portfolio: Portfolio, quarter: Quarter, settings: Any
) -> None:
    settings.SITE_URL = "https://perfmon.derby.gov.uk/"
    second = PortfolioFactory(name="Children, Young People and Skills")
    MeasureFactory(portfolio=second, year=quarter.year)
    PortfolioRoleFactory(user=officer, portfolio=second, role=PortfolioRole.Role.OFFICER)
    output = run(SUBMISSION - timedelta(days=3))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [officer.email]
    assert message.subject == "2 performance returns need your attention (18 October 2026)"
    for p in (portfolio, second):
        link = f"https://perfmon.derby.gov.uk/returns/{p.pk}/2026/q2/"
        assert link in message.body
        assert f'href="{link}"' in message.alternatives[0].content
        assert f"{p.name}, Q2 2026/27: deadline Wednesday 21 October 2026 (due in 3 days)" in (
            message.body
        )
    assert message.alternatives[0].mimetype == "text/html"
    assert "Alex Officer <alex@council.example>: 2 reminder(s)" in output
    assert "1 email(s) sent, 0 failed" in output
    email = ReminderEmail.objects.get()
    assert email.sent_at is not None
    assert email.subject == message.subject
    assert email.reminders.count() == 2


def test_it_never_emails_inactive_people_about_approved_returns_or_unset_deadlines(
    officer: User, director: User, portfolio: Portfolio, quarter: Quarter
) -> None:
    inactive = UserFactory(username="gone", is_active=False)
    PortfolioRoleFactory(user=inactive, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
    approved = PortfolioFactory(name="Approved already")
    PortfolioRoleFactory(user=director, portfolio=approved, role=PortfolioRole.Role.DIRECTOR)
    Return.objects.create(portfolio=approved, quarter=quarter, state="approved")
    undated = Quarter.objects.get(year=quarter.year, number=3)  # no deadlines set
    assert undated.submission_deadline is None

    run_every_day(date(2026, 10, 1), date(2027, 3, 31))
    recipients = set(ReminderEmail.objects.values_list("recipient__username", flat=True))
    assert recipients == {"alex"}
    assert not Reminder.objects.filter(portfolio=approved).exists()
    assert not Reminder.objects.filter(quarter=undated).exists()


def test_it_sends_nothing_twice_for_the_same_day(
    officer: User, director: User, admin_user: User, quarter: Quarter
) -> None:
    day = SUBMISSION + timedelta(days=1)
    run(day)
    assert sorted(m.to[0] for m in mail.outbox) == [officer.email, admin_user.email]
    mail.outbox.clear()
    output = run(day)
    assert mail.outbox == []
    assert "0 email(s) sent" in output
    assert ReminderEmail.objects.count() == 2
    assert Reminder.objects.count() == 2


def test_it_prints_what_it_would_send_on_a_dry_run_and_changes_nothing(
    officer: User, quarter: Quarter
) -> None:
    output = run(SUBMISSION, "--dry-run")
    assert "Alex Officer <alex@council.example>: 1 reminder(s)" in output
    assert "Return to submit: Governance and Finance, Q2 2026/27 – due today" in output
    assert "Dry run: nothing sent for Wednesday 21 October 2026." in output
    assert mail.outbox == []
    assert not ReminderEmail.objects.exists()


def test_it_says_when_nothing_is_due(officer: User, quarter: Quarter) -> None:
    assert "No reminders are due on Monday 12 October 2026." in run(date(2026, 10, 12))
    assert mail.outbox == []


def test_it_follows_the_days_the_performance_team_sets(officer: User, quarter: Quarter) -> None:
    ReminderRule.objects.filter(audience="officers", days=-14).update(days=-7)
    ReminderRule.objects.filter(audience="officers", days=-3).update(is_active=False)
    assert run_every_day(date(2026, 10, 1), date(2026, 10, 20)) == {
        officer.email: [date(2026, 10, 14)]
    }


def test_it_shows_on_the_return_page_when_people_were_reminded(
    officer: User, director: User, portfolio: Portfolio, quarter: Quarter
) -> None:
    run(SUBMISSION - timedelta(days=14))
    run(SUBMISSION - timedelta(days=3))
    client = Client()
    client.force_login(officer)
    page = client.get(reverse("return", args=[portfolio.pk, 2026, 2]))
    assert page.context["reminded"] == [
        "Officers were reminded 14 and 3 days before the submission deadline."
    ]
    assert "Officers were reminded 14 and 3 days before the submission deadline." in (
        page.content.decode()
    )


def test_it_leaves_a_failed_send_for_the_next_attempt(
    officer: User, quarter: Quarter, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    output = run(SUBMISSION)
    assert "failed (ConnectionRefusedError: mail server down); it will be retried" in output
    email = ReminderEmail.objects.get()
    assert (email.sent_at, email.attempts, email.sending_since) == (None, 1, None)
    assert email.last_error == "ConnectionRefusedError: mail server down"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run(SUBMISSION)
    email.refresh_from_db()
    assert email.sent_at is not None
    assert (email.attempts, email.last_error) == (2, "")
    assert len(mail.outbox) == 1


def test_it_takes_over_an_email_only_once_a_dead_workers_lease_runs_out(
    officer: User, quarter: Quarter
) -> None:
    run_ = reminders.run_daily_reminders(on=SUBMISSION)
    (email_id,) = run_.to_send
    ReminderEmail.objects.filter(pk=email_id).update(
        sending_since=timezone.now() - timedelta(minutes=1), attempts=1
    )
    assert reminders.deliver_email(email_id=email_id) is reminders.Outcome.BUSY
    assert mail.outbox == []
    ReminderEmail.objects.filter(pk=email_id).update(
        sending_since=timezone.now() - reminders.lease() - timedelta(seconds=1)
    )
    assert reminders.deliver_email(email_id=email_id) is reminders.Outcome.SENT
    assert reminders.deliver_email(email_id=email_id) is reminders.Outcome.ALREADY_DONE
    assert len(mail.outbox) == 1


def test_it_lists_every_email_with_its_status_in_the_admin(
    officer: User, admin_user: User, quarter: Quarter
) -> None:
    (email_id,) = reminders.run_daily_reminders(on=SUBMISSION).to_send
    reminders.give_up(email_id=email_id, error="SMTPRecipientsRefused: alex@council.example")
    client = Client()
    client.force_login(admin_user)
    page = client.get(reverse("admin:perfmon_reminderemail_changelist") + "?status=failed")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Alex Officer" in html
    assert "Failed" in html
    detail = client.get(reverse("admin:perfmon_reminderemail_change", args=[email_id]))
    assert "SMTPRecipientsRefused: alex@council.example" in detail.content.decode()
    assert "Governance and Finance" in detail.content.decode()
    rules = client.get(reverse("admin:perfmon_reminderrule_changelist")).content.decode()
    assert "14 days before the submission deadline" in rules
    assert "1 day after the approval deadline, then every 7 days" in rules


def test_it_keeps_the_daily_job_queries_constant_for_10_and_500_returns(
    quarter: Quarter, admin_user: User
) -> None:
    Measure.objects.all().delete()

    def queries_for(count: int) -> int:
        Return.objects.all().delete()
        Portfolio.objects.all().delete()
        portfolios = Portfolio.objects.bulk_create(
            Portfolio(name=f"Portfolio {count}-{n}") for n in range(count)
        )
        people = User.objects.bulk_create(
            User(username=f"p{count}-{n}", email=f"p{count}-{n}@council.example")
            for n in range(count * 2)
        )
        PortfolioRole.objects.bulk_create(
            PortfolioRole(user=people[2 * n + (role == "director")], portfolio=p, role=role)
            for n, p in enumerate(portfolios)
            for role in (["officer", "director"] if n % 2 else ["officer"])
        )
        Return.objects.bulk_create(
            Return(portfolio=p, quarter=quarter, state="submitted" if n % 2 else "draft")
            for n, p in enumerate(portfolios)
        )
        day = SUBMISSION + timedelta(days=15)  # officers and team overdue, directors due
        with CaptureQueriesContext(connection) as queries:
            result = reminders.run_daily_reminders(on=day)
        assert len(result.to_send) == count + 1  # officers or directors, and the team
        ReminderEmail.objects.all().delete()
        return len(queries)

    assert queries_for(10) == queries_for(500)


# Event notices, claimed with the step and sent when it commits ------------------------


def test_it_claims_notices_with_each_step_and_queues_them_for_the_commit(
    officer: User,
    director: User,
    admin_user: User,
    portfolio: Portfolio,
    quarter: Quarter,
    django_capture_on_commit_callbacks: Any,
) -> None:
    Measure.objects.all().delete()  # nothing to fill in: it can be submitted as it is
    ret = Return(portfolio=portfolio, quarter=quarter)
    with django_capture_on_commit_callbacks() as callbacks:
        services.save_return(ret=ret, user=officer, forms=[], submit=True)
    assert len(callbacks) == 1  # one send queued, run by the worker once committed
    notice = ReminderEmail.objects.get(kind="event")
    assert notice.recipient == director
    assert reminders.deliver_email(email_id=notice.pk) is reminders.Outcome.SENT
    assert mail.outbox[-1].subject == (
        "Governance and Finance – Q2 2026/27 return submitted for your approval"
    )
    assert f"/returns/{portfolio.pk}/2026/q2/" in mail.outbox[-1].body

    ret = Return.objects.get()
    with django_capture_on_commit_callbacks():
        services.return_to_officers(ret=ret, user=director, comment="Add the Q2 actuals.")
    notice = ReminderEmail.objects.get(kind="event", recipient=officer)
    reminders.deliver_email(email_id=notice.pk)
    message = mail.outbox[-1]
    assert (
        message.subject == "Governance and Finance – Q2 2026/27 return returned to you for changes"
    )
    assert '"Add the Q2 actuals."' in message.body
    assert "Add the Q2 actuals." in message.alternatives[0].content


def test_it_claims_and_queues_nothing_when_the_step_rolls_back(
    officer: User,
    director: User,
    portfolio: Portfolio,
    quarter: Quarter,
    django_capture_on_commit_callbacks: Any,
) -> None:
    Measure.objects.all().delete()  # nothing to fill in: it can be submitted as it is
    ret = Return(portfolio=portfolio, quarter=quarter)
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.save_return(ret=ret, user=officer, forms=[], submit=True)
        raise RuntimeError("something after the submit failed")
    assert callbacks == []
    assert not ReminderEmail.objects.exists()
    assert Return.objects.filter(state="submitted").count() == 0


def test_it_tells_officers_of_approval_and_reopening_but_not_whoever_acted(
    officer: User,
    director: User,
    admin_user: User,
    portfolio: Portfolio,
    quarter: Quarter,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ret = submitted(portfolio, quarter)
    other_officer = UserFactory(username="sam", is_active=False)
    PortfolioRoleFactory(user=other_officer, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
    with django_capture_on_commit_callbacks():
        services.approve_return(ret=ret, user=director)
        services.reopen_return(ret=ret, user=admin_user, reason="A figure was wrong.")
    notices = ReminderEmail.objects.filter(kind="event").select_related("event")
    assert sorted((n.recipient.username, n.event.action) for n in notices) == [
        ("alex", "approved"),
        ("alex", "reopened"),
    ]


def test_it_lets_the_team_send_failed_emails_again_from_the_admin(
    officer: User,
    admin_user: User,
    quarter: Quarter,
    django_capture_on_commit_callbacks: Any,
) -> None:
    (email_id,) = reminders.run_daily_reminders(on=SUBMISSION).to_send
    reminders.give_up(email_id=email_id, error="ConnectionRefusedError: mail server down")
    client = Client()
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("admin:perfmon_reminderemail_changelist"),
            {"action": "send_again", "_selected_action": [email_id]},
            follow=True,
        )
    assert "1 failed email(s) queued to send again." in response.content.decode()
    assert len(callbacks) == 1
    email = ReminderEmail.objects.get()
    assert (email.failed_at, email.attempts) == (None, 0)
    assert reminders.deliver_email(email_id=email_id) is reminders.Outcome.SENT


def test_a_step_stands_when_the_broker_is_down_and_its_notice_waits(
    officer: User,
    director: User,
    portfolio: Portfolio,
    quarter: Quarter,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from kombu.exceptions import OperationalError

    from perfmon.tasks import send_reminder_email_task

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_reminder_email_task, "delay", broker_down)
    Measure.objects.all().delete()
    ret = Return(portfolio=portfolio, quarter=quarter)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_return(ret=ret, user=officer, forms=[], submit=True)
    assert Return.objects.get().state == "submitted"
    assert "is the broker at REDIS_URL up?" in caplog.text
    notice = ReminderEmail.objects.get(kind="event", recipient=director)
    assert notice.sent_at is None  # claimed, for the daily job to send
