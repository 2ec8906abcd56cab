from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perfmon.models import PortfolioRole, User
from perfmon.services import create_reporting_year
from tests.factories import PortfolioFactory, PortfolioRoleFactory


@pytest.fixture
def year_2026(db: None) -> None:
    create_reporting_year(
        start_year=2026,
        deadlines={2: (date(2026, 11, 26), date(2026, 12, 10))},
    )


@time_machine.travel(date(2026, 11, 23))
def test_it_shows_the_quarter_being_reported_and_its_deadlines(
    client: Client, officer: User, year_2026: None
) -> None:
    client.force_login(officer)
    page = client.get(reverse("home")).content.decode()
    assert "Reporting now: Quarter 2 2026/27" in page
    assert "Thursday 26 November 2026" in page
    assert "Thursday 10 December 2026" in page


@time_machine.travel(date(2026, 11, 23))
def test_it_says_when_the_year_is_not_set_up(client: Client, officer: User) -> None:
    client.force_login(officer)
    page = client.get(reverse("home")).content.decode()
    assert "has not set up the 2026/27 reporting year yet" in page


def test_it_lists_the_persons_portfolios_with_their_roles(
    client: Client, officer: User, portfolio: object
) -> None:
    PortfolioRoleFactory(user=officer, portfolio=portfolio, role=PortfolioRole.Role.DIRECTOR)
    PortfolioRoleFactory(
        user=officer, portfolio=PortfolioFactory(name="Health and Adult Care"), role="officer"
    )
    PortfolioFactory(name="Not theirs")
    client.force_login(officer)
    response = client.get(reverse("home"))
    rows = [(p.name, roles) for p, roles in response.context["portfolios"]]
    assert rows == [
        ("Governance and Finance", ["Director", "Officer"]),
        ("Health and Adult Care", ["Officer"]),
    ]
    page = response.content.decode()
    assert '<td class="govuk-table__cell">Director and Officer</td>' in page
    assert "Not theirs" not in page


def test_it_tells_a_viewer_they_have_no_role(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    page = client.get(reverse("home")).content.decode()
    assert "You do not hold an officer or director role" in page


def test_it_runs_the_same_queries_however_many_portfolios(client: Client, officer: User) -> None:
    client.force_login(officer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
        return len(queries)

    count()  # the first page reads the council's settings into the cache
    few = count()
    for n in range(20):
        PortfolioRoleFactory(user=officer, portfolio=PortfolioFactory(name=f"P{n}"))
    count()  # new roles: the person's standing is read afresh, once
    assert count() == few


def test_the_header_marks_the_section_a_page_is_in(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    page = client.get(reverse("risks:heat_map")).content.decode()
    assert '<a class="govuk-service-navigation__link" href="/risks/" aria-current="true">' in page
    home = client.get("/").content.decode()
    assert 'href="/" aria-current="page"' in home
    assert home.count("aria-current") == 1
