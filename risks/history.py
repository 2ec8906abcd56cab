"""A risk's change history in the words officers use: "Threat likelihood: 3 → 2", by
whom and when, newest first. simple-history keeps a record of every save of a risk and of
each quarterly assessment; consecutive records of one object are compared here. Two
queries, with the people who made the changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from risks.models import Risk, RiskAssessment

DEFINITION = "Definition"


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: the object was created
    after: str

    def __str__(self) -> str:
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


def _text(value: Any) -> str:
    return "none" if value in (None, "") else str(value)


def _yes_no(value: Any) -> str:
    return "yes" if value else "no"


def _long(value: Any) -> str:
    # Free text is too long to repeat in a line: say it changed.
    return "added" if value else "removed"


def _long_change(old: Any, new: Any) -> str:
    return "changed" if old and new else _long(new)


RISK_FIELDS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "reference": ("Reference", _text),
    "title": ("Title", _text),
    "description": ("Description", _long),
    "owner": ("Owner", _text),
    "owner_name": ("Owner (name)", _text),
    "portfolio": ("Portfolio", _text),
    "theme": ("Theme", _text),
    "category": ("Category", lambda v: _text(Risk.Category(v).label) if v else "none"),
    "assessed": ("Assessed as", lambda v: _text(Risk.Assessed(v).label) if v else "none"),
    "previous": ("Last year's risk", lambda v: _text(getattr(v, "reference", v))),
}
ASSESSMENT_FIELDS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "threat_likelihood": ("Threat likelihood", _text),
    "threat_impact": ("Threat impact", _text),
    "threat_score": ("Threat score", _text),
    "threat_level": ("Threat level", _text),
    "opportunity_likelihood": ("Opportunity likelihood", _text),
    "opportunity_impact": ("Opportunity impact", _text),
    "opportunity_score": ("Opportunity score", _text),
    "opportunity_level": ("Opportunity level", _text),
    "score_only": ("Score only, as published", _yes_no),
    "target_score": ("Target score", _text),
    "controls": ("Controls in place", _long),
    "further_actions": ("Further actions", _long),
    "commentary": ("Supporting information", _long),
}


def risk_history(risk: Risk) -> list[Entry]:
    """Changes to the risk's definition and its assessments, newest first."""
    records = Risk.history.filter(id=risk.pk).select_related(  # type: ignore[attr-defined]
        "history_user", "portfolio", "theme", "owner", "previous"
    )
    assessments = RiskAssessment.history.filter(risk_id=risk.pk).select_related(  # type: ignore[attr-defined]
        "history_user", "ret__quarter__year"
    )
    entries = [
        *_entries(records, RISK_FIELDS, subject=lambda record: DEFINITION),
        *_entries(assessments, ASSESSMENT_FIELDS, subject=_quarter_of),
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def _quarter_of(record: Any) -> str:
    return str(record.ret.quarter) if record.ret is not None else "A deleted return"


def _entries(
    records: Iterable[Any],
    fields: dict[str, tuple[str, Callable[[Any], str]]],
    *,
    subject: Callable[[Any], str],
) -> list[Entry]:
    entries = []
    last_seen: dict[Any, Any] = {}
    for record in sorted(records, key=lambda r: r.history_id):
        before = last_seen.get(record.id)
        last_seen[record.id] = record
        if before is None:
            kind = "created"
            changes = tuple(
                Change(label, None, show(getattr(record, name)))
                for name, (label, show) in fields.items()
                if getattr(record, name) not in (None, "", False)
            )
        else:
            kind = "changed"
            delta = record.diff_against(
                before, included_fields=list(fields), foreign_keys_are_objs=True
            )
            changed = {change.field: change for change in delta.changes}
            changes = tuple(
                Change(label, show(changed[name].old), show(changed[name].new))
                if show is not _long
                else Change(label, None, _long_change(changed[name].old, changed[name].new))
                for name, (label, show) in fields.items()
                if name in changed
            )
        if changes:
            user = record.history_user
            entries.append(
                Entry(
                    at=record.history_date,
                    by=user.display_name if user is not None else "an unrecorded user",
                    subject=subject(record),
                    changes=changes,
                    kind=kind,
                    reason=record.history_change_reason or "",
                )
            )
    return entries
