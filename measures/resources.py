"""Spreadsheet import and export of measures and actions for the performance team's admin.

One row per item per year, keyed by (year, reference): the year is written as the
calendar year it starts in (2024 for 2024/25), the portfolio by name, the theme by name
among the themes of that year's Council Plan, and last year's item by its reference in
the year before, so a renamed item keeps its lineage through a round trip.

Cells that a spreadsheet would run as a formula (=, +, -, @, tab or carriage return at the
start) are written with a leading apostrophe and read back without it. django-import-
export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips a leading "=", and only
when the setting is on; this does not depend on settings.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from measures.models import Action, Measure
from perfmon.models import Portfolio, ReportingYear, Theme

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(?:\.[0-9]+)?")


def escape_formula(value: Any) -> Any:
    """`value` made safe to open in a spreadsheet; plain numbers such as -5 are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return f"'{value}"
    return value


def unescape_formula(value: Any) -> Any:
    """The text `escape_formula` was given."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _start_year(row: dict[str, Any]) -> int:
    try:
        return int(str(row.get("year", "")).strip())
    except ValueError:
        raise ValueError(f"“{row.get('year')}” is not a year: write 2024 for 2024/25.") from None


class ThemeWidget(ForeignKeyWidget):
    """A theme by name, among the themes of the Council Plan covering the row's year (two
    plans may both have "A Green City")."""

    def __init__(self) -> None:
        super().__init__(Theme, field="name")

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> QuerySet[Theme]:
        start_year = _start_year(row)
        return Theme.objects.filter(
            plan__first_year__lte=start_year, plan__last_year__gte=start_year
        )


class LastYearWidget(ForeignKeyWidget):
    """Last year's item by its reference in the year before the row's year."""

    def __init__(self, model: type[Measure] | type[Action]) -> None:
        super().__init__(model, field="reference")

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> QuerySet[Any]:
        return self.model.objects.filter(year__start_year=_start_year(row) - 1)


class FormulaSafeResource(resources.ModelResource):
    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        return escape_formula(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        for name, value in row.items():
            row[name] = unescape_formula(value)


def _year() -> fields.Field:
    return fields.Field(
        attribute="year",
        column_name="year",
        widget=ForeignKeyWidget(ReportingYear, field="start_year"),
    )


def _portfolio() -> fields.Field:
    return fields.Field(
        attribute="portfolio",
        column_name="portfolio",
        widget=ForeignKeyWidget(Portfolio, field="name"),
    )


def _theme() -> fields.Field:
    return fields.Field(attribute="theme", column_name="theme", widget=ThemeWidget())


class MeasureResource(FormulaSafeResource):
    year = _year()
    portfolio = _portfolio()
    theme = _theme()
    previous = fields.Field(
        attribute="previous", column_name="previous", widget=LastYearWidget(Measure)
    )

    class Meta:
        model = Measure
        import_id_fields = ("year", "reference")
        fields = (
            "year",
            "reference",
            "description",
            "portfolio",
            "theme",
            "unit",
            "polarity",
            "frequency",
            "target",
            "previous",
        )
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True  # all or nothing, whatever the settings say

    def get_queryset(self) -> QuerySet[Measure]:
        return super().get_queryset().select_related("year", "portfolio", "theme", "previous")


class ActionResource(FormulaSafeResource):
    year = _year()
    portfolio = _portfolio()
    theme = _theme()
    previous = fields.Field(
        attribute="previous", column_name="previous", widget=LastYearWidget(Action)
    )

    class Meta:
        model = Action
        import_id_fields = ("year", "reference")
        fields = (
            "year",
            "reference",
            "description",
            "portfolio",
            "theme",
            "expected_completion",
            "previous",
        )
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True  # all or nothing, whatever the settings say

    def get_queryset(self) -> QuerySet[Action]:
        return super().get_queryset().select_related("year", "portfolio", "theme", "previous")
