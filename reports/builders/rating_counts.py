"""How many items of a summary line had each rating: the `action_ratings` and
`measure_ratings` of `performance_summary`, in the words of the schemes in use.

Only ratings count: an action not rated (N/A, no update) and a measure with no target or no
data are left out, as councils print "Of the 37 key measures with data...".
"""

from __future__ import annotations

from collections.abc import Iterable

from reports.builders.common import Status

# Statuses that are not ratings (and any grey one: "Annual collection", "N/A"...).
NOT_RATINGS = {"N/A", "No target", "Not reported", ""}


def rating_counts(statuses: Iterable[Status | None], order: Iterable[str]) -> dict[str, int]:
    """{label: count} of the rated statuses, labels in `order` first, then any others."""
    counts: dict[str, int] = {}
    for status in statuses:
        if status is None or status.label in NOT_RATINGS or status.colour == "grey":
            continue
        counts[status.label] = counts.get(status.label, 0) + 1
    ordered = {label: counts.pop(label) for label in order if label in counts}
    return {**ordered, **counts}
