from datetime import date

import pytest

from perfmon import quarters


@pytest.mark.parametrize(
    ("number", "starts", "ends"),
    [
        (1, date(2024, 4, 1), date(2024, 6, 30)),
        (2, date(2024, 7, 1), date(2024, 9, 30)),
        (3, date(2024, 10, 1), date(2024, 12, 31)),
        (4, date(2025, 1, 1), date(2025, 3, 31)),
    ],
)
def test_it_knows_the_bounds_of_each_quarter(number: int, starts: date, ends: date) -> None:
    assert quarters.quarter_bounds(2024, number) == (starts, ends)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 4, 1), (2024, 1)),
        (date(2024, 6, 30), (2024, 1)),
        (date(2024, 12, 31), (2024, 3)),
        (date(2025, 1, 1), (2024, 4)),
        (date(2025, 3, 31), (2024, 4)),
    ],
)
def test_it_finds_the_quarter_of_a_day(day: date, expected: tuple[int, int]) -> None:
    assert quarters.quarter_containing(day) == expected


def test_it_reports_the_last_quarter_to_have_ended() -> None:
    assert quarters.quarter_being_reported(date(2026, 11, 23)) == (2026, 2)
    assert quarters.quarter_being_reported(date(2026, 4, 10)) == (2025, 4)


@pytest.mark.parametrize("text", ["2024/25", "2024-25", "2024/2025", " 2024 / 25 ", "2024"])
def test_it_reads_a_financial_year_however_it_is_written(text: str) -> None:
    assert quarters.parse_year_label(text) == 2024


@pytest.mark.parametrize("text", ["2024/26", "24/25", "next year", "", "2024/2026"])
def test_it_rejects_what_is_not_a_financial_year(text: str) -> None:
    with pytest.raises(ValueError, match="2024/25|financial year"):
        quarters.parse_year_label(text)


def test_it_names_years_across_a_century() -> None:
    assert quarters.year_label(2099) == "2099/00"
    assert quarters.year_label(2009) == "2009/10"
