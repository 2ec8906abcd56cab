"""Every report as XLSX, PDF and CSV: real numbers, frozen headers and a key sheet in the
workbook; a PDF (with "Draft" on every page of a draft); CSV that parses."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from perfmon.models import User
from reports import pdf
from tests.reports.test_summary_dataset import build_council

QUERY = {"year": 2024, "quarter": 4}
REPORTS = ["annual", "summary", "quarterly", "trend", "exceptions"]


@pytest.fixture
def viewer(client: Client, outsider: User) -> Client:
    build_council()
    client.force_login(outsider)
    return client


@pytest.mark.parametrize("slug", REPORTS)
def test_it_gives_every_report_as_a_workbook_with_a_key(viewer: Client, slug: str) -> None:
    response = viewer.get(f"/reports/{slug}/", {**QUERY, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{slug}-2024-q4.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[-1] == "Key"
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A5"  # the header row (4) stays in view
        assert sheet["A4"].font.b
    key = [row for row in book["Key"].iter_rows(min_row=5, values_only=True)]
    assert ("Actions", "Amber: Some slippage", "Some slippage against the agreed deadlines.") in key


def test_it_writes_real_numbers_with_number_formats(viewer: Client) -> None:
    response = viewer.get("/reports/annual/", {**QUERY, "format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    rows = {row[1].value: row for row in book["Measures"].iter_rows(min_row=5) if row[1].value}
    m1 = rows["M1"]
    assert [cell.value for cell in m1[:9]] == [
        "Regeneration",
        "M1",
        m1[2].value,
        90,
        105,
        "Green",
        100,
        "Improving",
        "Growth",
    ]
    assert m1[4].number_format == "#,##0"
    assert m1[5].fill.fgColor.rgb.endswith("CCE2D8")  # Green's fill
    summary = book["Summary by theme"]
    council = [row for row in summary.iter_rows(min_row=5, values_only=True) if row[0]][2]
    assert council[:5] == ("Whole council", 7, 5, 2, 3)
    assert council[5] == pytest.approx(0.667)
    assert summary.cell(row=7, column=6).number_format == "0.0%"


def test_it_marks_every_sheet_of_a_draft(client: Client, admin_user: User) -> None:
    build_council()
    client.force_login(admin_user)
    response = client.get("/reports/exceptions/", {**QUERY, "draft": "on", "format": "xlsx"})
    assert response["Content-Disposition"].endswith('-draft.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    for sheet in book.worksheets:
        assert sheet["A1"].value.startswith("DRAFT")
        assert sheet.oddHeader.center.text == "DRAFT"


@pytest.mark.parametrize("slug", REPORTS)
def test_it_gives_every_report_as_a_pdf(viewer: Client, slug: str) -> None:
    response = viewer.get(f"/reports/{slug}/", {**QUERY, "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"DRAFT" not in response.content


def _page_texts(box: Any) -> list[str]:
    found = [box.text] if getattr(box, "text", None) else []
    for child in getattr(box, "children", None) or []:
        found += _page_texts(child)
    return found


def test_it_watermarks_every_page_of_a_draft_pdf(
    client: Client, admin_user: User, pdf_html: list[str]
) -> None:
    build_council()
    client.force_login(admin_user)
    response = client.get("/reports/quarterly/", {**QUERY, "draft": "on", "format": "pdf"})
    assert response.content.startswith(b"%PDF")
    # Lay out the HTML the view made the PDF from again, to read each page's text.
    pages = pdf.document(pdf_html[0]).pages
    assert len(pages) > 1
    for page in pages:
        texts = _page_texts(page._page_box)
        assert "Draft" in texts  # the watermark
        assert "DRAFT" in texts  # the page header
    first = _page_texts(pages[0]._page_box)
    assert any(text.startswith("Page 1 of") for text in first)


@pytest.mark.parametrize("slug", REPORTS)
def test_it_gives_each_table_as_csv(viewer: Client, slug: str) -> None:
    page = viewer.get(f"/reports/{slug}/", QUERY)
    tables = page.context["result"].tables()
    for table in tables:
        response = viewer.get(f"/reports/{slug}/", {**QUERY, "format": "csv", "table": table.slug})
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == table.columns
        assert len(rows) == len(table.rows) + 1


def test_it_writes_the_summary_csv_as_people_read_it(viewer: Client) -> None:
    response = viewer.get("/reports/summary/", {**QUERY, "format": "csv", "table": "summary"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["Growth", "5", "3", "1", "3", "50%", "33.3%", "66.7%", "50%"]
    assert rows[2][-1] == "N/A"


def test_it_marks_every_row_of_a_draft_csv(client: Client, admin_user: User) -> None:
    build_council()
    client.force_login(admin_user)
    response = client.get(
        "/reports/annual/", {**QUERY, "draft": "on", "format": "csv", "table": "measures"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Draft"
    assert {row[0] for row in rows[1:]} == {"DRAFT: not approved"}


def test_it_says_when_a_csv_table_does_not_exist(viewer: Client) -> None:
    response = viewer.get("/reports/annual/", {**QUERY, "format": "csv", "table": "nothing"})
    assert response.status_code == 404
