"""Importing a generated 10-year history of annual results tables (10 tables of 200 rows:
2,000 items, each with its Q4 result, and last year's actual beside every measure), in
rows per second, beside django-import-export's default row-by-row import of the same
items through the admin's resources, on the same database, as a ratio.

The annual results table carries one result per item (Q4) and last year's actual, so
ten years of it hold 2,000 items and about 3,500 results, not quarterly updates.

Also: reading the spreadsheet bombs of issue 12, and the largest sheet the limits let
through, beside a real table (CPU time and peak memory).
Prints; asserts nothing about time.
"""

from __future__ import annotations

import io
import time
import tracemalloc
from decimal import Decimal

import pytest
import tablib
from django.db import transaction
from openpyxl import Workbook

from measures.models import Action, ActionUpdate, Measure, MeasureUpdate
from measures.resources import ActionResource, MeasureResource
from perfmon.models import User
from reports.annual_table import TableError, read_rows, read_table, rows_from_file
from reports.importer import import_results, parse_results
from tests.factories import UserFactory
from tests.reports.test_import_limits import (
    SHEET_END,
    SHEET_START,
    dimension_bomb,
    with_sheet,
    zip_bomb,
)

YEARS = range(2015, 2025)
PORTFOLIOS = [f"Portfolio {n}" for n in range(1, 11)]
THEMES = ["A City of Growth", "A Green City", "A Resilient City", "Working Smarter"]
MEASURES, ACTIONS = 15, 5  # per portfolio per year


def table(start_year: int) -> str:
    """One year's table, as the council publishes it."""
    label = f"{start_year} {(start_year + 1) % 100:02d}"
    last = f"{start_year - 1} {start_year % 100:02d}"
    lines = [
        f"Ref\tDescription\t{last} actual\t{label} Q4 actual\tQ4 status\tTarget\tDoT"
        "\tCouncil Plan theme"
    ]
    for p, portfolio in enumerate(PORTFOLIOS):
        lines += [portfolio, "Actions identified in the Delivery Plan"]
        for a in range(ACTIONS):
            status = "Completed" if (a + start_year) % 3 else "Some slippage"
            lines.append(
                f"P{p}A{a}\tAction {a} of {portfolio}\tN/A\t{status}\tBlue\tN/A\tN/A"
                f"\t{THEMES[a % 4]}"
            )
        lines.append("Delivery Plan measures")
        for m in range(MEASURES):
            before, now = value(p, m, start_year - 1), value(p, m, start_year)
            dot = "Improving" if now > before else "Deteriorating" if now < before else "Same"
            lines.append(
                f"P{p}M{m}\tMeasure {m} of {portfolio}\t{before}%\t{now}%\tGreen\t60%\t{dot}"
                f"\t{THEMES[m % 4]}"
            )
    return "\n".join(lines)


def value(p: int, m: int, year: int) -> Decimal:
    return Decimal(50 + (p * 7 + m * 3 + year * 11) % 40) + Decimal("0.5")


def datasets() -> tuple[tablib.Dataset, tablib.Dataset]:
    measures = tablib.Dataset(
        headers=[
            "year",
            "reference",
            "description",
            "portfolio",
            "theme",
            "unit",
            "polarity",
            "frequency",
            "target",
            "previous",
        ]
    )
    actions = tablib.Dataset(
        headers=[
            "year",
            "reference",
            "description",
            "portfolio",
            "theme",
            "expected_completion",
            "previous",
        ]
    )
    for year in YEARS:
        for p, portfolio in enumerate(PORTFOLIOS):
            for a in range(ACTIONS):
                previous = f"P{p}A{a}" if year > YEARS[0] else ""
                actions.append(
                    [
                        year,
                        f"P{p}A{a}",
                        f"Action {a} of {portfolio}",
                        portfolio,
                        THEMES[a % 4],
                        "",
                        previous,
                    ]
                )
            for m in range(MEASURES):
                previous = f"P{p}M{m}" if year > YEARS[0] else ""
                measures.append(
                    [
                        year,
                        f"P{p}M{m}",
                        f"Measure {m} of {portfolio}",
                        portfolio,
                        THEMES[m % 4],
                        "percentage",
                        "higher",
                        "quarterly",
                        "60",
                        previous,
                    ]
                )
    return measures, actions


def ours(user: User) -> tuple[float, int]:
    rows = 0
    started = time.perf_counter()
    for year in YEARS:
        parsed = parse_results(read_table(table(year)))
        assert not parsed.problems
        rows += len(parsed.rows)
        import_results(table=parsed, start_year=year, user=user, source=f"{year}.tsv")
    return time.perf_counter() - started, rows


def theirs() -> tuple[float, int]:
    measures, actions = datasets()
    started = time.perf_counter()
    for resource, data in (
        (MeasureResource(bulk=False), measures),
        (ActionResource(bulk=False), actions),
    ):
        result = resource.import_data(data, dry_run=False, raise_errors=True)
        assert not result.has_validation_errors()
    return time.perf_counter() - started, len(measures) + len(actions)


class _Rollback(Exception):
    pass


@pytest.mark.django_db
def test_import_ten_years_of_annual_results() -> None:
    user = UserFactory(username="bench")
    # The frame both importers need: years, portfolios and themes (the first run makes
    # them; only the items are rolled back between runs).
    ours(user)
    Measure.history.all().delete()
    items = Measure.objects.count() + Action.objects.count()
    updates = MeasureUpdate.objects.count() + ActionUpdate.objects.count()
    timings = {}
    for name, run in (("perfmon", lambda: ours(user)), ("import-export", theirs)):
        try:
            with transaction.atomic():
                MeasureUpdate.objects.all().delete()
                ActionUpdate.objects.all().delete()
                Action.objects.all().delete()
                Measure.objects.filter(previous__isnull=False).delete()
                Measure.objects.all().delete()
                timings[name] = run()
                raise _Rollback
        except _Rollback:
            pass
    (our_time, our_rows), (their_time, their_rows) = timings["perfmon"], timings["import-export"]
    our_rate, their_rate = our_rows / our_time, their_rows / their_time
    print(
        f"\nimport of 10 annual results tables: {our_rows} rows -> {items} items and "
        f"{updates} results in {our_time:.2f} s ({our_rate:.0f} rows/s)"
        f"\ndjango-import-export row by row, the same {their_rows} items (no results): "
        f"{their_time:.2f} s ({their_rate:.0f} rows/s)"
        f"\nratio: {our_rate / their_rate:.1f}x the rows per second"
    )


def _read_bomb(name: str, data: bytes) -> tuple[float, float, str]:
    """CPU seconds (untraced), peak traced memory in MB (a second, traced, run) and the
    outcome of reading `data` as an uploaded annual results table."""

    def read() -> str:
        try:
            return f"read {len(read_rows(rows_from_file(name, data)).rows):,} rows"
        except TableError as error:
            return f"refused: {str(error)[:90]}..."

    started = time.process_time()
    outcome = read()
    cpu = time.process_time() - started
    tracemalloc.start()
    read()
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return cpu, peak, outcome


def test_spreadsheet_bombs_are_refused_in_bounded_time_and_memory() -> None:
    """The bombs of issue 12 and the largest sheet the limits let through, beside a real
    2,000-row table: CPU time and peak Python memory of reading each. Prints."""
    real = Workbook()
    real.active.append(["Ref", "Description", "2023 24 actual", "2024 25 Q4 actual"])
    for n in range(2_000):
        real.active.append([f"PM{n}", f"Measure {n}", f"{n % 90}%", f"{n % 80}%"])
    buffer = io.BytesIO()
    real.save(buffer)
    cases = {
        "a real table, 2,000 rows": buffer.getvalue(),
        "declares A1:XFD1048576": dimension_bomb(),
        "zip bomb, 80,000 rows x 50 cells": zip_bomb(),
        "zip bomb, 20,000 rows x 50 cells": zip_bomb(rows=20_000),
        "largest let through, 100,000 rows x 9 cells": _largest_sheet(),
    }
    print()
    for label, data in cases.items():
        cpu, peak, outcome = _read_bomb("bomb.xlsx", data)
        print(
            f"{label} ({len(data) / 1024:,.0f} KB): {cpu:.2f} s CPU, {peak:.0f} MB peak; {outcome}"
        )


def _largest_sheet() -> bytes:
    """Rows of different numbers just inside every limit: 100,000 rows of 9 cells."""
    body = (
        "<row>" + "".join(f"<c><v>{r * 9 + n}</v></c>" for n in range(9)) + "</row>"
        for r in range(100_000)
    )
    return with_sheet([SHEET_START, *(row.encode() for row in body), SHEET_END])
