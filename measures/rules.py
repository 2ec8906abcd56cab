"""Pure rules for performance measures: the status (RAG) against a target, direction of
travel, polarity, and how a value is written for people.

No Django here on purpose: these rules are what councils check our output against, so they
are tested exhaustively and in microseconds. Rating schemes are data (`Scheme`), not code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from enum import StrEnum
from itertools import pairwise


class Polarity(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
    NONE = "none"


class Unit(StrEnum):
    PERCENTAGE = "percentage"
    COUNT = "count"
    CURRENCY = "currency"
    RATE_PER_1000 = "rate_per_1000"
    RATE_PER_10000 = "rate_per_10000"
    RATE_PER_100000 = "rate_per_100000"
    DAYS = "days"
    KG = "kg"
    KM = "km"
    SCORE = "score"


class Direction(StrEnum):
    IMPROVING = "improving"
    SAME = "same"
    DETERIORATING = "deteriorating"
    NOT_APPLICABLE = "n/a"

    @property
    def label(self) -> str:
        if self is Direction.NOT_APPLICABLE:
            return "N/A"
        return self.value.capitalize()


@dataclass(frozen=True)
class Band:
    """One status of a rating scheme, e.g. Derby City's "Amber".

    `floor` is the lowest relative deviation (percent, signed so + is better) in the band;
    None marks the bottom band. Derbyshire lowers the floor of "Strong" for high targets:
    where the target is above `high_target_above`, `high_target_floor` applies instead.
    `high_target_unit` limits that to targets in one unit: Derbyshire's key says "greater
    than 95%", and a count target of 1,200 is not a high target. When the measure's unit is
    not known, the rule goes by the target alone.
    """

    key: str
    label: str
    colour: str
    floor: Decimal | None
    floor_inclusive: bool = True
    high_target_above: Decimal | None = None
    high_target_floor: Decimal | None = None
    high_target_unit: Unit | None = None

    def __post_init__(self) -> None:
        if (self.high_target_above is None) != (self.high_target_floor is None):
            raise ValueError(f"Band {self.key}: give both high-target settings or neither")
        if self.floor is None and self.high_target_floor is not None:
            raise ValueError(f"Band {self.key}: the bottom band cannot have a high-target floor")

    def uses_high_target_floor(self, target: Decimal, unit: Unit | None = None) -> bool:
        if self.high_target_above is None or target <= self.high_target_above:
            return False
        return self.high_target_unit is None or unit is None or unit is self.high_target_unit

    def floor_for(self, target: Decimal, unit: Unit | None = None) -> Decimal | None:
        if self.uses_high_target_floor(target, unit):
            return self.high_target_floor
        return self.floor

    def admits(self, deviation: Decimal, *, target: Decimal, unit: Unit | None = None) -> bool:
        floor = self.floor_for(target, unit)
        if floor is None:
            return True
        return deviation >= floor if self.floor_inclusive else deviation > floor


@dataclass(frozen=True)
class Scheme:
    """A rating scheme: its bands, best first. The last band has no floor, so every
    deviation lands in exactly one band."""

    name: str
    bands: tuple[Band, ...]

    def __post_init__(self) -> None:
        if not self.bands or self.bands[-1].floor is not None:
            raise ValueError(f"{self.name}: the last (worst) band must have no floor")
        floors = [band.floor for band in self.bands[:-1]]
        if None in floors:
            raise ValueError(f"{self.name}: only the last band may have no floor")
        for better, worse in pairwise(self.bands[:-1]):
            assert better.floor is not None and worse.floor is not None
            # Equal floors are allowed only as "more than x" above "x or more", which gives
            # the worse band the single point x (e.g. an "On target" band at 0).
            tied_ok = not better.floor_inclusive and worse.floor_inclusive
            if better.floor < worse.floor or (better.floor == worse.floor and not tied_ok):
                raise ValueError(f"{self.name}: band floors must fall from best to worst")

    def band_for(self, deviation: Decimal, *, target: Decimal, unit: Unit | None = None) -> Band:
        return next(b for b in self.bands if b.admits(deviation, target=target, unit=unit))

    @property
    def best(self) -> Band:
        return self.bands[0]

    @property
    def worst(self) -> Band:
        return self.bands[-1]


DERBY_CITY = Scheme(
    name="Derby City Council",
    bands=(
        Band(key="blue", label="Blue", colour="blue", floor=Decimal(10)),
        Band(key="green", label="Green", colour="green", floor=Decimal(-2)),
        Band(key="amber", label="Amber", colour="yellow", floor=Decimal(-10)),
        Band(key="red", label="Red", colour="red", floor=None),
    ),
)

DERBYSHIRE = Scheme(
    name="Derbyshire County Council",
    bands=(
        Band(
            key="strong",
            label="Strong",
            colour="blue",
            floor=Decimal(5),
            floor_inclusive=False,
            high_target_above=Decimal(95),
            high_target_floor=Decimal(2),
            high_target_unit=Unit.PERCENTAGE,
        ),
        Band(key="good", label="Good", colour="green", floor=Decimal(-2)),
        Band(key="review", label="Review", colour="yellow", floor=Decimal(-10)),
        Band(key="action", label="Action", colour="red", floor=None),
    ),
)


class Outcome(StrEnum):
    RATED = "rated"
    NO_TARGET = "no_target"
    NO_ACTUAL = "no_actual"
    NO_POLARITY = "no_polarity"


@dataclass(frozen=True)
class Rating:
    """The computed status of a measure.

    `deviation` is in percent, signed so + is better; None when not rated, and also when
    the target is 0 (a percentage of nothing means nothing). `actual`, `polarity` and
    `unit` are the inputs `rate_measure` used, kept so `explain_rating` words the sentence
    from the same rule.
    """

    outcome: Outcome
    band: Band | None
    deviation: Decimal | None
    actual: Decimal | None = None
    polarity: Polarity | None = None
    unit: Unit | None = None

    def __post_init__(self) -> None:
        if (self.outcome is Outcome.RATED) != (self.band is not None):
            raise ValueError("a Rating has a band exactly when its outcome is RATED")


# Our own context, so a caller changing the thread's decimal context cannot move a
# boundary: 40 digits keeps every quotient of realistic inputs exact enough to compare.
_ARITHMETIC = Context(prec=40)


def _require_finite(**values: Decimal | None) -> None:
    for name, value in values.items():
        if value is not None and not value.is_finite():
            raise ValueError(f"{name} must be a finite number, not {value}")


def relative_deviation(*, actual: Decimal, target: Decimal, polarity: Polarity) -> Decimal | None:
    """(actual − target) / |target| × 100, negated when lower is better, so + is better.

    None when there is no meaningful percentage: a target of 0, or no polarity.
    """
    _require_finite(actual=actual, target=target)
    if target == 0 or polarity is Polarity.NONE:
        return None
    # Multiplying before dividing keeps results such as exactly -2 or +10 exact.
    difference = _ARITHMETIC.multiply(_ARITHMETIC.subtract(actual, target), Decimal(100))
    deviation = _ARITHMETIC.divide(difference, target.copy_abs())
    return deviation.copy_negate() if polarity is Polarity.LOWER else deviation


def rate_measure(
    *,
    actual: Decimal | None,
    target: Decimal | None,
    polarity: Polarity,
    scheme: Scheme,
    unit: Unit | None = None,
) -> Rating:
    """Rate an actual against a target with a scheme.

    Pass the measure's `unit` where known: a scheme may treat high percentage targets
    differently (Derbyshire). A contextual measure (no polarity) is never rated, and that is
    reported before a missing actual: it is a fact about the measure, not this quarter.
    """
    _require_finite(actual=actual, target=target)

    def rating(
        outcome: Outcome, band: Band | None = None, deviation: Decimal | None = None
    ) -> Rating:
        return Rating(outcome, band, deviation, actual=actual, polarity=polarity, unit=unit)

    if target is None:
        return rating(Outcome.NO_TARGET)
    if polarity is Polarity.NONE:
        return rating(Outcome.NO_POLARITY)
    if actual is None:
        return rating(Outcome.NO_ACTUAL)
    deviation = relative_deviation(actual=actual, target=target, polarity=polarity)
    if deviation is None:
        band = _band_against_zero_target(actual=actual, polarity=polarity, scheme=scheme)
    else:
        band = scheme.band_for(deviation, target=target, unit=unit)
    return rating(Outcome.RATED, band, deviation)


def _band_against_zero_target(*, actual: Decimal, polarity: Polarity, scheme: Scheme) -> Band:
    # Any miss of a zero target is infinitely many percent, so the extremes apply.
    if actual == 0:
        return scheme.band_for(Decimal(0), target=Decimal(0))
    better = actual > 0 if polarity is Polarity.HIGHER else actual < 0
    return scheme.best if better else scheme.worst


def explain_rating(rating: Rating, *, target: Decimal | None, unit: Unit, scheme: Scheme) -> str:
    """One sentence an officer understands, e.g. "Amber: 3.4% below the target of 58%;
    Amber is 2% to 10% below". Band ranges are worded from the scheme's data."""
    if rating.outcome is Outcome.NO_TARGET:
        return "No target set"
    if rating.outcome is Outcome.NO_ACTUAL:
        return "No actual entered"
    if rating.outcome is Outcome.NO_POLARITY:
        return "Not rated: this measure has no polarity (contextual)"
    assert rating.band is not None
    if target is None:
        raise ValueError("a rated measure needs its target to be explained")
    band = rating.band
    if rating.deviation is None:
        return _explain_without_percentage(rating, band=band, target=target, unit=unit)
    up, down = _words(rating.polarity)
    shown_target = format_value(target, unit)
    if rating.deviation == 0:
        result = f"on target ({shown_target})"
    else:
        amount = _shown_deviation(rating.deviation, target=target, scheme=scheme, unit=rating.unit)
        side = up if rating.deviation > 0 else down
        joiner = " than" if rating.polarity is not Polarity.HIGHER else ""
        result = f"{amount}% {side}{joiner} the target of {shown_target}"
        if rating.polarity is Polarity.LOWER:
            result += " (lower is better)"
    # The range is worded with the unit the rating used, so words and band cannot disagree.
    bounds = _band_range(
        band,
        target=target,
        scheme=scheme,
        polarity=rating.polarity,
        rule_unit=rating.unit,
        unit=unit,
    )
    return f"{band.label}: {result}; {bounds}"


def _explain_without_percentage(rating: Rating, *, band: Band, target: Decimal, unit: Unit) -> str:
    shown_target = format_value(target, unit)
    if rating.actual is None:
        return f"{band.label}: rated against a target of {shown_target}"
    if rating.actual == target:
        return f"{band.label}: on target ({shown_target})"
    where = "lower" if rating.polarity is Polarity.LOWER else "higher"
    return (
        f"{band.label}: {format_value(rating.actual, unit)} against a target of {shown_target}, "
        f"where {where} is better"
    )


def _words(polarity: Polarity | None) -> tuple[str, str]:
    # "Above/below" reads naturally only when higher is better; "better/worse" is always true
    # because the deviation is signed so that + is better.
    if polarity is Polarity.HIGHER:
        return "above", "below"
    return "better", "worse"


def _shown_deviation(
    deviation: Decimal, *, target: Decimal, scheme: Scheme, unit: Unit | None
) -> str:
    """The size of the deviation to one decimal place, with more places only where one would
    round onto a band boundary and make "2.0% below" look like the wrong band."""
    floors = (band.floor_for(target, unit) for band in scheme.bands)
    boundaries = {floor.copy_abs() for floor in floors if floor is not None}
    size = deviation.copy_abs()
    shown = size
    for places in range(1, 5):
        # Precision for every digit before the point, or quantize refuses a huge deviation.
        digits = Context(prec=max(size.adjusted(), 0) + places + 2)
        shown = size.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=digits)
        if shown not in boundaries or shown == size:
            break
    return f"{shown:f}"


def describe_band(
    band: Band,
    *,
    target: Decimal,
    unit: Unit,
    scheme: Scheme,
    polarity: Polarity | None = Polarity.HIGHER,
) -> str:
    """The band's range in words for a target in this unit, e.g. "Amber is 2% to 10% below"."""
    return _band_range(
        band, target=target, scheme=scheme, polarity=polarity, rule_unit=unit, unit=unit
    )


def _band_range(
    band: Band,
    *,
    target: Decimal,
    scheme: Scheme,
    polarity: Polarity | None,
    rule_unit: Unit | None,
    unit: Unit,
) -> str:
    up, down = _words(polarity)
    index = scheme.bands.index(band)
    floor = band.floor_for(target, rule_unit)
    better = scheme.bands[index - 1] if index > 0 else None
    ceiling = better.floor_for(target, rule_unit) if better is not None else None
    # The better band's floor, when inclusive, is not part of this band.
    ceiling_inclusive = better is not None and not better.floor_inclusive
    words = _range_words(floor, band.floor_inclusive, ceiling, ceiling_inclusive, up, down)
    sentence = f"{band.label} is {words}"
    # Say why a range moved, or a reader comparing with the printed key thinks it is wrong.
    moved = [b for b in (band, better) if b and b.uses_high_target_floor(target, rule_unit)]
    if moved and moved[0].high_target_above is not None:
        sentence += f", as the target is above {format_value(moved[0].high_target_above, unit)}"
    return sentence


def _range_words(
    floor: Decimal | None,
    floor_inclusive: bool,
    ceiling: Decimal | None,
    ceiling_inclusive: bool,
    up: str,
    down: str,
) -> str:
    if floor is None and ceiling is None:
        return "any result"
    if ceiling is None:
        assert floor is not None
        return _open_above(floor, floor_inclusive, up, down)
    if floor is None:
        return _open_below(ceiling, ceiling_inclusive, up, down)
    if floor == ceiling:
        return _point(floor, up, down)
    if ceiling <= 0:
        near = "up to" if ceiling == 0 else f"{_plain(ceiling)}% to"
        return f"{near} {_plain(floor)}% {down}"
    if floor >= 0:
        near = "on target to" if floor == 0 else f"{_plain(floor)}% to"
        return f"{near} {_plain(ceiling)}% {up}"
    return f"{_plain(floor)}% {down} to {_plain(ceiling)}% {up}"


def _open_above(floor: Decimal, inclusive: bool, up: str, down: str) -> str:
    if floor > 0:
        size = _plain(floor)
        return f"{size}% or more {up}" if inclusive else f"more than {size}% {up}"
    if floor == 0:
        return f"on target or {up}" if inclusive else f"any amount {up}"
    size = _plain(floor)
    return f"no more than {size}% {down}" if inclusive else f"less than {size}% {down}"


def _open_below(ceiling: Decimal, inclusive: bool, up: str, down: str) -> str:
    if ceiling < 0:
        size = _plain(ceiling)
        return f"{size}% or more {down}" if inclusive else f"more than {size}% {down}"
    if ceiling == 0:
        return f"on target or {down}" if inclusive else f"any amount {down}"
    size = _plain(ceiling)
    return f"{size}% {up} or less" if inclusive else f"less than {size}% {up}"


def _point(deviation: Decimal, up: str, down: str) -> str:
    if deviation == 0:
        return "on target"
    side = up if deviation > 0 else down
    return f"exactly {_plain(deviation)}% {side}"


def _plain(number: Decimal) -> str:
    """The size of a threshold without trailing zeros: 10, 2.5 (the side is said in words)."""
    return f"{number.copy_abs().normalize(_ARITHMETIC):f}" if number != 0 else "0"


def direction_of_travel(
    *, current: Decimal | None, previous: Decimal | None, polarity: Polarity
) -> Direction:
    _require_finite(current=current, previous=previous)
    if polarity is Polarity.NONE or current is None or previous is None:
        return Direction.NOT_APPLICABLE
    if current == previous:
        return Direction.SAME
    rose = current > previous
    improved = rose if polarity is Polarity.HIGHER else not rose
    return Direction.IMPROVING if improved else Direction.DETERIORATING


def infer_polarity(
    *, previous: Decimal | None, current: Decimal | None, direction: Direction
) -> Polarity | None:
    """The polarity a published direction of travel implies: "Improving" while the value
    fell means lower is better. None when it cannot be told (Same, N/A, equal or missing
    values)."""
    _require_finite(current=current, previous=previous)
    if direction not in (Direction.IMPROVING, Direction.DETERIORATING):
        return None
    if current is None or previous is None or current == previous:
        return None
    rose = current > previous
    return Polarity.HIGHER if rose == (direction is Direction.IMPROVING) else Polarity.LOWER


_RATE_BASES = {
    Unit.RATE_PER_1000: "1,000",
    Unit.RATE_PER_10000: "10,000",
    Unit.RATE_PER_100000: "100,000",
}


def format_value(value: Decimal | None, unit: Unit) -> str:
    """A value as councils write it: "58%", "£38,140,000", "136.9 per 10,000", "12.8 days".

    Shows the digits the number has (93.25 stays 93.25, 102.70 stays 102.70) and adds none.
    """
    if value is None:
        return ""
    _require_finite(value=value)
    sign = "-" if value < 0 else ""
    number = f"{value.copy_abs():,f}"
    if unit is Unit.PERCENTAGE:
        return f"{sign}{number}%"
    if unit is Unit.CURRENCY:
        return f"{sign}£{number}"
    if unit in _RATE_BASES:
        return f"{sign}{number} per {_RATE_BASES[unit]}"
    if unit is Unit.DAYS:
        return f"{sign}{number} {'day' if value.copy_abs() == 1 else 'days'}"
    if unit is Unit.KG:
        return f"{sign}{number} kg"
    if unit is Unit.KM:
        return f"{sign}{number} km"
    return f"{sign}{number}"
