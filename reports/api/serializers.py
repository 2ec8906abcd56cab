"""What the open data API publishes, field by field.

Only what a council prints in its published reports: the frame (years, themes,
portfolios), each item's definition, and its approved quarterly values. Never published:
commentary of any kind (perfmon has no "internal" flag, so none is published), the
reasons officers give (override, criteria, reopening), risk controls and further actions,
and anything naming a person (owners, sponsors, managers, who updated what).

Quarterly values are read from `approved_updates`, which the views prefetch with
approved returns only; the serializers never query.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol, cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from measures import rules
from measures.models import Action, ActionUpdate, Measure, MeasureUpdate
from perfmon.models import Portfolio, ReportingYear, Theme
from projects.models import Project, ProjectUpdate
from risks.models import Risk, RiskAssessment


def value_field(**kwargs: Any) -> serializers.DecimalField:
    """A measured value as a JSON number (58, not "58.000000")."""
    return serializers.DecimalField(
        max_digits=20,
        decimal_places=6,
        coerce_to_string=False,
        normalize_output=True,
        read_only=True,
        **kwargs,
    )


class YearSerializer(serializers.ModelSerializer[ReportingYear]):
    # The stubs read `label` as Field.label; DRF's metaclass takes declared fields off the
    # class, so at run time this is only the "label" field of the output.
    label = serializers.CharField(  # type: ignore[assignment]
        read_only=True, help_text="The financial year: 2024/25."
    )
    starts_on = serializers.DateField(read_only=True)
    ends_on = serializers.DateField(read_only=True)

    class Meta:
        model = ReportingYear
        fields = ["id", "start_year", "label", "starts_on", "ends_on"]


class ThemeSerializer(serializers.ModelSerializer[Theme]):
    plan = serializers.CharField(source="plan.name", read_only=True)
    plan_years = serializers.CharField(source="plan.years_label", read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "name", "description", "plan", "plan_years"]


class PortfolioSerializer(serializers.ModelSerializer[Portfolio]):
    class Meta:
        model = Portfolio
        fields = ["id", "name", "is_active"]


class NamedSerializer(serializers.Serializer[Any]):
    """A theme or portfolio inside an item: its id (for the filters) and its name."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class QuarterValueSerializer(serializers.Serializer[Any]):
    """Which quarter an approved value is for."""

    year = serializers.CharField(
        source="ret.quarter.year.label", read_only=True, help_text="2024/25"
    )
    quarter = serializers.IntegerField(source="ret.quarter.number", read_only=True)


class ItemSerializer(serializers.ModelSerializer[Any]):
    year = serializers.CharField(source="year.label", read_only=True, help_text="2024/25")
    portfolio = NamedSerializer(read_only=True)
    theme = NamedSerializer(read_only=True)


# Measures --------------------------------------------------------------------------------


class Published(Protocol):
    """An item as the views load it: `approved_updates` is the `to_attr` of their prefetch
    (views.approved), set on each instance at run time."""

    approved_updates: list[MeasureUpdate]


class MeasureValueSerializer(QuarterValueSerializer, serializers.ModelSerializer[MeasureUpdate]):
    actual = value_field(allow_null=True)
    target = serializers.SerializerMethodField(
        help_text="The quarter's target as reported, else the year's; null for no target."
    )
    status = serializers.CharField(
        source="shown_status",
        read_only=True,
        help_text="The status as published: the performance team's override where there is "
        "one, else the rating rule's. Empty when not rated.",
    )
    status_from_rule = serializers.CharField(
        source="status", read_only=True, help_text="The rating rule's status."
    )
    status_overridden = serializers.SerializerMethodField()
    direction_of_travel = serializers.SerializerMethodField(
        help_text="Against the same quarter last year (approved), as the annual report shows."
    )

    class Meta:
        model = MeasureUpdate
        fields = [
            "year",
            "quarter",
            "actual",
            "missing_reason",
            "target",
            "status",
            "status_from_rule",
            "status_overridden",
            "provisional",
            "forecast",
            "period_label",
            "direction_of_travel",
        ]

    @extend_schema_field(
        serializers.DecimalField(
            max_digits=20, decimal_places=6, coerce_to_string=False, allow_null=True
        )
    )
    def get_target(self, update: MeasureUpdate) -> Decimal | None:
        return update.target if update.target is not None else update.measure.target

    def get_status_overridden(self, update: MeasureUpdate) -> bool:
        return bool(update.status_override)

    @extend_schema_field(
        serializers.ChoiceField(choices=[d.label for d in rules.Direction], read_only=True)
    )
    def get_direction_of_travel(self, update: MeasureUpdate) -> str:
        measure = update.measure
        number = update.ret.quarter.number
        previous = cast(Published | None, measure.previous)
        last_year = next(
            (
                earlier
                for earlier in (previous.approved_updates if previous is not None else [])
                if earlier.ret.quarter.number == number
            ),
            None,
        )
        return rules.direction_of_travel(
            current=update.actual,
            previous=last_year.actual if last_year else None,
            polarity=rules.Polarity(measure.polarity),
        ).label


class MeasureSerializer(ItemSerializer):
    target = value_field(allow_null=True, help_text="The year's target; null for no target.")
    quarters = MeasureValueSerializer(source="approved_updates", many=True, read_only=True)

    class Meta:
        model = Measure
        fields = [
            "id",
            "reference",
            "description",
            "year",
            "portfolio",
            "theme",
            "unit",
            "polarity",
            "frequency",
            "target",
            "quarters",
        ]


# Actions ---------------------------------------------------------------------------------


class ActionValueSerializer(QuarterValueSerializer, serializers.ModelSerializer[ActionUpdate]):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    rag = serializers.SerializerMethodField(help_text="Blue, Green, Amber, Red or N/A.")

    class Meta:
        model = ActionUpdate
        fields = ["year", "quarter", "status", "status_label", "rag"]

    def get_rag(self, update: ActionUpdate) -> str:
        return update.colour[0]


class ActionSerializer(ItemSerializer):
    quarters = ActionValueSerializer(source="approved_updates", many=True, read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "reference",
            "description",
            "year",
            "portfolio",
            "theme",
            "expected_completion",
            "quarters",
        ]


# Projects --------------------------------------------------------------------------------


class ProjectValueSerializer(QuarterValueSerializer, serializers.ModelSerializer[ProjectUpdate]):
    rag_label = serializers.CharField(source="get_rag_display", read_only=True)
    dca_label = serializers.CharField(source="get_dca_display", read_only=True)

    class Meta:
        model = ProjectUpdate
        fields = [
            "year",
            "quarter",
            "rag",
            "rag_label",
            "dca",
            "dca_label",
            "rag_from_criteria",
            "time_on_track",
            "cost_on_track",
            "scope_on_track",
            "benefits_on_track",
        ]


class ProjectSerializer(ItemSerializer):
    quarters = ProjectValueSerializer(source="approved_updates", many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "reference",
            "name",
            "year",
            "portfolio",
            "theme",
            "stage",
            "gateway",
            "quarters",
        ]


# Risks -----------------------------------------------------------------------------------


class RiskValueSerializer(QuarterValueSerializer, serializers.ModelSerializer[RiskAssessment]):
    class Meta:
        model = RiskAssessment
        fields = [
            "year",
            "quarter",
            "threat_likelihood",
            "threat_impact",
            "threat_score",
            "threat_level",
            "opportunity_likelihood",
            "opportunity_impact",
            "opportunity_score",
            "opportunity_level",
            "score_only",
            "target_score",
        ]


class RiskSerializer(ItemSerializer):
    quarters = RiskValueSerializer(source="approved_updates", many=True, read_only=True)

    class Meta:
        model = Risk
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "year",
            "portfolio",
            "theme",
            "category",
            "assessed",
            "quarters",
        ]


# Filters ---------------------------------------------------------------------------------


class YearFilterSerializer(serializers.Serializer[Any]):
    year = serializers.RegexField(
        r"^\d{4}(/\d{2})?$",
        required=False,
        help_text="The reporting year: 2024 or 2024/25.",
    )

    def validate_year(self, value: str) -> int | None:
        """The start year; None for "2024/99", which names no financial year (and so
        matches nothing, as a year perfmon does not have would)."""
        start, _, end = value.partition("/")
        if end and int(end) != (int(start) + 1) % 100:
            return None
        return int(start)


class ItemFilterSerializer(YearFilterSerializer):
    """The query parameters every item list takes; all optional, combined with AND."""

    theme = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="A theme's id."
    )
    portfolio = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="A portfolio's id."
    )
    reference = serializers.RegexField(
        # Something besides spaces (they are trimmed), and no NUL character, which the
        # database cannot compare.
        r"^[^\x00]*[^\s\x00][^\x00]*$",
        required=False,
        max_length=40,
        help_text="An item's reference, any case: PM012.",
    )
