"""A report as a file: what was asked for (`FileSpec`) and the bytes that answer it.

The same function makes a file in the request (drafts; formats no worker builds) and on
a Celery worker, so a kept file is exactly what the request would have made. Nothing here
keeps anything: see reports.report_files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from perfmon.models import CouncilSettings
from reports import csv as report_csv
from reports import pdf, xlsx
from reports.builders.common import Filters
from reports.catalogue import REPORTS

FORMATS = ("xlsx", "pdf", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}
# What each format is called on the page that waits for it.
FORMAT_NAMES = {"xlsx": "Excel workbook", "pdf": "PDF", "csv": "CSV file"}

Progress = Callable[[str, int], None]


class NoSuchTable(LookupError):
    """A CSV asked for by a table slug the report does not have."""


@dataclass(frozen=True)
class FileSpec:
    """One file of one report: which report, for which filters, in which format. `table`
    is the CSV's table slug ("" for the report's first table)."""

    slug: str
    filters: Filters
    fmt: str
    table: str = ""

    def identity(self) -> dict[str, Any]:
        """What was asked for, as plain values (the kept file's key is made from these)."""
        filters = self.filters
        return {
            "slug": self.slug,
            "year": filters.year.start_year,
            "quarter": filters.quarter,
            "theme": filters.theme.pk if filters.theme else None,
            "portfolio": filters.portfolio.pk if filters.portfolio else None,
            "draft": filters.draft,
            "format": self.fmt,
            "table": self.table if self.fmt == "csv" else "",
        }

    @property
    def base_name(self) -> str:
        draft = "-draft" if self.filters.draft else ""
        return f"{self.slug}-{self.filters.year.start_year}-q{self.filters.quarter}{draft}"

    @property
    def format_name(self) -> str:
        return FORMAT_NAMES[self.fmt]


@dataclass(frozen=True)
class BuiltFile:
    data: bytes
    file_name: str
    content_type: str


def _no_progress(step: str, percent: int) -> None:
    return None


def make_file(spec: FileSpec, *, progress: Progress = _no_progress) -> BuiltFile:
    """Build the report and write it in the format asked for; `progress(step, percent)` is
    told each step. Raises NoSuchTable for a CSV of a table the report does not have."""
    report = REPORTS[spec.slug]
    progress("Reading the returns", 10)
    result = report.builder(spec.filters)
    keys = getattr(result, "keys", [])
    content_type = CONTENT_TYPES[spec.fmt]
    if spec.fmt == "csv":
        tables = {table.slug: table for table in result.tables()}
        table = tables.get(spec.table or next(iter(tables)))
        if table is None:
            raise NoSuchTable(f"The {report.title.lower()} has no table called “{spec.table}”.")
        progress("Writing the table", 60)
        data = report_csv.table_csv(table, draft=spec.filters.draft)
        return BuiltFile(data, f"{spec.base_name}-{table.slug}.csv", content_type)
    if spec.fmt == "xlsx":
        progress("Writing the workbook", 50)
        data = xlsx.workbook(
            result.tables(),
            heading=report.title,
            council=CouncilSettings.current().name,
            filters=spec.filters,
            keys=keys,
        )
        return BuiltFile(data, f"{spec.base_name}.xlsx", content_type)
    progress("Laying out the pages", 30)
    html = render_to_string(
        "reports/pdf.html",
        {
            "report": report,
            "filters": spec.filters,
            "result": result,
            "body": f"reports/_{spec.slug}.html",
            "keys": keys,
            # The page's context processor is not there on a worker: say it here.
            "council_name": CouncilSettings.current().name,
            "logo_src": CouncilSettings.logo_data_uri(),
        },
    )
    data = pdf.pdf_bytes(html, base_url=settings.SITE_URL)
    return BuiltFile(data, f"{spec.base_name}.pdf", content_type)
