"""Spreadsheet import and export of strategic risks for the performance team's admin, and
export of their quarterly assessments.

One row per risk per year, keyed by (year, reference): the year written as 2024/25 (2024
is read too), the portfolio by name, the theme by name among the themes of that year's
Council Plan, the owner by username (or email address) and last year's risk by its
reference in the year before, so a renamed risk keeps its lineage through a round trip.

Every resource is a perfmon.resources.HistoryResource: formula-safe export, bulk import
with history ("import of <file>", by the importing person), all or nothing, per-row
errors in words. In one file a row cannot continue from a risk the same file creates:
import last year's risks first.

Assessments are exported only: they change through their return, which keeps the version
checks, the approval lock and the return's trail.
"""

from __future__ import annotations

from django.db.models import QuerySet
from import_export import fields

from perfmon.resources import (
    HistoryResource,
    ItemWidget,
    UserWidget,
    portfolio_field,
    theme_field,
    year_field,
)
from risks.models import Risk, RiskAssessment


class RiskResource(HistoryResource):
    year = year_field()
    portfolio = portfolio_field()
    theme = theme_field()
    owner = fields.Field(attribute="owner", column_name="owner", widget=UserWidget())
    previous = fields.Field(
        attribute="previous", column_name="previous", widget=ItemWidget(Risk, years_back=1)
    )

    class Meta:
        model = Risk
        import_id_fields = ("year", "reference")
        fields = (
            "year",
            "reference",
            "title",
            "description",
            "owner",
            "owner_name",
            "portfolio",
            "theme",
            "category",
            "assessed",
            "previous",
        )
        export_order = fields

    def get_queryset(self) -> QuerySet[Risk]:
        return (
            super().get_queryset().select_related("year", "portfolio", "theme", "owner", "previous")
        )


class RiskAssessmentResource(HistoryResource):
    """Risks' quarterly assessments, for export only."""

    year = year_field(attribute="risk__year", readonly=True)
    risk = fields.Field(
        attribute="risk", column_name="risk", widget=ItemWidget(Risk), readonly=True
    )
    quarter = fields.Field(attribute="ret__quarter__number", column_name="quarter", readonly=True)
    portfolio = fields.Field(
        attribute="ret__portfolio__name", column_name="portfolio", readonly=True
    )
    updated_by = fields.Field(
        attribute="updated_by", column_name="updated_by", widget=UserWidget(), readonly=True
    )

    class Meta:
        model = RiskAssessment
        fields = (
            "year",
            "risk",
            "quarter",
            "portfolio",
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
            "controls",
            "further_actions",
            "commentary",
            "updated_by",
            "updated_at",
        )
        export_order = fields

    def get_queryset(self) -> QuerySet[RiskAssessment]:
        return (
            super()
            .get_queryset()
            .select_related("risk__year", "ret__quarter", "ret__portfolio", "updated_by")
        )
