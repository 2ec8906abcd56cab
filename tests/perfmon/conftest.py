"""A real Celery worker, in this process, consuming from the Redis broker at REDIS_URL.

Tests that use it need `transactional_db`: the worker's threads have their own database
connections and see only committed rows. Without Redis the tests skip, except in CI
(CI=true), where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from perfmon.celery import app


def _broker_up() -> bool:
    try:
        return bool(redis.Redis.from_url(settings.CELERY_BROKER_URL).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def celery_worker() -> Iterator[object]:
    """Four worker threads, so two deliveries of one task really run at once."""
    if not _broker_up():
        message = f"Redis is not answering at {settings.CELERY_BROKER_URL}."
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    import celery.contrib.testing.tasks  # noqa: F401 - registers the ping the worker checks

    app.control.purge()  # nothing left over from an earlier run
    with start_worker(
        app, pool="threads", concurrency=4, perform_ping_check=True, shutdown_timeout=30
    ) as worker:
        yield worker
