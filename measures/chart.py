"""The geometry of a measure's trend chart: actual against target, quarter by quarter.

No Django here: `build_chart` turns points into coordinates and tick labels, and the
template draws them as inline SVG. Each quarter gets an equal band on the x axis; the
actual is a solid line through round markers at the band centres, and the target a dashed
step line across each band (a quarter's target holds for the whole quarter, and a lone
target still shows). Gaps in either series break the line rather than bridging it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

ChartPoint = tuple[str, Decimal | None, Decimal | None]
"""(label, actual, target). A label such as "Q1 2024/25" is split at its first space: the
first part labels the point, the rest labels the group of points that share it."""

_NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
_CHAR_WIDTH = 7.5  # of a 14px label, to leave room for the y axis labels


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    label: str
    value: Decimal


@dataclass(frozen=True)
class Tick:
    """A y-axis gridline at `y`, or an x-axis label centred on `x`."""

    at: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    y_ticks: tuple[Tick, ...]
    x_labels: tuple[Tick, ...]
    group_labels: tuple[Tick, ...]
    group_dividers: tuple[float, ...]
    actual_lines: tuple[str, ...]
    actual_marks: tuple[Mark, ...]
    target_paths: tuple[str, ...]
    first_label: str
    last_label: str


def build_chart(
    points: Sequence[ChartPoint],
    *,
    format_tick: Callable[[Decimal], str] = str,
    width: int = 720,
    height: int = 320,
) -> Chart | None:
    """The chart of `points`, in order, or None when there is no value to draw.

    `format_tick` writes a y-axis value ("58%", "£1,000"). Coordinates are SVG user units
    with y growing downwards; `actual_lines` are polyline point lists and `target_paths`
    path data, one per unbroken run of values.
    """
    values = [value for _, actual, target in points for value in (actual, target)]
    known = [value for value in values if value is not None]
    if not points or not known:
        return None
    ticks = _ticks(min(known), max(known))
    tick_texts = [format_tick(tick) for tick in ticks]
    left = 16 + _CHAR_WIDTH * max(len(text) for text in tick_texts)
    right, top, bottom = width - 16.0, 48.0, height - 56.0
    band = (right - left) / len(points)
    low, high = ticks[0], ticks[-1]

    def x_of(index: int) -> float:
        return left + band * (index + 0.5)

    def y_of(value: Decimal) -> float:
        share = float((value - low) / (high - low))
        return bottom - share * (bottom - top)

    marks = tuple(
        Mark(x=_r(x_of(i)), y=_r(y_of(actual)), label=label, value=actual)
        for i, (label, actual, _) in enumerate(points)
        if actual is not None
    )
    actual_runs = _runs([actual for _, actual, _ in points])
    target_runs = _runs([target for _, _, target in points])
    groups = _groups([label for label, _, _ in points])
    every = max(1, round(32 / band))  # thin the point labels when bands are narrow
    return Chart(
        width=width,
        height=height,
        left=_r(left),
        right=_r(right),
        top=top,
        bottom=bottom,
        y_ticks=tuple(
            Tick(at=_r(y_of(tick)), text=text) for tick, text in zip(ticks, tick_texts, strict=True)
        ),
        x_labels=tuple(
            Tick(at=_r(x_of(i)), text=label.partition(" ")[0])
            for i, (label, _, _) in enumerate(points)
            if i % every == 0
        ),
        group_labels=tuple(
            Tick(at=_r((x_of(first) + x_of(last)) / 2), text=name)
            for name, first, last in groups
            if name
        ),
        group_dividers=tuple(_r(left + band * first) for _, first, _ in groups[1:]),
        actual_lines=tuple(
            " ".join(f"{_r(x_of(i))},{_r(y_of(v))}" for i, v in run) for run in actual_runs
        ),
        actual_marks=marks,
        target_paths=tuple(_step_path(run, x_of, y_of, band) for run in target_runs),
        first_label=points[0][0],
        last_label=points[-1][0],
    )


def _r(number: float) -> float:
    return round(number, 1)


def _ticks(low: Decimal, high: Decimal, count: int = 5) -> list[Decimal]:
    """Round values from at or below `low` to at or above `high`, about `count` of them.

    Zero is included when the values already span more than half the way to it, so a
    chart of 40% to 90% starts at 0% but one of 93.2% to 93.8% does not flatten the line.
    """
    if low == high:
        pad = abs(low) / 10 or Decimal(1)
        low, high = low - pad, high + pad
    if low > 0 and low < high / 2:
        low = Decimal(0)
    elif high < 0 and high > low / 2:
        high = Decimal(0)
    step = _nice_step((high - low) / (count - 1))
    first = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    last = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    ticks = []
    tick = first
    while tick <= last:
        ticks.append(_plain(tick))
        tick += step
    return ticks


def _nice_step(raw: Decimal) -> Decimal:
    magnitude = Decimal(1).scaleb(raw.adjusted())
    fraction = raw / magnitude
    return next(nice for nice in _NICE_STEPS if fraction <= nice) * magnitude


def _plain(value: Decimal) -> Decimal:
    """Without exponent or trailing zeros, so 2.0E+1 is written 20."""
    if value == 0:
        return Decimal(0)
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _runs(values: Sequence[Decimal | None]) -> list[list[tuple[int, Decimal]]]:
    runs: list[list[tuple[int, Decimal]]] = []
    current: list[tuple[int, Decimal]] = []
    for index, value in enumerate(values):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((index, value))
    if current:
        runs.append(current)
    return runs


def _step_path(
    run: list[tuple[int, Decimal]],
    x_of: Callable[[int], float],
    y_of: Callable[[Decimal], float],
    band: float,
) -> str:
    half = band / 2
    (index, value), *rest = run
    parts = [f"M{_r(x_of(index) - half)},{_r(y_of(value))} H{_r(x_of(index) + half)}"]
    for index, value in rest:
        parts.append(f"V{_r(y_of(value))} H{_r(x_of(index) + half)}")
    return " ".join(parts)


def _groups(labels: Sequence[str]) -> list[tuple[str, int, int]]:
    """(group name, first index, last index) of each run of labels sharing a group."""
    groups: list[tuple[str, int, int]] = []
    for index, label in enumerate(labels):
        name = label.partition(" ")[2]
        if groups and groups[-1][0] == name:
            groups[-1] = (name, groups[-1][1], index)
        else:
            groups.append((name, index, index))
    return groups
