"""The performance team's admin for the frame. Every model keeps and shows its history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from perfmon import services
from perfmon.forms import CouncilPlanForm, ReportingYearForm
from perfmon.models import (
    CouncilPlan,
    Portfolio,
    PortfolioRole,
    Quarter,
    ReportingYear,
    Theme,
    User,
)

admin.site.site_header = "perfmon administration"
admin.site.site_title = "perfmon admin"
admin.site.index_title = "Performance team"


class QuarterInline(admin.TabularInline):
    model = Quarter
    fields = ["number", "starts_on", "ends_on", "submission_deadline", "approval_deadline"]
    readonly_fields = ["number", "starts_on", "ends_on"]
    extra = 0
    max_num = 4
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the four quarters come with the year


@admin.register(ReportingYear)
class ReportingYearAdmin(SimpleHistoryAdmin):
    form = ReportingYearForm
    list_display = ["label", "starts_on", "ends_on"]
    inlines = [QuarterInline]

    def get_inlines(self, request: HttpRequest, obj: ReportingYear | None) -> list[Any]:
        return self.inlines if obj else []

    def save_model(self, request: HttpRequest, obj: ReportingYear, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.create_reporting_year(start_year=obj.start_year)
        obj.pk = created.pk
        obj._state.adding = False


@admin.register(Quarter)
class QuarterAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "starts_on", "ends_on", "submission_deadline", "approval_deadline"]
    list_filter = ["year"]
    fields = ["year", "number", "starts_on", "ends_on", "submission_deadline", "approval_deadline"]
    readonly_fields = ["year", "number", "starts_on", "ends_on"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # add a reporting year instead: it brings its quarters

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quarter]:
        return super().get_queryset(request).select_related("year")


class ThemeInline(admin.TabularInline):
    model = Theme
    fields = ["name", "position", "description"]
    extra = 1


@admin.register(CouncilPlan)
class CouncilPlanAdmin(SimpleHistoryAdmin):
    form = CouncilPlanForm
    list_display = ["name", "years_label"]
    inlines = [ThemeInline]


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "plan", "position"]
    list_filter = ["plan"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Theme]:
        return super().get_queryset(request).select_related("plan")


class PortfolioRoleInline(admin.TabularInline):
    model = PortfolioRole
    fields = ["user", "role"]
    autocomplete_fields = ["user"]
    extra = 1


@admin.register(Portfolio)
class PortfolioAdmin(SimpleHistoryAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    inlines = [PortfolioRoleInline]


@admin.register(PortfolioRole)
class PortfolioRoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "portfolio"]
    list_filter = ["role", "portfolio"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "portfolio"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PortfolioRole]:
        return super().get_queryset(request).select_related("user", "portfolio")


class UserPortfolioRoleInline(PortfolioRoleInline):
    fields = ["portfolio", "role"]
    autocomplete_fields = ["portfolio"]


@admin.register(User)
class PerfmonUserAdmin(UserAdmin, SimpleHistoryAdmin):
    inlines = [UserPortfolioRoleInline]
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]
