"""A PDF is made by a real Celery worker, from the Redis broker, while its page says it is
being prepared; then it is handed over, and handed over again without being made again."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from perfmon.models import User
from reports.models import ReportFile
from tests.reports.test_import_worker import worker  # noqa: F401 - the real worker fixture
from tests.reports.test_summary_dataset import build_council

PDF: dict[str, Any] = {"year": 2024, "quarter": 4, "format": "pdf"}


def wait_until_ready(client: Client, pages: list[str]) -> None:
    for _ in range(600):
        page = client.get("/reports/annual/file/", PDF)
        pages.append(page.content.decode())
        if "Refresh" not in page:
            return
        time.sleep(0.1)
    raise AssertionError(f"Still not ready after 60 s: {ReportFile.objects.get().step}")


@pytest.mark.django_db(transaction=True)
def test_a_worker_makes_the_pdf_while_the_page_waits(
    worker: object,  # noqa: F811
    client: Client,
    outsider: User,
    settings: Any,
) -> None:
    settings.REPORT_FILES_BACKGROUND_FORMATS = ("pdf",)
    build_council()
    client.force_login(outsider)

    first = client.get("/reports/annual/", PDF)
    assert first.status_code == 302
    pages: list[str] = []
    wait_until_ready(client, pages)
    assert "Your PDF is ready" in pages[-1]
    # WeasyPrint takes far longer than one request: the first look finds it in hand.
    assert "Your PDF is being prepared" in pages[0]

    kept = ReportFile.objects.get()
    assert kept.state == ReportFile.State.READY and kept.started_at and kept.finished_at
    made_at = kept.finished_at
    for _ in range(2):
        download = client.get("/reports/annual/", PDF)
        assert download.status_code == 200
        assert download.content.startswith(b"%PDF")
        assert download["Content-Disposition"] == 'attachment; filename="annual-2024-q4.pdf"'
    kept.refresh_from_db()
    assert kept.finished_at == made_at  # handed over, not made again
