"""State changes of the projects app that do not go through a return's form."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from perfmon.models import Portfolio, ReportingYear, Return, Theme, User
from projects.models import Project, ProjectUpdate
from projects.rules import DcaParseError, Rating, parse_dca

__all__ = ["DcaParseError", "PublishedProject", "import_published_projects", "parse_dca"]

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
_DEFINITION_FIELDS = ("name", "portfolio", "theme")


@dataclass(frozen=True)
class PublishedProject:
    """A project's row in a published annual results table."""

    reference: str
    name: str
    portfolio: Portfolio
    theme: Theme
    dca_text: str  # as published, e.g. "Green/Amber"


def _read_all(projects: Sequence[PublishedProject]) -> dict[str, Rating]:
    """Every row's DCA, read before anything is written. Raises ValueError."""
    ratings: dict[str, Rating] = {}
    for row in projects:
        if not row.reference.strip():
            raise ValueError(f"The project “{row.name}” has no reference.")
        if row.reference in ratings:
            raise ValueError(f"{row.reference} is in the table twice.")
        try:
            ratings[row.reference] = parse_dca(row.dca_text)
        except DcaParseError as error:
            raise DcaParseError(f"{row.reference}: {error}") from None
    return ratings


def _definitions(
    year: ReportingYear, projects: Sequence[PublishedProject], *, user: User, reason: str
) -> tuple[dict[str, Project], set[str], set[str]]:
    """The year's Project rows for `projects`, created or brought up to date; with the
    references created and those whose definition changed."""
    existing = {p.reference: p for p in Project.objects.filter(year=year)}
    last_year = {
        p.reference: p
        for p in Project.objects.filter(year__start_year=year.start_year - 1, next__isnull=True)
    }
    new, changed = [], []
    for row in projects:
        project = existing.get(row.reference)
        if project is None:
            project = Project(
                year=year,
                reference=row.reference,
                name=row.name,
                portfolio=row.portfolio,
                theme=row.theme,
                previous=last_year.get(row.reference),
            )
            new.append(project)
            existing[row.reference] = project
            continue
        wanted = {"name": row.name, "portfolio": row.portfolio, "theme": row.theme}
        if any(getattr(project, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(project, name, value)
            changed.append(project)
    if new:
        bulk_create_with_history(new, Project, default_user=user, default_change_reason=reason)
    if changed:
        bulk_update_with_history(
            changed,
            Project,
            fields=list(_DEFINITION_FIELDS),
            default_user=user,
            default_change_reason=reason,
        )
    return existing, {p.reference for p in new}, {p.reference for p in changed}


@transaction.atomic
def import_published_projects(
    *,
    year: ReportingYear,
    projects: Sequence[PublishedProject],
    return_for: Callable[[Portfolio], Return],
    user: User,
    reason: str,
) -> dict[str, str]:
    """Load a year's projects as a published table gives them: each project's row in
    `year`, and its update with the published DCA in `return_for(portfolio)` (the year's
    approved quarter 4 return, which the caller supplies). The table gives no criteria, so
    the update has no RAG and says so (`rag_from_criteria=False`).

    An update an officer already filled in keeps its criteria and RAG; only a different
    DCA replaces theirs. A project that moved portfolio takes its update to its new
    portfolio's return. Returns {reference: "created" | "updated" | "unchanged"}; the same
    input twice gives "unchanged" throughout and writes no history. Raises ValueError (a
    DcaParseError for a DCA it cannot read, naming the reference) before writing anything;
    use `parse_dca` to check rows first.
    """
    ratings = _read_all(projects)
    found, created, changed = _definitions(year, projects, user=user, reason=reason)
    returns: dict[int, Return] = {}
    for row in projects:
        if row.portfolio.pk not in returns:
            returns[row.portfolio.pk] = return_for(row.portfolio)
    # A project that moved portfolio has its update in its old portfolio's return of the
    # same quarter: that update moves with it, as the project has one update a quarter.
    stored = {
        (u.project_id, u.ret.quarter_id): u
        for u in ProjectUpdate.objects.filter(
            project__in=list(found.values()),
            ret__quarter_id__in={ret.quarter_id for ret in returns.values()},
        ).select_related("ret")
    }
    now = timezone.now()
    new, moved = [], []
    for row in projects:
        project, ret = found[row.reference], returns[row.portfolio.pk]
        update = stored.get((project.pk, ret.quarter_id))
        dca = ratings[row.reference].value
        if update is None:
            new.append(
                ProjectUpdate(
                    project=project,
                    ret=ret,
                    dca=dca,
                    rag_from_criteria=False,
                    updated_by=user,
                    updated_at=now,
                )
            )
        elif update.dca != dca or update.ret_id != ret.pk:
            update.ret, update.dca, update.version = ret, dca, update.version + 1
            update.updated_by, update.updated_at = user, now
            moved.append(update)
            changed.add(row.reference)
    if new:
        bulk_create_with_history(
            new, ProjectUpdate, default_user=user, default_change_reason=reason
        )
        changed |= {update.project.reference for update in new}
    if moved:
        bulk_update_with_history(
            moved,
            ProjectUpdate,
            fields=["ret", "dca", "version", "updated_by", "updated_at"],
            default_user=user,
            default_change_reason=reason,
        )
    return {
        row.reference: CREATED
        if row.reference in created
        else UPDATED
        if row.reference in changed
        else UNCHANGED
        for row in projects
    }
