"""How long the daily reminders job takes for 1,000 returns (1,000 portfolios, 2,000
people and the performance team): planning and claiming, as the beat task does, then
sending every digest here (locmem backend) as the per-email tasks
would. Prints; asserts only the query count and that nothing is sent twice."""

from __future__ import annotations

import logging
import statistics
import time
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from perfmon import reminders
from perfmon.models import Portfolio, PortfolioRole, Reminder, ReminderEmail, Return, User
from perfmon.services import create_reporting_year

RETURNS = 1_000
RUNS = 5
SUBMISSION = date(2026, 10, 21)


@pytest.mark.django_db
def test_daily_reminders_for_1000_returns() -> None:
    reminders.ensure_default_rules()
    year = create_reporting_year(
        start_year=2026, deadlines={2: (SUBMISSION, SUBMISSION + timedelta(days=11))}
    )
    quarter = year.quarters.get(number=2)
    portfolios = Portfolio.objects.bulk_create(
        Portfolio(name=f"Portfolio {n:04d}") for n in range(RETURNS)
    )
    people = User.objects.bulk_create(
        User(username=f"person{n}", email=f"person{n}@council.example") for n in range(2 * RETURNS)
    )
    User.objects.bulk_create(
        User(username=f"team{n}", email=f"team{n}@council.example", is_superuser=True)
        for n in range(2)
    )
    PortfolioRole.objects.bulk_create(
        PortfolioRole(user=people[2 * n + (role == "director")], portfolio=p, role=role)
        for n, p in enumerate(portfolios)
        for role in ("officer", "director")
    )
    Return.objects.bulk_create(
        Return(portfolio=p, quarter=quarter, state="submitted" if n % 2 else "draft")
        for n, p in enumerate(portfolios)
    )
    day = SUBMISSION + timedelta(days=8)  # officers 8 days overdue, directors due in 3, team

    timings = []
    for _ in range(RUNS):
        Reminder.objects.all().delete()
        ReminderEmail.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            run = reminders.run_daily_reminders(on=day)
            timings.append((time.perf_counter() - started) * 1000)
    plan_ms = statistics.median(timings)

    mail.outbox = []
    logging.getLogger("perfmon.reminders").setLevel(logging.WARNING)  # a line per email
    started = time.perf_counter()
    for email_id in run.to_send:
        reminders.deliver_email(email_id=email_id)
    send_s = time.perf_counter() - started
    again = reminders.run_daily_reminders(on=day)

    # The count is asserted constant (10 vs 500 returns) in tests/perfmon/test_reminders.py.
    assert len(mail.outbox) == len(run.to_send) and again.to_send == []
    print(
        f"\ndaily reminders, {RETURNS} returns: plan and claim {len(run.planned)} reminders "
        f"into {len(run.to_send)} digests: median {plan_ms:.0f} ms, {len(queries)} queries "
        f"({RUNS} runs); sending them all in one process: {send_s:.1f} s "
        f"({send_s / len(run.to_send) * 1000:.1f} ms per digest); a second run sends nothing"
    )
