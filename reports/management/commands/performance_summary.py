"""python manage.py performance_summary --year 2024/25 [--quarter 4] --format json|csv|table"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from perfmon import quarters
from perfmon.models import ReportingYear
from reports import conventions
from reports.builders.common import Filters
from reports.builders.summary import build_summary

KEYS = (
    "theme",
    "measures",
    "actions",
    "risks",
    "projects",
    "measures_meeting_target_pct",
    "measures_improved_pct",
    "actions_on_track_pct",
    "projects_green_or_amber_pct",
)


class Command(BaseCommand):
    help = (
        "Print the performance summary by Council Plan theme for a year and quarter, from "
        "approved returns: one line per theme and one for the whole council (theme null). "
        "Percentages are null where nothing counts; how they are counted is the "
        "counting convention chosen in the admin, or --convention (see "
        "docs/importing-history.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", required=True, help="The reporting year, like 2024/25.")
        parser.add_argument(
            "--quarter", type=int, default=4, choices=[1, 2, 3, 4], help="Default 4 (outturn)."
        )
        parser.add_argument("--format", choices=["json", "csv", "table"], default="json")
        parser.add_argument(
            "--convention",
            choices=list(conventions.PRESETS),
            help="Count by this convention instead of the one chosen in the admin.",
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Include returns not yet approved (a draft: never publish it).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start_year = quarters.parse_year_label(options["year"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        year = ReportingYear.objects.filter(start_year=start_year).first()
        if year is None:
            raise CommandError(f"There is no reporting year {quarters.year_label(start_year)}.")
        summary = build_summary(
            Filters(year=year, quarter=options["quarter"], draft=options["draft"]),
            convention=conventions.PRESETS[options["convention"]]
            if options["convention"]
            else None,
        )
        rows = [row.as_json() for row in summary.rows]
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(json.dumps(rows, indent=2))
        elif fmt == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(
                buffer, fieldnames=KEYS, lineterminator="\n", extrasaction="ignore"
            )
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
            self.stdout.write(buffer.getvalue(), ending="")
        else:
            self.stdout.write(_table(rows))
            for note in summary.notes:
                self.stdout.write(f"* {note}")


def _table(rows: list[dict[str, Any]]) -> str:
    headings = [
        "Theme",
        "Measures",
        "Actions",
        "Risks",
        "Projects",
        "% met",
        "% improved",
        "% actions",
        "% projects",
    ]
    lines = [
        [
            row["theme"] or "Whole council",
            *(str(row[key]) for key in KEYS[1:5]),
            *("N/A" if row[key] is None else f"{row[key]:g}%" for key in KEYS[5:]),
        ]
        for row in rows
    ]
    widths = [max(len(cell) for cell in column) for column in zip(headings, *lines, strict=True)]

    def line(cells: list[str]) -> str:
        first, *rest = cells
        return "  ".join(
            [first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))]
        )

    return "\n".join([line(headings), "  ".join("-" * w for w in widths), *map(line, lines)])
