"""Spreadsheet bombs: tables are read within limits known before anything is allocated
(the zip's directory, the sheet's declared size, then rows, columns and cells while
streaming), and a file past one is refused at once with a sentence naming the limit,
in the command, the admin's annual results upload and the admin's import of any list.

The bombs are built here, small, with zipfile and openpyxl.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from measures.models import Measure
from perfmon.models import Portfolio, User
from perfmon.resources import spreadsheets
from reports.models import ResultsImport

HEADER = [
    "Ref",
    "Description",
    "2023 24 actual",
    "2024 25 Q4 actual",
    "Q4 status",
    "Target",
    "DoT",
    "Council Plan theme",
]
SHEET = "xl/worksheets/sheet1.xml"
SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_END = b"</sheetData></worksheet>"
WIDE_ROW = b"<row>" + b"<c><v>1</v></c>" * 21 + b"</row>"


def saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dimension_bomb() -> bytes:
    """A 5 KB workbook that says it spans A1:XFD1048576, with a cell there to prove it."""
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.cell(row=1_048_576, column=16_384, value="x")
    return saved(workbook)


def with_sheet(parts: Iterable[bytes]) -> bytes:
    """A workbook openpyxl made, its first sheet's XML replaced by `parts`, compressed as
    hard as zip can."""
    workbook = Workbook()
    workbook.active["A1"] = "x"
    source = zipfile.ZipFile(io.BytesIO(saved(workbook)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in source.namelist():
            if name != SHEET:
                archive.writestr(name, source.read(name))
                continue
            with archive.open(SHEET, "w") as sheet:
                for part in parts:
                    sheet.write(part)
    return out.getvalue()


def header_row() -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in HEADER)
    return f'<row r="1">{cells}</row>'.encode()


def zip_bomb(rows: int = 80_000, columns: int = 50) -> bytes:
    """Rows of identical numbers, without the optional cell references: a table that zips
    to almost nothing (80,000 rows of 50 cells unzip to 58 MB from 0.2 MB)."""

    def parts() -> Iterable[bytes]:
        yield SHEET_START + header_row()
        row = b"<row>" + b"<c><v>1</v></c>" * columns + b"</row>"
        for _ in range(rows // 1000):
            yield row * 1000
        yield SHEET_END

    return with_sheet(parts())


def long_sheet_then_damage(rows: int, declared: str = "") -> bytes:
    """`rows` good rows, then broken XML: a reader that stops at the row limit never
    reaches the damage; one that reads on does. With `declared` dimensions, openpyxl
    finds them on opening and meets the damage only while reading the rows."""
    body = "".join(
        "<row>" + "".join(f"<c><v>{r * 8 + n}</v></c>" for n in range(8)) + "</row>"
        for r in range(rows)
    )
    start = SHEET_START
    if declared:
        start = start.replace(b"<sheetData>", f'<dimension ref="{declared}"/><sheetData>'.encode())
    return with_sheet([start, header_row(), body.encode(), b"<row><c><v>1</c></oops>"])


def small_workbook(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    return saved(workbook)


def import_file(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_results", str(path), "--year", "2024/25", stdout=out, stderr=out)
    return str(refused.value)


@pytest.fixture
def no_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the workbook is opened at all: refusals must come first."""

    def opened(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was opened before its zip was checked")

    monkeypatch.setattr(openpyxl, "load_workbook", opened)
    monkeypatch.setattr(spreadsheets, "load_workbook", opened)


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> spreadsheets.Limits:
    limits = spreadsheets.Limits(rows=1_000, columns=20, cell_characters=500)
    monkeypatch.setattr(spreadsheets, "LIMITS", limits)
    return limits


def test_it_refuses_a_sheet_that_declares_a_million_rows_before_reading_one(
    tmp_path: Path, admin_user: User
) -> None:
    message = import_file(tmp_path, "bomb.xlsx", dimension_bomb())
    assert "bomb.xlsx: The sheet says it spans 1,048,576 rows and 16,384 columns" in message
    assert "at most 100,000 rows and 100 columns" in message
    assert not Measure.objects.exists()


def test_it_refuses_a_zip_bomb_from_the_zip_directory_without_unzipping(
    tmp_path: Path, admin_user: User, no_openpyxl: None
) -> None:
    message = import_file(tmp_path, "bomb.xlsx", zip_bomb())
    assert "The spreadsheet would unzip to 58 MB" in message
    assert "at most 50 MB unzipped" in message
    assert not Measure.objects.exists()


def test_it_refuses_a_part_compressed_more_than_real_tables_are(
    tmp_path: Path, admin_user: User, no_openpyxl: None
) -> None:
    message = import_file(tmp_path, "bomb.xlsx", zip_bomb(rows=20_000))
    assert f"part {SHEET} is compressed" in message
    assert "more than 100 times" in message


def test_it_refuses_a_zip_of_too_many_parts_before_listing_them(
    tmp_path: Path, admin_user: User, no_openpyxl: None
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for number in range(1_001):
            archive.writestr(f"part{number}.xml", b"")
    message = import_file(tmp_path, "parts.xlsx", out.getvalue())
    assert "holds 1,001 files inside" in message and "at most 1,000" in message


def test_it_counts_rows_in_the_unzipped_xml_before_opening_the_workbook(
    tmp_path: Path, admin_user: User, small_limits: spreadsheets.Limits, no_openpyxl: None
) -> None:
    message = import_file(tmp_path, "long.xlsx", long_sheet_then_damage(rows=5_000))
    assert f"The spreadsheet's part {SHEET} has more than 1,000 rows" in message


def test_it_refuses_more_cells_in_a_row_than_a_spreadsheet_holds(
    tmp_path: Path, admin_user: User, no_openpyxl: None
) -> None:
    # Cell elements with no value, each naming a different column: openpyxl would build
    # all 20,000 before looking at one.
    cells = "".join(f'<c r="{get_column_letter(n % 16_384 + 1)}1"/>' for n in range(20_000))
    data = with_sheet([SHEET_START, f"<row>{cells}</row>".encode(), SHEET_END])
    message = import_file(tmp_path, "wide.xlsx", data)
    assert "Row 1 of the spreadsheet's part" in message
    assert "more than 16,384 cells, more than a spreadsheet row can hold" in message


def test_it_refuses_more_cells_than_the_limit_however_the_rows_are_cut(
    tmp_path: Path, admin_user: User, no_openpyxl: None
) -> None:
    # Different numbers everywhere, so the part compresses no more than a real table.
    body = "".join(
        f"<row>{''.join(f'<c><v>{r * 40 + n}</v></c>' for n in range(40))}</row>"
        for r in range(25_001)
    ).encode()
    message = import_file(tmp_path, "big.xlsx", with_sheet([SHEET_START, body, SHEET_END]))
    assert "has more than 1,000,000 cells; perfmon reads at most 1,000,000" in message


def test_it_stops_streaming_at_the_row_limit(small_limits: spreadsheets.Limits) -> None:
    def rows() -> Iterator[list[str]]:
        yield from (["a"] for _ in range(1_001))
        raise AssertionError("read past the limit")

    with pytest.raises(spreadsheets.SpreadsheetRefused, match="goes on past row 1,000"):
        list(spreadsheets.bounded_rows(rows()))


def test_it_stops_at_the_row_limit_a_sheet_that_hides_its_size(
    tmp_path: Path, admin_user: User, small_limits: spreadsheets.Limits
) -> None:
    # Two rows in the XML and no declared size, but the second is row 5,000.
    far = b'<row r="5000"><c><v>1</v></c></row>'
    data = with_sheet([SHEET_START, header_row(), far, SHEET_END])
    message = import_file(tmp_path, "far.xlsx", data)
    assert "The table goes on past row 1,000; perfmon reads at most 1,000 rows" in message


def test_it_refuses_a_sheet_that_declares_more_columns_than_the_limit(
    tmp_path: Path, admin_user: User, small_limits: spreadsheets.Limits
) -> None:
    message = import_file(tmp_path, "wide.xlsx", small_workbook([HEADER, ["a"] * 21]))
    assert "The sheet says it spans 2 rows and 21 columns" in message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # No declared dimensions: the streaming check finds the cell.
        ("wide.xlsx", with_sheet([SHEET_START, header_row(), WIDE_ROW, SHEET_END])),
        ("wide.tsv", ("\t".join(HEADER) + "\n" + "\t".join(["a"] * 21)).encode()),
        ("wide.csv", (",".join(HEADER) + "\n" + ",".join(["a"] * 21)).encode()),
    ],
)
def test_it_refuses_a_cell_past_the_column_limit(
    tmp_path: Path, admin_user: User, small_limits: spreadsheets.Limits, name: str, data: bytes
) -> None:
    message = import_file(tmp_path, name, data)
    assert "Row 2 has a cell in column U; perfmon reads tables of at most 20 columns" in message


@pytest.mark.parametrize("name", ["long.xlsx", "long.tsv", "long.csv"])
def test_it_refuses_a_cell_longer_than_the_limit(
    tmp_path: Path, admin_user: User, small_limits: spreadsheets.Limits, name: str
) -> None:
    rows = [HEADER, ["GF1", "x" * 501]]
    data = (
        small_workbook(rows)
        if name.endswith(".xlsx")
        else "\n".join(("\t" if name.endswith(".tsv") else ",").join(r) for r in rows).encode()
    )
    message = import_file(tmp_path, name, data)
    assert "Cell B2 holds 501 characters; a cell may hold at most 500" in message


def test_trailing_empty_cells_do_not_count_as_columns(small_limits: spreadsheets.Limits) -> None:
    rows = list(spreadsheets.bounded_rows([["a", "b", *[""] * 50], [None] * 30]))
    assert rows == [["a", "b"], []]


def test_it_says_a_sheet_broken_part_way_cannot_be_read(tmp_path: Path, admin_user: User) -> None:
    data = long_sheet_then_damage(rows=1_000, declared="A1:H1002")
    message = import_file(tmp_path, "broken.xlsx", data)
    assert message.startswith("broken.xlsx: This spreadsheet could not be read (")


def test_the_admin_upload_refuses_the_bomb_and_keeps_the_reason(
    client: Client, admin_user: User
) -> None:
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:reports_resultsimport_add"),
        {"file": SimpleUploadedFile("bomb.xlsx", dimension_bomb()), "year": "2024/25"},
        follow=True,
    )
    upload = ResultsImport.objects.get()
    assert upload.state == ResultsImport.State.PROBLEMS
    assert upload.error.startswith("The sheet says it spans 1,048,576 rows and 16,384 columns")
    assert "1,048,576 rows" in response.content.decode()
    assert not Measure.objects.exists()


def admin_import(client: Client, data: bytes, name: str = "portfolios.xlsx") -> HttpResponse:
    """Step one of the admin's import of the portfolio list, as XLSX (format 1)."""
    response = client.post(
        reverse("admin:perfmon_portfolio_import"),
        {"format": "1", "resource": "0", "import_file": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("bomb", "sentence"),
    [
        (dimension_bomb, "The sheet says it spans 1,048,576 rows and 16,384 columns"),
        (zip_bomb, "The spreadsheet would unzip to 58 MB"),
    ],
)
def test_the_admin_import_of_a_list_refuses_a_bomb_with_the_sentence(
    client: Client, admin_user: User, bomb: object, sentence: str
) -> None:
    client.force_login(admin_user)
    before = Portfolio.objects.count()
    page = admin_import(client, bomb()).content.decode()  # type: ignore[operator]
    assert sentence in page
    assert Portfolio.objects.count() == before


def test_the_admin_import_of_a_list_still_reads_a_real_workbook(
    client: Client, admin_user: User
) -> None:
    client.force_login(admin_user)
    preview = admin_import(client, small_workbook([["name", "is_active"], ["Streetpride", 1]]))
    form = preview.context["confirm_form"]
    client.post(
        reverse("admin:perfmon_portfolio_process_import"),
        {name: form[name].value() for name in form.fields},
    )
    assert Portfolio.objects.get(name="Streetpride").is_active
