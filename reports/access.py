"""Who may read which reports. Views decide here, and nowhere else.

Anyone signed in (and active) reads reports of approved returns. Only the performance team
may preview a draft report, which includes returns not yet approved and is watermarked
"Draft" on every page.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from perfmon.models import User


def may_preview_drafts(user: User) -> bool:
    return user.is_active and user.is_performance_team


def check_report_access(user: User, *, draft: bool) -> None:
    """Raises PermissionDenied for an inactive user, or for a draft asked for by anyone
    outside the performance team."""
    if not user.is_active:
        raise PermissionDenied("Your account is not active.")
    if draft and not may_preview_drafts(user):
        raise PermissionDenied("Only the performance team may preview a draft report.")
