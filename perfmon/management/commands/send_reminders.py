from collections import defaultdict
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from perfmon import reminders
from perfmon.models import Portfolio, Quarter, Reminder, User
from perfmon.reminders.rules import describe_due


class Command(BaseCommand):
    help = (
        "Send the deadline reminders due on a day (today unless --date), as the daily Celery "
        "job does, but here and now without a worker. Each person gets one digest a day at "
        "most: running it twice, or after the job, sends nothing twice. --dry-run prints "
        "what would be sent and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", help="The day to send reminders for, YYYY-MM-DD (default: today)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be sent; send nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD: {error}") from error
        run = reminders.run_daily_reminders(on=on, dry_run=options["dry_run"])
        self._print_plan(run)
        if options["dry_run"]:
            self.stdout.write(f"Dry run: nothing sent for {on:%A %-d %B %Y}.")
            return
        sent = failed = 0
        for email_id in run.to_send:
            try:
                outcome = reminders.deliver_email(email_id=email_id)
            except reminders.SendFailed as failure:
                failed += 1
                self.stderr.write(f"Email {email_id} failed ({failure}); it will be retried.")
                continue
            sent += outcome is reminders.Outcome.SENT
            if outcome is not reminders.Outcome.SENT:
                self.stdout.write(f"Email {email_id}: {outcome.value}.")
        style = self.style.SUCCESS if not failed else self.style.WARNING
        self.stdout.write(style(f"{on:%A %-d %B %Y}: {sent} email(s) sent, {failed} failed."))

    def _print_plan(self, run: reminders.DailyRun) -> None:
        if not run.planned:
            self.stdout.write(f"No reminders are due on {run.on:%A %-d %B %Y}.")
            return
        people = User.objects.in_bulk({p.recipient_id for p in run.planned})
        portfolios = Portfolio.objects.in_bulk({p.portfolio_id for p in run.planned})
        quarters = Quarter.objects.select_related("year").in_bulk(
            {p.quarter_id for p in run.planned}
        )
        kinds = dict(Reminder.Kind.choices)
        by_person: dict[int, list[reminders.Planned]] = defaultdict(list)
        for planned in run.planned:
            by_person[planned.recipient_id].append(planned)
        for user_id, lines in sorted(by_person.items(), key=lambda i: people[i[0]].username):
            person = people[user_id]
            self.stdout.write(f"{person.display_name} <{person.email}>: {len(lines)} reminder(s)")
            for line in sorted(lines, key=lambda p: (p.kind, portfolios[p.portfolio_id].name)):
                self.stdout.write(
                    f"  {kinds[line.kind]}: {portfolios[line.portfolio_id].name}, "
                    f"{quarters[line.quarter_id]} – {describe_due(line.days)}"
                )
