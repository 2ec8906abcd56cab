"""The performance team's admin for risks, their assessments and the risk matrices.

Every model keeps and shows its history (SimpleHistoryAdmin). Risks import and export as
spreadsheets, assessments export (SpreadsheetImportExportMixin first, so its change list template
adds the buttons; see risks.resources). Importing needs the model's change permission,
exporting its view permission (set in settings).

Assessments are read-only here: they change through their return, which keeps the version
checks, the approval lock and the return's trail. A matrix is edited with its levels,
axis labels and cells; assessments keep the level they were given, so editing a matrix
re-rates nothing already assessed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from perfmon.resources import SPREADSHEET_FORMATS, SpreadsheetImportExportMixin
from risks.models import AxisPoint, MatrixCell, MatrixLevel, Risk, RiskAssessment, RiskMatrix
from risks.resources import RiskAssessmentResource, RiskResource


class MatrixLevelInline(admin.TabularInline):
    model = MatrixLevel
    fields = ["position", "key", "label", "colour", "description"]
    extra = 0


class AxisPointInline(admin.TabularInline):
    model = AxisPoint
    fields = ["axis", "value", "label", "description"]
    extra = 0
    max_num = 8


class MatrixCellInline(admin.TabularInline):
    """The 16 cells: each one's level changes; none is added or removed, so every
    likelihood and impact always has a level."""

    model = MatrixCell
    fields = ["likelihood", "impact", "level"]
    readonly_fields = ["likelihood", "impact"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("level")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "level":
            matrix_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            kwargs["queryset"] = MatrixLevel.objects.filter(matrix_id=matrix_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(RiskMatrix)
class RiskMatrixAdmin(SimpleHistoryAdmin):
    list_display = ["title", "side"]
    inlines = [MatrixLevelInline, AxisPointInline, MatrixCellInline]

    # One matrix per side, created after migrate; the pages need both.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Risk)
class RiskAdmin(SpreadsheetImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [RiskResource]
    formats = SPREADSHEET_FORMATS
    list_display = [
        "reference",
        "title",
        "year",
        "portfolio",
        "theme",
        "category",
        "assessed",
    ]
    list_filter = ["year", "portfolio", "theme", "category", "assessed"]
    search_fields = ["reference", "title"]
    list_select_related = ["year", "portfolio", "theme", "owner", "previous"]
    autocomplete_fields = ["previous", "owner"]
    fields = [
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
    ]

    def view_on_site(self, obj: Risk) -> str:
        return reverse("risks:risk", args=[obj.pk])


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ExportMixin, SimpleHistoryAdmin):
    """Quarterly assessments, to look at, trace and export. They change only through
    their return."""

    resource_classes = [RiskAssessmentResource]
    formats = SPREADSHEET_FORMATS
    list_display = [
        "risk_reference",
        "quarter",
        "threat_score",
        "opportunity_score",
        "score_only",
        "return_state",
        "updated_by",
        "updated_at",
    ]
    list_filter = ["ret__quarter", "ret__state", "ret__portfolio", "score_only"]
    list_select_related = ["risk", "ret__quarter__year", "ret__portfolio", "updated_by"]
    search_fields = ["risk__reference", "risk__title"]

    @admin.display(description="Risk", ordering="risk__reference")
    def risk_reference(self, obj: RiskAssessment) -> str:
        return obj.risk.reference

    @admin.display(description="Quarter", ordering="ret__quarter")
    def quarter(self, obj: RiskAssessment) -> str:
        return str(obj.ret.quarter)

    @admin.display(description="Return", ordering="ret__state")
    def return_state(self, obj: RiskAssessment) -> str:
        return obj.ret.get_state_display()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
