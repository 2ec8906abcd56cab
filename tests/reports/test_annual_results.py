"""The annual performance results: after load_demo, the 2024/25 report reproduces the
published table (seed derby-city-annual-results-2024-25); on a hand-built council, its
sections, access rules and a query count that does not grow with the rows."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from measures.models import ActionUpdate
from perfmon.models import User
from reports import pdf
from reports.models import CountingSetting
from tests.factories import ActionFactory, MeasureFactory
from tests.reports.test_summary_dataset import _measure_update, build_council

SEED = Path(__file__).resolve().parents[2] / "reports" / "seeds"
SEED_2024_25 = SEED / "derby-city-annual-results-2024-25.txt"

# Rows of the published table, as published: Ref -> (2023/24 actual, Q4 actual, Q4 status,
# target, DoT). Overridden statuses (CM PM03, C PM24), a target of 0 (PTE PM10), money,
# data for an earlier period, a year in brackets, missing data and actions among them.
PUBLISHED = {
    "EHCS PM21": ("4.7%", "7.4%", "Red", "4.7%", "Deteriorating"),
    "EHCS PM29": ("57%", "56%", "Amber", "58%", "Deteriorating"),
    "CM PM03": ("93.2%", "93.25%", "Amber", "93.8%", "Improving"),
    "C PM24": ("21", "18", "Green", "15", "Deteriorating"),
    "PTE PM10": ("2", "0", "Green", "0", "Improving"),
    "Regen PM18": ("£3,808,532", "£30,710,876", "No target", "N/A", "Improving"),
    "PH PM30": ("97.3% (Q3 data)", "98.5%", "No target", "N/A", "Improving"),
    "PH PM24": ("28.7% (2022)", "31.9% (2023)", "No target", "N/A", "Deteriorating"),
    "SS PM16": ("9.7%", "7.7%", "Blue", "10%", "Improving"),
    "LCT PM08": ("6", "6", "Green", "6", "Same"),
    "GW 03": ("N/A", "Completed", "Blue", "N/A - action", "N/A"),
    "VB 07": ("N/A", "Some slippage", "Amber", "N/A - action", "N/A"),
}
# Where the published table disagrees with its own figures: a DoT of "Same" with no value
# last year, and a status and DoT of N/A for a contextual measure with equal values.
KNOWN_DIFFERENCES = {"Regen PM18b": {"dot"}, "LCT PM06": {"status", "dot"}}


def _seed_rows() -> dict[str, list[str]]:
    rows = {}
    for line in SEED_2024_25.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) >= 7 and cells[0] != "Ref" and cells[3] and cells[1]:
            rows[cells[0]] = cells
    return rows


def _row_html(page: str, ref: str) -> list[str]:
    match = re.search(
        rf'<tr class="govuk-table__row" data-ref="{re.escape(ref)}">(.*?)</tr>', page, re.S
    )
    assert match, ref
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]


def _pdf_text(html: str, pages: list[str]) -> bytes:
    """Lay the PDF out once, keeping each page's text, and write it from that layout."""
    document = pdf.document(html)
    for page in document.pages:
        pages.append(" ".join(_texts(page._page_box)))
    return document.write_pdf() or b""


def _texts(box: Any) -> list[str]:
    found = [box.text] if getattr(box, "text", None) else []
    for child in getattr(box, "children", None) or []:
        found += _texts(child)
    return found


@time_machine.travel(date(2026, 11, 23))
def test_it_reproduces_the_published_2024_25_table_after_load_demo(
    db: None, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_command("load_demo", stdout=StringIO())
    client.force_login(User.objects.get(username="viewer"))
    response = client.get("/reports/annual/", {"year": 2024, "quarter": 4})
    assert response.status_code == 200
    page = response.content.decode()
    for ref, published in PUBLISHED.items():
        cells = _row_html(page, ref)
        assert cells[0] == ref
        shown = (cells[2], cells[3], cells[4].split("Set by")[0].strip(), cells[5], cells[6])
        assert shown == published, ref
    # Every row of the seed is in the report, with the published status and direction of
    # travel (letter case aside) but for the known differences. The seed writes the DCA
    # "Amber/Green" as "Green/Amber".
    report = response.context["result"]
    rows = {r.reference: r for p in report.portfolios for _, _, rs in p.sections for r in rs}
    seed = _seed_rows()
    assert set(seed) == set(rows)
    assert report.row_count == len(rows) == 94 + 55 + 32 + 18
    for ref, cells in seed.items():
        row = rows[ref]
        skip = KNOWN_DIFFERENCES.get(ref, set())
        status = row.status.label if row.status else "N/A"
        if "status" not in skip:
            assert status.lower() == cells[4].lower().replace("green/amber", "amber/green"), ref
        if "dot" not in skip:
            assert row.direction.lower() == cells[6].lower(), ref
    # The summary by theme is computed: the published counts of every kind, and the one
    # published projects percentage.
    counts = {s.theme: (s.measures, s.actions, s.risks, s.projects) for s in report.summary.themes}
    assert counts == {
        "A City of Growth": (27, 9, 1, 11),
        "A Green City": (9, 12, 1, 6),
        "A Resilient City": (51, 21, 3, 3),
        "A Vibrant City": (2, 7, 0, 8),
        "Working Smarter": (5, 6, 13, 4),
    }
    resilient = next(s for s in report.summary.themes if s.theme == "A Resilient City")
    assert resilient.projects_green_or_amber.pct == 100
    # 2021/22's published percentages come out of its counting convention, chosen in the
    # admin, to the whole per cent (tests/reports/test_conventions.py checks every one).
    CountingSetting.objects.update_or_create(pk=1, defaults={"convention": "derby-2021-22"})
    response = client.get("/reports/summary/", {"year": 2021, "quarter": 4})
    published = {
        "A city with big ambitions": (73, 75, 80),
        "A city of health and happiness": (70, 68, 78),
        "A council focused on the things that matter": (33, 50, 86),
    }
    for row in response.context["result"].themes:
        if row.theme in published:
            shares = (row.meeting_target, row.improved, row.actions_on_track)
            assert tuple(round(share.pct) for share in shares) == published[row.theme]
    # The same rows as a workbook, with real numbers in their units.
    response = client.get("/reports/annual/", {"year": 2024, "quarter": 4, "format": "xlsx"})
    book = load_workbook(BytesIO(response.content))
    sheet = book["Measures"]
    header = [cell.value for cell in sheet[4]]
    found = {row[1].value: row for row in sheet.iter_rows(min_row=5) if row[1].value}
    neet = found["EHCS PM21"]
    actual = neet[header.index("2024/25 Q4 actual")]
    assert (actual.value, actual.number_format) == (7.4, '#,##0.0"%"')
    assert neet[header.index("Q4 status")].value == "Red"
    money = found["Regen PM18"][header.index("2024/25 Q4 actual")]
    assert (money.value, money.number_format) == (30710876, '"£"#,##0')
    assert len({row[1].value for row in sheet.iter_rows(min_row=5)}) == 94
    # And as a PDF: every row of the seed is on its pages.
    pages: list[str] = []
    monkeypatch.setattr(pdf, "pdf_bytes", lambda html, **kwargs: _pdf_text(html, pages))
    response = client.get("/reports/annual/", {"year": 2024, "quarter": 4, "format": "pdf"})
    assert response.content.startswith(b"%PDF")
    text = " ".join(pages)
    missing = [ref for ref in seed if ref not in text]
    assert missing == []
    assert "93.25%" in text and "£30,710,876" in text and "Risk score 16" in text


def test_it_shows_each_portfolio_with_its_sections(db: None, client: Any, outsider: User) -> None:
    council = build_council()
    client.force_login(outsider)
    response = client.get("/reports/annual/", {"year": 2024, "quarter": 4})
    report = response.context["result"]
    regeneration = report.portfolios[0]
    assert regeneration.name == "Regeneration"
    assert [slug for slug, _, _ in regeneration.sections] == ["actions", "measures", "projects"]
    assert [r.reference for r in regeneration.projects_and_risks] == ["P1", "P2", "P3", "R1", "R2"]
    page = response.content.decode()
    assert _row_html(page, "M1")[2:7] == ["90", "105", "Green", "100", "Improving"]
    assert _row_html(page, "M4")[3:5] == ["Data not yet available", "N/A"]
    assert _row_html(page, "R1")[4] == "Risk score 16"
    assert _row_html(page, "P2")[4] == "Red"
    # M7's return is not approved: the measure is listed, without its result.
    assert _row_html(page, "M7")[3:5] == ["N/A", "N/A"]
    assert council.measures["M7"].portfolio.name in page
    assert "Priority projects (delivery confidence)" in page  # the key


def test_it_runs_the_same_queries_however_many_rows(
    db: None, client: Any, outsider: User, django_assert_num_queries: Any
) -> None:
    council = build_council()
    client.force_login(outsider)
    url, query = "/reports/annual/", {"year": 2024, "quarter": 4}
    client.get(url, query)  # the first page reads the council's settings and schemes into the cache
    with CaptureQueriesContext(connection) as few:
        client.get(url, query)
    q4 = council.ret(council.portfolio, 2024, 4, "approved")
    for _ in range(30):
        measure = MeasureFactory(
            year=council.year, theme=council.green, portfolio=q4.portfolio, target=Decimal(58)
        )
        _measure_update(q4, measure, "57")
        action = ActionFactory(year=council.year, theme=council.growth, portfolio=q4.portfolio)
        ActionUpdate.objects.create(action=action, ret=q4, status="on_track")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url, query)
    assert response.context["result"].row_count == 17 + 60


def test_it_needs_sign_in(db: None, client: Any) -> None:
    response = client.get("/reports/annual/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("fmt", ["html", "xlsx", "pdf", "csv"])
def test_it_refuses_a_draft_to_anyone_outside_the_performance_team(
    db: None, client: Any, officer: User, fmt: str
) -> None:
    build_council()
    client.force_login(officer)
    response = client.get("/reports/annual/", {"year": 2024, "draft": "on", "format": fmt})
    assert response.status_code == 403


def test_it_shows_the_team_a_draft_marked_as_such(db: None, client: Any, admin_user: User) -> None:
    build_council()
    client.force_login(admin_user)
    response = client.get("/reports/annual/", {"year": 2024, "quarter": 4, "draft": "on"})
    page = response.content.decode()
    assert 'class="app-draft-watermark"' in page
    assert "Draft: this report includes returns not yet approved" in page
    assert _row_html(page, "M7")[3:5] == ["10", "Red"]


def test_it_refuses_a_theme_of_another_plan(db: None, client: Any, outsider: User) -> None:
    council = build_council()
    client.force_login(outsider)
    council.growth.plan.first_year = 2025
    council.growth.plan.save()
    response = client.get("/reports/annual/", {"year": 2024, "theme": council.green.pk})
    assert response.status_code == 400
    assert "is not a theme of 2024/25" in response.content.decode()


def test_it_explains_each_report_on_the_index(db: None, client: Any, outsider: User) -> None:
    client.force_login(outsider)
    page = client.get("/reports/").content.decode()
    for slug in ("annual", "summary", "quarterly", "trend", "exceptions"):
        assert f'href="/reports/{slug}/"' in page
    assert "performance_summary --year 2024/25" in page
    assert "preview a draft" not in page  # only the performance team is told about drafts


def test_it_reports_the_latest_approved_quarter_by_default(
    db: None, client: Any, outsider: User
) -> None:
    build_council()
    client.force_login(outsider)
    response = client.get("/reports/annual/")
    filters = response.context["filters"]
    assert (filters.year.start_year, filters.quarter, filters.draft) == (2024, 4, False)
    assert 'href="?year=2024&amp;quarter=4&amp;format=xlsx"' in response.content.decode()
