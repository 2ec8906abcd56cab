"""A project's change history in the words officers use: "DCA: Green → Amber/Red", by whom
and when, newest first, in two queries (the definition's records and the updates').

It reads like measures.history; projects may not import measures, so the small engine is
repeated here rather than shared (see the closing note of docs/projects.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projects.models import Project, ProjectUpdate, Rating

DEFINITION = "Definition"
Show = Callable[[Any], str]


@dataclass(frozen=True)
class Field:
    label: str
    show: Show
    is_text: bool = False


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None when the object was created
    after: str
    is_text: bool = False

    def __str__(self) -> str:
        if self.is_text:
            if not self.before:
                return f"{self.label} added"
            return f"{self.label} removed" if not self.after else f"{self.label} changed"
        if self.before is None:
            return f"{self.label}: {self.after}"
        return f"{self.label}: {self.before} → {self.after}"


@dataclass(frozen=True)
class Entry:
    at: datetime
    by: str
    subject: str  # "Definition" or the quarter: "Q2 2026/27"
    changes: tuple[Change, ...]
    kind: str  # "created" or "changed"
    reason: str = ""

    @property
    def summary(self) -> str:
        return "; ".join(str(change) for change in self.changes)

    @property
    def texts(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.is_text)


def project_history(project: Project) -> list[Entry]:
    """Changes to the project's definition and its quarterly updates, newest first."""
    records = Project.history.filter(id=project.pk).select_related(  # type: ignore[attr-defined]
        "history_user", "year", "portfolio", "theme", "sponsor", "manager", "previous"
    )
    updates = ProjectUpdate.history.filter(project_id=project.pk).select_related(  # type: ignore[attr-defined]
        "history_user", "ret__quarter__year"
    )
    entries = [
        *_entries(records, PROJECT_FIELDS, subject=lambda record: DEFINITION),
        *_entries(updates, UPDATE_FIELDS, subject=_quarter_of),
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def _quarter_of(record: Any) -> str:
    return str(record.ret.quarter) if record.ret is not None else "A deleted return"


def _entries(
    records: Iterable[Any], fields: dict[str, Field], *, subject: Callable[[Any], str]
) -> list[Entry]:
    entries = []
    last_seen: dict[Any, Any] = {}
    for record in sorted(records, key=lambda r: r.history_id):
        before = last_seen.get(record.id)
        last_seen[record.id] = record
        if record.history_type == "-":
            continue
        created = before is None or record.history_type == "+"
        changes = tuple(
            Change(
                spec.label,
                None if created else spec.show(getattr(before, name)),
                spec.show(getattr(record, name)),
                spec.is_text,
            )
            for name, spec in fields.items()
            if (created and not _blank(getattr(record, name)))
            or (not created and _key(getattr(before, name)) != _key(getattr(record, name)))
        )
        if changes:
            user = record.history_user
            entries.append(
                Entry(
                    at=record.history_date,
                    by=user.display_name if user is not None else "an unrecorded user",
                    subject=subject(record),
                    changes=changes,
                    kind="created" if created else "changed",
                    reason=record.history_change_reason or "",
                )
            )
    return entries


def _key(value: Any) -> Any:
    return getattr(value, "pk", value)


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _text(value: Any) -> str:
    return str(value) if value not in (None, "") else "none"


def _free_text(value: Any) -> str:
    return str(value or "")


def _on_track(value: Any) -> str:
    return {True: "on track", False: "not on track"}.get(value, "not given")


def _rating(value: Any) -> str:
    return str(Rating(value).label) if value else "none"


def _stage(value: Any) -> str:
    return str(Project.Stage(value).label) if value else "none"


def _reference(value: Any) -> str:
    return str(value.reference) if value is not None else "none"


def _person(value: Any) -> str:
    return value.display_name if value is not None else "none"


PROJECT_FIELDS = {
    "year": Field("Year", _text),
    "reference": Field("Reference", _text),
    "name": Field("Name", _text),
    "portfolio": Field("Portfolio", _text),
    "theme": Field("Theme", _text),
    "sponsor": Field("Sponsor", _person),
    "sponsor_name": Field("Sponsor (name)", _text),
    "manager": Field("Manager", _person),
    "manager_name": Field("Manager (name)", _text),
    "stage": Field("Stage", _stage),
    "gateway": Field("PMO gateway", _text),
    "previous": Field("Last year's project", _reference),
}
UPDATE_FIELDS = {
    **{
        name: spec
        for criterion in ("time", "cost", "scope", "benefits")
        for name, spec in (
            (f"{criterion}_on_track", Field(criterion.capitalize(), _on_track)),
            # Short (300 characters at most), so shown inline like any value.
            (f"{criterion}_reason", Field(f"Why {criterion} is not on track", _text)),
        )
    },
    "rag": Field("RAG", _rating),
    "dca": Field("DCA", _rating),
    "commentary": Field("Supporting information", _free_text, is_text=True),
}
