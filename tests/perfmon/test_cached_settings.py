"""Every page reads the council's settings and the return page the rating schemes in use;
they come from the cache after the first page, and a change to any of them shows on the
very next page (perfmon/cached.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.services import use_council_schemes
from perfmon.models import Portfolio, Quarter, User
from perfmon.services import create_reporting_year
from tests.factories import ActionFactory, MeasureFactory

pytestmark = pytest.mark.django_db

SETTINGS_TABLES = ("perfmon_councilsettings", "measures_ratingscheme", "measures_actionscheme")


@pytest.fixture
def quarter(db: None) -> Quarter:
    return create_reporting_year(start_year=2026).quarters.get(number=2)


@pytest.fixture
def page(portfolio: Portfolio, quarter: Quarter) -> str:
    MeasureFactory(portfolio=portfolio, year=quarter.year, reference="PM01")
    ActionFactory(portfolio=portfolio, year=quarter.year, reference="CP01")
    return reverse("return", args=[portfolio.pk, 2026, 2])


def tables_read(client: Client, url: str) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return {table for table in SETTINGS_TABLES for q in queries if table in q["sql"]}


def test_the_second_page_reads_no_settings_from_the_database(
    client: Client, officer: User, page: str
) -> None:
    client.force_login(officer)
    assert tables_read(client, page) == set(SETTINGS_TABLES)
    assert tables_read(client, page) == set()


def test_a_council_name_changed_in_the_admin_shows_on_the_next_page(
    client: Client, admin_user: User, officer: User
) -> None:
    reader = Client()
    reader.force_login(officer)
    assert "Derby City Council" in reader.get("/").content.decode()  # now in the cache
    client.force_login(admin_user)
    form = {
        "separate_submit_and_approve": "on",
        "council_name": "Anytown Borough Council",
        "short_name": "Anytown",
        "brand_colour": "#1d70b8",
        "dot_improving": "Improving",
        "dot_same": "Same",
        "dot_deteriorating": "Deteriorating",
        "actions_heading": "Council Plan actions",
        "measures_heading": "Performance measures",
    }
    changed = client.post("/admin/perfmon/councilsettings/1/change/", form)
    assert changed.status_code == 302, changed.context["adminform"].form.errors
    assert (
        '<span class="app-header__council">Anytown Borough Council</span>'
        in reader.get("/").content.decode()
    )


def test_switching_the_schemes_in_use_shows_on_the_next_return_page(
    client: Client, officer: User, page: str
) -> None:
    client.force_login(officer)
    shown = client.get(page).content.decode()
    assert ">On track</option>" in shown and ">Strong</option>" not in shown
    # A queryset update, which sends no signals: the service forgets the cached schemes.
    use_council_schemes(name="Derbyshire County Council")
    shown = client.get(page).content.decode()
    assert ">Strong</option>" in shown and ">On track</option>" not in shown
    assert '<option value="Review">Review</option>' in shown  # the measures' override
