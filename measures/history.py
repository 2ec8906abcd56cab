"""An item's change history in the words officers use.

simple-history keeps a record of every save of a measure or an action, of a measure's
quarterly targets and of each quarterly update; perfmon.item_history compares consecutive
records of one object and writes each difference as people read it, newest first: "Actual:
54% → 56%", by whom and when. Here are the fields that count and how each reads. All
records of a page come in a fixed number of queries, with the people who made them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from measures import rules
from measures.models import Action, ActionUpdate, Measure, MeasureUpdate, QuarterTarget
from perfmon import item_history
from perfmon.access import ItemAccess
from perfmon.item_history import (
    Change,
    Entry,
    Field,
    Show,
    definition,
    free_text,
    newest_first,
    quarter_of,
    quarters_seen,
    reference,
    text,
    yes_no,
)
from perfmon.models.items import Item, ItemUpdate

__all__ = ["Change", "Entry", "action_history", "measure_history"]


def measure_history(measure: Measure, *, access: ItemAccess[Measure] | None = None) -> list[Entry]:
    """Changes to the measure's definition, its quarterly targets and the updates of the
    returns the reader (`access`; see item_history.quarters_seen) may see, newest first.
    Three queries."""
    unit = rules.Unit(measure.unit)
    records = _history(Measure).filter(id=measure.pk).select_related(*_ITEM_RELATED)
    targets = _history(QuarterTarget).filter(measure_id=measure.pk).select_related("history_user")
    updates = quarters_seen(
        _history(MeasureUpdate).filter(measure_id=measure.pk), measure, access
    ).select_related(*_UPDATE_RELATED)
    return newest_first(
        [
            *_entries(records, _measure_fields(), subject=definition),
            *_quarter_target_entries(targets, unit),
            *_entries(updates, _measure_update_fields(unit), subject=quarter_of),
        ]
    )


def action_history(action: Action, *, access: ItemAccess[Action] | None = None) -> list[Entry]:
    """Changes to the action's definition and the updates of the returns the reader may
    see, newest first. Two queries."""
    records = _history(Action).filter(id=action.pk).select_related(*_ITEM_RELATED)
    updates = quarters_seen(
        _history(ActionUpdate).filter(action_id=action.pk), action, access
    ).select_related(*_UPDATE_RELATED)
    return newest_first(
        [
            *_entries(records, _action_fields(), subject=definition),
            *_entries(updates, _action_update_fields(), subject=quarter_of),
        ]
    )


# Selected with each record, so diffs name people, portfolios and quarters without queries.
_ITEM_RELATED = ("history_user", "year", "portfolio", "theme", "previous")
_UPDATE_RELATED = ("history_user", "ret__quarter__year")


def _history(model: type[Item] | type[ItemUpdate] | type[QuarterTarget]) -> Any:
    return model.history


def _entries(
    records: Iterable[Any], fields: dict[str, Field], *, subject: Callable[[Any], str]
) -> list[Entry]:
    # Newest first, so saves at the same moment (a bulk save) stay newest first once merged.
    return item_history.entries(records, fields, subject=subject)[::-1]


# How each field reads ------------------------------------------------------------------


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


def _item_fields() -> dict[str, Field]:
    """The fields a measure and an action share, in the order both show them."""
    return {
        "year": Field("Year", _related),
        "reference": Field("Reference", text),
        "description": Field("Description", free_text, is_text=True),
        "portfolio": Field("Portfolio", _related),
        "theme": Field("Theme", _related),
    }


def _measure_fields() -> dict[str, Field]:
    return {
        **_item_fields(),
        "unit": Field("Unit", _choice(Measure.Unit)),
        "polarity": Field("Polarity", _choice(Measure.Polarity)),
        "frequency": Field("Frequency", _choice(Measure.Frequency)),
        "target": Field("Target", _value_in(None)),
        "previous": Field("Last year's measure", reference),
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
            {"value": Field(f"Q{number} target", _value_in(unit))},
            subject=definition,
        )
    ]


def _measure_update_fields(unit: rules.Unit) -> dict[str, Field]:
    return {
        "actual": Field("Actual", _value_in(unit)),
        "missing_reason": Field("Why there is no actual", _choice(MeasureUpdate.MissingReason)),
        "provisional": Field("Provisional", yes_no),
        "forecast": Field("Forecast", yes_no),
        "period_label": Field("Data for an earlier period", text),
        "target": Field("Target", _value_in(unit)),
        "status": Field("Status", text),
        "status_override": Field("Status override", text),
        "override_reason": Field("Reason for the override", free_text, is_text=True),
        "commentary": Field("Supporting information", free_text, is_text=True),
    }


def _action_fields() -> dict[str, Field]:
    return {
        **_item_fields(),
        "expected_completion": Field("Expected completion", _date),
        "previous": Field("Last year's action", reference),
    }


def _action_update_fields() -> dict[str, Field]:
    return {
        "status": Field("Status", _choice(ActionUpdate.Status)),
        "commentary": Field("Supporting information", free_text, is_text=True),
        "reopen_reason": Field("Why it is no longer completed", free_text, is_text=True),
    }
