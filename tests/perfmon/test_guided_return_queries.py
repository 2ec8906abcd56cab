"""The director's read-only return (with its summary) and the officer's check page make
the same number of queries for 10 items as for 150."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perfmon.models import PortfolioRole, Quarter, User
from perfmon.services import create_reporting_year
from tests.factories import PortfolioRoleFactory, UserFactory
from tests.forms_in_page import form_data
from tests.perfmon.test_return_queries import FORM, portfolio_of


@pytest.fixture
def quarter(db: None) -> Quarter:
    return create_reporting_year(start_year=2026).quarters.get(number=2)


def counts(size: int, quarter: Quarter) -> tuple[int, int]:
    """(queries for the check page, queries for the director's page of the submitted
    return), every item answered."""
    portfolio, measures, officers = portfolio_of(size, quarter)
    page = reverse("return", args=[portfolio.pk, 2026, 2])
    data = form_data(officers.get(page).content, save="")
    for n, measure in enumerate(measures):
        data[f"m{measure.pk}-actual"] = str(n + 1)
    for key in [k for k in data if k.startswith("a") and k.endswith("-status")]:
        data[key] = "on_track"
    officers.post(page, urlencode(data), content_type=FORM)
    check = reverse("check_return", args=[portfolio.pk, 2026, 2])
    with CaptureQueriesContext(connection) as checking:
        assert officers.get(check).status_code == 200
    assert officers.post(check, {"declaration": "on"}).status_code == 302
    director: User = UserFactory()
    PortfolioRoleFactory(user=director, portfolio=portfolio, role=PortfolioRole.Role.DIRECTOR)
    directors = Client()
    directors.force_login(director)
    with CaptureQueriesContext(connection) as deciding:
        html = directors.get(page).content.decode()
    assert "Send decision" in html and html.count('govuk-summary-card"') == size
    return len(checking), len(deciding)


def test_it_checks_and_summarises_150_items_in_the_queries_of_10(quarter: Quarter) -> None:
    assert counts(150, quarter) == counts(10, quarter)
