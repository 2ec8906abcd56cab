from typing import cast

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from perfmon.models import User
from perfmon.steering import menu_for


def council(request: HttpRequest) -> dict[str, str]:
    return {"council_name": settings.COUNCIL_NAME}


def menu(request: HttpRequest) -> dict[str, object]:
    """The workflow pages this person's menu offers, looked up only if a page asks."""
    user = cast(User, request.user)  # menu_for answers an anonymous visitor too
    return {"menu": SimpleLazyObject(lambda: menu_for(user))}
