"""The open data API's OpenAPI schema validates, and the API keeps to it: schemathesis
loads the schema from the running application and calls every operation with data it
generates from it, checking each response (no server errors, documented status codes,
content types and bodies that match the schema)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings

from perfmon.wsgi import application
from reports.models import OpenDataSetting
from tests.reports.test_summary_dataset import build_council

# The document /api/schema/ serves (the first test checks they are the same), made without
# a request so the tests below can be generated from it before any database exists; they
# then call the WSGI application in-process.
DOCUMENT = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(DOCUMENT, cls=DjangoJSONEncoder)))
schema.app = application


@pytest.fixture
def open_to_all(db: None) -> Iterator[None]:
    """The whole council, open to anyone, served by the WSGI application on the test's
    own database connection."""
    build_council()
    OpenDataSetting.objects.update_or_create(pk=1, defaults={"anonymous_read": True})
    # As Django's test client does: a request's end must not close the connection the
    # test's transaction lives on.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_it_serves_a_valid_openapi_document(client: Any, db: None) -> None:
    OpenDataSetting.objects.update_or_create(pk=1, defaults={"anonymous_read": True})
    response = client.get("/api/schema/", {"format": "json"})
    document = response.json()
    validate_schema(document)
    assert document == json.loads(json.dumps(DOCUMENT, cls=DjangoJSONEncoder))
    assert document["info"]["title"] == "perfmon open data"
    assert {path for path in document["paths"] if not path.endswith("{id}/")} == {
        f"/api/{name}/"
        for name in ("years", "themes", "portfolios", "measures", "actions", "projects", "risks")
    }
    methods = {method for path in document["paths"].values() for method in path}
    assert methods == {"get"}


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_it_keeps_to_its_schema(open_to_all: None, case: Any) -> None:
    case.call_and_validate()
