from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from perfmon.demo import DEMO_PASSWORD, DEMO_USERS
from reports.demo import load_demo
from reports.derbyshire_demo import DemoClash, holds_derbyshire, load_derbyshire_demo

COUNCILS = ("derby", "derbyshire")


class Command(BaseCommand):
    help = (
        "Load the demo council: Derby City's 2024/25 themes, portfolios, measures and "
        "actions from its published results, the current reporting year with deadlines "
        "around today and returns in every state, and demo users. Safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load even where DEBUG is off or DEMO_ALLOWED=false (the password is published).",
        )
        parser.add_argument(
            "--council",
            default="derby",
            help="Which council: derby (Derby City, the default) or derbyshire (Derbyshire "
            "County Council's 2021-22 Council Plan, with its rating schemes put in use).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_ALLOWED and not options["allow_production"]:
            raise CommandError(
                "This looks like production (DEBUG is off): the demo users have a "
                "published password. Pass --allow-production to load them anyway."
            )
        council = options["council"].strip().lower()
        if council not in COUNCILS:
            raise CommandError(
                f"There is no demo council {options['council']!r}; the ones known are: "
                f"{', '.join(COUNCILS)}."
            )
        if council == "derbyshire":
            self._load_derbyshire()
            return
        if holds_derbyshire():
            raise CommandError(
                "This database holds the Derbyshire demo, whose 2021/22 overlaps Derby's: "
                "load the Derby demo into a database of its own (a new DATABASE_URL)."
            )
        demo = load_demo(today=timezone.localdate())
        frame, imported = demo.frame, demo.imported
        years = ", ".join(year.label for year in frame.years)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo council loaded: {len(frame.portfolios)} portfolios, current reporting "
                f"year {years}; the published 2024/25 results ({imported.summary()}) and "
                "2021/22 results, with this year's returns in every state."
            )
        )
        self.stdout.write(f"Sign in at /sign-in/ with password {DEMO_PASSWORD!r} as:")
        for person in DEMO_USERS:
            self.stdout.write(f"  {person.username:<9} ({person.email}): {person.does}")

    def _load_derbyshire(self) -> None:
        try:
            demo = load_derbyshire_demo(today=timezone.localdate())
        except DemoClash as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Derbyshire County Council loaded: {demo.deliverables} deliverables and "
                f"{demo.measures} key measures of {demo.year.label}, Q3 and Q4 approved; its "
                "action and measure rating schemes are now in use."
            )
        )
        for line in demo.overridden:
            self.stdout.write(f"  published rating kept as an override: {line}")
        self.stdout.write(f"Sign in at /sign-in/ with password {DEMO_PASSWORD!r} as:")
        for person in DEMO_USERS:
            self.stdout.write(f"  {person.username:<9} ({person.email}): {person.does}")
