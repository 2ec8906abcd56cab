"""State changes of the frame. Each is atomic and leaves an audit trail."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from perfmon import quarters
from perfmon.models import PERFORMANCE_TEAM_GROUP, Quarter, ReportingYear

# The apps whose data the performance team maintains through the admin.
PERFORMANCE_TEAM_APPS = ("perfmon", "measures", "projects", "risks", "reports")


@transaction.atomic
def create_reporting_year(
    *, start_year: int, deadlines: dict[int, tuple[date | None, date | None]] | None = None
) -> ReportingYear:
    """Create a reporting year with its four quarters.

    `deadlines` maps a quarter number to its (submission, approval) deadlines; quarters
    not in it start without deadlines, which the performance team sets in the admin.
    Raises django.db.IntegrityError if the year exists or a deadline breaks the rules.
    """
    year = ReportingYear.objects.create(start_year=start_year)
    deadlines = deadlines or {}
    for number in Quarter.Number.values:
        starts_on, ends_on = quarters.quarter_bounds(start_year, number)
        submission, approval = deadlines.get(number, (None, None))
        Quarter.objects.create(
            year=year,
            number=number,
            starts_on=starts_on,
            ends_on=ends_on,
            submission_deadline=submission,
            approval_deadline=approval,
        )
    return year


def ensure_performance_team_group() -> Group:
    """The "Performance team" group, holding every permission on the perfmon apps.

    Idempotent: run after every migration so new models' permissions join the group.
    """
    group, _ = Group.objects.get_or_create(name=PERFORMANCE_TEAM_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=PERFORMANCE_TEAM_APPS)
    group.permissions.add(*permissions)
    return group
