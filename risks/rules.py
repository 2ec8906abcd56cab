"""Pure rules for strategic risks: the score (likelihood x impact), the level of a cell of
the 4x4 matrix, reading a published score ("Risk score 16"), and the change since last
quarter in the council's words ("reduced from 8 at the end of March 2021 to 6").

No Django here on purpose: these are the council's published rules (the risk matrices
printed with the quarterly report), tested exhaustively and in microseconds. The matrix
itself is data (`Matrix`), which the database holds and a council may relabel.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

SCALE = (1, 2, 3, 4)  # likelihood and impact each run 1 to 4
POSSIBLE_SCORES = tuple(sorted({likelihood * impact for likelihood in SCALE for impact in SCALE}))


class Side(StrEnum):
    """A risk is assessed as a threat, an opportunity, or both (each side its own score)."""

    THREAT = "threat"
    OPPORTUNITY = "opportunity"

    @property
    def label(self) -> str:
        return "Threat" if self is Side.THREAT else "Opportunity"

    @property
    def plural(self) -> str:
        return "threats" if self is Side.THREAT else "opportunities"


class Movement(StrEnum):
    INCREASED = "increased"
    REDUCED = "reduced"
    UNCHANGED = "unchanged"
    NEW = "new"  # no score last quarter to compare with
    NONE = "none"  # no score this quarter

    @property
    def arrow(self) -> str:
        return {"increased": "↑", "reduced": "↓", "unchanged": "→"}.get(self.value, "")


def check_point(value: int, *, axis: str) -> int:
    """`value` if it is on the 1 to 4 scale; ValueError in words otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
        raise ValueError(f"The {axis} must be a whole number from 1 to 4, not {value!r}.")
    return value


def score(likelihood: int, impact: int) -> int:
    """Likelihood x impact, 1 to 16. Raises ValueError for a value off the 1 to 4 scale."""
    return check_point(likelihood, axis="likelihood") * check_point(impact, axis="impact")


def is_possible_score(value: int) -> bool:
    """Whether some likelihood x impact gives `value` (7 or 10 never can)."""
    return value in POSSIBLE_SCORES


def cells_scoring(value: int) -> list[tuple[int, int]]:
    """The (likelihood, impact) cells whose score is `value`, likelihood ascending."""
    return [(lk, im) for lk in SCALE for im in SCALE if lk * im == value]


@dataclass(frozen=True)
class Level:
    """A band of the matrix, such as "High", with its GOV.UK tag colour."""

    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class Point:
    """One step of an axis: 3, "Probable", "Fairly likely to occur ... once in 2 years"."""

    value: int
    label: str
    description: str = ""

    @property
    def text(self) -> str:
        return f"{self.value} {self.label}"


@dataclass(frozen=True)
class Matrix:
    """A 4x4 matrix for one side: what each likelihood and impact means, and the level of
    each cell. `cells` maps (likelihood, impact) to a level and must cover all 16."""

    side: Side
    title: str
    likelihood: Mapping[int, Point]
    impact: Mapping[int, Point]
    cells: Mapping[tuple[int, int], Level]

    def level_at(self, likelihood: int, impact: int) -> Level:
        check_point(likelihood, axis="likelihood")
        check_point(impact, axis="impact")
        try:
            return self.cells[(likelihood, impact)]
        except KeyError:
            raise ValueError(
                f"The {self.side.value} matrix has no level for likelihood {likelihood} and "
                f"impact {impact}."
            ) from None

    def level_for_score(self, value: int) -> Level | None:
        """The level of a score given without likelihood and impact (an imported "Risk
        score 12"): known when every cell with that score has the same level, else None."""
        levels = {self.cells.get(cell) for cell in cells_scoring(value)}
        return levels.pop() if len(levels) == 1 else None

    @property
    def levels(self) -> list[Level]:
        """The matrix's levels, lowest score first, each once."""
        seen: dict[str, Level] = {}
        for cell in sorted(self.cells, key=lambda c: (c[0] * c[1], c)):
            level = self.cells[cell]
            seen.setdefault(level.key, level)
        return list(seen.values())


# Reading published scores -------------------------------------------------------------

_SCORE = re.compile(
    r"(?P<kind>opportunity\s+risk|opportunity|risk)\s+score\s*(?:of\s*|:\s*|=\s*)?(?P<n>\d+)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PublishedScore:
    """The scores a published cell gives: "Risk score of 12 Opportunity score of 12"."""

    threat: int | None
    opportunity: int | None


def parse_score_text(text: str) -> PublishedScore:
    """Read "Risk score 16", "Risk Score 9", "Risk score of 6", "Opportunity risk score of
    6" or "Risk score of 12 Opportunity score of 12".

    Raises ValueError with a sentence for the person who supplied the text when there is
    no score in it, a score no likelihood x impact can give, or anything else in the cell.
    """
    cleaned = " ".join((text or "").split())
    found = list(_SCORE.finditer(cleaned))
    leftover = _SCORE.sub("", cleaned).strip(" ,;.")
    if not found or leftover:
        raise ValueError(
            f"“{text}” is not a risk score: write it like “Risk score 16” (or “Risk score 12 "
            "Opportunity score 12” for both)."
        )
    scores: dict[Side, int] = {}
    for match in found:
        side = Side.THREAT if match["kind"].lower() == "risk" else Side.OPPORTUNITY
        value = int(match["n"])
        if not is_possible_score(value):
            possible = ", ".join(str(s) for s in POSSIBLE_SCORES)
            raise ValueError(
                f"“{text}”: {value} is not a likelihood x impact score of a 4x4 matrix "
                f"(one of {possible})."
            )
        if side in scores:
            raise ValueError(f"“{text}” gives two {side.value} scores.")
        scores[side] = value
    return PublishedScore(threat=scores.get(Side.THREAT), opportunity=scores.get(Side.OPPORTUNITY))


def score_text(published: PublishedScore) -> str:
    """The published form of scores, as `parse_score_text` reads it back."""
    parts = []
    if published.threat is not None:
        parts.append(f"Risk score {published.threat}")
    if published.opportunity is not None:
        parts.append(f"Opportunity score {published.opportunity}")
    return " ".join(parts)


# Change since last quarter ----------------------------------------------------------


def movement(*, previous: int | None, current: int | None) -> Movement:
    if current is None:
        return Movement.NONE
    if previous is None:
        return Movement.NEW
    if current > previous:
        return Movement.INCREASED
    if current < previous:
        return Movement.REDUCED
    return Movement.UNCHANGED


def change_in_words(*, previous: int | None, current: int | None, since: str) -> str:
    """The change in the council's words. `since` names last quarter's end: "the end of
    March 2021". "reduced from 8 at the end of March 2021 to 6", "increased from 9 at the
    end of March 2021 to 12", "unchanged at 9", "6, not scored at the end of March 2021",
    or "" when there is no score now."""
    moved = movement(previous=previous, current=current)
    if moved is Movement.NONE:
        return ""
    if moved is Movement.NEW:
        return f"{current}, not scored at {since}"
    if moved is Movement.UNCHANGED:
        return f"unchanged at {current}"
    return f"{moved.value} from {previous} at {since} to {current}"


MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def quarter_end_words(month: int, year: int) -> str:
    """ "the end of March 2021" for a quarter ending in March 2021."""
    return f"the end of {MONTH_NAMES[month - 1]} {year}"


# The matrices perfmon ships with: Derby City's guidance printed with its quarterly report.

THREAT_LIKELIHOOD = {
    1: Point(1, "Remote", "May occur only in exceptional circumstances (e.g. once in 10 years)."),
    2: Point(2, "Possible", "Unlikely to occur but could at some time (e.g. once in 3 years)."),
    3: Point(
        3,
        "Probable",
        "Fairly likely to occur at some time or under certain circumstances (e.g. once in "
        "2 years).",
    ),
    4: Point(
        4,
        "Highly probable",
        "Will probably occur at some time or in most circumstances (e.g. once in 12 months).",
    ),
}
THREAT_IMPACT = {
    1: Point(
        1,
        "Low",
        "Limited impact on service objectives if any, section objectives unlikely to be met, "
        "financial loss less than £500k, no media attention.",
    ),
    2: Point(
        2,
        "Medium",
        "Slight delay in achievement of service objectives, minor injuries, financial loss "
        "over £500k, adverse local media attention, breaches of local procedures.",
    ),
    3: Point(
        3,
        "High",
        "Significant threat to council objectives. Non-statutory duties not achieved, "
        "permanent injury, financial loss over £1million, negative national media attention, "
        "litigation expected, serious issues raised through inspection, breakdown of "
        "confidence of partners.",
    ),
    4: Point(
        4,
        "Very high",
        "Objectives cannot be delivered. Statutory duties not achieved, death, financial loss "
        "over £5million, adverse national media attention, litigation almost certain, "
        "prosecutions, breaches of law, inspection highlights inadequate service, council "
        "unable to work with partner organisation.",
    ),
}
OPPORTUNITY_LIKELIHOOD = {
    1: Point(
        1,
        "Rare",
        "Opportunity has not been fully investigated but considered extremely unlikely to "
        "materialise.",
    ),
    2: Point(
        2,
        "Unlikely",
        "Opportunity has not been fully investigated; achievability is unproven / in doubt.",
    ),
    3: Point(
        3,
        "Probable",
        "Opportunity may be achievable, but requires significant management, planning and "
        "resources (in 2 years).",
    ),
    4: Point(4, "Highly probable", "Opportunity is achievable with careful management."),
}
OPPORTUNITY_IMPACT = {
    1: Point(
        1,
        "Insignificant",
        "Little or no improvement to service or to the welfare of staff and public; little or "
        "no income or efficiency savings (less than £500k); little or no improvement to "
        "environment or assets; little or no feedback from service users.",
    ),
    2: Point(
        2,
        "Minor",
        "Minor improvement to service and to the welfare of staff and public; £500k+ of "
        "income or efficiency savings; minor improvement to environment or assets; positive "
        "user feedback.",
    ),
    3: Point(
        3,
        "Moderate",
        "Moderate improvement to service and to the welfare of staff and public; £1million of "
        "income or efficiency savings; moderate improvement to environment or assets; "
        "positive local media contact.",
    ),
    4: Point(
        4,
        "Significant",
        "Significant improvement to service and to the welfare of staff and public; £5million "
        "or more income or efficiency savings; significant improvement to environment or "
        "assets; positive local media coverage.",
    ),
}

# Levels by score. The guidance prints the scores of each cell; the bands are perfmon's
# starting point, which a council changes in the admin.
THREAT_LEVELS = (
    (Level("low", "Low", "green"), (1, 2, 3)),
    (Level("medium", "Medium", "yellow"), (4, 6)),
    (Level("high", "High", "orange"), (8, 9)),
    (Level("very_high", "Very high", "red"), (12, 16)),
)
OPPORTUNITY_LEVELS = (
    (Level("low", "Low", "grey"), (1, 2, 3)),
    (Level("medium", "Medium", "light-blue"), (4, 6)),
    (Level("high", "High", "blue"), (8, 9)),
    (Level("very_high", "Very high", "purple"), (12, 16)),
)


def banded_cells(
    bands: tuple[tuple[Level, tuple[int, ...]], ...],
) -> dict[tuple[int, int], Level]:
    """Cells levelled by their score: each band lists the scores it covers."""
    by_score = {value: level for level, values in bands for value in values}
    return {(lk, im): by_score[lk * im] for lk in SCALE for im in SCALE}


THREATS = Matrix(
    side=Side.THREAT,
    title="Risk – Threats",
    likelihood=THREAT_LIKELIHOOD,
    impact=THREAT_IMPACT,
    cells=banded_cells(THREAT_LEVELS),
)
OPPORTUNITIES = Matrix(
    side=Side.OPPORTUNITY,
    title="Risk – Opportunities",
    likelihood=OPPORTUNITY_LIKELIHOOD,
    impact=OPPORTUNITY_IMPACT,
    cells=banded_cells(OPPORTUNITY_LEVELS),
)
