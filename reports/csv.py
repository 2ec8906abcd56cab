"""A report's table as CSV (UTF-8 with a byte order mark, so Excel reads £ and – right).

Cells that a spreadsheet would run as a formula get a leading apostrophe. A draft's rows
each say so in a first column, so a copy passed on cannot be taken for published data.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from reports.builders.common import Table

_NUMBER = re.compile(r"^-?[\d,]*\.?\d+%?$")


def defuse(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "=+@\t\r" or (value[0] == "-" and not _NUMBER.match(value)):
        return "'" + value
    return value


def table_csv(table: Table, *, draft: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    lead = ["Draft"] if draft else []
    writer.writerow(lead + table.columns)
    mark = ["DRAFT: not approved"] if draft else []
    for row in table.rows:
        writer.writerow(mark + [defuse(cell.shown) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
