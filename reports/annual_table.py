"""Reading the annual performance results table as councils publish it.

The table is tab separated text taken from a PDF: a header row naming the columns,
portfolio heading rows and section heading rows between the data rows, and the header
repeated at page breaks. Columns are found by their names, not their positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A section heading names what kind of item the rows under it are.
_SECTION = re.compile(
    r"^(actions identified|(delivery|recovery|council) plan measures|priority projects)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TableRow:
    line: int
    portfolio: str
    section: str
    cells: dict[str, str] = field(default_factory=dict)

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


def _normalise(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().lower()


def _is_header(cells: list[str]) -> bool:
    names = {_normalise(cell) for cell in cells}
    return any("description" in name for name in names) and any("status" in name for name in names)


def _heading(cells: list[str]) -> str | None:
    filled = [cell.strip() for cell in cells if cell.strip()]
    return filled[0] if len(filled) == 1 and cells[0].strip() else None


def read_table(text: str) -> list[TableRow]:
    """Every data row of the table, with the portfolio and section headings above it.

    Column names are lower-cased with spaces folded ("q4 status", "council plan theme").
    Text before the first header row (the introduction and summary) is skipped.
    """
    columns: list[str] | None = None
    portfolio = section = ""
    rows: list[TableRow] = []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = line.split("\t")
        if _is_header(cells):
            columns = [_normalise(cell) for cell in cells]
            continue
        if columns is None or not line.strip():
            continue
        heading = _heading(cells)
        if heading is not None:
            if heading.lower() == "key":  # the legend after the table
                columns = None
            elif _SECTION.match(heading):
                section = heading
            else:
                portfolio, section = heading, ""
            continue
        values = dict(zip(columns, (cell.strip() for cell in cells), strict=False))
        rows.append(TableRow(line=number, portfolio=portfolio, section=section, cells=values))
    return rows
