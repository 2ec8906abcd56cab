"""A project's change history in the words officers use: "DCA: Green → Amber/Red", by whom
and when, newest first, in two queries (the definition's records and the updates').

The engine that compares the records is perfmon.item_history; here are the fields that
count for a project and its updates and how each reads.
"""

from __future__ import annotations

from typing import Any

from simple_history.models import DeletedObject

from perfmon.access import ItemAccess
from perfmon.item_history import (
    Change,
    Entry,
    Field,
    Show,
    definition,
    entries,
    free_text,
    newest_first,
    quarter_of,
    quarters_seen,
    reference,
    text,
)
from projects.models import Project, ProjectUpdate, Rating

__all__ = ["Change", "Entry", "project_history"]


def project_history(project: Project, *, access: ItemAccess[Project] | None = None) -> list[Entry]:
    """Changes to the project's definition and the quarterly updates of the returns the
    reader (`access`; see item_history.quarters_seen) may see, newest first."""
    records = Project.history.filter(id=project.pk).select_related(
        "history_user", "year", "portfolio", "theme", "sponsor", "manager", "previous"
    )
    updates = quarters_seen(
        ProjectUpdate.history.filter(project_id=project.pk), project, access
    ).select_related("history_user", "ret__quarter__year")
    return newest_first(
        [
            *entries(records, PROJECT_FIELDS, subject=definition, deletions=False),
            *entries(updates, UPDATE_FIELDS, subject=quarter_of, deletions=False),
        ]
    )


def _known(show: Show) -> Show:
    """`show` reading a related object since deleted (simple-history's DeletedObject) as
    none, as a project's history always has."""

    def known(value: Any, record: Any) -> str:
        return show(None if isinstance(value, DeletedObject) else value, record)

    return known


def _on_track(value: Any, record: Any) -> str:
    return {True: "on track", False: "not on track"}.get(value, "not given")


def _rating(value: Any, record: Any) -> str:
    return str(Rating(value).label) if value else "none"


def _stage(value: Any, record: Any) -> str:
    return str(Project.Stage(value).label) if value else "none"


def _person(value: Any, record: Any) -> str:
    return value.display_name if value is not None else "none"


PROJECT_FIELDS = {
    "year": Field("Year", _known(text)),
    "reference": Field("Reference", text),
    "name": Field("Name", text),
    "portfolio": Field("Portfolio", _known(text)),
    "theme": Field("Theme", _known(text)),
    "sponsor": Field("Sponsor", _known(_person)),
    "sponsor_name": Field("Sponsor (name)", text),
    "manager": Field("Manager", _known(_person)),
    "manager_name": Field("Manager (name)", text),
    "stage": Field("Stage", _stage),
    "gateway": Field("PMO gateway", text),
    "previous": Field("Last year's project", _known(reference)),
}
UPDATE_FIELDS = {
    **{
        name: spec
        for criterion in ("time", "cost", "scope", "benefits")
        for name, spec in (
            (
                f"{criterion}_on_track",
                Field(criterion.capitalize(), _on_track, false_is_a_value=True),
            ),
            # Short (300 characters at most), so shown inline like any value.
            (f"{criterion}_reason", Field(f"Why {criterion} is not on track", text)),
        )
    },
    "rag": Field("RAG", _rating),
    "dca": Field("DCA", _rating),
    "commentary": Field("Supporting information", free_text, is_text=True),
}
