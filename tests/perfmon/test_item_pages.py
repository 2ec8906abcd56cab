"""Every item's page has one shape (perfmon.item_page): the definition (reference,
portfolio, theme, then what the kind adds, then the other years), the quarters of every
year of the lineage (year, quarter, the kind's columns, the return's state), and the
change history; and it costs the same number of queries however long the lineage is."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perfmon.models import PortfolioRole, User
from perfmon.services import create_reporting_year
from tests.factories import (
    ActionFactory,
    MeasureFactory,
    PortfolioFactory,
    PortfolioRoleFactory,
    ThemeFactory,
    UserFactory,
)
from tests.projects.factories import ProjectFactory
from tests.risks.factories import RiskFactory

pytestmark = pytest.mark.django_db

KINDS: dict[str, tuple[Callable[..., Any], str, str]] = {
    # kind: (factory, URL name, what the page calls the item in its caption)
    "measure": (MeasureFactory, "measures:measure", "Performance measure"),
    "action": (ActionFactory, "measures:action", "Council Plan action"),
    "project": (ProjectFactory, "projects:project", "Priority project"),
    "risk": (RiskFactory, "risks:risk", "Strategic risk"),
}


def lineage(factory: Callable[..., Any], years: int, *, first: int = 2020) -> list[Any]:
    """The same item in `years` consecutive years from `first`, each continuing the one
    before."""
    portfolio, theme = PortfolioFactory(), ThemeFactory()
    items: list[Any] = []
    for offset in range(years):
        year = create_reporting_year(start_year=first + offset)
        previous = items[-1] if items else None
        items.append(
            factory(year=year, portfolio=portfolio, theme=theme, reference="X1", previous=previous)
        )
    return items


def officer_of(item: Any) -> User:
    user = UserFactory()
    PortfolioRoleFactory(user=user, portfolio=item.portfolio, role=PortfolioRole.Role.OFFICER)
    return user


def cells(html: str, tag: str, testid: str) -> list[str]:
    table = re.search(rf'data-testid="{testid}".*?</table>', html, re.S)
    assert table, f"no {testid}"
    return [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", table.group(0), re.S)
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_it_draws_every_kind_of_item_page_in_one_shape(kind: str) -> None:
    factory, url_name, caption = KINDS[kind]
    items = lineage(factory, 2)
    client = Client()
    client.force_login(officer_of(items[-1]))

    html = client.get(reverse(url_name, args=[items[-1].pk])).content.decode()

    assert f"{caption} X1 · 2021/22" in html
    keys = re.findall(r'<dt class="govuk-summary-list__key">(.*?)</dt>', html)
    assert keys[:3] == ["Reference", "Portfolio", "Council Plan theme"]
    assert keys[-1] == "Other years"
    assert f'href="{reverse(url_name, args=[items[0].pk])}"' in html
    headers = [
        " ".join(h.split()) for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)
    ]
    assert headers[:2] == ["Year", "Quarter"] and headers[-1] == "Return"
    rows = re.findall(r'data-testid="quarter-(\d{4})-(\d)"', html)
    assert rows == [(str(year), str(n)) for year in (2020, 2021) for n in range(1, 5)]
    assert 'id="history"' in html  # the portfolio's officer sees the change history


@pytest.mark.parametrize("kind", KINDS)
def test_it_loads_an_item_page_in_the_same_queries_however_long_its_lineage(kind: str) -> None:
    factory, url_name, _ = KINDS[kind]
    counts = []
    for years, first in ((1, 2010), (4, 2020)):
        items = lineage(factory, years, first=first)
        client = Client()
        client.force_login(officer_of(items[-1]))
        url = reverse(url_name, args=[items[-1].pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
