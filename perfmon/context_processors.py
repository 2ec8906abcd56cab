from typing import Any, cast

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from perfmon.models import CouncilSettings, User
from perfmon.steering import menu_for


def council(request: HttpRequest) -> dict[str, Any]:
    """Who the council is (name, short name, brand colour, logo), read once per page and
    only by a page that shows it."""
    current = SimpleLazyObject(CouncilSettings.current)
    return {
        "council": current,
        "council_name": SimpleLazyObject(lambda: current.name),
    }


def menu(request: HttpRequest) -> dict[str, object]:
    """The workflow pages this person's menu offers, looked up only if a page asks."""
    user = cast(User, request.user)  # menu_for answers an anonymous visitor too
    return {"menu": SimpleLazyObject(lambda: menu_for(user))}
