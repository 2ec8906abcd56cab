from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from perfmon import quarters
from reports.annual_table import TableError
from reports.importer import import_results
from reports.models import ImportProfile
from reports.quarterly_import import QuarterlyPlan, read_quarterly_report
from reports.quarterly_writer import import_quarter
from reports.services import MAX_BYTES, read_results_file


class Command(BaseCommand):
    help = (
        "Import a year's annual performance results table (TSV, CSV or XLSX, laid out as "
        "the council publishes it): measures, actions, their Q4 results and last year's "
        "actuals; or, with --quarter, a quarterly performance report. Checks every row "
        "first; writes all of it or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The table: .tsv/.txt, .csv or .xlsx")
        parser.add_argument("--year", required=True, help="The year it reports, e.g. 2024/25")
        parser.add_argument(
            "--quarter",
            type=int,
            help="Read a quarterly performance report of this quarter (1 to 4) instead of "
            "an annual results table: each item's position and supporting information go "
            "into the quarter's approved returns. The year must exist already.",
        )
        parser.add_argument(
            "--profile",
            default="",
            help="Read the table with this saved import profile (its column mapping). "
            "Without it, a file perfmon cannot read by its column names is read with a "
            "profile saved for its header, if there is one.",
        )
        parser.add_argument(
            "--accept-uncertain",
            action="store_true",
            help="With --quarter, take the uncertain matches listed (check them first with "
            "--dry-run).",
        )
        parser.add_argument(
            "--as-new",
            type=int,
            action="append",
            default=[],
            metavar="LINE",
            help="With --quarter, import the item on this line of the report as a new item "
            "rather than its uncertain match (give it once for each line).",
        )
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
        if options["quarter"] is not None:
            self._quarter(path, start_year, options)
            return
        profile = None
        if options["profile"]:
            profile = ImportProfile.objects.filter(name=options["profile"]).first()
            if profile is None:
                names = ", ".join(ImportProfile.objects.values_list("name", flat=True))
                raise CommandError(
                    f"There is no import profile “{options['profile']}”. "
                    + (f"Saved profiles: {names}." if names else "None is saved yet.")
                )
        try:
            table = read_results_file(name=path.name, data=path.read_bytes(), profile=profile)
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

    def _quarter(self, path: Path, start_year: int, options: dict[str, Any]) -> None:
        try:
            plan = self._plan(path, start_year, options["quarter"], options["as_new"])
        except TableError as error:
            raise CommandError(f"{path.name}: {error}") from error
        for warning in plan.warnings:
            self.stdout.write(self.style.WARNING(f"Note, {warning}"))
        for heading, outcome in (
            ("Matched by their text", "matched"),
            ("Uncertain matches, the team's choice", "uncertain"),
            ("New items (portfolio to be assigned)", "new"),
        ):
            matches = plan.by_outcome(outcome)
            if matches:
                self.stdout.write(f"{heading} ({len(matches)}):")
                for match in matches:
                    self.stdout.write(f"  {match}")
        if plan.problems:
            for problem in plan.problems:
                self.stderr.write(f"Problem, {problem}")
            raise CommandError(f"{len(plan.problems)} problem(s): nothing was imported.")
        if plan.by_outcome("uncertain") and not options["accept_uncertain"]:
            raise CommandError(
                "Some matches are uncertain: nothing was imported. Check them, then run "
                "again with --accept-uncertain (and --as-new LINE for any that is wrong), or "
                "correct the report's text."
            )
        result = import_quarter(
            plan=plan,
            user=self._user(options["user"]),
            source=path.name,
            accept_uncertain=options["accept_uncertain"],
            dry_run=options["dry_run"],
        )
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {path.name} for quarter {plan.quarter} {options['year']}: "
                f"{result.summary()}."
            )
        )

    def _plan(self, path: Path, start_year: int, quarter: int, as_new: list[int]) -> QuarterlyPlan:
        """The report's plan, the lines `as_new` taken as new items: each must be an
        uncertain match when matched as perfmon would (raises CommandError if not)."""
        data = path.read_bytes()
        plan = read_quarterly_report(data=data, start_year=start_year, quarter=quarter)
        if not as_new:
            return plan
        wrong = set(as_new) - {m.item.line for m in plan.by_outcome("uncertain")}
        if wrong:
            raise CommandError(
                f"--as-new {', '.join(map(str, sorted(wrong)))}: no uncertain match is on "
                "that line (see the list with --dry-run)."
            )
        return read_quarterly_report(
            data=data, start_year=start_year, quarter=quarter, as_new=set(as_new)
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
