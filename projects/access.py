"""Who may see what of a project. Views load projects only through here.

Anyone signed in sees a project's definition and its quarters from approved returns. The
officers and directors of the project's portfolio and the performance team also see
quarters from returns not yet approved, and the change history: the same rule as for
measures (measures.access), which mirrors who may read a return (perfmon.access).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from perfmon.access import ItemAccess, item_access
from perfmon.lineage import lineage_ids as lineage_ids  # views find other years here
from perfmon.models import User
from projects.models import Project

ProjectAccess = ItemAccess[Project]


def get_project_for_user(user: User, pk: int) -> ProjectAccess:
    """The project with its year, portfolio, theme, sponsor and manager. Raises Http404 if
    there is none."""
    project = get_object_or_404(
        Project.objects.select_related("year", "portfolio", "theme", "sponsor", "manager"), pk=pk
    )
    return item_access(user, project)
