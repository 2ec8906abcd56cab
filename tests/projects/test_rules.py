"""The council's project rules, exhaustively: the RAG from every combination of the four
criteria, every way a table writes a DCA, and how a rating moved."""

from __future__ import annotations

from collections import Counter
from itertools import combinations, product
from pathlib import Path

import pytest

from projects.rules import (
    CRITERIA,
    Criterion,
    DcaParseError,
    Movement,
    Rating,
    describe_movement,
    is_red_or_amber_red,
    movement,
    parse_dca,
    rag_for,
    rag_from_criteria,
)

T, C, S, B = Criterion.TIME, Criterion.COST, Criterion.SCOPE, Criterion.BENEFITS
EXPECTED_BY_COUNT = {
    0: Rating.GREEN,
    1: Rating.AMBER_GREEN,
    2: Rating.AMBER_RED,
    3: Rating.AMBER_RED,
    4: Rating.RED,
}


@pytest.mark.parametrize(
    "off_track",
    [combo for size in range(5) for combo in combinations(CRITERIA, size)],
    ids=lambda combo: "+".join(c.value for c in combo) or "none",
)
def test_it_rates_every_combination_of_criteria_off_track(off_track: tuple[Criterion]) -> None:
    rag = rag_from_criteria(off_track)
    assert rag.rating is EXPECTED_BY_COUNT[len(off_track)]
    assert rag.explained.startswith(f"{rag.rating.label}: ")
    if 0 < len(off_track) < 4:
        for criterion in CRITERIA:
            assert (criterion.value in rag.explained) == (criterion in off_track)


@pytest.mark.parametrize(
    ("off_track", "explained"),
    [
        ((), "Green: time, cost, scope and benefits are all on track"),
        ((S,), "Amber/Green: scope may not be delivered within tolerance"),
        ((C, T), "Amber/Red: time and cost may not be delivered within tolerance"),
        ((B, T, C), "Amber/Red: time, cost and benefits may not be delivered within tolerance"),
        (
            (T, C, S, B),
            "Red: none of time, cost, scope and benefits can be delivered without further "
            "significant intervention; consider whether the project should continue",
        ),
    ],
)
def test_it_explains_the_rag_in_the_guidances_order(
    off_track: tuple[Criterion], explained: str
) -> None:
    assert rag_from_criteria(off_track).explained == explained


def test_it_counts_a_criterion_named_twice_once() -> None:
    assert rag_from_criteria([T, T]).rating is Rating.AMBER_GREEN


@pytest.mark.parametrize("answers", list(product([True, False, None], repeat=4)))
def test_it_rates_only_when_every_criterion_is_answered(
    answers: tuple[bool | None, ...],
) -> None:
    rag = rag_for(dict(zip(CRITERIA, answers, strict=True)))
    if None in answers:
        assert rag is None
    else:
        assert rag is not None
        assert rag.rating is EXPECTED_BY_COUNT[answers.count(False)]


def test_it_treats_a_missing_criterion_as_unanswered() -> None:
    assert rag_for({T: True, C: True, S: True}) is None


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("Green", Rating.GREEN),
        ("GREEN", Rating.GREEN),
        (" green ", Rating.GREEN),
        ("Green/Amber", Rating.AMBER_GREEN),
        ("Amber/Green", Rating.AMBER_GREEN),
        ("Amber / Green", Rating.AMBER_GREEN),
        ("amber-green", Rating.AMBER_GREEN),
        ("Amber\u00a0/\u00a0Green", Rating.AMBER_GREEN),
        ("Amber/Red", Rating.AMBER_RED),
        ("Amber / Red", Rating.AMBER_RED),
        ("Red/Amber", Rating.AMBER_RED),
        ("amber/red", Rating.AMBER_RED),
        ("Red", Rating.RED),
        ("red ", Rating.RED),
        ("Green (Q3 position)", Rating.GREEN),
        ("Pre-start/Completed", Rating.PRE_START_COMPLETED),
        ("Pre Start / Completed", Rating.PRE_START_COMPLETED),
        ("Pre-start", Rating.PRE_START_COMPLETED),
        ("Completed", Rating.PRE_START_COMPLETED),
        ("Closed", Rating.PRE_START_COMPLETED),
    ],
)
def test_it_reads_a_published_dca(text: str, rating: Rating) -> None:
    assert parse_dca(text) is rating


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The DCA is blank"),
        ("   ", "The DCA is blank"),
        ("N/A", "“N/A” is not a DCA"),
        ("Amber", "Amber alone is not on the scale"),
        ("Blue", "“Blue” is not a DCA"),
        ("Green/Red", "“Green/Red” is not a DCA"),
        ("Amber/Amber", "“Amber/Amber” is not a DCA"),
        ("Green Green", "“Green Green” is not a DCA"),
        ("Risk score 9", "“Risk score 9” is not a DCA"),
        ("Amber/Green/Red", "is not a DCA"),
    ],
)
def test_it_refuses_a_dca_it_cannot_read_in_plain_words(text: str, message: str) -> None:
    with pytest.raises(DcaParseError, match=message):
        parse_dca(text)
    assert issubclass(DcaParseError, ValueError)


def test_it_reads_every_rating_from_its_own_label() -> None:
    for rating in Rating:
        assert parse_dca(rating.label) is rating


def test_it_gives_each_rating_a_label_and_a_distinct_colour() -> None:
    assert [r.label for r in Rating] == [
        "Green",
        "Amber/Green",
        "Amber/Red",
        "Red",
        "Pre-start/Completed",
    ]
    assert len({r.colour for r in Rating}) == len(Rating)


SCALE = [Rating.GREEN, Rating.AMBER_GREEN, Rating.AMBER_RED, Rating.RED]


@pytest.mark.parametrize(("before", "after"), list(product([*Rating, None], repeat=2)))
def test_it_says_how_every_rating_moved(before: Rating | None, after: Rating | None) -> None:
    moved = movement(before, after)
    if before is None or after is None:
        assert moved is Movement.NO_PREVIOUS
    elif before is after:
        assert moved is Movement.SAME
    elif Rating.PRE_START_COMPLETED in (before, after):
        assert moved is Movement.CHANGED
    else:
        worse = SCALE.index(after) > SCALE.index(before)
        assert moved is (Movement.WORSE if worse else Movement.BETTER)


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [
        (Rating.AMBER_GREEN, Rating.AMBER_RED, "↓ worse than last quarter (Amber/Green)"),
        (Rating.RED, Rating.GREEN, "↑ better than last quarter (Red)"),
        (Rating.GREEN, Rating.GREEN, "→ same as last quarter"),
        (
            Rating.PRE_START_COMPLETED,
            Rating.GREEN,
            "↔ changed from last quarter (Pre-start/Completed)",
        ),
        (None, Rating.GREEN, "no rating last quarter"),
        (Rating.GREEN, None, ""),
    ],
)
def test_it_describes_a_movement_without_relying_on_colour(
    before: Rating | None, after: Rating | None, words: str
) -> None:
    assert describe_movement(before, after) == words


def test_it_counts_red_and_amber_red_as_the_report_does() -> None:
    assert [r for r in [*Rating, None] if is_red_or_amber_red(r)] == [Rating.AMBER_RED, Rating.RED]


SEED = Path(__file__).resolve().parents[2] / "reports" / "seeds"


def test_it_reads_every_dca_of_the_published_2024_25_table() -> None:
    rows = [
        line.split("\t")
        for line in (SEED / "derby-city-annual-results-2024-25.txt").read_text().splitlines()
        if line.startswith("PMP")
    ]
    read = Counter(parse_dca(row[4]).label for row in rows)
    assert sum(read.values()) == len(rows) > 30
    assert set(read) == {"Green", "Amber/Green", "Amber/Red", "Red"}
    assert read["Red"] == 2  # PMP60 South Derby Growth Zone, PMP25 Butterfly Project
