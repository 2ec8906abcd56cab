import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from perfmon import quarters
from perfmon.models import ReportingYear
from reports.exporter import FORMATS, render, table_rows


class Command(BaseCommand):
    help = (
        "Write a year's annual performance results table (TSV, CSV or XLSX) in the layout "
        "import_results reads back. Writes to standard output unless --output is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", required=True, help="e.g. 2024/25")
        parser.add_argument("--format", choices=FORMATS, default="tsv")
        parser.add_argument("--output", default="", help="File to write (default: stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start_year = quarters.parse_year_label(options["year"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        year = ReportingYear.objects.filter(start_year=start_year).first()
        if year is None:
            raise CommandError(f"There is no {quarters.year_label(start_year)} reporting year.")
        data = render(table_rows(year), options["format"])
        if options["output"]:
            Path(options["output"]).write_bytes(data)
            self.stderr.write(f"Wrote {options['output']}.")
        elif options["format"] == "xlsx":
            sys.stdout.buffer.write(data)
        else:
            self.stdout.write(data.decode("utf-8"), ending="")
