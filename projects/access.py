"""Who may see what of a project. Views load projects only through here.

Anyone signed in sees a project's definition and its quarters from approved returns. The
officers and directors of the project's portfolio and the performance team also see
quarters from returns not yet approved, and the change history: the same rule as for
measures (measures.access), which mirrors who may read a return (perfmon.access).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from perfmon.access import roles_on
from perfmon.lineage import lineage_ids as lineage_ids  # views find other years here
from perfmon.models import Return, User
from projects.models import Project, ProjectUpdate


@dataclass(frozen=True)
class ProjectAccess:
    """One person's view of one project."""

    item: Project
    is_team: bool
    roles: frozenset[str]

    @property
    def sees_unapproved(self) -> bool:
        """May see quarters from returns not yet approved, and the change history."""
        return self.is_team or bool(self.roles)

    def visible(self, updates: QuerySet[ProjectUpdate]) -> QuerySet[ProjectUpdate]:
        """`updates` (of this project and its lineage) narrowed to those this person may see."""
        if self.is_team:
            return updates
        shown = Q(ret__state=Return.State.APPROVED)
        if self.roles:
            shown |= Q(ret__portfolio_id=self.item.portfolio_id)
        return updates.filter(shown)


def get_project_for_user(user: User, pk: int) -> ProjectAccess:
    """The project with its year, portfolio, theme, sponsor and manager. Raises Http404 if
    there is none."""
    project = get_object_or_404(
        Project.objects.select_related("year", "portfolio", "theme", "sponsor", "manager"), pk=pk
    )
    is_team = user.is_performance_team
    roles = frozenset() if is_team else roles_on(user, project.portfolio)
    return ProjectAccess(item=project, is_team=is_team, roles=roles)
