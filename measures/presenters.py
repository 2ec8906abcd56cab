"""A measure's values in words, the same on every page, report and file.

The council's tables write an actual with its notes in one order: the period the data
is for, then provisional, then forecast: "91.9% (Q3 data)", "76% (Q3 data, Provisional)".
"""

from __future__ import annotations

from measures import rules
from measures.models import MeasureUpdate


def actual_text(update: MeasureUpdate | None, unit: rules.Unit, *, none: str = "N/A") -> str:
    """The actual with its notes, or why there is none ("Data not yet available"); `none`
    where there is no result at all."""
    if update is None:
        return none
    if update.actual is None:
        return update.get_missing_reason_display() or none
    notes = [
        note
        for note in (
            update.period_label,
            "Provisional" if update.provisional else "",
            "Forecast" if update.forecast else "",
        )
        if note
    ]
    value = rules.format_value(update.actual, unit)
    return f"{value} ({', '.join(notes)})" if notes else value
