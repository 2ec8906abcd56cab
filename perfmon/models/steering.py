"""How the performance team steers a quarter: a later submission deadline for one
portfolio (an extension), and a deputy who covers an absent director's decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from perfmon.models.frame import Portfolio, Quarter
from perfmon.models.returns import TEXT_LIMIT, within_text_limit


class Extension(models.Model):
    """One portfolio's later submission deadline for one quarter. The approval deadline
    moves by as many days (perfmon.steering.deadlines_for)."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="extensions")
    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="extensions")
    submission_deadline = models.DateField()
    reason = models.TextField(max_length=TEXT_LIMIT)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["quarter", "portfolio__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "quarter"], name="extension_one_per_portfolio_quarter"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="extension_has_reason"),
            within_text_limit("reason", name="extension_reason_limit"),
        ]

    def __str__(self) -> str:
        return f"{self.portfolio}, {self.quarter}: due {self.submission_deadline:%-d %B %Y}"


class DeputyQuerySet(models.QuerySet["Deputy"]):
    def covering(self, day: object) -> DeputyQuerySet:
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class Deputy(models.Model):
    """Someone who decides a portfolio's returns for an absent director, from `starts_on`
    to `ends_on` inclusive. The trail records the director they stood in for."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="deputies")
    director = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deputised_by"
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deputy_for"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    named_at = models.DateTimeField(default=timezone.now)
    objects = DeputyQuerySet.as_manager()
    # Who named, ended or withdrew each cover, and when: a decision's trail names a deputy.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "portfolio__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="deputy_range_in_order",
                violation_error_message="The cover cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=~Q(deputy=F("director")), name="deputy_not_the_director"
            ),
        ]
        indexes = [models.Index(fields=["deputy", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return (
            f"{self.deputy} for {self.director}, {self.portfolio}: "
            f"{self.starts_on:%-d %b %Y} to {self.ends_on:%-d %b %Y}"
        )
