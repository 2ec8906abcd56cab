"""A report as an XLSX workbook: one sheet per table, real numbers with number formats,
status colours, frozen headers with filters, and the key on its own sheet."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.builders.common import Cell, Filters, Key, Table
from reports.builders.keys import key_table
from reports.csv import defuse

# The GOV.UK tag colours' light fills, so dark text stays readable on every status.
FILLS = {
    "blue": "BBD4EA",
    "green": "CCE2D8",
    "yellow": "FFF7BF",
    "orange": "FCD6C3",
    "red": "F4CDC6",
    "grey": "E5E6E7",
    "light-blue": "D2E2F1",
    "purple": "DBD5E9",
}
HEADER_ROW = 4  # below the title, the filters and a blank line
WIDE = {"Description", "Item description", "Supporting information", "Commentary", "Meaning"}


def _sheet_name(title: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Sheet"
    base, n = name, 2
    while name.lower() in taken:
        name = f"{base[:28]} {n}"
        n += 1
    taken.add(name.lower())
    return name


def _write(sheet: Worksheet, table: Table, *, heading: str, council: str, filters: Filters) -> None:
    draft = "DRAFT: includes returns not yet approved. " if filters.draft else ""
    sheet["A1"] = f"{draft}{heading}: {table.title}"
    sheet["A1"].font = Font(bold=True, size=14, color="D4351C" if filters.draft else "0B0C0C")
    sheet["A2"] = f"{council} · {filters.describe()}"
    for col, name in enumerate(table.columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=col, value=name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(col)].width = 60 if name in WIDE else 18
    for r, row in enumerate(table.rows, start=HEADER_ROW + 1):
        for col, value in enumerate(row, start=1):
            _put(sheet, r, col, value)
    last = HEADER_ROW + len(table.rows)
    for offset, note in enumerate(table.notes, start=2):
        sheet.cell(row=last + offset, column=1, value=note)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    if table.rows:
        end = get_column_letter(len(table.columns))
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{end}{last}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    if filters.draft:
        sheet.oddHeader.center.text = "DRAFT"
        sheet.oddHeader.center.color = "D4351C"
    sheet.oddFooter.left.text = council
    sheet.oddFooter.right.text = "Page &P of &N"


def _put(sheet: Worksheet, row: int, col: int, cell: Cell) -> None:
    value = defuse(cell.value) if isinstance(cell.value, str) else cell.value
    if value is None:
        value = cell.text or None
    target = sheet.cell(row=row, column=col, value=value)
    if cell.number_format and not isinstance(value, str):
        target.number_format = cell.number_format
    if cell.colour in FILLS:
        target.fill = PatternFill("solid", fgColor=FILLS[cell.colour])
    target.alignment = Alignment(wrap_text=True, vertical="top")


def workbook(
    tables: list[Table], *, heading: str, council: str, filters: Filters, keys: list[Key]
) -> bytes:
    """The workbook of a report's tables; every sheet's heading names the council, as the
    printed report does."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for table in [*tables, key_table(keys)]:
        _write(
            book.create_sheet(_sheet_name(table.title, taken)),
            table,
            heading=heading,
            council=council,
            filters=filters,
        )
    book.properties.title = ("DRAFT " if filters.draft else "") + heading
    book.properties.creator = council
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
