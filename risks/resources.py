"""Spreadsheet import and export of strategic risks for the performance team's admin.

One row per risk per year, keyed by (year, reference), written like measures.resources:
the year as the calendar year it starts in (2024 for 2024/25), the portfolio by name, the
theme by name among the themes of that year's Council Plan, the owner by username, and
last year's risk by its reference in the year before, so the lineage survives a round
trip. Cells a spreadsheet would run as a formula are written with a leading apostrophe
and read back without it.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from perfmon.models import Portfolio, ReportingYear, Theme, User
from risks.models import Risk, RiskAssessment

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
    """A theme by name, among the themes of the Council Plan covering the row's year."""

    def __init__(self) -> None:
        super().__init__(Theme, field="name")

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> QuerySet[Theme]:
        start_year = _start_year(row)
        return Theme.objects.filter(
            plan__first_year__lte=start_year, plan__last_year__gte=start_year
        )


class LastYearWidget(ForeignKeyWidget):
    """Last year's risk by its reference in the year before the row's year."""

    def __init__(self) -> None:
        super().__init__(Risk, field="reference")

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> QuerySet[Risk]:
        return Risk.objects.filter(year__start_year=_start_year(row) - 1)


class FormulaSafeResource(resources.ModelResource):
    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        return escape_formula(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        for name, value in row.items():
            row[name] = unescape_formula(value)


class RiskResource(FormulaSafeResource):
    year = fields.Field(
        attribute="year",
        column_name="year",
        widget=ForeignKeyWidget(ReportingYear, field="start_year"),
    )
    portfolio = fields.Field(
        attribute="portfolio", column_name="portfolio", widget=ForeignKeyWidget(Portfolio, "name")
    )
    theme = fields.Field(attribute="theme", column_name="theme", widget=ThemeWidget())
    owner = fields.Field(
        attribute="owner", column_name="owner", widget=ForeignKeyWidget(User, "username")
    )
    previous = fields.Field(attribute="previous", column_name="previous", widget=LastYearWidget())

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
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True  # all or nothing, whatever the settings say

    def get_queryset(self) -> QuerySet[Risk]:
        return (
            super().get_queryset().select_related("year", "portfolio", "theme", "owner", "previous")
        )


class RiskAssessmentResource(FormulaSafeResource):
    """Assessments, for export only: they change through their return."""

    year = fields.Field(attribute="risk__year__start_year", column_name="year", readonly=True)
    reference = fields.Field(attribute="risk__reference", column_name="reference", readonly=True)
    quarter = fields.Field(attribute="ret__quarter__number", column_name="quarter", readonly=True)
    return_state = fields.Field(attribute="ret__state", column_name="return_state", readonly=True)

    class Meta:
        model = RiskAssessment
        fields = (
            "year",
            "reference",
            "quarter",
            "return_state",
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
        )
        export_order = fields

    def get_queryset(self) -> QuerySet[RiskAssessment]:
        return super().get_queryset().select_related("risk__year", "ret__quarter")
