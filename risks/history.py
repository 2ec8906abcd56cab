"""A risk's change history in the words officers use: "Threat likelihood: 3 → 2", by
whom and when, newest first. simple-history keeps a record of every save of a risk and of
each quarterly assessment; perfmon.item_history compares consecutive records of one
object. Two queries, with the people who made the changes.
"""

from __future__ import annotations

from typing import Any

from perfmon.access import ItemAccess
from perfmon.item_history import (
    Change,
    Entry,
    Field,
    definition,
    entries,
    newest_first,
    quarter_of,
    quarters_seen,
    reference,
    text,
    yes_no,
)
from risks.models import Risk, RiskAssessment

__all__ = ["Change", "Entry", "risk_history"]


def _long_change(old: Any, new: Any) -> str:
    # Free text is too long to repeat in a line: say it changed.
    if old and new:
        return "changed"
    return "added" if new else "removed"


def _long(label: str) -> Field:
    return Field(label, text, in_a_word=_long_change)


def _category(value: Any, record: Any) -> str:
    return text(Risk.Category(value).label, record) if value else "none"


def _assessed(value: Any, record: Any) -> str:
    return text(Risk.Assessed(value).label, record) if value else "none"


RISK_FIELDS = {
    "reference": Field("Reference", text),
    "title": Field("Title", text),
    "description": _long("Description"),
    "owner": Field("Owner", text),
    "owner_name": Field("Owner (name)", text),
    "portfolio": Field("Portfolio", text),
    "theme": Field("Theme", text),
    "category": Field("Category", _category),
    "assessed": Field("Assessed as", _assessed),
    "previous": Field("Last year's risk", reference),
}
ASSESSMENT_FIELDS = {
    "threat_likelihood": Field("Threat likelihood", text),
    "threat_impact": Field("Threat impact", text),
    "threat_score": Field("Threat score", text),
    "threat_level": Field("Threat level", text),
    "opportunity_likelihood": Field("Opportunity likelihood", text),
    "opportunity_impact": Field("Opportunity impact", text),
    "opportunity_score": Field("Opportunity score", text),
    "opportunity_level": Field("Opportunity level", text),
    "score_only": Field("Score only, as published", yes_no),
    "target_score": Field("Target score", text),
    "controls": _long("Controls in place"),
    "further_actions": _long("Further actions"),
    "commentary": _long("Supporting information"),
}


def risk_history(risk: Risk, *, access: ItemAccess[Risk] | None = None) -> list[Entry]:
    """Changes to the risk's definition and the assessments of the returns the reader
    (`access`; see item_history.quarters_seen) may see, newest first."""
    records = Risk.history.filter(id=risk.pk).select_related(
        "history_user", "portfolio", "theme", "owner", "previous"
    )
    assessments = quarters_seen(
        RiskAssessment.history.filter(risk_id=risk.pk), risk, access
    ).select_related("history_user", "ret__quarter__year")
    return newest_first(
        [
            *entries(records, RISK_FIELDS, subject=definition, deletions=False),
            *entries(assessments, ASSESSMENT_FIELDS, subject=quarter_of, deletions=False),
        ]
    )
