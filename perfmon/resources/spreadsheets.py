"""Spreadsheets in and out: cells written so a spreadsheet never runs them as formulas,
and uploads read within limits known before anything is allocated.

`escape_formula` puts an apostrophe before text a spreadsheet would run (starting =, +,
-, @, a tab or a carriage return; plain numbers such as -5 are left alone) and
`unescape_formula` takes exactly that apostrophe off again: text that already starts with
apostrophes before such text gets one more, so export -> import -> export gives back the
same cells, whatever they hold.

An XLSX file is a zip of XML: five kilobytes can declare a sheet of seventeen billion
cells, and half a megabyte can inflate to gigabytes. `xlsx_rows` therefore checks, in this
order and stopping at the first limit passed:

1. the zip's directory: how many parts, their total size unzipped and each one's
   compression ratio, read from the directory without inflating anything;
2. the parts' XML, unzipped a megabyte at a time and only counted, never parsed: how many
   rows, how many cells in all and in any one row (openpyxl, opening a sheet that does not
   declare its size, reads all of it to find out, and builds a row's cells all at once);
3. the sheet's declared dimensions;
4. while streaming rows in openpyxl's read-only mode, the rows, columns and cell lengths
   actually met.

`bounded_rows` applies the last step's checks to rows read from text.

A file past a limit raises SpreadsheetRefused, whose message is a sentence for the
person who uploaded it, naming the limit.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

# The end of a zip's central directory: its signature, then the entry count at offset 10.
_END_OF_DIRECTORY = b"PK\x05\x06"
_END_SEARCH = 22 + 65_535  # the record, plus the longest comment a zip may carry
# Members smaller than this unzipped are not held to the compression ratio: tiny files
# such as a sheet's styles can compress well without being a threat.
_RATIO_GRACE_BYTES = 100 * 1024
# A row or a cell element, with or without a namespace prefix (<row r="1">, <x:c/>).
_ROW = re.compile(rb"<(?:[\w.-]{1,64}:)?row[\s/>]")
_CELL = re.compile(rb"<(?:[\w.-]{1,64}:)?c[\s/>]")
_CHUNK = 1024 * 1024


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(?:\.[0-9]+)?")


def _runs(text: str) -> bool:
    """Whether a spreadsheet would run `text` once its leading apostrophes are gone."""
    bare = text.lstrip("'")
    return bare.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(bare)


def escape_formula(value: Any) -> Any:
    """`value` made safe to open in a spreadsheet (see the module); not text: as it is."""
    return f"'{value}" if isinstance(value, str) and _runs(value) else value


def unescape_formula(value: Any) -> Any:
    """The value `escape_formula` was given."""
    if isinstance(value, str) and value.startswith("'") and _runs(value[1:]):
        return value[1:]
    return value


@dataclass(frozen=True)
class Limits:
    """What perfmon reads from one uploaded table."""

    rows: int = 100_000
    columns: int = 100
    cell_characters: int = 32_767  # Excel's own limit for a cell
    unzipped_bytes: int = 50 * 1024 * 1024
    compression_ratio: int = 100
    zip_members: int = 1_000
    cells: int = 1_000_000  # in any one part: a 50,000-row table of 20 columns
    cells_in_a_row: int = 16_384  # Excel's widest sheet


LIMITS = Limits()


class SpreadsheetRefused(ValueError):
    """A file past one of the limits; the message says which, for a person."""


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def check_zip(data: bytes, *, limits: Limits | None = None) -> None:
    """Refuse an XLSX whose zip would unzip past the limits (LIMITS unless given), judged
    from its directory. Raises SpreadsheetRefused past a limit, zipfile.BadZipFile for a
    file that is not a zip. Nothing is inflated.
    """
    limits = limits or LIMITS
    end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - _END_SEARCH))
    if end < 0 or len(data) < end + 12:
        raise zipfile.BadZipFile("it is not an XLSX file (no zip directory)")
    (members,) = struct.unpack("<H", data[end + 10 : end + 12])
    if members > limits.zip_members:  # checked before zipfile reads the whole directory
        raise SpreadsheetRefused(
            f"The spreadsheet holds {members:,} files inside; an XLSX table has a few "
            f"dozen, and perfmon opens at most {limits.zip_members:,}."
        )
    entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    unzipped = sum(entry.file_size for entry in entries)
    if unzipped > limits.unzipped_bytes:
        raise SpreadsheetRefused(
            f"The spreadsheet would unzip to {_megabytes(unzipped)}; perfmon opens "
            f"spreadsheets of at most {_megabytes(limits.unzipped_bytes)} unzipped. "
            "Split the table, or save it as CSV."
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > _RATIO_GRACE_BYTES and ratio > limits.compression_ratio:
            raise SpreadsheetRefused(
                f"The spreadsheet's part {entry.filename} is compressed {ratio:,.0f} times; "
                f"perfmon opens nothing compressed more than {limits.compression_ratio} "
                "times, as real tables never are. Save the table again from Excel, or as CSV."
            )


class _Count:
    """Rows and cells met so far in one part of the zip."""

    def __init__(self, part: str, limits: Limits) -> None:
        self.part, self.limits = part, limits
        self.rows = self.cells = self.in_row = 0

    def add(self, xml: bytes) -> None:
        """Count the row and cell elements in `xml`, which ends where an element begins."""
        starts = [match.start() for match in _ROW.finditer(xml)]
        bounds = [0, *starts, len(xml)]
        for number, (begin, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
            if number:
                self.rows, self.in_row = self.rows + 1, 0
            cells = len(_CELL.findall(xml, begin, end))
            self.cells, self.in_row = self.cells + cells, self.in_row + cells
            self._check()

    def _check(self) -> None:
        limits, part = self.limits, self.part
        if self.rows > limits.rows:
            raise SpreadsheetRefused(
                f"The spreadsheet's part {part} has more than {limits.rows:,} rows; perfmon "
                f"reads at most {limits.rows:,}. Split the table into smaller ones."
            )
        if self.in_row > limits.cells_in_a_row:
            raise SpreadsheetRefused(
                f"Row {self.rows:,} of the spreadsheet's part {part} has more than "
                f"{limits.cells_in_a_row:,} cells, more than a spreadsheet row can hold."
            )
        if self.cells > limits.cells:
            raise SpreadsheetRefused(
                f"The spreadsheet's part {part} has more than {limits.cells:,} cells; perfmon "
                f"reads at most {limits.cells:,}. Split the table into smaller ones."
            )


def check_parts(data: bytes, *, limits: Limits | None = None) -> None:
    """Refuse an XLSX with a part holding more rows or cells than the limits allow,
    counted in the unzipped XML a megabyte at a time (call check_zip first: this unzips).
    """
    limits = limits or LIMITS
    archive = zipfile.ZipFile(io.BytesIO(data))
    for entry in archive.infolist():
        count = _Count(entry.filename, limits)
        pending = b""
        with archive.open(entry) as part:
            while chunk := part.read(_CHUNK):
                xml = pending + chunk
                # Cut before the last "<", so no element is split between two counts.
                cut = xml.rfind(b"<")
                cut = len(xml) if cut < 0 else cut
                count.add(xml[:cut])
                pending = xml[cut:]
        count.add(pending)


def _check_dimensions(rows: int | None, columns: int | None, limits: Limits) -> None:
    if (rows or 0) > limits.rows or (columns or 0) > limits.columns:
        raise SpreadsheetRefused(
            f"The sheet says it spans {rows or 0:,} rows and {columns or 0:,} columns; "
            f"perfmon reads sheets of at most {limits.rows:,} rows and {limits.columns} "
            "columns. If the table is smaller than that, copy it into a new workbook and "
            "upload that."
        )


def _filled(cell: Any) -> bool:
    return cell is not None and cell != ""


def bounded_rows(
    rows: Iterable[Sequence[Any]], *, limits: Limits | None = None
) -> Iterator[list[Any]]:
    """Each row of `rows` as a list without its trailing empty cells, until one passes a
    limit (LIMITS unless given): the row after `limits.rows`, a filled cell after
    `limits.columns`, or a cell longer than `limits.cell_characters` raises
    SpreadsheetRefused."""
    limits = limits or LIMITS
    for number, row in enumerate(rows, start=1):
        if number > limits.rows:
            raise SpreadsheetRefused(
                f"The table goes on past row {limits.rows:,}; perfmon reads at most "
                f"{limits.rows:,} rows. Split it into smaller tables."
            )
        end = len(row)
        while end and not _filled(row[end - 1]):
            end -= 1
        if end > limits.columns:
            raise SpreadsheetRefused(
                f"Row {number} has a cell in column {get_column_letter(end)}; perfmon reads "
                f"tables of at most {limits.columns} columns. Delete what is beyond the table."
            )
        cells = list(row[:end])
        for column, cell in enumerate(cells, start=1):
            if isinstance(cell, str) and len(cell) > limits.cell_characters:
                raise SpreadsheetRefused(
                    f"Cell {get_column_letter(column)}{number} holds {len(cell):,} characters; "
                    f"a cell may hold at most {limits.cell_characters:,}."
                )
        yield cells


def xlsx_rows(
    data: bytes, *, limits: Limits | None = None, active_sheet: bool = False
) -> Iterator[list[Any]]:
    """The rows of an XLSX file's first sheet (or the sheet it opens on), as cell values
    (None where empty) without trailing empty cells, read one at a time.

    Raises SpreadsheetRefused past a limit (see the module); anything else raised means a
    damaged file (zipfile.BadZipFile, an XML error, openpyxl's own errors).
    """
    limits = limits or LIMITS
    check_zip(data, limits=limits)
    check_parts(data, limits=limits)
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.active if active_sheet else workbook.worksheets[0]
        _check_dimensions(sheet.max_row, sheet.max_column, limits)
        # One row and one column past the limits, so a sheet whose dimensions lie is
        # still caught by bounded_rows; openpyxl never builds a wider row or reads further.
        yield from bounded_rows(
            sheet.iter_rows(max_row=limits.rows + 1, max_col=limits.columns + 1, values_only=True),
            limits=limits,
        )
    finally:
        workbook.close()
