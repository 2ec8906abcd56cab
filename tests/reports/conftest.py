"""Report tests make every report file in the request unless they ask for the worker.

With REDIS_URL set (CI), PDFs would otherwise be queued for a Celery worker that most
tests do not start; the worker's own tests (test_report_files_worker.py) and the waiting
page's (test_report_files.py) set REPORT_FILES_BACKGROUND_FORMATS themselves.
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def report_files_in_the_request(settings: Any) -> None:
    settings.REPORT_FILES_BACKGROUND_FORMATS = ()
