"""Who may see what of a project. Views load projects only through here.

Anyone signed in sees a project's definition and its quarters from approved returns. The
officers and directors of the project's portfolio and the performance team also see
quarters from returns not yet approved, and the change history: the same rule as for
measures (measures.access), which mirrors who may read a return (perfmon.access).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404

from perfmon.access import roles_on
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


def lineage_ids(project: Project) -> RawSQL:
    """The ids of `project` and every project before it (through `previous`) and after it
    (through `next`), as one recursive subquery: `Project.objects.filter(pk__in=...)`.
    UNION stops at repeated rows, so a chain that loops back by mistake still ends."""
    table = Project._meta.db_table
    sql = f"""
        WITH RECURSIVE earlier(id, previous_id) AS (
            SELECT id, previous_id FROM {table} WHERE id = %s
            UNION
            SELECT t.id, t.previous_id FROM {table} t JOIN earlier e ON t.id = e.previous_id
        ), later(id) AS (
            SELECT id FROM {table} WHERE id = %s
            UNION
            SELECT t.id FROM {table} t JOIN later l ON t.previous_id = l.id
        )
        SELECT id FROM earlier UNION SELECT id FROM later
    """  # The table name comes from the model; values go as parameters.
    return RawSQL(sql, (project.pk, project.pk))
