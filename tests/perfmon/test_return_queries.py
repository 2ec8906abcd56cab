"""The return page and its save make the same number of queries for 10 items as for 150
(measures and actions alike), whoever else has saved in between."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Measure, MeasureUpdate
from perfmon.models import Portfolio, PortfolioRole, Quarter, User
from perfmon.services import create_reporting_year
from tests.factories import (
    ActionFactory,
    MeasureFactory,
    PortfolioFactory,
    PortfolioRoleFactory,
    UserFactory,
)
from tests.forms_in_page import form_data

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def quarter(db: None) -> Quarter:
    return create_reporting_year(start_year=2026).quarters.get(number=2)


def portfolio_of(size: int, quarter: Quarter) -> tuple[Portfolio, list[Measure], Client]:
    portfolio = PortfolioFactory()
    measures = [
        MeasureFactory(portfolio=portfolio, year=quarter.year) for _ in range(size * 2 // 3)
    ]
    for _ in range(size - len(measures)):
        ActionFactory(portfolio=portfolio, year=quarter.year)
    officer: User = UserFactory()
    PortfolioRoleFactory(user=officer, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
    client = Client()
    client.force_login(officer)
    return portfolio, measures, client


def counts(size: int, quarter: Quarter) -> tuple[int, int]:
    """(queries to load the return page, queries to save one changed actual), on a return
    every item of which has been saved once already."""
    portfolio, measures, client = portfolio_of(size, quarter)
    page = reverse("return", args=[portfolio.pk, 2026, 2])
    first = form_data(client.get(page).content)
    for n, measure in enumerate(measures):
        first[f"m{measure.pk}-actual"] = str(n)
    assert client.post(page, urlencode(first), content_type=FORM).status_code == 302
    with CaptureQueriesContext(connection) as loading:
        html = client.get(page).content
    data = form_data(html, **{f"m{measures[0].pk}__actual": "99"})
    with CaptureQueriesContext(connection) as saving:
        assert client.post(page, urlencode(data), content_type=FORM).status_code == 302
    return len(loading), len(saving)


def test_it_loads_and_saves_150_items_in_the_queries_of_10(quarter: Quarter) -> None:
    assert counts(150, quarter) == counts(10, quarter)


def test_a_save_reads_only_the_rows_it_changes(quarter: Quarter) -> None:
    """Each row posts back a digest of what its page showed: a save of one changed actual
    among 150 items makes the objects of that item alone, not of the other 149."""
    portfolio, measures, client = portfolio_of(150, quarter)
    page = reverse("return", args=[portfolio.pk, 2026, 2])
    first = form_data(client.get(page).content)
    for n, measure in enumerate(measures):
        first[f"m{measure.pk}-actual"] = str(n)
    assert client.post(page, urlencode(first), content_type=FORM).status_code == 302
    data = form_data(client.get(page).content, **{f"m{measures[0].pk}__actual": "99"})
    made: list[type] = []

    def count(sender: type, **kwargs: object) -> None:
        made.append(sender)

    post_init.connect(count)
    try:
        assert client.post(page, urlencode(data), content_type=FORM).status_code == 302
    finally:
        post_init.disconnect(count)
    assert made.count(Measure) == 1
    assert made.count(MeasureUpdate) <= 3  # the stored update, its copy for the merge, history
    assert Measure.objects.get(pk=measures[0].pk).updates.get().actual == 99


def test_a_save_leaves_alone_rows_it_did_not_post(quarter: Quarter) -> None:
    """A post that leaves a row out (no browser does) changes nothing of that row."""
    portfolio, measures, client = portfolio_of(10, quarter)
    page = reverse("return", args=[portfolio.pk, 2026, 2])
    first = form_data(client.get(page).content)
    for n, measure in enumerate(measures):
        first[f"m{measure.pk}-actual"] = str(n + 1)
    assert client.post(page, urlencode(first), content_type=FORM).status_code == 302
    data = form_data(client.get(page).content, **{f"m{measures[0].pk}__actual": "99"})
    left_out = f"m{measures[1].pk}-"
    data = {name: value for name, value in data.items() if not name.startswith(left_out)}
    assert client.post(page, urlencode(data), content_type=FORM).status_code == 302
    assert MeasureUpdate.objects.get(measure=measures[1]).actual == 2
    assert MeasureUpdate.objects.get(measure=measures[1]).version == 1
