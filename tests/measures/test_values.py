from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from measures.rules import Unit, format_value
from measures.values import (
    MissingReason,
    ParsedActual,
    ValueParseError,
    parse_actual,
    parse_target,
)
from tests.measures.test_seed_statuses import (
    read_2021_22_measure_rows,
    read_2024_25_measure_rows,
)

D = Decimal


def test_it_labels_missing_reasons_for_people() -> None:
    assert [r.value for r in MissingReason] == [
        "not_yet_available",
        "not_measured",
        "annual_collection",
    ]
    assert [r.label for r in MissingReason] == [
        "Data not yet available",
        "Not measured this year",
        "Annual collection",
    ]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("£38,140,000", "38140000", Unit.CURRENCY),
        ("£53,700,000", "53700000", Unit.CURRENCY),
        ("£ 111,340,000", "111340000", Unit.CURRENCY),
        ("£0", "0", Unit.CURRENCY),
        ("£11.154m", "11154000", Unit.CURRENCY),
        ("£40m", "40000000", Unit.CURRENCY),
        ("£1.2bn", "1200000000", Unit.CURRENCY),
        ("-£1,000", "-1000", Unit.CURRENCY),
        ("£-1,000", "-1000", Unit.CURRENCY),
        ("12.8 days", "12.8", Unit.DAYS),
        ("1 day", "1", Unit.DAYS),
        ("136.9 per 10,000", "136.9", Unit.RATE_PER_10000),
        ("110.4 per 10,000 population", "110.4", Unit.RATE_PER_10000),
        ("102.70 per 10,000 population", "102.70", Unit.RATE_PER_10000),
        ("21.2 per 100k population", "21.2", Unit.RATE_PER_100000),
        ("552.4 per 100,000", "552.4", Unit.RATE_PER_100000),
        ("5.44 per 1,000 households", "5.44", Unit.RATE_PER_1000),
        ("7 per 1000", "7", Unit.RATE_PER_1000),
        ("74%", "74", Unit.PERCENTAGE),
        ("93.25%", "93.25", Unit.PERCENTAGE),
        ("86.0 %", "86.0", Unit.PERCENTAGE),
        ("5,199", "5199", None),
        ("5967", "5967", None),
        ("375,066", "375066", None),
        ("-0.79", "-0.79", None),
        ("−1.17", "-1.17", None),  # unicode minus, as pasted from a PDF
        ("–0.21", "-0.21", None),  # en dash
        ("+3", "3", None),
        (".5", "0.5", None),
        ("5.41km", "5.41", Unit.KM),
        ("28.7 km", "28.7", Unit.KM),
        ("518kg", "518", Unit.KG),
        ("412 kg", "412", Unit.KG),
        ("  74%\t", "74", Unit.PERCENTAGE),
        ("74%\u00a0", "74", Unit.PERCENTAGE),
    ],
)
def test_it_reads_values_as_councils_write_them(text: str, value: str, unit: Unit | None) -> None:
    parsed = parse_actual(text)
    assert parsed == ParsedActual(value=D(value), unit=unit)
    assert str(parsed.value) == str(D(value))  # keeps the digits as written: 102.70


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("91.9% (Q3 data)", ParsedActual(D("91.9"), Unit.PERCENTAGE, period_label="Q3 data")),
        ("£1,490,000 (Q3 data)", ParsedActual(D(1490000), Unit.CURRENCY, period_label="Q3 data")),
        ("43 (Q3 data)", ParsedActual(D(43), period_label="Q3 data")),
        ("5967 (Q3 2023/24)", ParsedActual(D(5967), period_label="Q3 2023/24")),
        ("28.7% (2022)", ParsedActual(D("28.7"), Unit.PERCENTAGE, period_label="2022")),
        ("76% (Provisional)", ParsedActual(D(76), Unit.PERCENTAGE, provisional=True)),
        ("8% (Forecast)", ParsedActual(D(8), Unit.PERCENTAGE, forecast=True)),
        (
            "561.3 per 100k population (provisional)",
            ParsedActual(D("561.3"), Unit.RATE_PER_100000, provisional=True),
        ),
        (
            "40.5% (Q3 data, provisional)",
            ParsedActual(D("40.5"), Unit.PERCENTAGE, provisional=True, period_label="Q3 data"),
        ),
        (
            "12 (Q2 data) (forecast)",
            ParsedActual(D(12), forecast=True, period_label="Q2 data"),
        ),
    ],
)
def test_it_reads_flags_and_periods_in_brackets(text: str, expected: ParsedActual) -> None:
    assert parse_actual(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("data not available", MissingReason.NOT_YET_AVAILABLE),
        ("data not yet available", MissingReason.NOT_YET_AVAILABLE),
        ("Data Not Yet Available", MissingReason.NOT_YET_AVAILABLE),
        ("not yet available", MissingReason.NOT_YET_AVAILABLE),
        ("Not measured this year", MissingReason.NOT_MEASURED),
        ("Not measured in 2020/21", MissingReason.NOT_MEASURED),
        ("not measured", MissingReason.NOT_MEASURED),
        ("Annual collection", MissingReason.ANNUAL_COLLECTION),
        ("Annual Collection", MissingReason.ANNUAL_COLLECTION),
        ("(Annual Measure)", None),  # only a note: not a value
    ],
)
def test_it_reads_the_reasons_a_value_is_missing(text: str, reason: MissingReason | None) -> None:
    if reason is None:
        with pytest.raises(ValueParseError):
            parse_actual(text)
        return
    assert parse_actual(text) == ParsedActual(value=None, missing_reason=reason)


@pytest.mark.parametrize("text", ["", "   ", "n/a", "N/A", "NA", "Not applicable", "-", "—"])
def test_it_reads_blank_and_not_applicable_as_no_value_and_no_reason(text: str) -> None:
    assert parse_actual(text) == ParsedActual(value=None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "“abc” is not a number. Type a number such as 74%, £38,140,000 or 12.8 days."),
        ("1,23", "“1,23” is not a number. Type a number such as 74%, £38,140,000 or 12.8 days."),
        ("£5%", "“£5%” is not a number. Type a number such as 74%, £38,140,000 or 12.8 days."),
        ("--5", "“--5” is not a number. Type a number such as 74%, £38,140,000 or 12.8 days."),
        ("5 apples", None),
        ("74%%", None),
        ("1.2.3", None),
        ("(Q3 data)", None),
        ("5 (Q3", None),
        ("5) (Q3)", None),
        ("£5 days", None),
        ("1e5", None),
        ("NaN", None),
        ("Infinity", None),
        ("٣", None),  # a digit, but not one an officer types
        (
            "5 per 100",
            "“5 per 100” is a rate we do not use. Rates are per 1,000, per 10,000 or per "
            "100,000, for example 136.9 per 10,000.",
        ),
        (
            "5 (estimated)",
            "“5 (estimated)” has a note in brackets we do not understand. Brackets can say "
            "(Provisional), (Forecast) or the period the data is for, such as (Q3 data).",
        ),
        ("5 ()", None),
    ],
)
def test_it_explains_what_it_cannot_read(text: str, message: str | None) -> None:
    with pytest.raises(ValueParseError) as raised:
        parse_actual(text)
    if message is not None:
        assert str(raised.value) == message


def test_it_shortens_long_text_in_its_messages() -> None:
    with pytest.raises(ValueParseError) as raised:
        parse_actual("x" * 500)
    assert str(raised.value).startswith("“" + "x" * 39 + "…” is not a number.")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("4.7%", D("4.7")),
        ("2.0%", D("2.0")),
        ("£1,490,000", D(1490000)),
        ("£ 111,340,000", D(111340000)),
        ("£26.059m", D(26059000)),
        ("3,000", D(3000)),
        ("1974", D(1974)),
        ("95 per 10,000 population", D(95)),
        ("17 per 100k population", D(17)),
        ("530kg", D(530)),
        ("8.5 days", D("8.5")),
        ("0", D(0)),
        ("-0.5", D("-0.5")),
        ("110.00", D("110.00")),
        ("No target", None),
        ("No Target", None),
        ("no target set", None),
        ("N/A", None),
        ("n/a", None),
        ("N/A - action", None),
        ("N/A - milestone", None),
        ("N/A - project", None),
        ("N/A project", None),
        ("N/A risk", None),
        ("Not set", None),
        ("TBC", None),
        ("To be confirmed", None),
        ("Baseline year", None),
        ("", None),
        ("  ", None),
    ],
)
def test_it_reads_targets(text: str, value: Decimal | None) -> None:
    assert parse_target(text) == value


@pytest.mark.parametrize(
    "text", ["abc", "95% (Q3 data)", "data not yet available", "Annual collection", "5 per 7"]
)
def test_it_refuses_targets_that_are_not_a_figure_or_no_target(text: str) -> None:
    with pytest.raises(ValueParseError):
        parse_target(text)


def test_it_explains_an_unreadable_target_in_plain_words() -> None:
    with pytest.raises(ValueParseError) as raised:
        parse_target("lots")
    assert str(raised.value) == (
        "“lots” is not a target. Type a number such as 58%, £1,490,000 or 8.5 days, or “No target”."
    )


# The seeds: every actual and target councils really wrote ---------------------------------


def test_it_reads_every_actual_and_target_of_the_2024_25_seed() -> None:
    rows = read_2024_25_measure_rows()
    for row in rows:
        parse_actual(row.last_year)
        parse_actual(row.q4_actual)
        parse_target(row.target)
    values = [parse_actual(row.q4_actual).value for row in rows]
    targets = [parse_target(row.target) for row in rows]
    assert sum(v is not None for v in values) == 92
    assert sum(t is not None for t in targets) == 62


def test_it_reads_every_actual_and_target_of_the_2021_22_seed() -> None:
    rows = read_2021_22_measure_rows()
    assert len(rows) == 51
    for row in rows:
        parse_actual(row.last_year)
        parse_actual(row.q4_actual)
        parse_target(row.target)
    reasons = [parse_actual(row.q4_actual).missing_reason for row in rows]
    assert reasons.count(MissingReason.NOT_MEASURED) == 4
    assert reasons.count(MissingReason.NOT_YET_AVAILABLE) == 1


# Fuzzing ----------------------------------------------------------------------------------

# Characters that make near-misses of real values, so the fuzzing reaches the number paths.
near_values = st.text(alphabet="0123456789,.£%-−+ ()kmdaysperQ/nNAt", max_size=30)


@settings(database=None, max_examples=300)
@given(text=st.one_of(st.text(), near_values))
def test_it_reads_any_text_as_an_actual_or_says_why_not(text: str) -> None:
    try:
        parsed = parse_actual(text)
    except ValueParseError as error:
        assert str(error)
    else:
        assert isinstance(parsed, ParsedActual)
        assert parsed.value is None or parsed.value.is_finite()


@settings(database=None, max_examples=300)
@given(text=st.one_of(st.text(), near_values))
def test_it_reads_any_text_as_a_target_or_says_why_not(text: str) -> None:
    try:
        target = parse_target(text)
    except ValueParseError as error:
        assert str(error)
    else:
        assert target is None or target.is_finite()


values = st.decimals(
    min_value=D("-1e12"), max_value=D("1e12"), allow_nan=False, allow_infinity=False
)

# What the formatted text tells a reader about its unit: a bare number could be either.
UNIT_HINTS = {unit: unit for unit in Unit} | {Unit.COUNT: None, Unit.SCORE: None}


@settings(database=None, max_examples=300)
@given(value=values, unit=st.sampled_from(list(Unit)))
def test_it_reads_back_every_value_it_formats(value: Decimal, unit: Unit) -> None:
    parsed = parse_actual(format_value(value, unit))
    assert parsed.value == value
    assert parsed.unit is UNIT_HINTS[unit]


@settings(database=None, max_examples=300)
@given(value=values, unit=st.sampled_from(list(Unit)))
def test_it_reads_back_every_target_it_formats(value: Decimal, unit: Unit) -> None:
    assert parse_target(format_value(value, unit)) == value
