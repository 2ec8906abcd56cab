"""Reading the annual performance results table as councils publish it.

The table comes as TSV text taken from a PDF, as CSV or as a spreadsheet: a header row
naming the columns (sometimes split over two rows), portfolio heading rows and section
heading rows between the data rows, and the header repeated at page breaks. Columns are
found by their names, not their positions, so other years' and councils' layouts with
the same kinds of columns read too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from perfmon.resources.spreadsheets import (
    SpreadsheetRefused,
    bounded_rows,
    unescape_formula,
    xlsx_rows,
)

# A section heading names what kind of item the rows under it are.
_SECTION = re.compile(
    r"^(actions identified|(delivery|recovery|council) plan measures|priority projects"
    r"|performance measures|strategic risks|actions$|measures$)",
    re.IGNORECASE,
)

# The columns perfmon understands, and how councils name them.
COLUMNS = {
    "ref": ("ref", "reference", "ref no", "ref."),
    "ref_description": (
        "ref and description",
        "reference and description",
        "ref / description",
        "ref/description",
        "ref & description",
    ),
    "description": ("description", "action or measure description", "measure", "title"),
    "q4_actual": ("q4 actual", "q4 outturn", "outturn", "actual", "year end actual"),
    "q4_status": ("q4 status", "status", "rag", "rag status", "rating"),
    "target": (
        "target",
        "q4 target",
        "annual target",
        "year end target",
        "year-end target",
        "end of year target",
    ),
    "dot": ("dot", "direction of travel", "direction", "trend"),
    "theme": ("council plan theme", "theme", "council plan priority", "priority"),
    "portfolio": ("portfolio", "cabinet portfolio"),
    "kind": ("action or measure", "type", "item type"),
}
_ALIASES = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
_LAST_YEAR = re.compile(r"^(\d{4})\s*[/ -]?\s*(\d{2,4})\s+(?:actual|outturn)$")
_YEAR_TARGET = re.compile(r"^(\d{4})\s*[/ -]?\s*(\d{2,4})\s+(?:year[- ]end\s+)?target$")
# A reference leading a description that shares its column: "GW 03 Work with partners".
_LEADING_REF = re.compile(
    r"^([A-Z][A-Za-z]{0,5}(?:\s[A-Z]{1,4})?\s?\d{1,4}[a-z]?(?:_[A-Z]{1,4}\d+)?)\s*[-–:]?\s+(\S.*)$"
)
_Q4_ACTUAL = re.compile(r"^(\d{4})\s*[/ -]?\s*(\d{2,4})\s+q4 actual$")

MAX_ROWS = 50_000

# What a column can be mapped to, for a person choosing (reports.models.ImportProfile).
ROLES = {
    "ref": "Ref",
    "description": "Description",
    "ref_description": "Ref and description",
    "last_year": "Last year's actual",
    "q4_actual": "Actual",
    "q4_status": "Status",
    "target": "Target",
    "dot": "Direction of travel",
    "theme": "Council Plan theme",
    "portfolio": "Portfolio",
    "kind": "Action or measure",
    "ignore": "Ignore",
}


@dataclass(frozen=True)
class Mapping:
    """A header row as a file writes it, and the role of each of its columns."""

    header: tuple[str, ...]
    roles: tuple[str, ...]

    def fits(self, cells: Sequence[str]) -> bool:
        return header_key(cells) == self.header

    def names(self) -> list[str | None]:
        return [None if role == "ignore" else role for role in self.roles]


def header_key(cells: Sequence[str]) -> tuple[str, ...]:
    """A header row's cells as compared with a profile's: normalised, trailing blanks cut."""
    names = [_normalise(str(cell or "")) for cell in cells]
    while names and not names[-1]:
        names.pop()
    return tuple(names)


def check_roles(roles: Sequence[str]) -> list[str]:
    """What is wrong with a mapping, in sentences; empty when it can be used."""
    errors = []
    unknown = sorted({role for role in roles if role not in ROLES})
    if unknown:
        errors.append(f"Unknown roles: {', '.join(unknown)}.")
    taken = [role for role in roles if role != "ignore"]
    for role in sorted({role for role in taken if taken.count(role) > 1}):
        errors.append(f"{ROLES.get(role, role)} is given to more than one column: choose one.")
    if not {"description", "ref_description"} & set(roles):
        errors.append("Map one column to Description: every item needs one.")
    if not {"q4_actual", "q4_status", "target", "last_year"} & set(roles):
        errors.append("Map at least one of Actual, Status, Target or Last year's actual.")
    return errors


def header_guess(rows: Iterable[Sequence[str]]) -> tuple[int, list[str], list[str]] | None:
    """The row most like a header (the first with three or more short filled cells, before
    any row of figures), its cells and the role perfmon guesses for each; None if none."""
    for number, raw in enumerate(rows, start=1):
        cells = [str(cell or "").strip() for cell in raw]
        filled = [cell for cell in cells if cell]
        if len(filled) >= 3 and all(len(cell) < 60 for cell in filled):
            key = list(header_key(cells))
            roles = [canonical(cell) or "ignore" for cell in cells[: len(key)]]
            return number, cells[: len(key)], roles
        if number > 200:
            break
    return None


class TableError(ValueError):
    """The file is not a table perfmon can read; the message says why, for a person."""


@dataclass(frozen=True)
class TableRow:
    line: int
    portfolio: str
    section: str
    cells: dict[str, str] = field(default_factory=dict)
    # In a table with no theme or portfolio column, the heading rows above: the Council
    # Plan priority (the theme) and the outcome under it.
    priority: str = ""
    outcome: str = ""

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass
class Table:
    rows: list[TableRow]
    columns: list[str]
    header_line: int

    @property
    def headings(self) -> str:
        """What the heading rows between the items are read as, in words."""
        if {"theme", "portfolio"} & set(self.columns):
            return (
                "a section (“… measures”, “Actions …”) or else the portfolio of the rows under it"
            )
        return (
            "a section (“… measures”, “Actions …”); two or more other heading rows together "
            "give the Council Plan priority (the theme) and the outcome under it"
        )


_MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|\*\*")


def _unmarked(text: str) -> str:
    """A cell without the markup a PDF extraction left (`<b>`, `**`)."""
    return _MARKUP.sub("", text) if ("<" in text or "**" in text) else text


def _normalise(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\u00a0", " ")).strip().lower()


def canonical(name: str) -> str | None:
    """The column a header cell names: "2023 24 actual" -> "last_year"; None if unknown."""
    text = _normalise(name)
    if text in _ALIASES:
        return _ALIASES[text]
    if _Q4_ACTUAL.match(text):
        return "q4_actual"
    if _LAST_YEAR.match(text):
        return "last_year"
    if _YEAR_TARGET.match(text):
        return "target"
    return None


def _header_names(cells: Sequence[str]) -> list[str | None]:
    """Each cell's column; of two actuals named by their years ("2020/21 outturn",
    "2021/22 outturn"), the later is this year's."""
    names = [canonical(cell) for cell in cells]
    years = {
        index: int(found.group(1))
        for index, cell in enumerate(cells)
        if names[index] == "last_year" and (found := _LAST_YEAR.match(_normalise(cell)))
    }
    if len(years) >= 2 and "q4_actual" not in names:
        names[max(years, key=years.__getitem__)] = "q4_actual"
    return names


def split_reference(text: str) -> tuple[str, str]:
    """("GW 03", "Work with partners") from "GW 03 Work with partners"; ("", text) when
    no reference leads it."""
    found = _LEADING_REF.match(text.strip())
    return (found.group(1), found.group(2)) if found else ("", text.strip())


def _is_header(names: Sequence[str | None]) -> bool:
    found = set(names)
    return bool({"description", "ref_description"} & found) and bool(
        found & {"q4_status", "q4_actual", "target", "last_year", "theme"}
    )


def _merge_header(first: Sequence[str], second: Sequence[str]) -> list[str | None]:
    """A header split over two rows ("2021/22 Performance Information" above "Q4 Actual",
    "Q4 status"...): the lower row's name wins where it has one."""
    width = max(len(first), len(second))
    padded = [*first, *[""] * (width - len(first))], [*second, *[""] * (width - len(second))]
    return [
        canonical(low) if low.strip() else canonical(high)
        for high, low in zip(*padded, strict=True)
    ]


def _heading(cells: Sequence[str]) -> str | None:
    filled = [cell.strip() for cell in cells if cell.strip()]
    return filled[0] if len(filled) == 1 and cells and cells[0].strip() else None


def read_rows(rows: Iterable[Sequence[str]], mapping: Mapping | None = None) -> Table:
    """Every data row of the table, with the portfolio and section headings above it.
    `rows` may be read one at a time (see rows_from_file): reading stops at the row limit.

    With `mapping`, a row reading as its header is the header, its columns taking the
    mapping's roles. Raises TableError when no header row can be found. Text before the
    first header (the introduction, the summary) and after a "Key" heading (the legend) is
    skipped.
    """
    columns: list[str | None] | None = None
    header_cells: list[str] = []
    header_line = last_header = 0
    portfolio = section = priority = outcome = ""
    run: list[str] = []  # the heading rows since the last data row
    out: list[TableRow] = []
    ended = fitted = False
    for number, raw in enumerate(rows, start=1):
        cells = [_unmarked(str(cell if cell is not None else "")) for cell in raw]
        names = _header_names(cells)
        if mapping is not None and mapping.fits(cells):
            names, fitted = mapping.names(), True
        if _is_header(names):
            columns, header_cells, ended = names, cells, False
            header_line, last_header = header_line or number, number
            continue
        if columns is None or ended or not any(cell.strip() for cell in cells):
            continue
        if not cells[0].strip() and {"q4_status", "target"} & set(names):
            if number == last_header + 1:  # the lower half of a two-row header
                columns = _merge_header(header_cells, cells)
            continue
        heading = _heading(cells)
        if heading is not None:
            if heading.lower() == "key":  # the legend after the table
                ended = True
            elif _SECTION.match(heading):
                section = heading
            else:
                portfolio, section = heading, ""
                run.append(heading)
            continue
        values = {name: cell.strip() for name, cell in zip(columns, cells, strict=False) if name}
        if "ref_description" in values:
            values["ref"], values["description"] = split_reference(values.pop("ref_description"))
        if not {"theme", "portfolio"} & set(columns):
            # Headings give the priority, an outcome under it, then the section: a run of
            # two or more starts a priority; one alone is the next outcome under it.
            if len(run) >= 2:
                priority, outcome = run[0], run[-1]
            elif run:
                outcome = run[0]
            portfolio = ""
        run = []
        out.append(
            TableRow(
                line=number,
                portfolio=portfolio,
                section=section,
                cells=values,
                priority=priority,
                outcome=outcome,
            )
        )
        if len(out) > MAX_ROWS:
            raise TableError(f"The table has more than {MAX_ROWS:,} rows: split it by year.")
    if mapping is not None and not fitted:
        raise TableError(
            "The import profile does not fit this file: it was made for a header row "
            f"reading “{' | '.join(mapping.header)}”, and no row of this file reads so."
        )
    if columns is None:
        raise TableError(
            "No header row was found. The table needs a row naming its columns, such as "
            "Ref, Description, Q4 actual, Q4 status, Target, DoT and Council Plan theme; "
            "or map its columns once in the admin and save them as an import profile."
        )
    return Table(rows=out, columns=[c for c in columns if c], header_line=header_line)


def read_table(text: str) -> list[TableRow]:
    """The rows of a tab-separated table (the seeds' format)."""
    return read_rows([line.split("\t") for line in text.splitlines()]).rows


def rows_from_file(name: str, data: bytes) -> Iterator[list[str]]:
    """The cells of an uploaded TSV, CSV or XLSX file, read one row at a time within the
    limits of perfmon.resources.spreadsheets (rows, columns, cell length and, for XLSX,
    the zip's size and the sheet's declared dimensions, checked before reading).

    Raises TableError, with a sentence for the person who uploaded it, for an empty or
    binary file, one in another format or one past a limit; for XLSX and CSV the error
    may come while the rows are read.
    """
    if not data.strip():
        raise TableError("The file is empty.")
    lower = name.lower()
    if lower.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return _read(xlsx_rows(data), unreadable="This spreadsheet")
    if b"\x00" in data[:4096]:
        raise TableError("This is not a text table: upload a TSV, CSV or XLSX file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if lower.endswith(".csv") or ("\t" not in text and "," in text):
        rows = csv.reader(io.StringIO(text, newline=""))
        return _read(rows, unreadable="This CSV file")
    lines = (line.split("\t") for line in text.splitlines())
    return _read(lines, unreadable="This table")


def _read(rows: Iterable[Sequence[Any]], *, unreadable: str) -> Iterator[list[str]]:
    """`rows` as text, within the limits, without the apostrophe an export put before a
    cell a spreadsheet would run; any failure while reading becomes a TableError."""
    try:
        for row in bounded_rows(rows):
            yield [unescape_formula("" if cell is None else str(cell)) for cell in row]
    except SpreadsheetRefused as error:
        raise TableError(str(error)) from error
    except Exception as error:  # csv, zip, XML and openpyxl each raise their own kinds
        raise TableError(f"{unreadable} could not be read ({error}).") from error
