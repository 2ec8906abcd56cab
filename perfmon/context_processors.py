from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from perfmon.models import CouncilSettings


def council(request: HttpRequest) -> dict[str, Any]:
    """Who the council is (name, short name, brand colour, logo), read once per page and
    only by a page that shows it."""
    current = SimpleLazyObject(CouncilSettings.current)
    return {
        "council": current,
        "council_name": SimpleLazyObject(lambda: current.name),
    }
