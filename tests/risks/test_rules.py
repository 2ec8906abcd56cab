"""The pure risk rules: score, matrix levels, reading published scores, and the change
since last quarter in the council's words. No database."""

from __future__ import annotations

import itertools

import pytest

from risks import rules
from risks.rules import Movement, PublishedScore, Side

ALL_CELLS = list(itertools.product(rules.SCALE, rules.SCALE))


@pytest.mark.parametrize(("likelihood", "impact"), ALL_CELLS)
def test_it_scores_every_cell_as_likelihood_times_impact(likelihood: int, impact: int) -> None:
    assert rules.score(likelihood, impact) == likelihood * impact


@pytest.mark.parametrize("bad", [0, 5, -1, 2.5, "3", None, True])
def test_it_refuses_a_likelihood_or_impact_off_the_scale(bad: object) -> None:
    with pytest.raises(ValueError, match="likelihood must be a whole number from 1 to 4"):
        rules.score(bad, 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="impact must be a whole number from 1 to 4"):
        rules.score(2, bad)  # type: ignore[arg-type]


def test_it_knows_which_scores_a_4x4_matrix_can_give() -> None:
    assert rules.POSSIBLE_SCORES == (1, 2, 3, 4, 6, 8, 9, 12, 16)
    assert [n for n in range(0, 18) if rules.is_possible_score(n)] == list(rules.POSSIBLE_SCORES)


@pytest.mark.parametrize(
    ("value", "cells"),
    [
        (16, [(4, 4)]),
        (12, [(3, 4), (4, 3)]),
        (9, [(3, 3)]),
        (8, [(2, 4), (4, 2)]),
        (6, [(2, 3), (3, 2)]),
        (4, [(1, 4), (2, 2), (4, 1)]),
        (1, [(1, 1)]),
        (7, []),
    ],
)
def test_it_finds_the_cells_of_a_score(value: int, cells: list[tuple[int, int]]) -> None:
    assert rules.cells_scoring(value) == cells


# The matrices of the seed's guidance -------------------------------------------------


@pytest.mark.parametrize(("likelihood", "impact"), ALL_CELLS)
def test_it_levels_every_cell_of_both_matrices_by_its_score(likelihood: int, impact: int) -> None:
    value = likelihood * impact
    expected = {1: "Low", 2: "Low", 3: "Low", 4: "Medium", 6: "Medium", 8: "High", 9: "High"}
    for matrix in (rules.THREATS, rules.OPPORTUNITIES):
        assert matrix.level_at(likelihood, impact).label == expected.get(value, "Very high")


def test_it_gives_the_seeds_axis_labels() -> None:
    threats, opportunities = rules.THREATS, rules.OPPORTUNITIES
    assert [p.label for p in threats.likelihood.values()] == [
        "Remote",
        "Possible",
        "Probable",
        "Highly probable",
    ]
    assert [p.label for p in threats.impact.values()] == ["Low", "Medium", "High", "Very high"]
    assert [p.label for p in opportunities.likelihood.values()] == [
        "Rare",
        "Unlikely",
        "Probable",
        "Highly probable",
    ]
    assert [p.label for p in opportunities.impact.values()] == [
        "Insignificant",
        "Minor",
        "Moderate",
        "Significant",
    ]
    assert "once in 10 years" in threats.likelihood[1].description
    assert "£5million" in threats.impact[4].description
    assert threats.likelihood[3].text == "3 Probable"


def test_it_lists_a_matrix_levels_lowest_first() -> None:
    assert [level.label for level in rules.THREATS.levels] == ["Low", "Medium", "High", "Very high"]
    assert [level.colour for level in rules.THREATS.levels] == ["green", "yellow", "orange", "red"]


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 1), (1, 5)])
def test_it_refuses_a_cell_off_the_matrix(likelihood: int, impact: int) -> None:
    with pytest.raises(ValueError, match="from 1 to 4"):
        rules.THREATS.level_at(likelihood, impact)


def test_it_says_when_a_relabelled_matrix_lacks_a_cell() -> None:
    partial = rules.Matrix(side=Side.THREAT, title="Partial", likelihood={}, impact={}, cells={})
    with pytest.raises(ValueError, match="no level for likelihood 2 and impact 3"):
        partial.level_at(2, 3)


@pytest.mark.parametrize(
    ("value", "label"), [(16, "Very high"), (12, "Very high"), (9, "High"), (6, "Medium")]
)
def test_it_levels_a_score_alone_where_its_cells_agree(value: int, label: str) -> None:
    level = rules.THREATS.level_for_score(value)
    assert level is not None and level.label == label


def test_it_does_not_guess_the_level_of_a_score_whose_cells_differ() -> None:
    low, high = rules.Level("low", "Low", "green"), rules.Level("high", "High", "red")
    cells = {cell: low for cell in ALL_CELLS} | {(4, 3): high}
    lopsided = rules.Matrix(Side.THREAT, "Lopsided", {}, {}, cells)
    assert lopsided.level_for_score(12) is None
    assert lopsided.level_for_score(16) == low
    assert lopsided.level_for_score(7) is None


# Reading published scores ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "threat", "opportunity"),
    [
        ("Risk score 16", 16, None),
        ("Risk Score 9", 9, None),
        ("risk score 8", 8, None),
        ("Risk score of 6", 6, None),
        ("  Risk  score\t12 ", 12, None),
        ("Risk score: 4", 4, None),
        ("Opportunity risk score of 6", None, 6),
        ("Opportunity score of 12", None, 12),
        ("Risk score of 12 Opportunity score of 12", 12, 12),
        ("Risk score 9, Opportunity score 4", 9, 4),
    ],
)
def test_it_reads_published_scores(text: str, threat: int | None, opportunity: int | None) -> None:
    assert rules.parse_score_text(text) == PublishedScore(threat=threat, opportunity=opportunity)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("N/A", "is not a risk score"),
        ("", "is not a risk score"),
        ("16", "is not a risk score"),
        ("Risk score", "is not a risk score"),
        ("Risk score 16 (was 12)", "is not a risk score"),
        ("Score 16", "is not a risk score"),
        ("Risk score 7", "7 is not a likelihood x impact score"),
        ("Risk score 20", "20 is not a likelihood x impact score"),
        ("Risk score 0", "0 is not a likelihood x impact score"),
        ("Risk score 12 Risk score 9", "gives two threat scores"),
    ],
)
def test_it_refuses_a_score_text_it_cannot_read(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rules.parse_score_text(text)


@pytest.mark.parametrize(
    "published",
    [PublishedScore(16, None), PublishedScore(None, 6), PublishedScore(12, 12)],
)
def test_it_writes_scores_it_reads_back(published: PublishedScore) -> None:
    assert rules.parse_score_text(rules.score_text(published)) == published


# The change since last quarter -------------------------------------------------------

SINCE = "the end of March 2021"


@pytest.mark.parametrize(
    ("previous", "current", "words", "moved"),
    [
        (8, 6, "reduced from 8 at the end of March 2021 to 6", Movement.REDUCED),
        (9, 12, "increased from 9 at the end of March 2021 to 12", Movement.INCREASED),
        (9, 9, "unchanged at 9", Movement.UNCHANGED),
        (12, 3, "reduced from 12 at the end of March 2021 to 3", Movement.REDUCED),
        (None, 6, "6, not scored at the end of March 2021", Movement.NEW),
        (6, None, "", Movement.NONE),
        (None, None, "", Movement.NONE),
    ],
)
def test_it_says_the_change_in_the_councils_words(
    previous: int | None, current: int | None, words: str, moved: Movement
) -> None:
    assert rules.change_in_words(previous=previous, current=current, since=SINCE) == words
    assert rules.movement(previous=previous, current=current) is moved


@pytest.mark.parametrize(
    ("previous", "current"), list(itertools.product(rules.POSSIBLE_SCORES, repeat=2))
)
def test_it_moves_the_right_way_for_every_pair_of_scores(previous: int, current: int) -> None:
    words = rules.change_in_words(previous=previous, current=current, since=SINCE)
    if current < previous:
        assert (
            words.startswith("reduced")
            and rules.movement(previous=previous, current=current).arrow == "↓"
        )
    elif current > previous:
        assert (
            words.startswith("increased")
            and rules.movement(previous=previous, current=current).arrow == "↑"
        )
    else:
        assert words == f"unchanged at {current}"


@pytest.mark.parametrize(
    ("month", "year", "words"),
    [
        (3, 2021, "the end of March 2021"),
        (6, 2026, "the end of June 2026"),
        (12, 2025, "the end of December 2025"),
    ],
)
def test_it_names_the_end_of_a_quarter(month: int, year: int, words: str) -> None:
    assert rules.quarter_end_words(month, year) == words
