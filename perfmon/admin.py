"""The performance team's admin for the frame. Every model keeps and shows its history;
the frame imports and exports as spreadsheets (SpreadsheetImportExportMixin first, so its
change list template adds the buttons; see perfmon.resources). People are not imported.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from perfmon import resources, services
from perfmon.forms import CouncilPlanForm, CouncilSettingsForm, ReportingYearForm
from perfmon.models import (
    CouncilPlan,
    CouncilSettings,
    Deputy,
    Extension,
    Portfolio,
    PortfolioRole,
    ProviderIdentity,
    Quarter,
    Reminder,
    ReminderEmail,
    ReminderRule,
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


@admin.register(CouncilSettings)
class CouncilSettingsAdmin(SimpleHistoryAdmin):
    """One row of settings: it can be changed, never added twice or deleted."""

    form = CouncilSettingsForm
    readonly_fields = ["logo_shown"]
    fields = [
        "separate_submit_and_approve",
        "council_name",
        "short_name",
        "brand_colour",
        "logo_shown",
        "logo_file",
        "remove_logo",
        "dot_improving",
        "dot_same",
        "dot_deteriorating",
        "actions_heading",
        "measures_heading",
    ]

    @admin.display(description="Logo in use")
    def logo_shown(self, obj: CouncilSettings) -> str:
        if not obj.logo_digest:
            return "None: the header shows the council's name alone."
        return format_html(
            '<img src="{}" alt="The logo in use" height="40">',
            reverse("council_logo", args=[obj.logo_digest]),
        )

    def save_model(
        self, request: HttpRequest, obj: CouncilSettings, form: Any, change: bool
    ) -> None:
        changes, data = form.logo_change()
        if changes:
            obj.use_logo(data)  # checked by the form already
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not CouncilSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReportingYear)
class ReportingYearAdmin(resources.SpreadsheetImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [resources.ReportingYearResource]
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
class QuarterAdmin(resources.SpreadsheetImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [resources.QuarterResource]
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
class CouncilPlanAdmin(resources.SpreadsheetImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [resources.CouncilPlanResource]
    form = CouncilPlanForm
    list_display = ["name", "years_label"]
    inlines = [ThemeInline]


@admin.register(Theme)
class ThemeAdmin(resources.SpreadsheetImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [resources.ThemeResource]
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
class PortfolioAdmin(resources.SpreadsheetImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [resources.PortfolioResource]
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    inlines = [PortfolioRoleInline]


@admin.register(PortfolioRole)
class PortfolioRoleAdmin(resources.SpreadsheetImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [resources.PortfolioRoleResource]
    list_display = ["user", "role", "portfolio"]
    list_filter = ["role", "portfolio"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "portfolio"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PortfolioRole]:
        return super().get_queryset(request).select_related("user", "portfolio")


class UserPortfolioRoleInline(PortfolioRoleInline):
    fields = ["portfolio", "role"]
    autocomplete_fields = ["portfolio"]


class CouncilAccountInline(admin.TabularInline):
    """The council account (OpenID Connect subject) a person signs in with: made at their
    first council sign-in; deleting it makes the next sign-in match them by email again."""

    model = ProviderIdentity
    fields = readonly_fields = ("issuer", "subject", "created_at", "last_signed_in_at")
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class PerfmonUserAdmin(UserAdmin, SimpleHistoryAdmin):
    inlines = [UserPortfolioRoleInline, CouncilAccountInline]
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]


# Reminders -----------------------------------------------------------------------------


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["audience", "deadline", "days", "repeat_every_days", "when", "is_active"]
    list_filter = ["audience", "deadline", "is_active"]
    fields = ["audience", "deadline", "days", "repeat_every_days", "is_active"]


class SentFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("sent", "Sent"), ("failed", "Failed"), ("waiting", "Waiting or retrying")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        prefix = "email__" if queryset.model is Reminder else ""
        if self.value() == "sent":
            return queryset.filter(**{f"{prefix}sent_at__isnull": False})
        if self.value() == "failed":
            return queryset.filter(**{f"{prefix}failed_at__isnull": False})
        if self.value() == "waiting":
            return queryset.filter(
                **{f"{prefix}sent_at__isnull": True, f"{prefix}failed_at__isnull": True}
            )
        return queryset


class ReminderInline(admin.TabularInline):
    model = Reminder
    fields = ("kind", "portfolio", "quarter", "deadline", "days")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReminderEmail)
class ReminderEmailAdmin(admin.ModelAdmin):
    """Every email claimed: sent, waiting, retrying or failed, and why."""

    list_display = ["recipient", "kind", "on_date", "status", "attempts", "sent_at", "subject"]
    list_filter = [SentFilter, "kind", "on_date"]
    search_fields = ["recipient__username", "recipient__email", "subject"]
    date_hierarchy = "on_date"
    readonly_fields = (
        "recipient",
        "kind",
        "on_date",
        "event",
        "status",
        "subject",
        "created_at",
        "sending_since",
        "sent_at",
        "attempts",
        "last_error",
        "failed_at",
    )
    fields = readonly_fields
    inlines = [ReminderInline]
    actions = ["send_again"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReminderEmail]:
        return super().get_queryset(request).select_related("recipient")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # claimed by the daily job and the return's steps only

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Send the selected failed emails again", permissions=["view"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[ReminderEmail]) -> None:
        from perfmon.tasks import enqueue_on_commit, send_reminder_email_task

        failed = list(queryset.filter(failed_at__isnull=False, sent_at__isnull=True))
        ReminderEmail.objects.filter(pk__in=[e.pk for e in failed]).update(
            failed_at=None, attempts=0
        )
        for email in failed:
            enqueue_on_commit(send_reminder_email_task, email.pk)
        self.message_user(request, f"{len(failed)} failed email(s) queued to send again.")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Who was reminded of which return, on which day."""

    list_display = ["on_date", "recipient", "kind", "portfolio", "quarter", "days", "email"]
    list_filter = ["kind", SentFilter, "on_date", "portfolio"]
    search_fields = ["recipient__username", "recipient__email", "portfolio__name"]
    date_hierarchy = "on_date"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Reminder]:
        return (
            super()
            .get_queryset(request)
            .select_related("recipient", "portfolio", "quarter__year", "email__recipient")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    """Extensions are granted from the overview (with a trail entry); here they are read."""

    list_display = ["portfolio", "quarter", "submission_deadline", "granted_by", "granted_at"]
    list_filter = ["quarter"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Extension]:
        queryset = super().get_queryset(request)
        return queryset.select_related("portfolio", "quarter__year", "granted_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Deputy)
class DeputyAdmin(SimpleHistoryAdmin):
    """Cover is named and ended on the deputies page, where it is checked; its history,
    deletions here included, is kept."""

    list_display = ["portfolio", "director", "deputy", "starts_on", "ends_on", "named_by"]
    list_filter = ["portfolio"]
    search_fields = ["director__username", "deputy__username", "portfolio__name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Deputy]:
        return (
            super()
            .get_queryset(request)
            .select_related("portfolio", "director", "deputy", "named_by")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
