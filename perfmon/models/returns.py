"""Quarterly returns: one portfolio's updates for one quarter, and their workflow trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from simple_history.models import HistoricalRecords

from perfmon.models.frame import Portfolio, Quarter, User

TEXT_LIMIT = 10_000
"""The most characters a free text of a return keeps: commentary, reasons, comments,
controls and further actions, in every kind's quarterly update and in a return's trail."""


def within_text_limit(*fields: str, name: str) -> models.CheckConstraint:
    """The database's own check that none of `fields` holds more than TEXT_LIMIT
    characters, whatever path wrote them."""
    return models.CheckConstraint(
        condition=Q(*(LessThanOrEqual(Length(field), TEXT_LIMIT) for field in fields)),
        name=name,
        violation_error_message=f"Free text can be up to {TEXT_LIMIT:,} characters.",
    )


class ReturnQuerySet(models.QuerySet["Return"]):
    def with_frame(self) -> ReturnQuerySet:
        return self.select_related("portfolio", "quarter__year")


class Return(models.Model):
    """A portfolio's quarterly return. Item kinds hang their updates off it."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned for changes"
        APPROVED = "approved", "Approved"
        REOPENED = "reopened", "Reopened"

    EDITABLE_STATES = frozenset({State.DRAFT, State.RETURNED, State.REOPENED})

    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="returns")
    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="returns")
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()
    objects = ReturnQuerySet.as_manager()
    _history_user: User | None  # who simple-history records as making the next change

    class Meta:
        ordering = ["-quarter__year__start_year", "-quarter__number", "portfolio__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "quarter"], name="return_unique_per_portfolio_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.portfolio} – {self.quarter}"

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES

    @property
    def is_locked(self) -> bool:
        return self.state == self.State.APPROVED


class ReturnEvent(models.Model):
    """One step in a return's life: who did what, when, and why."""

    class Action(models.TextChoices):
        SAVED = "saved", "Saved"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned to officers"
        APPROVED = "approved", "Approved"
        REOPENED = "reopened", "Reopened"
        CHASED = "chased", "Officers chased"
        CHASED_DIRECTORS = "chased_directors", "Directors chased"
        EXTENDED = "extended", "Submission deadline extended"

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=20, choices=Return.State.choices)
    to_state = models.CharField(max_length=20, choices=Return.State.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The director a deputy decided for.",
    )
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["ret", "action", "user"])]
        constraints = [within_text_limit("comment", name="return_event_comment_limit")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.user} at {self.at:%Y-%m-%d %H:%M}"
