"""The performance team's admin for measures, actions, their updates and rating schemes.

Every model keeps and shows its history (SimpleHistoryAdmin). Measures, actions and
quarter targets also import and export as spreadsheets (SpreadsheetImportExportMixin,
see measures.resources and perfmon.resources): the mixin goes first so its change list
template, which extends the admin's, adds the buttons. Importing needs the model's change
permission, exporting its view permission (IMPORT_EXPORT_IMPORT_PERMISSION_CODE and
IMPORT_EXPORT_EXPORT_PERMISSION_CODE in settings).

Quarterly updates are read-only here and export only (ExportMixin): they change through
their return, which keeps the version checks against lost updates, the approval lock and
the return's trail; an import would go round all three.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from measures.action_scheme_admin import ActionSchemeAdmin as ActionSchemeAdmin
from measures.models import (
    Action,
    ActionUpdate,
    Measure,
    MeasureUpdate,
    QuarterTarget,
    RatingBand,
    RatingScheme,
)
from measures.resources import (
    ActionResource,
    ActionUpdateResource,
    MeasureResource,
    MeasureUpdateResource,
    QuarterTargetResource,
)
from perfmon.resources import SPREADSHEET_FORMATS, SpreadsheetImportExportMixin


class RatingBandInline(admin.TabularInline):
    model = RatingBand
    fields = [
        "position",
        "key",
        "label",
        "colour",
        "floor",
        "floor_inclusive",
        "high_target_above",
        "high_target_floor",
        "high_target_unit",
        "description",
    ]
    extra = 0


@admin.register(RatingScheme)
class RatingSchemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "in_use"]
    inlines = [RatingBandInline]


class QuarterTargetInline(admin.TabularInline):
    model = QuarterTarget
    fields = ["quarter_number", "value"]
    extra = 0
    max_num = 4


class ItemAdmin(SpreadsheetImportExportMixin, SimpleHistoryAdmin):
    """What measures and actions share: filters, search, lineage and a link to the page."""

    list_filter = ["year", "portfolio", "theme"]
    search_fields = ["reference", "description"]
    # The change list's query is also the export's: "previous" is written by reference.
    list_select_related = ["year", "portfolio", "theme", "previous"]
    autocomplete_fields = ["previous"]
    page_url_name = ""

    @admin.display(description="Description")
    def short_description(self, obj: Measure | Action) -> str:
        text = obj.description
        return text if len(text) <= 80 else f"{text[:79]}…"

    def view_on_site(self, obj: Measure | Action) -> str:
        return reverse(self.page_url_name, args=[obj.pk])


@admin.register(Measure)
class MeasureAdmin(ItemAdmin):
    resource_classes = [MeasureResource]
    page_url_name = "measures:measure"
    list_display = [
        "reference",
        "short_description",
        "year",
        "portfolio",
        "theme",
        "unit",
        "polarity",
        "target",
    ]
    list_filter = [*ItemAdmin.list_filter, "polarity", "unit", "frequency"]
    fields = [
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
    ]
    inlines = [QuarterTargetInline]


@admin.register(Action)
class ActionAdmin(ItemAdmin):
    resource_classes = [ActionResource]
    page_url_name = "measures:action"
    list_display = [
        "reference",
        "short_description",
        "year",
        "portfolio",
        "theme",
        "expected_completion",
    ]
    fields = [
        "year",
        "reference",
        "description",
        "portfolio",
        "theme",
        "expected_completion",
        "previous",
    ]


@admin.register(QuarterTarget)
class QuarterTargetAdmin(SpreadsheetImportExportMixin, SimpleHistoryAdmin):
    """Measures' quarter targets, to import and export in bulk (each measure's page edits
    its own)."""

    resource_classes = [QuarterTargetResource]
    list_display = ["measure", "quarter_number", "value"]
    list_filter = ["measure__year", "quarter_number"]
    search_fields = ["measure__reference", "measure__description"]
    list_select_related = ["measure__year"]
    autocomplete_fields = ["measure"]


class UpdateAdmin(ExportMixin, SimpleHistoryAdmin):
    """Quarterly updates, to look at, trace and export. They change only through their
    return (version checks, approval lock, the return's trail), so there is no import."""

    formats = SPREADSHEET_FORMATS

    list_filter = ["ret__quarter", "ret__state", "ret__portfolio"]
    list_select_related = ["ret__quarter__year", "ret__portfolio", "updated_by"]

    @admin.display(description="Quarter", ordering="ret__quarter")
    def quarter(self, obj: Any) -> str:
        return str(obj.ret.quarter)

    @admin.display(description="Return", ordering="ret__state")
    def return_state(self, obj: Any) -> str:
        return obj.ret.get_state_display()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MeasureUpdate)
class MeasureUpdateAdmin(UpdateAdmin):
    resource_classes = [MeasureUpdateResource]
    list_display = [
        "measure_reference",
        "quarter",
        "actual",
        "shown_status",
        "return_state",
        "updated_by",
        "updated_at",
    ]
    search_fields = ["measure__reference", "measure__description"]
    list_select_related = [*UpdateAdmin.list_select_related, "measure"]

    @admin.display(description="Measure", ordering="measure__reference")
    def measure_reference(self, obj: MeasureUpdate) -> str:
        return obj.measure.reference


@admin.register(ActionUpdate)
class ActionUpdateAdmin(UpdateAdmin):
    resource_classes = [ActionUpdateResource]
    list_display = [
        "action_reference",
        "quarter",
        "status",
        "return_state",
        "updated_by",
        "updated_at",
    ]
    search_fields = ["action__reference", "action__description"]
    list_select_related = [*UpdateAdmin.list_select_related, "action"]

    @admin.display(description="Action", ordering="action__reference")
    def action_reference(self, obj: ActionUpdate) -> str:
        return obj.action.reference
