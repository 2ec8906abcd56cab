"""Pure rules that catch a value that is probably a typing mistake: a percentage over 100,
a jump to many times last quarter's, a value far outside the measure's own history.

A warning does not refuse the value: the officer corrects it or confirms it is right, and
a confirmed warning is kept with the update for the check page and the director.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from decimal import Decimal
from typing import Any

from measures.rules import Unit, format_value

# An actual this many times last quarter's (or this fraction of it) is worth a second look.
JUMP_FACTOR = Decimal(5)
# Outside the measure's recorded range by more than this many widths of that range.
RANGE_WIDTHS = Decimal(2)
# Fewer recorded values than this say too little about a measure's range.
HISTORY_NEEDED = 3


def quality_warnings(
    *,
    actual: Decimal,
    unit: Unit,
    last_quarter: Decimal | None = None,
    history: Sequence[Decimal] = (),
) -> list[str]:
    """What looks wrong about `actual`, in words for the officer (empty: nothing).

    `last_quarter` is last quarter's approved actual; `history` the measure's approved
    actuals so far (any order)."""
    found = []
    if unit is Unit.PERCENTAGE and actual > 100:
        found.append(f"{format_value(actual, unit)} is a percentage over 100")
    if last_quarter is not None and last_quarter > 0 and actual > 0:
        ratio = actual / last_quarter
        if ratio >= JUMP_FACTOR or ratio <= 1 / JUMP_FACTOR:
            times = f"{ratio:.1f}" if ratio >= 1 else f"1/{(1 / ratio):.0f}"
            found.append(
                f"{format_value(actual, unit)} is {times} times last quarter's "
                f"{format_value(last_quarter, unit)}"
            )
    if len(history) >= HISTORY_NEEDED:
        low, high = min(history), max(history)
        width = high - low
        if width > 0 and not low - RANGE_WIDTHS * width <= actual <= high + RANGE_WIDTHS * width:
            found.append(
                f"{format_value(actual, unit)} is far outside this measure's own results so far "
                f"({format_value(low, unit)} to {format_value(high, unit)})"
            )
    return found


class History:
    """The approved actuals of a return's measures (and of the measures they continue),
    loaded when a row's form first asks, so a page that validates no actual never loads
    them: in one query for the measures `expect()` named (the rows a save changed), and
    one more for any other measure asked about. `load(ids)` gives (measure id, actual)
    pairs of those measures."""

    def __init__(
        self, load: Callable[[Collection[int]], Iterable[tuple[int, Decimal]]], *, key: str
    ) -> None:
        self._load = load
        self._key = key
        self._expected: set[int] = set()
        self._loaded: set[int] = set()
        self._by_measure: dict[int, list[Decimal]] = {}

    def __repr__(self) -> str:
        # Part of the rows' cache digest: the same for every page of one return.
        return f"History({self._key})"

    def expect(self, measures: Iterable[Any]) -> None:
        """The measures about to be asked about, loaded together on the first ask."""
        for measure in measures:
            self._expected |= _lineage_ids(measure)

    def of(self, measure: Any) -> list[Decimal]:
        """The actuals of `measure` and of the measure it continues."""
        wanted = _lineage_ids(measure)
        if not wanted <= self._loaded:
            ids = (wanted | self._expected) - self._loaded
            for measure_id, actual in self._load(ids):
                self._by_measure.setdefault(measure_id, []).append(actual)
            self._loaded |= ids
        own = self._by_measure.get(measure.pk, [])
        return own + self._by_measure.get(getattr(measure, "previous_id", None) or 0, [])


def _lineage_ids(measure: Any) -> set[int]:
    previous = getattr(measure, "previous_id", None)
    return {measure.pk, previous} if previous else {measure.pk}
