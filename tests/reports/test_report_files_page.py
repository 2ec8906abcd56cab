"""Where a worker makes PDFs: asking for one not made yet leads to a page that says it is
being prepared and refreshes itself, offers the file once the task has made it, says so
in words when it failed or stalled, and can ask again."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from perfmon.models import User
from reports import pdf
from reports.models import ReportFile
from reports.tasks import build_report_file_task
from tests.reports.test_summary_dataset import build_council

PDF: dict[str, Any] = {"year": 2024, "quarter": 4, "format": "pdf"}
DOWNLOAD = "/reports/annual/"
PREPARE = "/reports/annual/file/"


class Queue:
    """Stands in for the broker: remembers what was queued instead of sending it."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def delay(self, file_id: int) -> None:
        self.ids.append(file_id)


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Queue:
    settings.REPORT_FILES_BACKGROUND_FORMATS = ("pdf",)
    queue = Queue()
    monkeypatch.setattr(build_report_file_task, "delay", queue.delay)
    return queue


@pytest.fixture
def viewer(client: Client, outsider: User) -> Client:
    build_council()
    client.force_login(outsider)
    return client


def get(client: Client, path: str, query: dict[str, Any], commits: Any) -> Any:
    """A request whose on-commit work (queueing the task) runs, as it would outside a test
    transaction."""
    with commits(execute=True):
        return client.get(path, query)


def test_it_prepares_a_pdf_on_a_worker_while_the_page_refreshes(
    viewer: Client,
    queued: Queue,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(pdf, "pdf_bytes", lambda html, **kwargs: b"%PDF-1.7 annual")
    commits = django_capture_on_commit_callbacks

    response = get(viewer, DOWNLOAD, PDF, commits)
    assert response.status_code == 302
    assert response["Location"] == f"{PREPARE}?year=2024&quarter=4&format=pdf"
    page = get(viewer, PREPARE, PDF, commits)
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Refresh"] == "2"  # no script: the browser asks again by itself
    assert "<script>" not in html
    assert "Your PDF is being prepared" in html and "Waiting to start…" in html
    kept = ReportFile.objects.get()
    assert queued.ids == [kept.pk]  # asked twice, queued once

    build_report_file_task(kept.pk)  # what the worker runs

    page = get(viewer, PREPARE, PDF, commits)
    html = page.content.decode()
    assert "Refresh" not in page
    assert "Your PDF is ready" in html
    assert 'href="/reports/annual/?year=2024&amp;quarter=4&amp;format=pdf"' in html
    download = viewer.get(DOWNLOAD, PDF)
    assert download.content == b"%PDF-1.7 annual"
    assert download["Content-Disposition"] == 'attachment; filename="annual-2024-q4.pdf"'
    assert queued.ids == [kept.pk]


def test_it_shows_the_step_the_worker_is_on(viewer: Client, queued: Queue) -> None:
    viewer.get(DOWNLOAD, PDF)
    ReportFile.objects.update(
        state=ReportFile.State.BUILDING, step="Laying out the pages", percent=30
    )
    html = viewer.get(PREPARE, PDF).content.decode()
    assert "Laying out the pages…" in html and "30% done." in html


def test_it_says_in_words_when_a_file_could_not_be_made_and_tries_again(
    viewer: Client,
    queued: Queue,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def broken(html: str, **kwargs: Any) -> bytes:
        raise OSError("fonts missing")

    monkeypatch.setattr(pdf, "pdf_bytes", broken)
    get(viewer, DOWNLOAD, PDF, django_capture_on_commit_callbacks)
    kept = ReportFile.objects.get()
    with pytest.raises(OSError):
        build_report_file_task(kept.pk)

    page = viewer.get(PREPARE, PDF)
    html = page.content.decode()
    assert "Refresh" not in page
    assert "Your PDF could not be prepared" in html
    assert "Something went wrong while preparing this file" in html
    assert "fonts missing" not in html  # the detail is logged, not shown
    assert viewer.get(DOWNLOAD, PDF)["Location"].startswith(PREPARE)

    with django_capture_on_commit_callbacks(execute=True):
        again = viewer.post(f"{PREPARE}?year=2024&quarter=4&format=pdf")
    assert again.status_code == 302
    kept.refresh_from_db()
    assert (kept.state, kept.error) == (ReportFile.State.QUEUED, "")
    assert queued.ids == [kept.pk, kept.pk]


def test_it_offers_to_try_again_when_a_file_is_stuck(
    viewer: Client, queued: Queue, django_capture_on_commit_callbacks: Any
) -> None:
    viewer.get(DOWNLOAD, PDF)
    kept = ReportFile.objects.get()
    ReportFile.objects.update(requested_at=kept.requested_at - ReportFile.STALLED_AFTER)
    page = viewer.get(PREPARE, PDF)
    assert "is taking longer than it should" in page.content.decode()
    assert "Refresh" not in page

    with django_capture_on_commit_callbacks(execute=True):
        viewer.post(f"{PREPARE}?year=2024&quarter=4&format=pdf")
    assert queued.ids == [kept.pk]
    assert "being prepared" in viewer.get(PREPARE, PDF).content.decode()


def test_it_makes_formats_no_worker_makes_in_the_request(viewer: Client, queued: Queue) -> None:
    response = viewer.get(DOWNLOAD, {**PDF, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    page = viewer.get(PREPARE, {**PDF, "format": "xlsx"})
    assert "Your Excel workbook is ready" in page.content.decode()
    assert queued.ids == []


def test_it_sends_a_draft_or_a_page_straight_to_where_it_is_made(
    client: Client, admin_user: User, queued: Queue
) -> None:
    build_council()
    client.force_login(admin_user)
    draft = client.get(PREPARE, {**PDF, "draft": "on"})
    assert draft["Location"] == f"{DOWNLOAD}?year=2024&quarter=4&draft=on&format=pdf"
    assert client.get(PREPARE, {"year": 2024})["Location"] == f"{DOWNLOAD}?year=2024&quarter=4"
    assert not ReportFile.objects.exists()
