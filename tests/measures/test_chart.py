"""The trend chart's geometry: pure, no database."""

from __future__ import annotations

from decimal import Decimal as D

from measures import rules
from measures.chart import build_chart


def percent(value: D) -> str:
    return rules.format_value(value, rules.Unit.PERCENTAGE)


def test_it_draws_nothing_without_a_value() -> None:
    assert build_chart([]) is None
    assert build_chart([("Q1 2024/25", None, None), ("Q2 2024/25", None, None)]) is None


def test_it_labels_the_y_axis_with_round_values_in_the_unit() -> None:
    chart = build_chart(
        [("Q1 2024/25", D("54"), D("58")), ("Q2 2024/25", D("56"), D("58"))],
        format_tick=percent,
    )
    assert chart is not None
    texts = [tick.text for tick in chart.y_ticks]
    assert all(text.endswith("%") for text in texts)
    values = [D(text.rstrip("%")) for text in texts]
    assert values[0] <= 54 and values[-1] >= 58
    steps = {b - a for a, b in zip(values, values[1:], strict=False)}
    assert len(steps) == 1, "ticks are evenly spaced"
    assert 3 <= len(values) <= 8


def test_it_starts_at_zero_when_the_values_are_far_from_it() -> None:
    chart = build_chart([("Q1 2024/25", D("40"), D("90"))], format_tick=percent)
    assert chart is not None
    assert chart.y_ticks[0].text == "0%"
    assert chart.y_ticks[-1].text == "100%"


def test_it_keeps_a_narrow_range_narrow() -> None:
    chart = build_chart([("Q4 2024/25", D("93.25"), D("93.8"))], format_tick=percent)
    assert chart is not None
    assert chart.y_ticks[0].text != "0%"


def test_it_puts_higher_values_higher_up() -> None:
    chart = build_chart([("Q1 2024/25", D("10"), None), ("Q2 2024/25", D("20"), None)])
    assert chart is not None
    low, high = chart.actual_marks
    assert high.y < low.y
    assert low.x < high.x
    assert chart.top <= high.y <= chart.bottom and chart.top <= low.y <= chart.bottom


def test_it_gives_one_value_a_range_around_it() -> None:
    chart = build_chart([("Q1 2024/25", D("0"), None)])
    assert chart is not None
    assert [tick.text for tick in chart.y_ticks][0] != [tick.text for tick in chart.y_ticks][-1]
    (mark,) = chart.actual_marks
    assert chart.top < mark.y < chart.bottom


def test_it_breaks_the_actual_line_at_a_missing_quarter() -> None:
    chart = build_chart(
        [
            ("Q1 2024/25", D("1"), None),
            ("Q2 2024/25", D("2"), None),
            ("Q3 2024/25", None, None),
            ("Q4 2024/25", D("3"), None),
        ]
    )
    assert chart is not None
    assert len(chart.actual_lines) == 2
    assert len(chart.actual_lines[0].split()) == 2
    assert len(chart.actual_lines[1].split()) == 1
    assert len(chart.actual_marks) == 3, "a lone quarter still shows as a marker"


def test_it_draws_the_target_as_a_step_across_each_quarter() -> None:
    chart = build_chart(
        [("Q1 2024/25", None, D("58")), ("Q2 2024/25", None, D("60")), ("Q3 2024/25", None, None)]
    )
    assert chart is not None
    (path,) = chart.target_paths
    assert path.startswith(f"M{chart.left},")
    assert path.count("H") == 2 and path.count("V") == 1


def test_it_shows_a_lone_target() -> None:
    chart = build_chart([("Q1 2024/25", D("5"), None), ("Q2 2024/25", None, D("7"))])
    assert chart is not None
    assert len(chart.target_paths) == 1
    assert "H" in chart.target_paths[0]


def test_it_labels_each_quarter_and_each_year_once() -> None:
    points = [(f"Q{n} {year}", D(n), None) for year in ("2023/24", "2024/25") for n in range(1, 5)]
    chart = build_chart(points)
    assert chart is not None
    assert [label.text for label in chart.x_labels] == ["Q1", "Q2", "Q3", "Q4"] * 2
    assert [label.text for label in chart.group_labels] == ["2023/24", "2024/25"]
    first, second = chart.group_labels
    assert first.at < second.at
    assert len(chart.group_dividers) == 1
    assert (chart.first_label, chart.last_label) == ("Q1 2023/24", "Q4 2024/25")


def test_it_thins_the_quarter_labels_when_there_are_many() -> None:
    points = [(f"Q{n} {2000 + y}", D(n), None) for y in range(10) for n in range(1, 5)]
    chart = build_chart(points, width=720)
    assert chart is not None
    assert 0 < len(chart.x_labels) < len(points)


def test_it_leaves_room_for_long_axis_labels() -> None:
    short = build_chart([("Q1 2024/25", D("5"), None)])
    money = build_chart(
        [("Q1 2024/25", D("38140000"), None)],
        format_tick=lambda v: rules.format_value(v, rules.Unit.CURRENCY),
    )
    assert short is not None and money is not None
    assert money.left > short.left
