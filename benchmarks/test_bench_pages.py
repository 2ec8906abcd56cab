"""How long the return page takes for a 150-item portfolio, beside a trivial signed-in
page on the same server (in-process), as a ratio. Prints; asserts nothing about time."""

from __future__ import annotations

import statistics
import time

import pytest
from django.test import Client
from django.urls import reverse

from perfmon.models import PortfolioRole
from perfmon.services import create_reporting_year
from tests.factories import (
    ActionFactory,
    MeasureFactory,
    PortfolioFactory,
    PortfolioRoleFactory,
    UserFactory,
)

RUNS = 15


def median_ms(client: Client, path: str) -> float:
    client.get(path)  # warm up
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        assert client.get(path).status_code == 200
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


@pytest.mark.django_db
def test_return_page_for_150_items() -> None:
    portfolio = PortfolioFactory()
    quarter = create_reporting_year(start_year=2026).quarters.get(number=2)
    for _ in range(100):
        MeasureFactory(portfolio=portfolio, year=quarter.year)
    for _ in range(50):
        ActionFactory(portfolio=portfolio, year=quarter.year)
    officer = UserFactory()
    PortfolioRoleFactory(user=officer, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
    client = Client()
    client.force_login(officer)

    trivial = median_ms(client, reverse("home"))
    page = median_ms(client, reverse("return", args=[portfolio.pk, 2026, 2]))
    print(
        f"\nreturn page, 150 items: median {page:.1f} ms; home page: median {trivial:.1f} ms; "
        f"ratio {page / trivial:.1f}x ({RUNS} runs each)"
    )
