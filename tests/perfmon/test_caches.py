"""What every page reads and rarely changes comes from the cache after the first page (the
council's settings, the rating schemes in use, a person's standing: their roles, the
directors they cover for, the team), and any change to it shows on the very next page,
however it was made: the admin, an import, a service (perfmon/cached.py)."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from measures.services import use_council_schemes
from perfmon.cached import Immutable
from perfmon.models import Deputy, Portfolio, PortfolioRole, Quarter, User
from perfmon.redis_cache import SharedClientRedisCache
from perfmon.services import create_reporting_year, ensure_performance_team_group
from tests.factories import ActionFactory, MeasureFactory, PortfolioRoleFactory, UserFactory
from tests.perfmon.conftest import _broker_up
from tests.perfmon.test_frame_resources import import_through_admin

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


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def role_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return sum("perfmon_portfoliorole" in q["sql"] for q in queries)


def test_the_second_page_reads_no_roles(officer: User, page: str) -> None:
    client = signed_in(officer)
    assert role_queries(client, page) > 0
    assert role_queries(client, page) == 0


def test_a_role_given_or_taken_away_counts_on_the_next_page(
    outsider: User, portfolio: Portfolio, page: str
) -> None:
    client = signed_in(outsider)
    assert client.get(page).status_code == 404  # no role: the return is not even shown
    role = PortfolioRoleFactory(user=outsider, portfolio=portfolio, role="officer")
    shown = client.get(page)
    assert shown.status_code == 200 and shown.context["access"].can_edit
    assert 'href="/returns/"' in shown.content.decode()
    role.delete()
    assert client.get(page).status_code == 404
    assert 'href="/returns/"' not in client.get("/").content.decode()


def test_roles_imported_in_bulk_count_on_the_next_page(
    client: Client, admin_user: User, outsider: User, portfolio: Portfolio, page: str
) -> None:
    reader = signed_in(outsider)
    assert reader.get(page).status_code == 404
    client.force_login(admin_user)
    import_through_admin(
        client, "perfmon.portfoliorole", f"user,portfolio,role\nvic,{portfolio.name},officer\n"
    )
    assert PortfolioRole.objects.filter(user=outsider).exists()
    assert reader.get(page).status_code == 200


def test_joining_the_team_counts_on_the_next_page(outsider: User, page: str) -> None:
    client = signed_in(outsider)
    assert client.get(reverse("returns_overview")).status_code == 404
    outsider.groups.add(ensure_performance_team_group())
    assert client.get(reverse("returns_overview")).status_code == 200
    assert client.get(page).status_code == 200  # the team reads every return
    outsider.groups.clear()
    assert client.get(reverse("returns_overview")).status_code == 404


def test_cover_named_for_an_absent_director_counts_on_the_next_page(
    director: User, outsider: User, admin_user: User, portfolio: Portfolio, page: str
) -> None:
    client = signed_in(outsider)
    assert client.get(page).status_code == 404
    today = timezone.localdate()
    cover = Deputy.objects.create(
        portfolio=portfolio,
        director=director,
        deputy=outsider,
        starts_on=today,
        ends_on=today + timedelta(days=7),
        named_by=admin_user,
    )
    assert client.get(page).status_code == 200
    cover.delete()
    assert client.get(page).status_code == 404


def test_a_superuser_made_an_ordinary_user_loses_the_team_at_once(page: str) -> None:
    member = UserFactory(username="tess", is_superuser=True)
    client = signed_in(member)
    assert client.get(page).status_code == 200  # a superuser reads every return
    member.is_superuser = False
    member.save()
    assert client.get(page).status_code == 404


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


def test_the_redis_cache_keeps_one_client_and_works_like_djangos() -> None:
    """The site's Redis cache (perfmon.redis_cache) makes its Redis client once, not for
    every call, and stores, reads and forgets as Django's does."""
    if not _broker_up():
        message = f"Redis is not answering at {settings.CELERY_BROKER_URL}."
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    redis_cache = SharedClientRedisCache(settings.CELERY_BROKER_URL, {"KEY_PREFIX": "t-shared"})
    clients: Any = redis_cache._cache  # the backend's client holder, private to Django
    client = clients.get_client()
    assert clients.get_client() is client
    assert clients.get_client(write=True) is client  # one server: one pool
    redis_cache.set("answer", {"x": 1}, 30)
    assert redis_cache.get_many(["answer", "nothing"]) == {"answer": {"x": 1}}
    redis_cache.delete("answer")
    assert redis_cache.get("answer") is None


def test_immutable_text_is_read_from_memory_and_the_oldest_is_dropped_first() -> None:
    """Rows' markup (perfmon.cached.Immutable): a key names its content, so each process
    keeps what it read or wrote in memory and reads it back without the shared cache,
    dropping the least recently used once past its size."""
    kept = Immutable(max_chars=10, timeout=60)
    kept.set_many({"t:a": "aaaa", "t:b": "bbbb"})
    cache.delete_many(["t:a", "t:b"])  # gone from the shared cache: memory still has them
    assert kept.get_many(["t:a", "t:b", "t:c"]) == {"t:a": "aaaa", "t:b": "bbbb"}
    kept.get_many(["t:a"])  # a, read last, is now the most recently used
    kept.set_many({"t:c": "cccc"})  # 12 characters: b, the least recently used, goes
    cache.delete_many(["t:a", "t:b", "t:c"])
    assert kept.get_many(["t:a", "t:b", "t:c"]) == {"t:a": "aaaa", "t:c": "cccc"}
    cache.set("t:b", "bbbb", 60)  # what memory no longer holds comes from the shared cache
    assert kept.get_many(["t:b"]) == {"t:b": "bbbb"}
