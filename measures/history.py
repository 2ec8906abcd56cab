"""An item's change history in the words officers use.

simple-history keeps a record of every save of a measure or an action, of a measure's
quarterly targets and of each quarterly update. Here consecutive records of one object are
compared with `diff_against` and each difference written as people read it, newest first:
"Actual: 54% → 56%", by whom and when. All records of a page come in a fixed number of
queries, with the people who made them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

from measures import rules
from measures.models import Action, ActionUpdate, Measure, MeasureUpdate, QuarterTarget

DEFINITION = "Definition"

Show = Callable[[Any, Any], str]
"""Writes a field's value for people, given the value and the record it came from."""


@dataclass(frozen=True)
class FieldSpec:
    label: str
    show: Show
    is_text: bool = False  # free text: too long to repeat inline, shown in full on request


@dataclass(frozen=True)
class Change:
    """One field's change. `before` is None when the object was created, `after` None when
    it was deleted."""

    label: str
    before: str | None
    after: str | None
    is_text: bool = False

    def __str__(self) -> str:
        if self.is_text:
            if self.before is None or (not self.before and self.after):
                return f"{self.label} added"
            return f"{self.label} removed" if not self.after else f"{self.label} changed"
        if self.before is None:
            return f"{self.label}: {self.after}"
        if self.after is None:
            return f"{self.label} was {self.before}"
        return f"{self.label}: {self.before} → {self.after}"


@dataclass(frozen=True)
class Entry:
    """One save: what it changed, of what (`subject`: "Definition", "Q2 2026/27"), by whom
    and when."""

    at: datetime
    by: str
    subject: str
    changes: tuple[Change, ...]
    kind: str = "changed"  # or "created", "deleted"
    reason: str = ""

    @property
    def summary(self) -> str:
        return "; ".join(str(change) for change in self.changes)

    @property
    def texts(self) -> tuple[Change, ...]:
        """The free-text changes, whose before and after are shown in full."""
        return tuple(change for change in self.changes if change.is_text)


def measure_history(measure: Measure) -> list[Entry]:
    """Changes to the measure's definition, its quarterly targets and its updates, newest
    first. Three queries."""
    unit = rules.Unit(measure.unit)
    records = _history(Measure).filter(id=measure.pk).select_related(*_ITEM_RELATED)
    targets = _history(QuarterTarget).filter(measure_id=measure.pk).select_related("history_user")
    updates = _history(MeasureUpdate).filter(measure_id=measure.pk).select_related(*_UPDATE_RELATED)
    return _newest_first(
        [
            *_entries(records, _measure_fields(), subject=lambda record: DEFINITION),
            *_quarter_target_entries(targets, unit),
            *_entries(updates, _measure_update_fields(unit), subject=_quarter_of),
        ]
    )


def action_history(action: Action) -> list[Entry]:
    """Changes to the action's definition and its updates, newest first. Two queries."""
    records = _history(Action).filter(id=action.pk).select_related(*_ITEM_RELATED)
    updates = _history(ActionUpdate).filter(action_id=action.pk).select_related(*_UPDATE_RELATED)
    return _newest_first(
        [
            *_entries(records, _action_fields(), subject=lambda record: DEFINITION),
            *_entries(updates, _action_update_fields(), subject=_quarter_of),
        ]
    )


# Selected with each record, so diffs name people, portfolios and quarters without queries.
_ITEM_RELATED = ("history_user", "year", "portfolio", "theme", "previous")
_UPDATE_RELATED = ("history_user", "ret__quarter__year")


def _history(model: type[models.Model]) -> Any:
    return model.history  # type: ignore[attr-defined]


def _newest_first(entries: list[Entry]) -> list[Entry]:
    # A stable sort: saves at the same moment (a bulk save) keep each source's own order.
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def _quarter_of(record: Any) -> str:
    return str(record.ret.quarter) if record.ret is not None else "A deleted return"


def _entries(
    records: Iterable[Any], fields: dict[str, FieldSpec], *, subject: Callable[[Any], str]
) -> list[Entry]:
    """An entry per record that changed something a person would notice. Records are paired
    with the one before them for the same object (several updates share one query)."""
    entries = []
    last_seen: dict[Any, Any] = {}
    for record in sorted(records, key=lambda r: r.history_id):
        before = last_seen.get(record.id)
        last_seen[record.id] = record
        kind = _kind(record, before)
        changes = _changes(record, before, fields, kind=kind)
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
    return entries[::-1]  # newest first, so saves at the same moment stay newest first


def _kind(record: Any, before: Any) -> str:
    if record.history_type == "-":
        return "deleted"
    # A first record that is not a creation means history began after the object did.
    return "created" if before is None or record.history_type == "+" else "changed"


def _changes(
    record: Any, before: Any, fields: dict[str, FieldSpec], *, kind: str
) -> tuple[Change, ...]:
    if kind == "deleted":
        return tuple(
            Change(spec.label, spec.show(_value(record, name), record), None, spec.is_text)
            for name, spec in fields.items()
            if not _blank(_value(record, name))
        )
    if kind == "created":
        return tuple(
            Change(spec.label, None, spec.show(_value(record, name), record), spec.is_text)
            for name, spec in fields.items()
            if not _blank(_value(record, name))
        )
    delta = record.diff_against(before, included_fields=list(fields), foreign_keys_are_objs=True)
    changed = {change.field: change for change in delta.changes}
    return tuple(
        Change(
            spec.label,
            spec.show(changed[name].old, before),
            spec.show(changed[name].new, record),
            spec.is_text,
        )
        for name, spec in fields.items()
        if name in changed
    )


def _value(record: Any, name: str) -> Any:
    # For a foreign key this is the related object, selected with the record.
    return getattr(record, name)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value is False


# How each field reads ------------------------------------------------------------------


def _text(value: Any, record: Any) -> str:
    return str(value) if value not in (None, "") else "none"


def _free_text(value: Any, record: Any) -> str:
    return str(value or "")


def _yes_no(value: Any, record: Any) -> str:
    return "yes" if value else "no"


def _date(value: Any, record: Any) -> str:
    return f"{value.day} {value:%B %Y}" if isinstance(value, date) else "none"


def _choice(choices: type[Any]) -> Show:
    def show(value: Any, record: Any) -> str:
        if value in (None, ""):
            return "none"
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value)

    return show


def _value_in(unit: rules.Unit | None) -> Show:
    """A measured value in the measure's unit; None means the record's own unit."""

    def show(value: Any, record: Any) -> str:
        if value is None:
            return "none"
        shown_unit = unit or rules.Unit(record.unit)
        return rules.format_value(Decimal(value), shown_unit)

    return show


def _related(value: Any, record: Any) -> str:
    # A related object that has since been deleted comes as simple-history's DeletedObject.
    return str(value) if value is not None else "none"


def _reference(value: Any, record: Any) -> str:
    return str(getattr(value, "reference", value)) if value is not None else "none"


def _measure_fields() -> dict[str, FieldSpec]:
    return {
        "year": FieldSpec("Year", _related),
        "reference": FieldSpec("Reference", _text),
        "description": FieldSpec("Description", _free_text, is_text=True),
        "portfolio": FieldSpec("Portfolio", _related),
        "theme": FieldSpec("Theme", _related),
        "unit": FieldSpec("Unit", _choice(Measure.Unit)),
        "polarity": FieldSpec("Polarity", _choice(Measure.Polarity)),
        "frequency": FieldSpec("Frequency", _choice(Measure.Frequency)),
        "target": FieldSpec("Target", _value_in(None)),
        "previous": FieldSpec("Last year's measure", _reference),
    }


def _quarter_target_entries(records: Iterable[Any], unit: rules.Unit) -> list[Entry]:
    # The label names the quarter, so "Q3 target: 58% → 60%" reads on its own.
    by_quarter: dict[int, list[Any]] = {}
    for record in records:
        by_quarter.setdefault(record.quarter_number, []).append(record)
    return [
        entry
        for number, group in sorted(by_quarter.items())
        for entry in _entries(
            group,
            {"value": FieldSpec(f"Q{number} target", _value_in(unit))},
            subject=lambda record: DEFINITION,
        )
    ]


def _measure_update_fields(unit: rules.Unit) -> dict[str, FieldSpec]:
    return {
        "actual": FieldSpec("Actual", _value_in(unit)),
        "missing_reason": FieldSpec("Why there is no actual", _choice(MeasureUpdate.MissingReason)),
        "provisional": FieldSpec("Provisional", _yes_no),
        "forecast": FieldSpec("Forecast", _yes_no),
        "period_label": FieldSpec("Data for an earlier period", _text),
        "target": FieldSpec("Target", _value_in(unit)),
        "status": FieldSpec("Status", _text),
        "status_override": FieldSpec("Status override", _text),
        "override_reason": FieldSpec("Reason for the override", _free_text, is_text=True),
        "commentary": FieldSpec("Supporting information", _free_text, is_text=True),
    }


def _action_fields() -> dict[str, FieldSpec]:
    return {
        "year": FieldSpec("Year", _related),
        "reference": FieldSpec("Reference", _text),
        "description": FieldSpec("Description", _free_text, is_text=True),
        "portfolio": FieldSpec("Portfolio", _related),
        "theme": FieldSpec("Theme", _related),
        "expected_completion": FieldSpec("Expected completion", _date),
        "previous": FieldSpec("Last year's action", _reference),
    }


def _action_update_fields() -> dict[str, FieldSpec]:
    return {
        "status": FieldSpec("Status", _choice(ActionUpdate.Status)),
        "commentary": FieldSpec("Supporting information", _free_text, is_text=True),
        "reopen_reason": FieldSpec("Why it is no longer completed", _free_text, is_text=True),
    }
