from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reports.report_files import prune_report_files


class Command(BaseCommand):
    help = (
        "Delete kept report files (PDF, XLSX, CSV) older than 30 days; with --all, every "
        "kept file. Files are also dropped as newer ones replace them, so this is only "
        "needed to reclaim space at once. Nothing is lost: a file is made again when asked for."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="Delete every kept file, whatever its age."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = prune_report_files(everything=options["all"])
        self.stdout.write(f"Deleted {deleted} kept report file{'s' if deleted != 1 else ''}.")
