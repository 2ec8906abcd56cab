"""Quarter arithmetic for UK local-government financial years (April to March).

The one place that knows how dates map to reporting years and quarters. A year is named
by the calendar year it starts in: 2024 is "2024/25", 1 April 2024 to 31 March 2025.
"""

import re
from datetime import date, timedelta

QUARTER_MONTHS = {
    1: "April to June",
    2: "July to September",
    3: "October to December",
    4: "January to March",
}

_LABEL = re.compile(r"^\s*(?P<start>\d{4})\s*(?:[/\-–]\s*(?P<end>\d{2}|\d{4}))?\s*$")


def year_label(start_year: int) -> str:
    """'2024/25' for 2024."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def parse_year_label(text: str) -> int:
    """The start year of '2024/25', '2024-25', '2024/2025' or '2024'.

    Raises ValueError with a sentence for the person who typed it.
    """
    match = _LABEL.match(text or "")
    if not match:
        raise ValueError(f"“{text}” is not a financial year. Write it like 2024/25.")
    start = int(match["start"])
    end = match["end"]
    if end is not None:
        expected = str(start + 1) if len(end) == 4 else f"{(start + 1) % 100:02d}"
        if end != expected:
            raise ValueError(
                f"“{text}” is not a financial year: it must run from April {start} "
                f"to March {start + 1}, written {year_label(start)}."
            )
    return start


def year_bounds(start_year: int) -> tuple[date, date]:
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def quarter_bounds(start_year: int, number: int) -> tuple[date, date]:
    """First and last day of quarter `number` (1 to 4) of the year starting in `start_year`."""
    if number not in QUARTER_MONTHS:
        raise ValueError(f"A quarter is numbered 1 to 4, not {number}.")
    first_month = 4 + 3 * (number - 1)
    calendar_year = start_year + (first_month - 1) // 12
    first_month = (first_month - 1) % 12 + 1
    starts = date(calendar_year, first_month, 1)
    after = date(calendar_year + first_month // 10, (first_month + 2) % 12 + 1, 1)
    return starts, after - timedelta(days=1)


def quarter_containing(day: date) -> tuple[int, int]:
    """(start year, quarter number) of the quarter that `day` falls in."""
    start_year = day.year if day.month >= 4 else day.year - 1
    return start_year, (day.month - 4) % 12 // 3 + 1


def previous_quarter(start_year: int, number: int) -> tuple[int, int]:
    return (start_year, number - 1) if number > 1 else (start_year - 1, 4)


def quarter_being_reported(day: date) -> tuple[int, int]:
    """The quarter whose results are collected on `day`: the last one to have ended.

    Returns are written after a quarter closes, so in November (Q3) councils report Q2.
    """
    return previous_quarter(*quarter_containing(day))
