"""Spreadsheet import and export of priority projects for the performance team's admin,
and export of their quarterly updates.

One row per project per year, keyed by (year, reference): the year written as 2024/25 (2024
is read too), the portfolio by name, the theme by name among the themes of that year's
Council Plan, and last year's project by its reference in the year before, so a renamed
project keeps its lineage through a round trip.

Every resource is a perfmon.resources.HistoryResource: formula-safe export, bulk import
with history ("import of <file>", by the importing person), all or nothing, per-row
errors in words. In one file a row cannot continue from a project the same file creates:
import last year's projects first.

Updates are exported only: they change through their return, which keeps the version
checks, the approval lock and the return's trail.
"""

from __future__ import annotations

from django.db.models import QuerySet
from import_export import fields

from perfmon.resources import (
    HistoryResource,
    ItemWidget,
    portfolio_field,
    theme_field,
    year_field,
)
from projects.models import Project, ProjectUpdate


class ProjectResource(HistoryResource):
    year = year_field()
    portfolio = portfolio_field()
    theme = theme_field()
    previous = fields.Field(
        attribute="previous", column_name="previous", widget=ItemWidget(Project, years_back=1)
    )

    class Meta:
        model = Project
        import_id_fields = ("year", "reference")
        fields = (
            "year",
            "reference",
            "name",
            "portfolio",
            "theme",
            "stage",
            "gateway",
            "sponsor_name",
            "manager_name",
            "previous",
        )
        export_order = fields

    def get_queryset(self) -> QuerySet[Project]:
        return super().get_queryset().select_related("year", "portfolio", "theme", "previous")


class ProjectUpdateResource(HistoryResource):
    """Export only: updates change through their return."""

    year = year_field(attribute="project__year", readonly=True)
    reference = fields.Field(attribute="project__reference", column_name="reference", readonly=True)
    quarter = fields.Field(attribute="ret__quarter__number", column_name="quarter", readonly=True)
    rag = fields.Field(attribute="get_rag_display", column_name="rag", readonly=True)
    dca = fields.Field(attribute="get_dca_display", column_name="dca", readonly=True)
    state = fields.Field(attribute="ret__get_state_display", column_name="return", readonly=True)

    class Meta:
        model = ProjectUpdate
        fields = (
            "year",
            "reference",
            "quarter",
            "time_on_track",
            "time_reason",
            "cost_on_track",
            "cost_reason",
            "scope_on_track",
            "scope_reason",
            "benefits_on_track",
            "benefits_reason",
            "rag",
            "rag_explained",
            "rag_from_criteria",
            "dca",
            "commentary",
            "state",
        )
        export_order = fields

    def get_queryset(self) -> QuerySet[ProjectUpdate]:
        return super().get_queryset().select_related("project__year", "ret__quarter")
