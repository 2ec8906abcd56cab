"""Pure rules for priority projects: the RAG (present state) from the four key criteria,
reading a published Delivery Confidence Assessment, and how a rating moved since last
quarter.

No Django here on purpose: these are the council's published rules (the guidance "RAG and
DCA" printed with the quarterly report), tested exhaustively and in microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Rating(StrEnum):
    """The five-point scale both the RAG and the DCA use."""

    GREEN = "green"
    AMBER_GREEN = "amber_green"
    AMBER_RED = "amber_red"
    RED = "red"
    PRE_START_COMPLETED = "pre_start_completed"

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def colour(self) -> str:
        """The GOV.UK tag colour; the label always carries the meaning."""
        return COLOURS[self]

    @property
    def severity(self) -> int | None:
        """0 (Green) to 3 (Red); None for Pre-start/Completed, which is not on the scale of
        confidence and so neither better nor worse than any other rating."""
        return SEVERITY.get(self)


LABELS = {
    Rating.GREEN: "Green",
    Rating.AMBER_GREEN: "Amber/Green",
    Rating.AMBER_RED: "Amber/Red",
    Rating.RED: "Red",
    Rating.PRE_START_COMPLETED: "Pre-start/Completed",
}
COLOURS = {
    Rating.GREEN: "green",
    Rating.AMBER_GREEN: "yellow",
    Rating.AMBER_RED: "orange",
    Rating.RED: "red",
    Rating.PRE_START_COMPLETED: "grey",
}
SEVERITY = {Rating.GREEN: 0, Rating.AMBER_GREEN: 1, Rating.AMBER_RED: 2, Rating.RED: 3}

# What each DCA means, from the council's guidance, for the form's hints and the key.
DCA_MEANINGS = {
    Rating.GREEN: "Successful delivery appears highly likely; no major outstanding issues.",
    Rating.AMBER_GREEN: "Successful delivery appears feasible, but significant issues need "
    "management attention.",
    Rating.AMBER_RED: "Successful delivery is in doubt, with major risks or issues: urgent "
    "action is needed.",
    Rating.RED: "Successful delivery appears to be unachievable.",
    Rating.PRE_START_COMPLETED: "The project is closed, or at its pre-start stage.",
}


class Criterion(StrEnum):
    """The four key criteria of the RAG, in the guidance's order."""

    TIME = "time"
    COST = "cost"
    SCOPE = "scope"
    BENEFITS = "benefits"


CRITERIA = tuple(Criterion)


@dataclass(frozen=True)
class Rag:
    rating: Rating
    explained: str  # "Amber/Red: time and cost may not be delivered within tolerance"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def rag_from_criteria(off_track: Iterable[Criterion]) -> Rag:
    """The RAG from the criteria that are not on track: none Green, one Amber/Green, two or
    three Amber/Red, all four Red. The sentence names them in the guidance's order."""
    off = set(off_track)
    names = [criterion.value for criterion in CRITERIA if criterion in off]
    if not names:
        return Rag(Rating.GREEN, "Green: time, cost, scope and benefits are all on track")
    if len(names) == 1:
        rating = Rating.AMBER_GREEN
    elif len(names) < len(CRITERIA):
        rating = Rating.AMBER_RED
    else:
        return Rag(
            Rating.RED,
            "Red: none of time, cost, scope and benefits can be delivered without further "
            "significant intervention; consider whether the project should continue",
        )
    return Rag(rating, f"{rating.label}: {_and(names)} may not be delivered within tolerance")


def rag_for(on_track: dict[Criterion, bool | None]) -> Rag | None:
    """The RAG once every criterion has an answer (True for on track); None before."""
    if any(on_track.get(criterion) is None for criterion in CRITERIA):
        return None
    return rag_from_criteria(c for c in CRITERIA if not on_track[c])


class DcaParseError(ValueError):
    """A published DCA that is not on the scale; the message says what would be read."""


_NOTE = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[a-z]+")
_PRE_START_WORDS = frozenset({"pre", "start", "prestart", "completed", "complete", "closed"})
_BY_WORDS = {
    frozenset({"green"}): Rating.GREEN,
    frozenset({"amber", "green"}): Rating.AMBER_GREEN,
    frozenset({"amber", "red"}): Rating.AMBER_RED,
    frozenset({"red"}): Rating.RED,
}
ACCEPTED = (
    "Green, Amber/Green (or Green/Amber), Amber/Red (or Red/Amber), Red or Pre-start/Completed"
)


def parse_dca(text: str) -> Rating:
    """A DCA as tables publish it: "Green/Amber", "Amber / Red", "amber/green", "RED",
    "Pre Start / Completed", "Green (Q3 position)". The order of the two colours does not
    matter: Derby City's 2024/25 table writes Amber/Green as "Green/Amber".

    Raises DcaParseError (a ValueError) with a plain message for anything else: a blank,
    "N/A", "Amber" alone, or a word that is not a rating.
    """
    shown = " ".join(str(text).split())
    words = _WORD.findall(_NOTE.sub(" ", shown).lower())
    if not words:
        raise DcaParseError(f"The DCA is blank: write {ACCEPTED}.")
    found = frozenset(words)
    if found <= _PRE_START_WORDS:
        return Rating.PRE_START_COMPLETED
    rating = _BY_WORDS.get(found) if len(found) == len(words) else None
    if rating is None:
        if found == {"amber"}:
            raise DcaParseError(
                f"“{shown}” is not a DCA: Amber alone is not on the scale; write Amber/Green "
                "or Amber/Red."
            )
        raise DcaParseError(f"“{shown}” is not a DCA: write {ACCEPTED}.")
    return rating


class Movement(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    SAME = "same"
    CHANGED = "changed"  # to or from Pre-start/Completed: no better or worse
    NO_PREVIOUS = "no_previous"

    @property
    def arrow(self) -> str:
        """An arrow that says the direction on its own (up is better)."""
        return {"better": "↑", "worse": "↓", "same": "→", "changed": "↔"}.get(self.value, "")


def movement(previous: Rating | None, current: Rating | None) -> Movement:
    """How a rating moved since last quarter."""
    if previous is None or current is None:
        return Movement.NO_PREVIOUS
    if previous == current:
        return Movement.SAME
    before, after = previous.severity, current.severity
    if before is None or after is None:
        return Movement.CHANGED
    return Movement.BETTER if after < before else Movement.WORSE


def describe_movement(previous: Rating | None, current: Rating | None) -> str:
    """The movement in words, for people who cannot see the arrow or the colour:
    "↓ worse than last quarter (Amber/Green)"."""
    moved = movement(previous, current)
    if moved is Movement.NO_PREVIOUS:
        return "no rating last quarter" if current is not None else ""
    assert previous is not None
    if moved is Movement.SAME:
        return f"{moved.arrow} same as last quarter"
    words = {
        Movement.BETTER: "better than",
        Movement.WORSE: "worse than",
        Movement.CHANGED: "changed from",
    }[moved]
    return f"{moved.arrow} {words} last quarter ({previous.label})"


def is_red_or_amber_red(rating: Rating | None) -> bool:
    """What the quarterly report counts: "six were assessed as either red or amber / red"."""
    return rating in {Rating.RED, Rating.AMBER_RED}
