from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from perfmon.demo import DEMO_PASSWORD, DEMO_USERS
from reports.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo council (Derby City's 2024/25 themes and portfolios, the current "
        "reporting year with deadlines around today, and demo users). Safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load even with DEBUG off (or DEMO_ALLOWED=false). The demo password is published.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_ALLOWED and not options["allow_production"]:
            raise CommandError(
                "This looks like production (DEBUG is off): the demo users have a "
                "published password. Pass --allow-production to load them anyway."
            )
        frame = load_demo(today=timezone.localdate())
        years = ", ".join(year.label for year in frame.years)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo council loaded: {len(frame.portfolios)} portfolios, "
                f"reporting years {years}."
            )
        )
        self.stdout.write(f"Sign in at /sign-in/ with password {DEMO_PASSWORD!r} as:")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<9} ({demo.email}): {demo.does}")
