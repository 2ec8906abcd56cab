"""Reading a quarterly performance report as councils publish it (the Q1 2021/22 seed).

Per theme, tables of "Item description | Type | Q1 position | Supporting information":
one row an item, its description sometimes broken over two rows, its supporting information
over several, the type column full of what the PDF's icons became. Items carry no
reference. Some pages lost their columns in the extraction: their text is kept
(`loose_text`) so the importer can look in it for the actions it knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from reports.annual_table import TableError

_POSITION = re.compile(r"^q([1-4]) position$")
_MARKUP = re.compile(r"<[^>]+>|[*#]+")
_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """Text without the markup the extraction left (`<b>`, `**`, `#`), spaces collapsed."""
    return _SPACE.sub(" ", _MARKUP.sub(" ", text.replace("\u00a0", " "))).strip()


@dataclass
class ReportItem:
    line: int
    description: str
    position: str = ""
    information: list[str] = field(default_factory=list)
    heading: str = ""  # the last heading line above it (a theme, as the report names it)

    @property
    def supporting_information(self) -> str:
        return "\n\n".join(part for part in self.information if part)


@dataclass
class QuarterlyReport:
    quarter: int
    items: list[ReportItem]
    loose_text: list[tuple[int, str]]  # (line, text) of pages with no columns
    headings: list[tuple[int, str]]


def _header_quarter(cells: list[str]) -> int | None:
    names = [clean(cell).lower().rstrip("*") for cell in cells]
    if not names or names[0] != "item description":
        return None
    for name in names:
        found = _POSITION.match(name)
        if found:
            return int(found.group(1))
    return None


def read_report(lines: Iterable[str]) -> QuarterlyReport:
    """Every item of every table, with the heading above it and the text of pages whose
    columns were lost. Raises TableError when no "Item description ... Qn position" header
    is found, or when the tables name more than one quarter."""
    items: list[ReportItem] = []
    loose: list[tuple[int, str]] = []
    headings: list[tuple[int, str]] = []
    quarter: int | None = None
    in_table, heading = False, ""
    for number, line in enumerate(lines, start=1):
        if "\t" not in line:
            text = clean(line)
            if line.lstrip().startswith("#") and text and "item description" not in text.lower():
                heading, in_table = text, False
                headings.append((number, text))
            elif "item description" in text.lower() and "position" in text.lower():
                loose.append((number, text))  # a table whose columns were lost
            elif text and len(text) < 80 and not in_table:
                headings.append((number, text))
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        found = _header_quarter(cells)
        if found is not None:
            if quarter is not None and found != quarter:
                raise TableError(
                    f"Line {number} reports quarter {found}, but earlier tables quarter "
                    f"{quarter}: import one quarter at a time."
                )
            quarter, in_table = found, True
            continue
        if not in_table:
            continue
        _add_row(items, cells, number, heading)
    if quarter is None:
        raise TableError(
            "No quarterly report table was found: it needs a header row naming "
            "“Item description” and the quarter's position (such as “Q1 position”)."
        )
    return QuarterlyReport(quarter=quarter, items=items, loose_text=loose, headings=headings)


def _add_row(items: list[ReportItem], cells: list[str], number: int, heading: str) -> None:
    cells = [*cells, "", "", ""]
    description, position, information = clean(cells[0]), clean(cells[2]), cells[3].strip()
    last = items[-1] if items else None
    if not description:
        if last is not None:  # the item above goes on
            last.position = last.position or position
            last.information.append(information)
        return
    if last is not None and not last.position:
        # The item above broke over rows until its position: its description goes on.
        last.description = f"{last.description} {description}"
        last.position = position
        last.information.append(information)
        return
    if not position and not information and not cells[1].strip():
        return  # a heading row of an outcome, not an item
    items.append(
        ReportItem(
            line=number,
            description=description,
            position=position,
            information=[information],
            heading=heading,
        )
    )
