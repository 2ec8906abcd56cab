"""The services perfmon runs against answer: the database tests use, and Redis."""

import os

import pytest
import redis
from django.conf import settings
from django.db import connection


def test_it_runs_against_the_configured_database(db: None) -> None:
    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected


def test_it_reaches_the_celery_broker() -> None:
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2)
    try:
        assert client.ping() is True
    except redis.ConnectionError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis is not running at {settings.CELERY_BROKER_URL}: {error}")
