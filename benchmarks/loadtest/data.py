"""The load test's rows: a reporting year, portfolios, their items, officers and directors.

Imported by seed.py once Django is set up. Rows go in with bulk_create (no history rows
for the seeded items, which the return page does not read).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from benchmarks.loadtest.config import PASSWORD, LoadTestConfig
from measures.models import Action, Measure
from perfmon.models import CouncilPlan, Portfolio, PortfolioRole, ReportingYear, Theme, User
from perfmon.quarters import quarter_being_reported
from perfmon.services import create_reporting_year


def create_items(
    config: LoadTestConfig, year: ReportingYear, portfolios: list[Portfolio]
) -> dict[str, dict[str, list[int]]]:
    """Each portfolio's measures and actions; their ids by portfolio id (as text)."""
    plan = CouncilPlan.objects.create(
        name="Load test Council Plan", first_year=year.start_year, last_year=year.start_year
    )
    themes = Theme.objects.bulk_create(
        Theme(plan=plan, name=f"Load test theme {n}", position=n) for n in range(1, 7)
    )
    measures, actions = [], []
    for p, portfolio in enumerate(portfolios, start=1):
        measures += [
            Measure(
                year=year,
                reference=f"LT{p:03d} PM{i:03d}",
                description=f"Load test measure {i} of portfolio {p}",
                portfolio=portfolio,
                theme=themes[i % len(themes)],
                unit=Measure.Unit.PERCENTAGE,
                polarity=Measure.Polarity.HIGHER,
                target=Decimal(58),
            )
            for i in range(1, config.measures + 1)
        ]
        actions += [
            Action(
                year=year,
                reference=f"LT{p:03d} A{i:03d}",
                description=f"Load test action {i} of portfolio {p}",
                portfolio=portfolio,
                theme=themes[i % len(themes)],
            )
            for i in range(1, config.actions + 1)
        ]
    Measure.objects.bulk_create(measures, batch_size=2000)
    Action.objects.bulk_create(actions, batch_size=2000)
    items: dict[str, dict[str, list[int]]] = {
        str(p.pk): {"measures": [], "actions": []} for p in portfolios
    }
    for measure in measures:
        items[str(measure.portfolio_id)]["measures"].append(measure.pk)
    for action in actions:
        items[str(action.portfolio_id)]["actions"].append(action.pk)
    return items


def create_people(
    config: LoadTestConfig, portfolios: list[Portfolio]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """An officer for each of the first LOADTEST_PORTFOLIOS portfolios, the sharing
    officers on the last one (when there are any), and a director for every portfolio.
    Returns the officers and the directors as the Locust users will know them."""
    people: list[tuple[str, Portfolio, str]] = []
    officers: list[dict[str, Any]] = []
    directors: list[dict[str, Any]] = []
    for p, portfolio in enumerate(portfolios[: config.portfolios], start=1):
        people.append((f"lt-officer-{p:03d}", portfolio, PortfolioRole.Role.OFFICER))
        submits = config.submit_every > 0 and p % config.submit_every == 0
        officers.append({"slot": 0, "slots": 1, "submits": submits})
    for k in range(config.shared_officers):
        people.append((f"lt-shared-{k + 1}", portfolios[-1], PortfolioRole.Role.OFFICER))
        officers.append({"slot": k, "slots": config.shared_officers, "submits": False})
    for p, portfolio in enumerate(portfolios, start=1):
        people.append((f"lt-director-{p:03d}", portfolio, PortfolioRole.Role.DIRECTOR))
        directors.append({})
    # One hash for everyone: hashing a password costs a third of a second on purpose.
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(
            username=username,
            email=f"{username}@loadtest.perfmon.invalid",
            first_name="Load test",
            last_name=username,
            password=password,
        )
        for username, _, _ in people
    )
    PortfolioRole.objects.bulk_create(
        PortfolioRole(user=user, portfolio=portfolio, role=role)
        for user, (_, portfolio, role) in zip(users, people, strict=True)
    )
    for person, (username, portfolio, _) in zip(officers + directors, people, strict=True):
        person.update(username=username, portfolio=portfolio.pk)
    return officers, directors


@transaction.atomic
def create_data(config: LoadTestConfig) -> dict[str, Any]:
    """Create every row; return the manifest the Locust users and verify.py read."""
    start_year, number = quarter_being_reported(timezone.localdate())
    year = create_reporting_year(start_year=start_year)
    names = [f"Load test portfolio {n:03d}" for n in range(1, config.portfolios + 1)]
    if config.shared_officers:
        names.append("Load test shared portfolio")
    portfolios = Portfolio.objects.bulk_create(Portfolio(name=name) for name in names)
    items = create_items(config, year, portfolios)
    officers, directors = create_people(config, portfolios)
    return {
        "start_year": start_year,
        "quarter": number,
        "password": PASSWORD,
        "returns": {
            str(p.pk): reverse("return", args=[p.pk, start_year, number]) for p in portfolios
        },
        "items": items,
        "officers": officers,
        "directors": directors,
    }
