"""The annual performance results for a whole council year (200 items) with ten years of
history behind it, as a page and as PDF, XLSX and CSV, beside a trivial signed-in page on
the same server (in-process), as ratios. A file is made on its first download and kept:
the first download times the making (what every download cost before files were kept),
the repeated median the handing over. Prints; asserts nothing about time."""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.test_bench_import import YEARS, table
from perfmon.services import ensure_performance_team_group
from reports.annual_table import read_table
from reports.fingerprint import data_fingerprint
from reports.importer import import_results, parse_results
from tests.factories import UserFactory


def median_ms(client: Client, path: str, runs: int) -> tuple[float, int]:
    client.get(path)  # warm up
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(timings), len(queries)


def once_ms(client: Client, path: str) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200
    return elapsed, len(queries)


@pytest.mark.django_db
def test_annual_report_page_and_files_for_a_year_with_ten_years_of_history(settings: Any) -> None:
    # Made in the request, so the first download's time is the making's.
    settings.REPORT_FILES_BACKGROUND_FORMATS = ()
    user = UserFactory(username="bench", is_staff=True)
    user.groups.add(ensure_performance_team_group())
    for year in YEARS:
        parsed = parse_results(read_table(table(year)))
        import_results(table=parsed, start_year=year, user=user, source=f"{year}.tsv")
    client = Client()
    client.force_login(user)
    last = YEARS[-1]
    page = reverse("reports:report", args=["annual"]) + f"?year={last}&quarter=4"
    home, home_q = median_ms(client, reverse("home"), 15)
    html, html_q = median_ms(client, page, 7)
    print(
        f"\nannual report, 200 items, 10 years of history; home page median {home:.1f} ms "
        f"({home_q} queries); page median {html:.0f} ms ({html_q} queries), {html / home:.1f}x"
    )
    started = time.perf_counter()
    for _ in range(20):
        data_fingerprint()
    print(f"  data fingerprint: {(time.perf_counter() - started) * 50:.2f} ms (1 query)")
    for fmt in ("pdf", "xlsx", "csv&table=measures"):
        path = f"{page}&format={fmt}"
        first, first_q = once_ms(client, path)
        again, again_q = median_ms(client, path, 15)
        draft, _ = once_ms(client, f"{path}&draft=on")
        name = fmt.split("&")[0].upper()
        print(
            f"  {name}: first download (made) {first:.0f} ms ({first_q} queries), "
            f"{first / home:.0f}x home; repeated download median {again:.1f} ms "
            f"({again_q} queries), {again / home:.1f}x home; draft (never kept) {draft:.0f} ms"
        )
