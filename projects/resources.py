"""Spreadsheet import and export of projects (and export of their quarterly updates) for
the performance team's admin.

One row per project per year, keyed by (year, reference): the year as the calendar year it
starts in (2024 for 2024/25), the portfolio by name, the theme by name among the themes of
that year's Council Plan, and last year's project by its reference in the year before, so
a renamed project keeps its lineage through a round trip. These are the conventions of
measures.resources, which projects may not import; cells a spreadsheet would run as a
formula are written with a leading apostrophe and read back without it, as there.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from perfmon.models import Portfolio, ReportingYear, Theme
from projects.models import Project, ProjectUpdate

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(?:\.[0-9]+)?")


def escape_formula(value: Any) -> Any:
    """`value` made safe to open in a spreadsheet; plain numbers such as -5 are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return f"'{value}"
    return value


def unescape_formula(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _start_year(row: dict[str, Any]) -> int:
    try:
        return int(str(row.get("year", "")).strip())
    except ValueError:
        raise ValueError(f"“{row.get('year')}” is not a year: write 2024 for 2024/25.") from None


class ThemeWidget(ForeignKeyWidget):
    """A theme by name among the themes of the Council Plan covering the row's year."""

    def __init__(self) -> None:
        super().__init__(Theme, field="name")

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> QuerySet[Theme]:
        start_year = _start_year(row)
        return Theme.objects.filter(
            plan__first_year__lte=start_year, plan__last_year__gte=start_year
        )


class LastYearWidget(ForeignKeyWidget):
    """Last year's project by its reference in the year before the row's year."""

    def __init__(self) -> None:
        super().__init__(Project, field="reference")

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> QuerySet[Project]:
        return Project.objects.filter(year__start_year=_start_year(row) - 1)


class FormulaSafeResource(resources.ModelResource):
    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        return escape_formula(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        for name, value in row.items():
            row[name] = unescape_formula(value)


class ProjectResource(FormulaSafeResource):
    year = fields.Field(
        attribute="year", column_name="year", widget=ForeignKeyWidget(ReportingYear, "start_year")
    )
    portfolio = fields.Field(
        attribute="portfolio", column_name="portfolio", widget=ForeignKeyWidget(Portfolio, "name")
    )
    theme = fields.Field(attribute="theme", column_name="theme", widget=ThemeWidget())
    previous = fields.Field(attribute="previous", column_name="previous", widget=LastYearWidget())

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
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True  # all or nothing, whatever the settings say

    def get_queryset(self) -> QuerySet[Project]:
        return super().get_queryset().select_related("year", "portfolio", "theme", "previous")


class ProjectUpdateResource(FormulaSafeResource):
    """Export only: updates change through their return."""

    year = fields.Field(attribute="project__year__start_year", column_name="year", readonly=True)
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
