"""A large annual results file is checked and imported by a real Celery worker, from the
Redis broker, while its page says how far it has got."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from measures.models import Measure
from perfmon.celery import app
from perfmon.models import User
from reports import services
from reports.demo import ANNUAL_2024_25
from reports.models import ResultsImport
from tests.factories import UserFactory


def _broker_up() -> bool:
    try:
        return bool(redis.Redis.from_url(settings.CELERY_BROKER_URL).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def worker() -> Iterator[object]:
    if not _broker_up():
        message = f"Redis is not answering at {settings.CELERY_BROKER_URL}."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    import celery.contrib.testing.tasks  # noqa: F401 - registers the ping the worker checks

    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=30) as w:
        yield w


def wait_for(upload: ResultsImport, state: str, client: Client, seen: list[str]) -> None:
    page = reverse("admin:reports_resultsimport_change", args=[upload.pk])
    for _ in range(300):
        upload.refresh_from_db()
        if upload.state == state:
            return
        seen.append(client.get(page).content.decode())
        time.sleep(0.1)
    raise AssertionError(f"Still {upload.state} after 30 s: {upload.error}")


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_checked_and_imported_by_the_worker(
    worker: object, client: Client, settings: object
) -> None:
    settings.RESULTS_IMPORT_BACKGROUND_BYTES = 1024  # type: ignore[attr-defined]
    from perfmon.services import ensure_performance_team_group

    admin: User = UserFactory(username="pat", is_staff=True)
    admin.groups.add(ensure_performance_team_group())
    client.force_login(admin)
    response = client.post(
        reverse("admin:reports_resultsimport_add"),
        {"file": SimpleUploadedFile("big.tsv", ANNUAL_2024_25.read_bytes()), "year": "2024/25"},
        follow=True,
    )
    assert response.status_code == 200
    upload = ResultsImport.objects.get()
    pages: list[str] = []
    wait_for(upload, ResultsImport.State.PREVIEWED, client, pages)
    assert upload.preview["changes"]["created"]["measure"] == 94
    assert not Measure.objects.exists()

    assert upload.state == ResultsImport.State.PREVIEWED  # nothing imports unconfirmed
    client.post(reverse("admin:reports_resultsimport_confirm", args=[upload.pk]))
    wait_for(upload, ResultsImport.State.IMPORTED, client, pages)
    assert Measure.objects.filter(year__start_year=2024).count() == 94
    assert upload.imported_by == admin


def test_a_running_import_shows_its_step_and_refreshes(client: Client, admin_user: User) -> None:
    upload = ResultsImport.objects.create(
        file_name="big.tsv",
        content=b"x",
        size=1,
        start_year=2024,
        uploaded_by=admin_user,
        state=ResultsImport.State.IMPORTING,
    )
    services.report_progress(upload, "Writing the items and their results", 40)
    client.force_login(admin_user)
    page = client.get(reverse("admin:reports_resultsimport_change", args=[upload.pk]))
    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "Writing the items and their results…" in html
    assert '<progress max="100" value="40"' in html
    upload.state = ResultsImport.State.IMPORTED
    upload.save()
    html = client.get(reverse("admin:reports_resultsimport_change", args=[upload.pk]))
    assert 'http-equiv="refresh"' not in html.content.decode()
