"""Performance measures and Council Plan actions, and their quarterly updates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from measures import rules
from measures.action_schemes import ActionRating
from measures.action_schemes import ActionScheme as ActionScheme
from measures.values import ValueParseError, bounded
from perfmon.cached import Cached
from perfmon.models.items import Item, ItemUpdate
from perfmon.models.returns import within_text_limit


def as_stored(value: Decimal | None) -> Decimal | None:
    """A value as a ValueField reads it back: 2.0 becomes 2, 93.250 becomes 93.25."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


class ValueField(models.DecimalField):
    """A measured value. Read back without the storage's trailing zeros, so 58 shows as
    58% and not 58.000000%."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 20)
        kwargs.setdefault("decimal_places", 6)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        return None if value is None else as_stored(Decimal(value))

    @property
    def validators(self) -> list[Any]:
        # The bound said in words ("Enter a number smaller than 100,000,000,000,000")
        # instead of Django's count of digits; imports that clean their rows say it too.
        kept = [v for v in super().validators if not isinstance(v, DecimalValidator)]
        return [*kept, validate_storable]

    def formfield(self, **kwargs: Any) -> Any:
        from measures.forms import ValueFormField  # the forms import these models

        return super().formfield(**{"form_class": ValueFormField, **kwargs})


def validate_storable(value: Decimal) -> None:
    """Refuses, in words, a value the database cannot keep (10^14 or more either way)."""
    try:
        bounded(value)
    except ValueParseError as error:
        raise ValidationError(str(error), code="too_big") from error


class RatingScheme(models.Model):
    """A council's rating scheme (Blue/Green/Amber/Red, Strong/Good/Review/Action...).

    Exactly one scheme is in use; statuses already given are stored with the update, so
    switching schemes never re-rates a quarter that has been reported.
    """

    name = models.CharField(max_length=100, unique=True)
    in_use = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["in_use"],
                condition=Q(in_use=True),
                name="rating_scheme_one_in_use",
                violation_error_message="Only one rating scheme can be in use.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def as_rules(self) -> rules.Scheme:
        """The scheme for the pure rating functions. Expects `bands` prefetched or loads them."""
        return rules.Scheme(
            name=self.name,
            bands=tuple(
                rules.Band(
                    key=band.key,
                    label=band.label,
                    colour=band.colour,
                    floor=band.floor,
                    floor_inclusive=band.floor_inclusive,
                    high_target_above=band.high_target_above,
                    high_target_floor=band.high_target_floor,
                    high_target_unit=rules.Unit(band.high_target_unit)
                    if band.high_target_unit
                    else None,
                )
                for band in self.bands.all()
            ),
        )


class RatingBand(models.Model):
    scheme = models.ForeignKey(RatingScheme, on_delete=models.CASCADE, related_name="bands")
    position = models.PositiveSmallIntegerField(help_text="1 for the best band.")
    key = models.SlugField(max_length=30)
    label = models.CharField(max_length=50)
    colour = models.CharField(
        max_length=20, help_text="A GOV.UK tag colour: blue, green, yellow, orange, red, grey."
    )
    floor = models.DecimalField(
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Lowest % deviation from target (+ is better) in this band; blank for the "
        "worst band.",
    )
    floor_inclusive = models.BooleanField(default=True)
    high_target_above = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    high_target_floor = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    high_target_unit = models.CharField(
        max_length=20,
        blank=True,
        help_text="Apply the high-target floor only to measures in this unit (percentage).",
    )
    description = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "key"], name="rating_band_key_unique"),
            models.UniqueConstraint(
                fields=["scheme", "position"], name="rating_band_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme}: {self.label}"


class Measure(Item):
    class Unit(models.TextChoices):
        PERCENTAGE = rules.Unit.PERCENTAGE.value, "Percentage"
        COUNT = rules.Unit.COUNT.value, "Count"
        CURRENCY = rules.Unit.CURRENCY.value, "Currency (£)"
        RATE_PER_1000 = rules.Unit.RATE_PER_1000.value, "Rate per 1,000"
        RATE_PER_10000 = rules.Unit.RATE_PER_10000.value, "Rate per 10,000"
        RATE_PER_100000 = rules.Unit.RATE_PER_100000.value, "Rate per 100,000"
        DAYS = rules.Unit.DAYS.value, "Days"
        KG = rules.Unit.KG.value, "Kilograms"
        KM = rules.Unit.KM.value, "Kilometres"
        SCORE = rules.Unit.SCORE.value, "Score"

    class Polarity(models.TextChoices):
        HIGHER = rules.Polarity.HIGHER.value, "Higher is better"
        LOWER = rules.Polarity.LOWER.value, "Lower is better"
        NONE = rules.Polarity.NONE.value, "No polarity (contextual)"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual collection"
        IN_ARREARS = "in_arrears", "Quarterly, a quarter in arrears"

    description = models.TextField()
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.COUNT)
    polarity = models.CharField(max_length=10, choices=Polarity.choices, default=Polarity.HIGHER)
    frequency = models.CharField(
        max_length=20, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    target = ValueField(
        null=True, blank=True, help_text="The year's target. Leave blank for no target."
    )
    history = HistoricalRecords()
    # The quarter's own target, where the return page read it: {number: value}.
    own_targets: dict[int, Decimal]

    def __str__(self) -> str:
        return f"{self.reference} {self.description}"

    def target_for(self, quarter_number: int) -> Decimal | None:
        """The quarter's own target where one is set, else the year's. Uses the target the
        return page read (MeasureSection.load_items), or prefetched `quarter_targets`."""
        if hasattr(self, "own_targets"):
            return self.own_targets.get(quarter_number, self.target)
        for quarter_target in self.quarter_targets.all():
            if quarter_target.quarter_number == quarter_number:
                return quarter_target.value
        return self.target


class QuarterTarget(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="quarter_targets")
    quarter_number = models.PositiveSmallIntegerField(choices=[(n, f"Q{n}") for n in range(1, 5)])
    value = ValueField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "quarter_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "quarter_number"], name="quarter_target_unique"
            ),
            models.CheckConstraint(
                condition=Q(quarter_number__gte=1, quarter_number__lte=4),
                name="quarter_target_number_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure.reference} Q{self.quarter_number}: {self.value}"


class MeasureUpdate(ItemUpdate):
    """A measure's result for one quarter, part of its portfolio's return."""

    class MissingReason(models.TextChoices):
        NOT_YET_AVAILABLE = "not_yet_available", "Data not yet available"
        NOT_MEASURED = "not_measured", "Not measured this year"
        ANNUAL_COLLECTION = "annual_collection", "Annual collection"

    ITEM_FIELD = "measure"
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="updates")
    actual = ValueField(null=True, blank=True)
    missing_reason = models.CharField(max_length=30, choices=MissingReason.choices, blank=True)
    provisional = models.BooleanField(default=False)
    forecast = models.BooleanField(default=False)
    period_label = models.CharField(
        max_length=40, blank=True, help_text='When the data is for an earlier period: "Q3 data".'
    )
    commentary = models.TextField(blank=True)
    target = ValueField(null=True, blank=True)
    status = models.CharField(max_length=50, blank=True)
    status_colour = models.CharField(max_length=20, blank=True)
    status_explained = models.CharField(max_length=300, blank=True)
    status_override = models.CharField(max_length=50, blank=True)
    override_reason = models.TextField(blank=True)
    # A data-quality warning on the actual (measures.quality) the officer confirmed: the
    # value is right. Blank when the actual raised none.
    quality_warning = models.CharField(max_length=500, blank=True)
    value_confirmed = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["measure", "ret"], name="measure_update_unique"),
            models.CheckConstraint(
                condition=Q(status_override="") | ~Q(override_reason=""),
                name="measure_override_needs_reason",
                violation_error_message="Give a reason for overriding the status.",
            ),
            within_text_limit("commentary", "override_reason", name="measure_update_text_limit"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.reference} {self.ret.quarter}"

    @property
    def shown_status(self) -> str:
        return self.status_override or self.status

    def rate(self, *, measure: Measure, target: Decimal | None, scheme: rules.Scheme) -> None:
        """Store the target the quarter is measured against, and the status the scheme
        gives the actual against it, with the sentence explaining it."""
        self.target = target
        unit = rules.Unit(measure.unit)
        if self.actual is None and self.missing_reason:
            label = MeasureUpdate.MissingReason(self.missing_reason).label
            self.status, self.status_colour, self.status_explained = "N/A", "grey", label
            return
        rating = rules.rate_measure(
            actual=self.actual,
            target=target,
            polarity=rules.Polarity(measure.polarity),
            scheme=scheme,
            unit=unit,
        )
        explained = rules.explain_rating(rating, target=target, unit=unit, scheme=scheme)
        if rating.band is not None:
            self.status, self.status_colour = rating.band.label, rating.band.colour
        elif rating.outcome == rules.Outcome.NO_TARGET:
            self.status, self.status_colour = "No target", "grey"
        else:
            self.status, self.status_colour = "N/A", "grey"
        self.status_explained = explained[:300]


class Action(Item):
    """A Council Plan action or milestone."""

    description = models.TextField()
    original_completion = models.DateField(
        null=True, blank=True, help_text="The completion date first planned, where it moved."
    )
    expected_completion = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.reference} {self.description}"


class ActionUpdate(ItemUpdate):
    class Status(models.TextChoices):
        COMPLETED = "completed", "Completed"
        ON_TRACK = "on_track", "On track"
        SOME_SLIPPAGE = "some_slippage", "Some slippage"
        MAJOR_SLIPPAGE = "major_slippage", "Major slippage"
        NOT_APPLICABLE = "n/a", "N/A"

    COLOURS: dict[str, tuple[str, str]] = {
        Status.COMPLETED: ("Blue", "blue"),
        Status.ON_TRACK: ("Green", "green"),
        Status.SOME_SLIPPAGE: ("Amber", "yellow"),
        Status.MAJOR_SLIPPAGE: ("Red", "red"),
        Status.NOT_APPLICABLE: ("N/A", "grey"),
    }

    ITEM_FIELD = "action"
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    # The key of a label of the scheme in use when the quarter was rated (Derby City's keys
    # are the Status values); `rating` is that label itself, so it never changes after.
    status = models.CharField(max_length=30, blank=True)
    rating = models.ForeignKey(
        ActionRating, on_delete=models.PROTECT, null=True, blank=True, related_name="updates"
    )
    completed_on = models.DateField(
        null=True, blank=True, help_text="Where the scheme keeps completion apart: when."
    )
    commentary = models.TextField(blank=True)
    reopen_reason = models.TextField(
        blank=True, help_text="Why an action reported Completed is no longer complete."
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "ret"], name="action_update_unique"),
            within_text_limit("commentary", "reopen_reason", name="action_update_text_limit"),
        ]

    def __str__(self) -> str:
        return f"{self.action.reference} {self.ret.quarter}"

    def get_status_display(self) -> str:
        """The rating in the words of the scheme it was given in ("Some slippage", "Good")."""
        if self.status in ActionUpdate.Status.values:
            return str(ActionUpdate.Status(self.status).label)
        return self.rating.label if self.rating is not None else self.status

    @property
    def colour(self) -> tuple[str, str]:
        """(RAG name, GOV.UK tag colour) of the status: ("Amber", "yellow"); for a scheme of
        the council's own, (its label, its colour)."""
        if self.status in self.COLOURS:
            return self.COLOURS[self.status]
        if self.rating is not None:
            return (self.rating.label, self.rating.colour)
        return ("", "grey")

    def derive(self, **context: Any) -> None:
        """Keep the label the status names in the scheme in use (`labels`: key to label)."""
        labels: dict[str, ActionRating] = context.get("labels") or {}
        self.rating = labels.get(self.status) if self.status else None


def _rules_in_use() -> rules.Scheme:
    return RatingScheme.objects.prefetch_related("bands").get(in_use=True).as_rules()


# The measure rating scheme in use, as the rating rules take it; every return page reads
# it: see perfmon/cached.py. Raises RatingScheme.DoesNotExist with none in use.
rules_in_use = Cached("rating-scheme", _rules_in_use, depends_on=[RatingScheme, RatingBand])
