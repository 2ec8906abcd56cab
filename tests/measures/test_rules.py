from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, localcontext

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from measures.rules import (
    DERBY_CITY,
    DERBYSHIRE,
    Band,
    Direction,
    Outcome,
    Polarity,
    Rating,
    Scheme,
    Unit,
    describe_band,
    direction_of_travel,
    explain_rating,
    format_value,
    infer_polarity,
    rate_measure,
    relative_deviation,
)

D = Decimal
HIGHER, LOWER, NONE = Polarity.HIGHER, Polarity.LOWER, Polarity.NONE

finite = st.decimals(
    min_value=D("-1000000"), max_value=D("1000000"), allow_nan=False, allow_infinity=False
)


def band_label(actual: str, target: str, polarity: Polarity, scheme: Scheme) -> str:
    rating = rate_measure(actual=D(actual), target=D(target), polarity=polarity, scheme=scheme)
    assert rating.band is not None
    return rating.band.label


def explain(
    actual: str | None,
    target: str | None,
    polarity: Polarity,
    unit: Unit,
    scheme: Scheme = DERBY_CITY,
) -> str:
    actual_value = None if actual is None else D(actual)
    target_value = None if target is None else D(target)
    rating = rate_measure(
        actual=actual_value, target=target_value, polarity=polarity, scheme=scheme, unit=unit
    )
    return explain_rating(rating, target=target_value, unit=unit, scheme=scheme)


# Enumerations -------------------------------------------------------------------------------


def test_it_keeps_the_stored_values_of_the_enumerations() -> None:
    assert [p.value for p in Polarity] == ["higher", "lower", "none"]
    assert [u.value for u in Unit] == [
        "percentage",
        "count",
        "currency",
        "rate_per_1000",
        "rate_per_10000",
        "rate_per_100000",
        "days",
        "kg",
        "km",
        "score",
    ]
    assert [d.value for d in Direction] == ["improving", "same", "deteriorating", "n/a"]
    assert [o.value for o in Outcome] == ["rated", "no_target", "no_actual", "no_polarity"]


def test_it_labels_directions_of_travel_as_the_reports_print_them() -> None:
    assert [d.label for d in Direction] == ["Improving", "Same", "Deteriorating", "N/A"]


# Relative deviation -------------------------------------------------------------------------


def test_it_signs_the_deviation_so_that_positive_is_better() -> None:
    assert relative_deviation(actual=D(66), target=D(60), polarity=HIGHER) == D(10)
    assert relative_deviation(actual=D(66), target=D(60), polarity=LOWER) == D(-10)
    assert relative_deviation(actual=D(54), target=D(60), polarity=LOWER) == D(10)


def test_it_measures_negative_targets_against_their_size() -> None:
    # Progress 8: a target of -0.5 met with -0.3 is 40% better when higher is better.
    assert relative_deviation(actual=D("-0.3"), target=D("-0.5"), polarity=HIGHER) == D(40)
    assert relative_deviation(actual=D("-0.3"), target=D("-0.5"), polarity=LOWER) == D(-40)
    assert relative_deviation(actual=D("-0.55"), target=D("-0.5"), polarity=HIGHER) == D(-10)


def test_it_gives_no_deviation_for_a_zero_target_or_no_polarity() -> None:
    assert relative_deviation(actual=D(3), target=D(0), polarity=LOWER) is None
    assert relative_deviation(actual=D(3), target=D(5), polarity=NONE) is None


def test_it_computes_the_deviation_exactly_in_decimal() -> None:
    assert relative_deviation(actual=D("56.84"), target=D(58), polarity=HIGHER) == D(-2)
    assert relative_deviation(actual=D("0.294"), target=D("0.3"), polarity=HIGHER) == D(-2)
    deviation = relative_deviation(actual=D("56.02"), target=D(58), polarity=HIGHER)
    assert deviation is not None
    assert deviation.quantize(D("0.0001")) == D("-3.4138")


def test_it_ignores_the_callers_decimal_precision() -> None:
    with localcontext() as context:
        context.prec = 3
        deviation = relative_deviation(actual=D("56.83"), target=D(58), polarity=HIGHER)
        assert deviation is not None
        assert deviation < D(-2)
        assert band_label("56.83", "58", HIGHER, DERBY_CITY) == "Amber"


def test_it_refuses_values_that_are_not_finite() -> None:
    with pytest.raises(ValueError):
        relative_deviation(actual=D("NaN"), target=D(1), polarity=HIGHER)
    with pytest.raises(ValueError):
        rate_measure(actual=D(1), target=D("Infinity"), polarity=HIGHER, scheme=DERBY_CITY)
    with pytest.raises(ValueError):
        direction_of_travel(current=D("NaN"), previous=D(1), polarity=HIGHER)
    with pytest.raises(ValueError):
        format_value(D("-Infinity"), Unit.COUNT)


# Derby City scheme --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "target", "polarity", "label"),
    [
        ("110", "100", HIGHER, "Blue"),  # exactly +10%
        ("109.99", "100", HIGHER, "Green"),
        ("100", "100", HIGHER, "Green"),
        ("98", "100", HIGHER, "Green"),  # exactly -2%
        ("97.99", "100", HIGHER, "Amber"),
        ("90", "100", HIGHER, "Amber"),  # exactly -10%
        ("89.99", "100", HIGHER, "Red"),
        ("90", "100", LOWER, "Blue"),  # exactly +10%
        ("90.01", "100", LOWER, "Green"),
        ("102", "100", LOWER, "Green"),  # exactly -2%
        ("102.01", "100", LOWER, "Amber"),
        ("110", "100", LOWER, "Amber"),  # exactly -10%
        ("110.01", "100", LOWER, "Red"),
        ("56.84", "58", HIGHER, "Green"),  # exactly -2% of an awkward target
        ("56.83", "58", HIGHER, "Amber"),
        ("56.02", "58", HIGHER, "Amber"),
        ("63.8", "58", HIGHER, "Blue"),  # exactly +10% of an awkward target
        ("63.79", "58", HIGHER, "Green"),
        ("-0.3", "-0.5", HIGHER, "Blue"),  # Progress 8: +40%
        ("-0.55", "-0.5", HIGHER, "Amber"),  # exactly -10% of a negative target
        ("-0.56", "-0.5", HIGHER, "Red"),
    ],
)
def test_it_rates_derby_city_boundaries_exactly(
    actual: str, target: str, polarity: Polarity, label: str
) -> None:
    assert band_label(actual, target, polarity, DERBY_CITY) == label


@pytest.mark.parametrize(
    ("actual", "polarity", "label"),
    [
        ("0", HIGHER, "Green"),
        ("1", HIGHER, "Blue"),
        ("-1", HIGHER, "Red"),
        ("0", LOWER, "Green"),
        ("3", LOWER, "Red"),
        ("-1", LOWER, "Blue"),
    ],
)
def test_it_rates_a_zero_target_by_which_side_the_actual_falls(
    actual: str, polarity: Polarity, label: str
) -> None:
    rating = rate_measure(actual=D(actual), target=D(0), polarity=polarity, scheme=DERBY_CITY)
    assert rating.outcome is Outcome.RATED
    assert rating.band is not None and rating.band.label == label
    assert rating.deviation is None


def test_it_rates_meeting_a_zero_target_as_the_band_holding_on_target() -> None:
    assert band_label("0", "0", HIGHER, DERBYSHIRE) == "Good"
    assert band_label("0.0", "0", LOWER, DERBYSHIRE) == "Good"


@pytest.mark.parametrize(
    ("actual", "target", "polarity", "outcome"),
    [
        ("5", None, HIGHER, Outcome.NO_TARGET),
        (None, None, HIGHER, Outcome.NO_TARGET),
        ("5", None, NONE, Outcome.NO_TARGET),
        (None, "5", HIGHER, Outcome.NO_ACTUAL),
        (None, "0", LOWER, Outcome.NO_ACTUAL),
        ("5", "5", NONE, Outcome.NO_POLARITY),
        (None, "5", NONE, Outcome.NO_POLARITY),
    ],
)
def test_it_does_not_rate_without_a_target_an_actual_or_a_polarity(
    actual: str | None, target: str | None, polarity: Polarity, outcome: Outcome
) -> None:
    rating = rate_measure(
        actual=None if actual is None else D(actual),
        target=None if target is None else D(target),
        polarity=polarity,
        scheme=DERBY_CITY,
    )
    assert rating.outcome is outcome
    assert rating.band is None
    assert rating.deviation is None


def test_it_keeps_the_inputs_on_the_rating() -> None:
    rating = rate_measure(actual=D("56"), target=D(58), polarity=HIGHER, scheme=DERBY_CITY)
    assert rating.actual == D(56)
    assert rating.polarity is HIGHER
    assert rating.band is DERBY_CITY.bands[2]


def test_it_refuses_a_rating_whose_band_contradicts_its_outcome() -> None:
    with pytest.raises(ValueError):
        Rating(Outcome.RATED, None, D(1))
    with pytest.raises(ValueError):
        Rating(Outcome.NO_TARGET, DERBY_CITY.bands[0], None)


# Derbyshire scheme --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "target", "polarity", "label"),
    [
        ("52.5", "50", HIGHER, "Good"),  # exactly +5% is not "more than 5% better"
        ("52.51", "50", HIGHER, "Strong"),
        ("49", "50", HIGHER, "Good"),  # exactly -2%
        ("48.99", "50", HIGHER, "Review"),
        ("45", "50", HIGHER, "Review"),  # exactly -10%
        ("44.99", "50", HIGHER, "Action"),
        ("47.5", "50", LOWER, "Good"),  # exactly +5% better when lower is better
        ("47.49", "50", LOWER, "Strong"),
        ("102", "100", HIGHER, "Good"),  # a target of 100 is above 95: exactly +2%
        ("102.01", "100", HIGHER, "Strong"),
        ("99.75", "95", HIGHER, "Good"),  # target exactly 95: still the 5% rule
        ("99.76", "95", HIGHER, "Strong"),
        ("96.9", "95", HIGHER, "Good"),  # +2% of 95 is not enough
        ("96.9102", "95.01", HIGHER, "Good"),  # just above 95: exactly +2%
        ("96.9103", "95.01", HIGHER, "Strong"),
        ("97.92", "96", HIGHER, "Good"),  # exactly +2% of a target above 95
        ("97.93", "96", HIGHER, "Strong"),
        ("94.08", "96", LOWER, "Good"),  # exactly 2% better, lower is better
        ("94.07", "96", LOWER, "Strong"),
        ("94.08", "96", HIGHER, "Good"),  # the high-target rule leaves -2% alone
        ("94.07", "96", HIGHER, "Review"),
    ],
)
def test_it_rates_derbyshire_boundaries_exactly(
    actual: str, target: str, polarity: Polarity, label: str
) -> None:
    assert band_label(actual, target, polarity, DERBYSHIRE) == label


@pytest.mark.parametrize(
    ("actual", "target", "unit", "label"),
    [
        ("97.93", "96", Unit.PERCENTAGE, "Strong"),
        ("97.93", "96", None, "Strong"),
        ("1236", "1200", Unit.COUNT, "Good"),  # a count of 1,200 is not a target above 95%
        ("1236", "1200", None, "Strong"),  # unit unknown: the rule goes by the target alone
        ("1260.01", "1200", Unit.COUNT, "Strong"),
    ],
)
def test_it_keeps_derbyshires_high_target_rule_to_percentages(
    actual: str, target: str, unit: Unit | None, label: str
) -> None:
    rating = rate_measure(
        actual=D(actual), target=D(target), polarity=HIGHER, scheme=DERBYSHIRE, unit=unit
    )
    assert rating.band is not None and rating.band.label == label
    assert rating.unit is unit


def test_it_words_the_range_with_the_unit_the_rating_used() -> None:
    assert explain("1236", "1200", HIGHER, Unit.COUNT, DERBYSHIRE) == (
        "Good: 3.0% above the target of 1,200; Good is 2% below to 5% above"
    )
    unknown = rate_measure(actual=D(1236), target=D(1200), polarity=HIGHER, scheme=DERBYSHIRE)
    assert explain_rating(unknown, target=D(1200), unit=Unit.COUNT, scheme=DERBYSHIRE) == (
        "Strong: 3.0% above the target of 1,200; Strong is more than 2% above, "
        "as the target is above 95"
    )


@pytest.mark.parametrize(
    ("actual", "target", "polarity", "label"),
    [
        ("89.0", "93.0", HIGHER, "Review"),  # antenatal contacts
        ("1757", "1200", HIGHER, "Strong"),  # stop smoking
        ("240", "228", HIGHER, "Strong"),  # weight management
        ("711", "932", LOWER, "Strong"),  # permanent admissions to care homes
        ("900", "600", HIGHER, "Strong"),  # assistive technology
        ("2783000", "3621000", HIGHER, "Action"),  # money raised from disposals
        ("11154000", "26059000", HIGHER, "Action"),  # budget savings
        ("373", "340", HIGHER, "Strong"),  # learning disability support plans
        ("33", "60", HIGHER, "Action"),  # moves from 24-hour care
        ("52.0", "57.0", HIGHER, "Review"),  # highways satisfaction
        ("30.3", "36.0", HIGHER, "Action"),  # unpaid help
        ("56.9", "68.0", HIGHER, "Action"),  # good secondary schools
        ("100.0", "91.0", HIGHER, "Strong"),  # children's homes rated good
        ("283", "350", HIGHER, "Action"),  # fostering households
        ("56739", "41000", LOWER, "Action"),  # cost of care placements
    ],
)
def test_it_agrees_with_the_ratings_derbyshire_published(
    actual: str, target: str, polarity: Polarity, label: str
) -> None:
    assert band_label(actual, target, polarity, DERBYSHIRE) == label


# Schemes are data ---------------------------------------------------------------------------


ON_TARGET_SCHEME = Scheme(
    name="Exceeded, met or missed",
    bands=(
        Band(key="exceeded", label="Exceeded", colour="blue", floor=D(0), floor_inclusive=False),
        Band(key="met", label="Met", colour="green", floor=D(0)),
        Band(key="near", label="Near", colour="yellow", floor=D("-5.5")),
        Band(key="missed", label="Missed", colour="red", floor=None),
    ),
)


def test_it_rates_with_any_scheme_given_as_data() -> None:
    assert band_label("100.01", "100", HIGHER, ON_TARGET_SCHEME) == "Exceeded"
    assert band_label("100", "100", HIGHER, ON_TARGET_SCHEME) == "Met"
    assert band_label("94.5", "100", HIGHER, ON_TARGET_SCHEME) == "Near"
    assert band_label("94.49", "100", HIGHER, ON_TARGET_SCHEME) == "Missed"
    assert band_label("1", "0", HIGHER, ON_TARGET_SCHEME) == "Exceeded"
    assert band_label("0", "0", HIGHER, ON_TARGET_SCHEME) == "Met"


def test_it_words_band_ranges_from_the_scheme_data() -> None:
    words = [
        describe_band(band, target=D(100), unit=Unit.COUNT, scheme=ON_TARGET_SCHEME)
        for band in ON_TARGET_SCHEME.bands
    ]
    assert words == [
        "Exceeded is any amount above",
        "Met is on target",
        "Near is up to 5.5% below",
        "Missed is more than 5.5% below",
    ]


def test_it_words_a_single_band_scheme_as_any_result() -> None:
    scheme = Scheme(
        name="Unrated", bands=(Band(key="x", label="Noted", colour="grey", floor=None),)
    )
    assert band_label("1", "2", HIGHER, scheme) == "Noted"
    assert describe_band(scheme.bands[0], target=D(2), unit=Unit.COUNT, scheme=scheme) == (
        "Noted is any result"
    )


@pytest.mark.parametrize(
    "bands",
    [
        (),
        (Band(key="a", label="A", colour="green", floor=D(0)),),
        (
            Band(key="a", label="A", colour="green", floor=None),
            Band(key="b", label="B", colour="red", floor=None),
        ),
        (
            Band(key="a", label="A", colour="green", floor=D(-5)),
            Band(key="b", label="B", colour="yellow", floor=D(0)),
            Band(key="c", label="C", colour="red", floor=None),
        ),
        (
            Band(key="a", label="A", colour="green", floor=D(0)),
            Band(key="b", label="B", colour="yellow", floor=D(0)),
            Band(key="c", label="C", colour="red", floor=None),
        ),
    ],
)
def test_it_refuses_a_scheme_that_could_leave_a_deviation_unrated(
    bands: tuple[Band, ...],
) -> None:
    with pytest.raises(ValueError):
        Scheme(name="Broken", bands=bands)


def test_it_refuses_half_a_high_target_rule() -> None:
    with pytest.raises(ValueError):
        Band(key="a", label="A", colour="blue", floor=D(5), high_target_above=D(95))
    with pytest.raises(ValueError):
        Band(
            key="a",
            label="A",
            colour="red",
            floor=None,
            high_target_above=D(95),
            high_target_floor=D(2),
        )


# Properties ---------------------------------------------------------------------------------


@settings(database=None)
@given(
    actual=finite,
    target=finite,
    polarity=st.sampled_from([HIGHER, LOWER]),
    scheme=st.sampled_from([DERBY_CITY, DERBYSHIRE, ON_TARGET_SCHEME]),
)
def test_it_puts_every_deviation_in_the_first_band_that_admits_it(
    actual: Decimal, target: Decimal, polarity: Polarity, scheme: Scheme
) -> None:
    assume(target != 0)
    rating = rate_measure(actual=actual, target=target, polarity=polarity, scheme=scheme)
    assert rating.outcome is Outcome.RATED and rating.band is not None
    assert rating.deviation is not None
    index = scheme.bands.index(rating.band)
    assert rating.band.admits(rating.deviation, target=target)
    assert not any(b.admits(rating.deviation, target=target) for b in scheme.bands[:index])


@settings(database=None)
@given(
    actual=finite,
    better_by=st.decimals(min_value=0, max_value=1000, allow_nan=False, allow_infinity=False),
    target=finite,
    polarity=st.sampled_from([HIGHER, LOWER]),
    scheme=st.sampled_from([DERBY_CITY, DERBYSHIRE, ON_TARGET_SCHEME]),
)
def test_it_never_rates_a_better_actual_in_a_worse_band(
    actual: Decimal, better_by: Decimal, target: Decimal, polarity: Polarity, scheme: Scheme
) -> None:
    better = actual + better_by if polarity is HIGHER else actual - better_by
    worse_rating = rate_measure(actual=actual, target=target, polarity=polarity, scheme=scheme)
    better_rating = rate_measure(actual=better, target=target, polarity=polarity, scheme=scheme)
    assert worse_rating.band is not None and better_rating.band is not None
    assert scheme.bands.index(better_rating.band) <= scheme.bands.index(worse_rating.band)


@settings(database=None)
@given(previous=finite, current=finite, polarity=st.sampled_from([HIGHER, LOWER]))
def test_it_infers_back_the_polarity_behind_a_direction_of_travel(
    previous: Decimal, current: Decimal, polarity: Polarity
) -> None:
    assume(previous != current)
    direction = direction_of_travel(current=current, previous=previous, polarity=polarity)
    assert infer_polarity(previous=previous, current=current, direction=direction) is polarity


# Explanations -------------------------------------------------------------------------------


def test_it_explains_a_shortfall_in_percent_of_the_target() -> None:
    assert explain("56", "58", HIGHER, Unit.PERCENTAGE) == (
        "Amber: 3.4% below the target of 58%; Amber is 2% to 10% below"
    )


def test_it_explains_an_excess_with_the_band_range() -> None:
    assert explain("3360", "3000", HIGHER, Unit.COUNT) == (
        "Blue: 12.0% above the target of 3,000; Blue is 10% or more above"
    )


def test_it_says_better_or_worse_when_lower_is_better() -> None:
    assert explain("2640", "3000", LOWER, Unit.COUNT) == (
        "Blue: 12.0% better than the target of 3,000 (lower is better); Blue is 10% or more better"
    )
    assert explain("28.7", "26", LOWER, Unit.DAYS) == (
        "Red: 10.4% worse than the target of 26 days (lower is better); Red is more than 10% worse"
    )


def test_it_words_the_band_that_spans_the_target() -> None:
    assert explain("59", "58", HIGHER, Unit.PERCENTAGE) == (
        "Green: 1.7% above the target of 58%; Green is 2% below to 10% above"
    )
    assert explain("96.8", "96.7", HIGHER, Unit.PERCENTAGE) == (
        "Green: 0.1% above the target of 96.7%; Green is 2% below to 10% above"
    )


def test_it_explains_an_actual_on_target() -> None:
    assert explain("58", "58", HIGHER, Unit.PERCENTAGE) == (
        "Green: on target (58%); Green is 2% below to 10% above"
    )


def test_it_explains_a_zero_target_in_words() -> None:
    assert explain("3", "0", LOWER, Unit.COUNT) == (
        "Red: 3 against a target of 0, where lower is better"
    )
    assert explain("2", "0", HIGHER, Unit.COUNT) == (
        "Blue: 2 against a target of 0, where higher is better"
    )
    assert explain("0", "0", LOWER, Unit.COUNT) == "Green: on target (0)"


def test_it_explains_why_a_measure_is_not_rated() -> None:
    assert explain("5", None, HIGHER, Unit.COUNT) == "No target set"
    assert explain(None, "5", HIGHER, Unit.COUNT) == "No actual entered"
    assert explain("5", "5", NONE, Unit.COUNT) == (
        "Not rated: this measure has no polarity (contextual)"
    )


def test_it_shows_more_places_where_one_would_round_onto_a_boundary() -> None:
    assert explain("97.96", "100", HIGHER, Unit.COUNT) == (
        "Amber: 2.04% below the target of 100; Amber is 2% to 10% below"
    )
    assert explain("98", "100", HIGHER, Unit.COUNT) == (
        "Green: 2.0% below the target of 100; Green is 2% below to 10% above"
    )


def test_it_explains_derbyshire_ranges_including_the_high_target_rule() -> None:
    assert explain("53", "50", HIGHER, Unit.COUNT, DERBYSHIRE) == (
        "Strong: 6.0% above the target of 50; Strong is more than 5% above"
    )
    assert explain("50.5", "50", HIGHER, Unit.COUNT, DERBYSHIRE) == (
        "Good: 1.0% above the target of 50; Good is 2% below to 5% above"
    )
    assert explain("98", "96", HIGHER, Unit.PERCENTAGE, DERBYSHIRE) == (
        "Strong: 2.1% above the target of 96%; Strong is more than 2% above, "
        "as the target is above 95%"
    )
    assert explain("97", "96", HIGHER, Unit.PERCENTAGE, DERBYSHIRE) == (
        "Good: 1.0% above the target of 96%; Good is 2% below to 2% above, "
        "as the target is above 95%"
    )
    assert explain("93", "96", HIGHER, Unit.PERCENTAGE, DERBYSHIRE) == (
        "Review: 3.1% below the target of 96%; Review is 2% to 10% below"
    )
    assert explain("80", "96", HIGHER, Unit.PERCENTAGE, DERBYSHIRE) == (
        "Action: 16.7% below the target of 96%; Action is more than 10% below"
    )


def test_it_words_a_hand_made_rating_without_polarity_as_better_or_worse() -> None:
    rating = Rating(Outcome.RATED, DERBY_CITY.bands[2], D("-3.45"))
    assert explain_rating(rating, target=D(58), unit=Unit.PERCENTAGE, scheme=DERBY_CITY) == (
        "Amber: 3.5% worse than the target of 58%; Amber is 2% to 10% worse"
    )
    zero = Rating(Outcome.RATED, DERBY_CITY.bands[3], None)
    assert explain_rating(zero, target=D(0), unit=Unit.COUNT, scheme=DERBY_CITY) == (
        "Red: rated against a target of 0"
    )


def test_it_refuses_to_explain_a_rating_without_its_target() -> None:
    rating = rate_measure(actual=D(1), target=D(2), polarity=HIGHER, scheme=DERBY_CITY)
    with pytest.raises(ValueError):
        explain_rating(rating, target=None, unit=Unit.COUNT, scheme=DERBY_CITY)


@pytest.mark.parametrize(
    ("floor", "inclusive", "ceiling", "ceiling_inclusive", "words"),
    [
        (D(5), True, None, False, "X is 5% or more above"),
        (D(0), True, None, False, "X is on target or above"),
        (D(-3), True, None, False, "X is no more than 3% below"),
        (D(-3), False, None, False, "X is less than 3% below"),
        (None, True, D(0), False, "X is any amount below"),
        (None, True, D(0), True, "X is on target or below"),
        (None, True, D(4), False, "X is less than 4% above"),
        (None, True, D(4), True, "X is 4% above or less"),
        (None, True, D(-4), True, "X is 4% or more below"),
        (D(0), True, D(4), False, "X is on target to 4% above"),
        (D(2), True, D(4), False, "X is 2% to 4% above"),
    ],
)
def test_it_words_every_shape_of_band_range(
    floor: Decimal | None,
    inclusive: bool,
    ceiling: Decimal | None,
    ceiling_inclusive: bool,
    words: str,
) -> None:
    bands: list[Band] = []
    if ceiling is not None:
        # The better band's floor is this band's ceiling, on the other side of inclusive.
        better = Band(key="c", label="C", colour="blue", floor=ceiling)
        bands.append(replace(better, floor_inclusive=not ceiling_inclusive))
    band = Band(key="x", label="X", colour="green", floor=floor, floor_inclusive=inclusive)
    bands.append(band)
    if floor is not None:
        bands.append(Band(key="z", label="Z", colour="red", floor=None))
    scheme = Scheme(name="Shapes", bands=tuple(bands))
    assert describe_band(band, target=D(1), unit=Unit.COUNT, scheme=scheme) == words


# Direction of travel ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "current", "polarity", "direction"),
    [
        ("57", "56", HIGHER, Direction.DETERIORATING),
        ("54", "56", HIGHER, Direction.IMPROVING),
        ("4.7", "7.4", LOWER, Direction.DETERIORATING),
        ("110.4", "95.1", LOWER, Direction.IMPROVING),
        ("5", "5", HIGHER, Direction.SAME),
        ("5", "5.00", LOWER, Direction.SAME),
        ("-1.17", "-0.79", HIGHER, Direction.IMPROVING),
        ("1055", "1013", NONE, Direction.NOT_APPLICABLE),
        ("5", "5", NONE, Direction.NOT_APPLICABLE),
        (None, "340", HIGHER, Direction.NOT_APPLICABLE),
        ("51", None, HIGHER, Direction.NOT_APPLICABLE),
    ],
)
def test_it_works_out_the_direction_of_travel(
    previous: str | None, current: str | None, polarity: Polarity, direction: Direction
) -> None:
    assert (
        direction_of_travel(
            current=None if current is None else D(current),
            previous=None if previous is None else D(previous),
            polarity=polarity,
        )
        is direction
    )


@pytest.mark.parametrize(
    ("previous", "current", "direction", "polarity"),
    [
        ("110.4", "95.1", Direction.IMPROVING, LOWER),  # improving while the value fell
        ("54", "56", Direction.IMPROVING, HIGHER),
        ("4.7", "7.4", Direction.DETERIORATING, LOWER),
        ("57", "56", Direction.DETERIORATING, HIGHER),
        ("6", "6", Direction.SAME, None),
        ("6", "6", Direction.IMPROVING, None),  # contradicts itself: cannot tell
        ("1", "2", Direction.SAME, None),
        ("1", "2", Direction.NOT_APPLICABLE, None),
        (None, "340", Direction.IMPROVING, None),
        ("340", None, Direction.DETERIORATING, None),
    ],
)
def test_it_infers_polarity_from_a_published_direction(
    previous: str | None, current: str | None, direction: Direction, polarity: Polarity | None
) -> None:
    inferred = infer_polarity(
        previous=None if previous is None else D(previous),
        current=None if current is None else D(current),
        direction=direction,
    )
    assert inferred is polarity


# Formatting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        ("58", Unit.PERCENTAGE, "58%"),
        ("93.25", Unit.PERCENTAGE, "93.25%"),
        ("86.0", Unit.PERCENTAGE, "86.0%"),
        ("-2.5", Unit.PERCENTAGE, "-2.5%"),
        ("38140000", Unit.CURRENCY, "£38,140,000"),
        ("1.1154E+7", Unit.CURRENCY, "£11,154,000"),
        ("-1000", Unit.CURRENCY, "-£1,000"),
        ("0", Unit.CURRENCY, "£0"),
        ("3188", Unit.COUNT, "3,188"),
        ("375066", Unit.COUNT, "375,066"),
        ("1E+3", Unit.COUNT, "1,000"),
        ("-0", Unit.COUNT, "0"),
        ("5.44", Unit.RATE_PER_1000, "5.44 per 1,000"),
        ("136.9", Unit.RATE_PER_10000, "136.9 per 10,000"),
        ("102.70", Unit.RATE_PER_10000, "102.70 per 10,000"),
        ("552.4", Unit.RATE_PER_100000, "552.4 per 100,000"),
        ("12.8", Unit.DAYS, "12.8 days"),
        ("1", Unit.DAYS, "1 day"),
        ("412", Unit.KG, "412 kg"),
        ("1234.5", Unit.KG, "1,234.5 kg"),
        ("5.41", Unit.KM, "5.41 km"),
        ("-0.79", Unit.SCORE, "-0.79"),
        ("42.4", Unit.SCORE, "42.4"),
    ],
)
def test_it_formats_values_as_councils_write_them(value: str, unit: Unit, text: str) -> None:
    assert format_value(D(value), unit) == text


@pytest.mark.parametrize("unit", list(Unit))
def test_it_formats_no_value_as_blank(unit: Unit) -> None:
    assert format_value(None, unit) == ""


@settings(database=None)
@given(
    actual=st.one_of(st.none(), finite),
    target=st.one_of(st.none(), finite),
    polarity=st.sampled_from(list(Polarity)),
    unit=st.sampled_from(list(Unit)),
    scheme=st.sampled_from([DERBY_CITY, DERBYSHIRE, ON_TARGET_SCHEME]),
)
def test_it_explains_every_rating_it_gives(
    actual: Decimal | None,
    target: Decimal | None,
    polarity: Polarity,
    unit: Unit,
    scheme: Scheme,
) -> None:
    rating = rate_measure(actual=actual, target=target, polarity=polarity, scheme=scheme, unit=unit)
    sentence = explain_rating(rating, target=target, unit=unit, scheme=scheme)
    if rating.band is None:
        assert sentence in {
            "No target set",
            "No actual entered",
            "Not rated: this measure has no polarity (contextual)",
        }
    else:
        assert sentence.startswith(f"{rating.band.label}: ")


def test_it_explains_a_deviation_too_large_for_the_default_precision() -> None:
    sentence = explain("1E+40", "1E-10", HIGHER, Unit.COUNT)
    assert sentence.startswith("Blue: 1" + "0" * 52 + ".0% above the target of ")
