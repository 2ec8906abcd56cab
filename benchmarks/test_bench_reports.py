"""The annual performance results for a whole council year (200 items) with ten years of
history behind it, as a page and as a PDF, beside a trivial signed-in page on the same
server (in-process), as ratios. Prints; asserts nothing about time."""

from __future__ import annotations

import statistics
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.test_bench_import import YEARS, table
from perfmon.services import ensure_performance_team_group
from reports.annual_table import read_table
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


@pytest.mark.django_db
def test_annual_report_page_and_pdf_for_a_year_with_ten_years_of_history() -> None:
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
    pdf, pdf_q = median_ms(client, page + "&format=pdf", 3)
    print(
        f"\nannual report, 200 items, 10 years of history: page median {html:.0f} ms "
        f"({html_q} queries), PDF median {pdf:.0f} ms ({pdf_q} queries); home page "
        f"{home:.1f} ms ({home_q} queries); ratios {html / home:.1f}x and {pdf / home:.0f}x"
    )
