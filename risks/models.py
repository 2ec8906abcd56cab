"""Strategic risks, their quarterly assessments, and the 4x4 matrices they are scored on."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from perfmon.models.items import Item, ItemUpdate
from perfmon.models.returns import within_text_limit
from risks import rules

SIDE_CHOICES = [(side.value, side.label) for side in rules.Side]
SCALE_CHOICES = [(n, str(n)) for n in rules.SCALE]


def _on_scale(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 1, f"{field}__lte": 4})


# The matrix -----------------------------------------------------------------------------


class MatrixQuerySet(models.QuerySet["RiskMatrix"]):
    def complete(self) -> MatrixQuerySet:
        return self.prefetch_related("points", "cells__level", "levels")


class RiskMatrix(models.Model):
    """The 4x4 matrix for threats or for opportunities: what each likelihood and impact
    means and the level of each cell. Assessments store the level they were given, so
    changing a matrix never re-rates a quarter already assessed."""

    side = models.CharField(max_length=20, choices=SIDE_CHOICES, unique=True)
    title = models.CharField(max_length=100)
    history = HistoricalRecords()
    objects = MatrixQuerySet.as_manager()

    class Meta:
        ordering = ["-side"]  # threats first
        verbose_name_plural = "risk matrices"

    def __str__(self) -> str:
        return self.title

    def as_rules(self) -> rules.Matrix:
        """The matrix for the pure rules. Expects `complete()` prefetching, or loads."""
        points = {(p.axis, p.value): p for p in self.points.all()}

        def axis(name: str) -> dict[int, rules.Point]:
            return {
                n: rules.Point(n, points[(name, n)].label, points[(name, n)].description)
                for n in rules.SCALE
                if (name, n) in points
            }

        return rules.Matrix(
            side=rules.Side(self.side),
            title=self.title,
            likelihood=axis(AxisPoint.Axis.LIKELIHOOD),
            impact=axis(AxisPoint.Axis.IMPACT),
            cells={
                (cell.likelihood, cell.impact): cell.level.as_rules() for cell in self.cells.all()
            },
        )


class MatrixLevel(models.Model):
    """A level (colour band) of a matrix, such as "High"."""

    matrix = models.ForeignKey(RiskMatrix, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField(help_text="1 for the lowest level.")
    key = models.SlugField(max_length=30)
    label = models.CharField(max_length=50)
    colour = models.CharField(
        max_length=20,
        help_text="A GOV.UK tag colour: green, yellow, orange, red, grey, light-blue, blue, "
        "purple. The label always says the level too.",
    )
    description = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["matrix", "position"]
        constraints = [
            models.UniqueConstraint(fields=["matrix", "key"], name="matrix_level_key_unique"),
            models.UniqueConstraint(
                fields=["matrix", "position"], name="matrix_level_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matrix}: {self.label}"

    def as_rules(self) -> rules.Level:
        return rules.Level(key=self.key, label=self.label, colour=self.colour)


class AxisPoint(models.Model):
    """One step of an axis: likelihood 3 "Probable", with what it means."""

    class Axis(models.TextChoices):
        LIKELIHOOD = "likelihood", "Likelihood"
        IMPACT = "impact", "Impact"

    matrix = models.ForeignKey(RiskMatrix, on_delete=models.CASCADE, related_name="points")
    axis = models.CharField(max_length=20, choices=Axis.choices)
    value = models.PositiveSmallIntegerField(choices=SCALE_CHOICES)
    label = models.CharField(max_length=50)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["matrix", "axis", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["matrix", "axis", "value"], name="axis_point_unique_in_matrix"
            ),
            models.CheckConstraint(condition=_on_scale("value"), name="axis_point_1_to_4"),
        ]

    def __str__(self) -> str:
        return f"{self.get_axis_display()} {self.value} {self.label}"


class MatrixCell(models.Model):
    """The level of one cell: likelihood x impact."""

    matrix = models.ForeignKey(RiskMatrix, on_delete=models.CASCADE, related_name="cells")
    likelihood = models.PositiveSmallIntegerField(choices=SCALE_CHOICES)
    impact = models.PositiveSmallIntegerField(choices=SCALE_CHOICES)
    level = models.ForeignKey(MatrixLevel, on_delete=models.PROTECT, related_name="cells")
    history = HistoricalRecords()

    class Meta:
        ordering = ["matrix", "-impact", "likelihood"]
        constraints = [
            models.UniqueConstraint(
                fields=["matrix", "likelihood", "impact"], name="matrix_cell_unique"
            ),
            models.CheckConstraint(
                condition=_on_scale("likelihood") & _on_scale("impact"),
                name="matrix_cell_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"Likelihood {self.likelihood} × impact {self.impact}"

    def clean(self) -> None:
        if self.level_id and self.matrix_id and self.level.matrix_id != self.matrix_id:
            raise ValidationError({"level": "Choose one of this matrix's own levels."})


# Risks ----------------------------------------------------------------------------------


class Risk(Item):
    class Category(models.TextChoices):
        STRATEGIC = "strategic", "Strategic"
        CORPORATE = "corporate", "Corporate"
        DIRECTORATE = "directorate", "Directorate"

    class Assessed(models.TextChoices):
        THREAT = "threat", "Threat"
        OPPORTUNITY = "opportunity", "Opportunity"
        BOTH = "both", "Threat and opportunity"

    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risks_owned",
    )
    owner_name = models.CharField(
        max_length=200, blank=True, help_text="The owner's name or post, if not a user."
    )
    category = models.CharField(max_length=20, choices=Category.choices, default="strategic")
    assessed = models.CharField(max_length=20, choices=Assessed.choices, default="threat")
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def sides(self) -> list[rules.Side]:
        if self.assessed == self.Assessed.BOTH:
            return [rules.Side.THREAT, rules.Side.OPPORTUNITY]
        return [rules.Side(self.assessed)]

    @property
    def owner_text(self) -> str:
        if self.owner_id:
            return str(self.owner)
        return self.owner_name


def assessed_as(*, threat: bool, opportunity: bool) -> str:
    if threat and opportunity:
        return Risk.Assessed.BOTH
    return Risk.Assessed.OPPORTUNITY if opportunity else Risk.Assessed.THREAT


class RiskAssessment(ItemUpdate):
    """A risk's assessment for one quarter, part of its portfolio's return.

    Each side assessed has a likelihood and an impact; its score and level are worked out
    when it is saved and stored, so editing the matrix later leaves them as they were. An
    imported published score ("Risk score 16") has no likelihood or impact: it is stored as
    imported with `score_only` set, and shown as such.
    """

    ITEM_FIELD = "risk"
    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="assessments")
    threat_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    threat_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    threat_score = models.PositiveSmallIntegerField(null=True, blank=True)
    threat_level = models.CharField(max_length=50, blank=True)
    threat_level_colour = models.CharField(max_length=20, blank=True)
    opportunity_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    opportunity_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    opportunity_score = models.PositiveSmallIntegerField(null=True, blank=True)
    opportunity_level = models.CharField(max_length=50, blank=True)
    opportunity_level_colour = models.CharField(max_length=20, blank=True)
    score_only = models.BooleanField(
        default=False,
        help_text="The score was imported as published, without likelihood and impact.",
    )
    target_score = models.PositiveSmallIntegerField(null=True, blank=True)
    controls = models.TextField(blank=True)
    further_actions = models.TextField(blank=True)
    commentary = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["risk", "ret"], name="risk_assessment_unique"),
            *[
                models.CheckConstraint(
                    condition=_on_scale(f"{side}_likelihood") & _on_scale(f"{side}_impact"),
                    name=f"risk_{side}_1_to_4",
                    violation_error_message="Likelihood and impact run from 1 to 4.",
                )
                for side in ("threat", "opportunity")
            ],
            *[
                models.CheckConstraint(
                    condition=Q(
                        **{f"{side}_likelihood__isnull": True, f"{side}_impact__isnull": True}
                    )
                    | Q(**{f"{side}_score": F(f"{side}_likelihood") * F(f"{side}_impact")}),
                    name=f"risk_{side}_score_is_product",
                    violation_error_message="The score must be likelihood × impact.",
                )
                for side in ("threat", "opportunity")
            ],
            models.CheckConstraint(
                condition=Q(score_only=False)
                | Q(
                    threat_likelihood__isnull=True,
                    threat_impact__isnull=True,
                    opportunity_likelihood__isnull=True,
                    opportunity_impact__isnull=True,
                ),
                name="risk_score_only_has_no_likelihood",
            ),
            models.CheckConstraint(
                condition=Q(target_score__isnull=True)
                | Q(target_score__gte=1, target_score__lte=16),
                name="risk_target_score_1_to_16",
            ),
            within_text_limit(
                "controls", "further_actions", "commentary", name="risk_assessment_text_limit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.risk.reference} {self.ret.quarter}"

    def side(self, side: rules.Side) -> SideAssessment:
        return SideAssessment(
            side=side,
            likelihood=getattr(self, f"{side.value}_likelihood"),
            impact=getattr(self, f"{side.value}_impact"),
            score=getattr(self, f"{side.value}_score"),
            level=getattr(self, f"{side.value}_level"),
            colour=getattr(self, f"{side.value}_level_colour"),
            score_only=self.score_only,
        )


class SideAssessment:
    """One side of an assessment, as pages show it."""

    def __init__(
        self,
        *,
        side: rules.Side,
        likelihood: int | None,
        impact: int | None,
        score: int | None,
        level: str,
        colour: str,
        score_only: bool,
    ) -> None:
        self.side = side
        self.likelihood = likelihood
        self.impact = impact
        self.score = score
        self.level = level
        self.colour = colour
        self.score_only = score_only and score is not None and likelihood is None

    @property
    def placed(self) -> bool:
        """Whether it has a cell on the heat map."""
        return self.cell is not None

    @property
    def cell(self) -> tuple[int, int] | None:
        """(likelihood, impact): its cell on the heat map, if it has one."""
        if self.likelihood is None or self.impact is None:
            return None
        return self.likelihood, self.impact

    @property
    def text(self) -> str:
        """ "12 (likelihood 3 × impact 4)", "16 (score only, as published)", or ""."""
        if self.score is None:
            return ""
        if self.placed:
            return f"{self.score} (likelihood {self.likelihood} × impact {self.impact})"
        return f"{self.score} (score only, as published)"
