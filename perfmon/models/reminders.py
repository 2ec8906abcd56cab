"""Deadline reminders: when people are reminded (rules the performance team edits), and
every email claimed, sent or given up on, with the returns each one was about.

An email row is inserted (claimed) before it is sent, under a unique constraint, so a
second run, a second worker or a retried task finds it and never sends it twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from perfmon.models.frame import Portfolio, Quarter
from perfmon.models.returns import ReturnEvent


class ReminderRule(models.Model):
    """One day, relative to a deadline, on which someone is reminded of a return.

    `days` is negative before the deadline, 0 on the day and positive after it. With
    `repeat_every_days` the reminder comes again every so many days while the return is
    still outstanding (overdue reminders stop after `reminders.OVERDUE_LIMIT_DAYS`).
    """

    class Audience(models.TextChoices):
        OFFICERS = "officers", "Officers of a return not yet submitted"
        DIRECTORS = "directors", "Directors of a return awaiting approval"
        TEAM = "team", "Performance team (what is outstanding)"

    class Deadline(models.TextChoices):
        SUBMISSION = "submission", "Submission deadline"
        APPROVAL = "approval", "Approval deadline"

    audience = models.CharField(max_length=20, choices=Audience.choices)
    deadline = models.CharField(max_length=20, choices=Deadline.choices)
    days = models.SmallIntegerField(
        help_text="Days from the deadline: -14 is 14 days before, 0 the day itself, "
        "1 the day after."
    )
    repeat_every_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Remind again every so many days while still outstanding (7: weekly). "
        "Blank: once.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["audience", "deadline", "days"]
        constraints = [
            models.UniqueConstraint(
                fields=["audience", "deadline", "days"],
                name="reminder_rule_unique",
                violation_error_message="There is already a reminder for these people on this day.",
            ),
            models.CheckConstraint(
                condition=Q(days__gte=-60, days__lte=60), name="reminder_rule_days_in_range"
            ),
            models.CheckConstraint(
                condition=Q(repeat_every_days__isnull=True) | Q(repeat_every_days__gte=1),
                name="reminder_rule_repeat_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_audience_display()}: {self.when}"

    @property
    def when(self) -> str:
        from perfmon.reminders.rules import describe_offset

        deadline = self.get_deadline_display().lower()
        text = describe_offset(self.days, deadline=deadline)
        if self.repeat_every_days:
            text += f", then every {self.repeat_every_days} days"
        return text


class ReminderEmail(models.Model):
    """One email to one person: their daily digest, or a notice of a step in a return's
    life. Inserted before it is sent; `sent_at` is set once it has gone."""

    class Kind(models.TextChoices):
        DIGEST = "digest", "Daily reminder digest"
        EVENT = "event", "Return event notice"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_emails"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    on_date = models.DateField(help_text="The day the reminders were for.")
    event = models.ForeignKey(
        ReturnEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sending_since = models.DateTimeField(
        null=True, blank=True, help_text="Set while a worker is sending it."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    failed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the last retry failed: nothing more is tried."
    )
    subject = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-on_date", "recipient__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "on_date"],
                condition=Q(kind="digest"),
                name="reminder_one_digest_per_person_per_day",
            ),
            models.UniqueConstraint(
                fields=["recipient", "event"],
                condition=Q(event__isnull=False),
                name="reminder_one_notice_per_person_per_event",
            ),
            models.CheckConstraint(
                condition=Q(kind="digest", event__isnull=True)
                | Q(kind="event", event__isnull=False),
                name="reminder_event_only_on_notices",
            ),
        ]
        indexes = [models.Index(fields=["on_date", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} for {self.on_date:%-d %B %Y}"

    @property
    def status(self) -> str:
        if self.sent_at:
            return "Sent"
        if self.failed_at:
            return "Failed"
        return "Retrying" if self.attempts else "Waiting"


class Reminder(models.Model):
    """One line of a digest: a person reminded, on a day, about one portfolio's return
    for one quarter, `days` from its deadline."""

    class Kind(models.TextChoices):
        TO_SUBMIT = "to_submit", "Return to submit"
        TO_APPROVE = "to_approve", "Return to approve"
        NOT_SUBMITTED = "not_submitted", "Return not submitted"
        NOT_APPROVED = "not_approved", "Return not approved"

    email = models.ForeignKey(ReminderEmail, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="+")
    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="+")
    on_date = models.DateField()
    deadline = models.DateField()
    days = models.SmallIntegerField(help_text="Days from the deadline: negative is before.")

    class Meta:
        ordering = ["on_date", "kind", "portfolio__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "portfolio", "quarter", "on_date"],
                name="reminder_once_per_person_kind_return_day",
            )
        ]
        indexes = [models.Index(fields=["portfolio", "quarter"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.portfolio}, {self.quarter} to {self.recipient}"
