"""The demo council's frame: a plan and its themes, portfolios, the current reporting
year with deadlines around today, and one user for each role.

Every step is get-or-create, so loading the demo twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from perfmon import quarters, services
from perfmon.models import (
    CouncilPlan,
    Portfolio,
    PortfolioRole,
    Quarter,
    ReportingYear,
    Theme,
    User,
)

DEMO_PASSWORD = "perfmon-demo"
DEMO_EMAIL_DOMAIN = "demo.perfmon.invalid"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    does: str

    @property
    def email(self) -> str:
        return f"{self.username}@{DEMO_EMAIL_DOMAIN}"


OFFICER = DemoUser("officer", "Alex", "Officer", "officer on two portfolios")
DIRECTOR = DemoUser("director", "Dana", "Director", "director of the same two portfolios")
ADMIN = DemoUser("admin", "Pat", "Performance", "performance team (the admin)")
VIEWER = DemoUser("viewer", "Vic", "Viewer", "viewer: reads dashboards and reports")
DEMO_USERS = (OFFICER, DIRECTOR, ADMIN, VIEWER)

# Past deadlines follow the usual rhythm: three weeks to submit, two more to approve.
SUBMIT_AFTER_END = timedelta(days=21)
APPROVE_AFTER_SUBMIT = timedelta(days=14)


@dataclass(frozen=True)
class DemoFrame:
    plan: CouncilPlan
    portfolios: list[Portfolio]
    years: list[ReportingYear]
    users: dict[str, User]


def _deadlines(start_year: int, today: date) -> dict[int, tuple[date | None, date | None]]:
    """Usual deadlines, except the quarter being reported today: due in three days,
    so the demo always has a deadline coming up (and reminders to show)."""
    reporting = quarters.quarter_being_reported(today)
    deadlines: dict[int, tuple[date | None, date | None]] = {}
    for number in Quarter.Number.values:
        submission = quarters.quarter_bounds(start_year, number)[1] + SUBMIT_AFTER_END
        if (start_year, number) == reporting:
            submission = today + timedelta(days=3)
        deadlines[number] = (submission, submission + APPROVE_AFTER_SUBMIT)
    return deadlines


def _ensure_year(start_year: int, today: date) -> ReportingYear:
    existing = ReportingYear.objects.filter(start_year=start_year).first()
    if existing:
        return existing
    return services.create_reporting_year(
        start_year=start_year, deadlines=_deadlines(start_year, today)
    )


def _ensure_user(demo: DemoUser) -> User:
    user, created = User.objects.get_or_create(
        username=demo.username,
        defaults={
            "first_name": demo.first_name,
            "last_name": demo.last_name,
            "email": demo.email,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def load_demo_frame(
    *,
    today: date,
    plan_name: str,
    plan_years: tuple[int, int],
    themes: Sequence[str],
    portfolios: Sequence[str],
    role_portfolios: Sequence[str],
) -> DemoFrame:
    """Create the demo frame. `role_portfolios` are the portfolios the demo officer and
    director hold roles on."""
    plan, _ = CouncilPlan.objects.get_or_create(
        name=plan_name, defaults={"first_year": plan_years[0], "last_year": plan_years[1]}
    )
    for position, name in enumerate(themes, start=1):
        Theme.objects.get_or_create(plan=plan, name=name, defaults={"position": position})
    portfolio_rows = [Portfolio.objects.get_or_create(name=name)[0] for name in portfolios]

    current_start = quarters.quarter_containing(today)[0]
    reporting_start = quarters.quarter_being_reported(today)[0]
    years = [_ensure_year(start, today) for start in sorted({reporting_start, current_start})]

    users = {demo.username: _ensure_user(demo) for demo in DEMO_USERS}
    admin = users[ADMIN.username]
    if not admin.is_staff:
        admin.is_staff = True
        admin.save(update_fields=["is_staff"])
    admin.groups.add(services.ensure_performance_team_group())
    for name in role_portfolios:
        portfolio = Portfolio.objects.get(name=name)
        for demo, role in (
            (OFFICER, PortfolioRole.Role.OFFICER),
            (DIRECTOR, PortfolioRole.Role.DIRECTOR),
        ):
            PortfolioRole.objects.get_or_create(
                user=users[demo.username], portfolio=portfolio, role=role
            )
    return DemoFrame(plan=plan, portfolios=portfolio_rows, years=years, users=users)
