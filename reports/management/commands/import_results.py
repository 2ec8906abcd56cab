from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from perfmon import quarters
from reports.annual_table import TableError
from reports.importer import import_results
from reports.services import MAX_BYTES, read_results_file


class Command(BaseCommand):
    help = (
        "Import a year's annual performance results table (TSV, CSV or XLSX, laid out as "
        "the council publishes it): measures, actions, their Q4 results and last year's "
        "actuals. Checks every row first; writes all of it or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The table: .tsv/.txt, .csv or .xlsx")
        parser.add_argument("--year", required=True, help="The year it reports, e.g. 2024/25")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change, and change nothing."
        )
        parser.add_argument(
            "--user",
            default="",
            help="Username recorded in the history (default: the first superuser).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start_year = quarters.parse_year_label(options["year"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path.name} is larger than {MAX_BYTES // 1024 // 1024} MB.")
        try:
            table = read_results_file(name=path.name, data=path.read_bytes())
        except TableError as error:
            raise CommandError(f"{path.name}: {error}") from error
        for warning in table.warnings:
            self.stdout.write(self.style.WARNING(f"Note, {warning}"))
        if table.problems:
            for problem in table.problems:
                self.stderr.write(f"Problem, {problem}")
            raise CommandError(f"{len(table.problems)} problem row(s): nothing was imported.")
        result = import_results(
            table=table,
            start_year=start_year,
            user=self._user(options["user"]),
            source=path.name,
            dry_run=options["dry_run"],
        )
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {path.name} for {options['year']}: {result.summary()}.")
        )
        if result.no_polarity:
            self.stdout.write(
                "Polarity could not be worked out for these measures; set it in the admin: "
                + ", ".join(result.no_polarity)
            )

    def _user(self, username: str) -> Any:
        User = get_user_model()
        user = (
            User.objects.filter(username=username).first()
            if username
            else User.objects.filter(is_superuser=True).order_by("pk").first()
            or User.objects.filter(groups__name="Performance team").order_by("pk").first()
        )
        if user is None:
            raise CommandError("Name the user to record in the history with --user.")
        return user
