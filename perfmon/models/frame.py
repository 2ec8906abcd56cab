"""The frame of the performance cycle: people, reporting years and quarters, Council Plan
themes, Cabinet portfolios and who holds which role on which portfolio."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from perfmon import quarters

PERFORMANCE_TEAM_GROUP = "Performance team"

FIRST_YEAR, LAST_YEAR = 2000, 2099
year_validators = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]


class User(AbstractUser):
    """A person who signs in. Email addresses are unique so they can sign in with either."""

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="user_email_unique_ci",
                violation_error_message="Another user already has this email address.",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def is_performance_team(self) -> bool:
        if not self.is_active:
            return False
        return self.is_superuser or self.groups.filter(name=PERFORMANCE_TEAM_GROUP).exists()


class ReportingYearQuerySet(models.QuerySet["ReportingYear"]):
    def containing(self, day: date) -> ReportingYearQuerySet:
        return self.filter(start_year=quarters.quarter_containing(day)[0])


class ReportingYear(models.Model):
    """A financial year, 1 April to 31 March, named like 2024/25.

    Years cannot overlap: each is the fixed April-to-March span of its start year, and the
    start year is unique.
    """

    start_year = models.PositiveSmallIntegerField(
        unique=True,
        validators=year_validators,
        help_text="The calendar year the financial year starts in: 2024 for 2024/25.",
        error_messages={"unique": "That reporting year already exists."},
    )
    history = HistoricalRecords()
    objects = ReportingYearQuerySet.as_manager()

    class Meta:
        ordering = ["-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__gte=FIRST_YEAR, start_year__lte=LAST_YEAR),
                name="reporting_year_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return quarters.year_label(self.start_year)

    @property
    def starts_on(self) -> date:
        return quarters.year_bounds(self.start_year)[0]

    @property
    def ends_on(self) -> date:
        return quarters.year_bounds(self.start_year)[1]


class QuarterQuerySet(models.QuerySet["Quarter"]):
    def being_reported(self, day: date) -> QuarterQuerySet:
        start_year, number = quarters.quarter_being_reported(day)
        return self.filter(year__start_year=start_year, number=number)


class Quarter(models.Model):
    """One quarter of a reporting year, with the deadlines for its returns.

    The dates of the quarter are stored (not only derived) so the database itself can
    refuse a deadline that falls before the quarter has ended.
    """

    class Number(models.IntegerChoices):
        Q1 = 1, "Quarter 1"
        Q2 = 2, "Quarter 2"
        Q3 = 3, "Quarter 3"
        Q4 = 4, "Quarter 4"

    year = models.ForeignKey(ReportingYear, on_delete=models.CASCADE, related_name="quarters")
    number = models.PositiveSmallIntegerField(choices=Number.choices)
    starts_on = models.DateField(editable=False)
    ends_on = models.DateField(editable=False)
    submission_deadline = models.DateField(
        null=True,
        blank=True,
        help_text="Officers submit their portfolio's return by this date (after the quarter ends).",
    )
    approval_deadline = models.DateField(
        null=True,
        blank=True,
        help_text="Directors approve or return it by this date (on or after the submission "
        "deadline).",
    )
    history = HistoricalRecords()
    objects = QuarterQuerySet.as_manager()

    class Meta:
        ordering = ["-year__start_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="quarter_unique_per_year"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=4), name="quarter_number_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="quarter_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(submission_deadline__isnull=True)
                | Q(submission_deadline__gt=F("ends_on")),
                name="quarter_submission_after_end",
                violation_error_message="The submission deadline must be after the quarter ends.",
            ),
            models.CheckConstraint(
                condition=Q(approval_deadline__isnull=True)
                | Q(
                    submission_deadline__isnull=False,
                    approval_deadline__gte=F("submission_deadline"),
                ),
                name="quarter_approval_after_submission",
                violation_error_message="The approval deadline must be on or after the "
                "submission deadline.",
            ),
        ]

    def __str__(self) -> str:
        return f"Q{self.number} {self.year.label}"

    @property
    def months(self) -> str:
        """'July to September 2026'."""
        return f"{quarters.QUARTER_MONTHS[self.number]} {self.ends_on.year}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        ends = self.ends_on
        if self.submission_deadline and ends and self.submission_deadline <= ends:
            errors["submission_deadline"] = (
                f"The submission deadline must be after the quarter ends on {ends:%-d %B %Y}."
            )
        if self.approval_deadline:
            if not self.submission_deadline:
                errors["approval_deadline"] = "Set the submission deadline first."
            elif self.approval_deadline < self.submission_deadline:
                errors["approval_deadline"] = (
                    "The approval deadline must be on or after the submission deadline "
                    f"({self.submission_deadline:%-d %B %Y})."
                )
        if errors:
            raise ValidationError(errors)


class CouncilPlan(models.Model):
    """A Council Plan (or Delivery Plan) and the reporting years it covers."""

    name = models.CharField(max_length=200, unique=True)
    first_year = models.PositiveSmallIntegerField(
        validators=year_validators, help_text="Start year of the first year covered: 2024."
    )
    last_year = models.PositiveSmallIntegerField(
        validators=year_validators, help_text="Start year of the last year covered: 2027."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-first_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")),
                name="council_plan_years_in_order",
                violation_error_message="The last year covered cannot come before the first.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.years_label})"

    @property
    def years_label(self) -> str:
        first, last = quarters.year_label(self.first_year), quarters.year_label(self.last_year)
        return first if first == last else f"{first} to {last}"


class ThemeQuerySet(models.QuerySet["Theme"]):
    def for_year(self, year: ReportingYear) -> ThemeQuerySet:
        return self.filter(
            plan__first_year__lte=year.start_year, plan__last_year__gte=year.start_year
        )


class Theme(models.Model):
    """A Council Plan priority, such as "A Green City"."""

    plan = models.ForeignKey(CouncilPlan, on_delete=models.PROTECT, related_name="themes")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()
    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="theme_unique_in_plan")
        ]

    def __str__(self) -> str:
        return self.name


class Portfolio(models.Model):
    """A Cabinet portfolio, such as "Governance and Finance"."""

    name = models.CharField(max_length=200, unique=True)
    is_active = models.BooleanField(
        default=True, help_text="Untick when the portfolio no longer exists; history is kept."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PortfolioRole(models.Model):
    """Who is an officer or a director on which portfolio."""

    class Role(models.TextChoices):
        OFFICER = "officer", "Officer"
        DIRECTOR = "director", "Director"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="portfolio_roles")
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["portfolio__name", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "portfolio", "role"], name="portfolio_role_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.portfolio}"

    def unique_error_message(
        self, model_class: type[models.Model], unique_check: Sequence[str]
    ) -> ValidationError:
        if set(unique_check) == {"user", "portfolio", "role"}:
            return ValidationError(
                "This person already holds this role on this portfolio.", code="unique_together"
            )
        return super().unique_error_message(model_class, unique_check)
