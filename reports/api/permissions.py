"""Who may read the open data API. The API's views decide here, and nowhere else.

Anyone signed in (and active) may read it; anyone else only while the performance team
has switched anonymous reading on (`OpenDataSetting.anonymous_read`). Nothing under
/api/ writes: every other method is refused.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from reports.models import OpenDataSetting


def may_read_open_data(user: Any) -> bool:
    if user is not None and user.is_authenticated:
        return bool(user.is_active)
    return OpenDataSetting.load().anonymous_read


class OpenDataAccess(BasePermission):
    message = "Sign in to read the open data API: it is not open to the public at the moment."

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS and may_read_open_data(request.user)
