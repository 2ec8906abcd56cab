"""What every item kind shares: abstract base models for an item (a measure, an action, a
project, a risk) and for its quarterly update, one row per item per return.

A kind declares its own fields, its `ret` link (named for its kind) and its rules; the
plumbing the return, the merge and the item pages rely on is here once.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.utils import timezone

from perfmon.models.frame import Portfolio, ReportingYear, Theme
from perfmon.models.returns import Return


class ItemQuerySet(models.QuerySet[Any]):
    def for_portfolio_year(self, portfolio: Portfolio, year: ReportingYear) -> Self:
        return self.filter(portfolio=portfolio, year=year).select_related("theme")


class Item(models.Model):
    """One item of a reporting year: its reference (unique in the year), the portfolio that
    reports it, the Council Plan theme it serves, and the same item last year."""

    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="%(class)ss")
    reference = models.CharField(max_length=40)
    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="%(class)ss")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="%(class)ss")
    previous = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next",
        help_text="The same item last year, so its history carries on after a rename.",
    )
    objects = ItemQuerySet.as_manager()
    history: ClassVar[Any]  # each kind's HistoricalRecords

    class Meta:
        abstract = True
        ordering = ["year", "portfolio", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "reference"], name="%(class)s_ref_unique_in_year"
            )
        ]


class UpdateQuerySet(models.QuerySet[Any]):
    def approved(self) -> Self:
        return self.filter(ret__state=Return.State.APPROVED)


class ItemUpdate(models.Model):
    """An item's update for one quarter, part of its portfolio's return.

    `version` counts the saves: a save merges against the version the person loaded
    (perfmon.item_sections). A kind names the foreign key to its item in ITEM_FIELD and
    works out its stored values (a status, a RAG, a score) in `derive`.
    """

    ITEM_FIELD: ClassVar[str]
    history: ClassVar[Any]  # each kind's HistoricalRecords

    ret = models.ForeignKey(Return, on_delete=models.PROTECT, related_name="%(class)ss")
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    objects = UpdateQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def item(self) -> Item:
        item: Item = getattr(self, self.ITEM_FIELD)
        return item

    @property
    def item_id(self) -> int:
        item_id: int = getattr(self, f"{self.ITEM_FIELD}_id")
        return item_id

    def derive(self, **context: Any) -> None:
        """Work out the stored values from what was entered (nothing, unless a kind says)."""
