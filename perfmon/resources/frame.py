"""The frame's resources: reporting years (written 2024/25, each new one with its four
quarters), quarters' deadlines, Council Plans, themes, portfolios and who holds which
role on which portfolio. People themselves are not imported or exported."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from import_export import fields, widgets
from simple_history.utils import bulk_create_with_history

from perfmon import quarters
from perfmon.access import forget_standings
from perfmon.models import CouncilPlan, Portfolio, PortfolioRole, Quarter, ReportingYear, Theme
from perfmon.resources.base import HistoryResource
from perfmon.resources.widgets import (
    PlanWidget,
    UserWidget,
    YearLabelWidget,
    portfolio_field,
    year_field,
)


class ReportingYearResource(HistoryResource):
    """Reporting years, written 2024/25. A new year comes with its four quarters."""

    year = fields.Field(attribute="start_year", column_name="year", widget=YearLabelWidget())

    class Meta:
        model = ReportingYear
        import_id_fields = ("year",)
        fields = ("year",)

    def after_create(self, instances: list[Any]) -> None:
        new_quarters = []
        for year in instances:
            for number in Quarter.Number.values:
                starts_on, ends_on = quarters.quarter_bounds(year.start_year, number)
                new_quarters.append(
                    Quarter(year=year, number=number, starts_on=starts_on, ends_on=ends_on)
                )
        bulk_create_with_history(
            new_quarters,
            Quarter,
            default_user=self.import_user,
            default_change_reason=self.change_reason,
        )


class QuarterResource(HistoryResource):
    """Each quarter's deadlines. Quarters come with their year: a row for a quarter that
    does not exist is refused."""

    year = year_field()
    quarter = fields.Field(
        attribute="number", column_name="quarter", widget=widgets.IntegerWidget()
    )
    starts_on = fields.Field(
        attribute="starts_on", column_name="starts_on", widget=widgets.DateWidget(), readonly=True
    )
    ends_on = fields.Field(
        attribute="ends_on", column_name="ends_on", widget=widgets.DateWidget(), readonly=True
    )

    class Meta:
        model = Quarter
        import_id_fields = ("year", "quarter")
        fields = (
            "year",
            "quarter",
            "starts_on",
            "ends_on",
            "submission_deadline",
            "approval_deadline",
        )
        export_order = fields

    def get_queryset(self) -> QuerySet[Quarter]:
        return super().get_queryset().select_related("year")

    def import_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        if instance._state.adding:
            message = "No such quarter: quarters are numbered 1 to 4 and come with their year."
            raise ValidationError({"number": message})


class CouncilPlanResource(HistoryResource):
    first_year = fields.Field(
        attribute="first_year", column_name="first_year", widget=YearLabelWidget()
    )
    last_year = fields.Field(
        attribute="last_year", column_name="last_year", widget=YearLabelWidget()
    )

    class Meta:
        model = CouncilPlan
        import_id_fields = ("name",)
        fields = ("name", "first_year", "last_year")
        export_order = fields


class ThemeResource(HistoryResource):
    """Themes, each in its Council Plan (by the plan's name)."""

    plan = fields.Field(attribute="plan", column_name="plan", widget=PlanWidget())

    class Meta:
        model = Theme
        import_id_fields = ("plan", "name")
        fields = ("plan", "name", "position", "description")
        export_order = fields

    def get_queryset(self) -> QuerySet[Theme]:
        return super().get_queryset().select_related("plan")


class PortfolioResource(HistoryResource):
    class Meta:
        model = Portfolio
        import_id_fields = ("name",)
        fields = ("name", "is_active")
        export_order = fields


class PortfolioRoleResource(HistoryResource):
    """Who holds which role on which portfolio: the person by username or email address
    (written as the username), the portfolio by name, the role as officer or director."""

    user = fields.Field(attribute="user", column_name="user", widget=UserWidget())
    portfolio = portfolio_field()

    class Meta:
        model = PortfolioRole
        import_id_fields = ("user", "portfolio", "role")
        fields = ("user", "portfolio", "role")
        export_order = fields

    def get_queryset(self) -> QuerySet[PortfolioRole]:
        return super().get_queryset().select_related("user", "portfolio")

    def after_create(self, instances: list[Any]) -> None:
        # Created in bulk, without signals: people's cached standing is forgotten here.
        forget_standings()
