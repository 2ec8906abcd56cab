from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from perfmon.steering import menu_for


def council(request: HttpRequest) -> dict[str, str]:
    return {"council_name": settings.COUNCIL_NAME}


def menu(request: HttpRequest) -> dict[str, object]:
    """The workflow pages this person's menu offers, looked up only if a page asks."""
    user = request.user
    return {"menu": SimpleLazyObject(lambda: menu_for(user))}  # type: ignore[arg-type]
