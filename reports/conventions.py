"""Counting conventions: how a council counts the figures of its summary by theme.

Councils publish "% of measures meeting target", "% improved" and "% of actions delivered
or on track", but each counts them its own way (what a status of "Annual Collection"
means, whether "Same" is an improvement, whether an action last reported a quarter ago
still counts). A convention is a named set of those choices; the performance team picks
one in the admin and the summary prints it under every table. Plain data, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Convention:
    """A named preset. `rules` override perfmon's defaults (reports.builders.common
    DEFAULT_COUNTING); `gaps` say where it is known not to reproduce a published figure."""

    key: str
    name: str
    description: str
    rules: Mapping[str, Any] = field(default_factory=dict)
    gaps: tuple[str, ...] = ()


PERFMON = Convention(
    key="perfmon",
    name="perfmon's default (Derby City 2024/25)",
    description=(
        "Comes within 2 points of every figure of Derby City's published 2024/25 summary: "
        "“Same” counts as improved; results for an earlier period (“Q3 data”) are counted; "
        "an action with no position this quarter counts with its latest position this year."
    ),
    rules={"same_counts_as_improved": True, "exclude_earlier_period": False},
    gaps=(
        "“A City of Growth”: 50% of measures improved (12 of 24), published 52%.",
        "“A Green City”: 55.6% improved (5 of 9), published 55%.",
        "“A Resilient City”: 62.2% meeting target (23 of 37), published 61%; 70.5% "
        "improved (31 of 44), published 69%.",
    ),
)

DERBY_2021 = Convention(
    key="derby-2021-22",
    name="Derby City 2021/22",
    description=(
        "Reproduces Derby City's published 2021/22 summary: measures the council marked "
        "“Annual Collection” are rated by the scheme from their actual and target; “Same” "
        "counts as improved; results for an earlier period are left out, and so are "
        "actions reported with an earlier quarter's position (“On track (Q3 position)”)."
    ),
    rules={
        "same_counts_as_improved": True,
        "rate_published_statuses": ("Annual Collection",),
        "count_earlier_positions": False,
    },
    gaps=(
        "The published counts of actions per theme (16, 19, 21) put one action under “A "
        "city with big ambitions” that the table lists under “A city of health and "
        "happiness” (15, 20, 21 here; 56 in all either way). The percentages agree with "
        "the table.",
    ),
)

LIKE_FOR_LIKE = Convention(
    key="like-for-like",
    name="Like for like",
    description=(
        "Only like-for-like comparisons count: “Same” is not an improvement, and results "
        "for an earlier period are left out of both measure percentages."
    ),
    gaps=("Reproduces no published summary: it is the strictest reading.",),
)

PRESETS: dict[str, Convention] = {c.key: c for c in (PERFMON, DERBY_2021, LIKE_FOR_LIKE)}
DEFAULT = PERFMON.key


def convention(key: str | None) -> Convention:
    """The preset called `key`; perfmon's default for None or a key no preset has."""
    return PRESETS.get(key or DEFAULT, PERFMON)


def choices() -> list[tuple[str, str]]:
    return [(c.key, c.name) for c in PRESETS.values()]
