"""Spreadsheet import and export of measures, actions and quarter targets for the
performance team's admin, and export of quarterly updates.

One row per item per year, keyed by (year, reference): the year written as 2024/25 (2024
is read too), the portfolio by name, the theme by name among the themes of that year's
Council Plan, and last year's item by its reference in the year before, so a renamed
item keeps its lineage through a round trip. Quarter targets are keyed by the measure's
year and reference and the quarter.

Every resource is a perfmon.resources.HistoryResource: formula-safe export, bulk import
with history ("import of <file>", by the importing person), all or nothing, per-row
errors in words. In one file a row cannot continue from an item the same file creates:
import last year's items first.

Quarterly updates are exported only: they change through their return, which keeps the
version checks, the approval lock and the return's trail.
"""

from __future__ import annotations

from django.db.models import QuerySet
from import_export import fields, widgets

from measures.models import Action, ActionUpdate, Measure, MeasureUpdate, QuarterTarget
from perfmon.resources import (
    FORMULA_STARTS,
    HistoryResource,
    ItemWidget,
    ThemeWidget,
    UserWidget,
    YearWidget,
    escape_formula,
    portfolio_field,
    theme_field,
    unescape_formula,
    year_field,
)

__all__ = [
    "FORMULA_STARTS",
    "ActionResource",
    "ActionUpdateResource",
    "MeasureResource",
    "MeasureUpdateResource",
    "QuarterTargetResource",
    "ThemeWidget",
    "escape_formula",
    "unescape_formula",
]


def _previous(model: type[Measure] | type[Action]) -> fields.Field:
    return fields.Field(
        attribute="previous", column_name="previous", widget=ItemWidget(model, years_back=1)
    )


class MeasureResource(HistoryResource):
    year = year_field()
    portfolio = portfolio_field()
    theme = theme_field()
    previous = _previous(Measure)

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

    def get_queryset(self) -> QuerySet[Measure]:
        return super().get_queryset().select_related("year", "portfolio", "theme", "previous")


class ActionResource(HistoryResource):
    year = year_field()
    portfolio = portfolio_field()
    theme = theme_field()
    previous = _previous(Action)

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

    def get_queryset(self) -> QuerySet[Action]:
        return super().get_queryset().select_related("year", "portfolio", "theme", "previous")


class QuarterTargetResource(HistoryResource):
    """A measure's own target for one quarter (the year's target applies otherwise)."""

    year = year_field(attribute="measure__year", readonly=True)
    measure = fields.Field(attribute="measure", column_name="measure", widget=ItemWidget(Measure))
    quarter = fields.Field(
        attribute="quarter_number", column_name="quarter", widget=widgets.IntegerWidget()
    )

    class Meta:
        model = QuarterTarget
        import_id_fields = ("measure", "quarter")
        fields = ("year", "measure", "quarter", "value")
        export_order = fields

    def get_queryset(self) -> QuerySet[QuarterTarget]:
        return super().get_queryset().select_related("measure__year")


def _quarter() -> fields.Field:
    return fields.Field(attribute="ret__quarter__number", column_name="quarter", readonly=True)


def _updated_by() -> fields.Field:
    return fields.Field(
        attribute="updated_by", column_name="updated_by", widget=UserWidget(), readonly=True
    )


class MeasureUpdateResource(HistoryResource):
    """Measures' quarterly results, for export only."""

    year = year_field(attribute="measure__year", readonly=True)
    measure = fields.Field(
        attribute="measure", column_name="measure", widget=ItemWidget(Measure), readonly=True
    )
    quarter = _quarter()
    portfolio = fields.Field(
        attribute="ret__portfolio__name", column_name="portfolio", readonly=True
    )
    updated_by = _updated_by()

    class Meta:
        model = MeasureUpdate
        fields = (
            "year",
            "measure",
            "quarter",
            "portfolio",
            "actual",
            "missing_reason",
            "provisional",
            "forecast",
            "period_label",
            "target",
            "status",
            "status_override",
            "override_reason",
            "commentary",
            "updated_by",
            "updated_at",
        )
        export_order = fields

    def get_queryset(self) -> QuerySet[MeasureUpdate]:
        return (
            super()
            .get_queryset()
            .select_related("measure__year", "ret__quarter", "ret__portfolio", "updated_by")
        )


class ActionUpdateResource(HistoryResource):
    """Actions' quarterly progress, for export only."""

    year = fields.Field(
        attribute="action__year", column_name="year", widget=YearWidget(), readonly=True
    )
    action = fields.Field(
        attribute="action", column_name="action", widget=ItemWidget(Action), readonly=True
    )
    quarter = _quarter()
    portfolio = fields.Field(
        attribute="ret__portfolio__name", column_name="portfolio", readonly=True
    )
    updated_by = _updated_by()

    class Meta:
        model = ActionUpdate
        fields = (
            "year",
            "action",
            "quarter",
            "portfolio",
            "status",
            "commentary",
            "reopen_reason",
            "updated_by",
            "updated_at",
        )
        export_order = fields

    def get_queryset(self) -> QuerySet[ActionUpdate]:
        return (
            super()
            .get_queryset()
            .select_related("action__year", "ret__quarter", "ret__portfolio", "updated_by")
        )
