"""The performance team's admin for projects and their updates.

Projects keep and show their history (SimpleHistoryAdmin) and import and export as
spreadsheets (SpreadsheetImportExportMixin, see projects.resources): the mixin goes first so its
change list template adds the buttons. Quarterly updates are read-only here, and export
only: they change through their return, which keeps the version checks, the approval lock
and the return's trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from perfmon.resources import SPREADSHEET_FORMATS, SpreadsheetImportExportMixin
from projects.models import Project, ProjectUpdate
from projects.resources import ProjectResource, ProjectUpdateResource


@admin.register(Project)
class ProjectAdmin(SpreadsheetImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [ProjectResource]
    formats = SPREADSHEET_FORMATS
    list_display = ["reference", "name", "year", "portfolio", "theme", "stage", "gateway"]
    list_filter = ["year", "portfolio", "theme", "stage"]
    search_fields = ["reference", "name"]
    # The change list's query is also the export's: "previous" is written by reference.
    list_select_related = ["year", "portfolio", "theme", "previous"]
    autocomplete_fields = ["previous", "sponsor", "manager"]
    fields = [
        "year",
        "reference",
        "name",
        "portfolio",
        "theme",
        "stage",
        "gateway",
        "sponsor",
        "sponsor_name",
        "manager",
        "manager_name",
        "previous",
    ]

    def view_on_site(self, obj: Project) -> str:
        return reverse("projects:project", args=[obj.pk])

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


@admin.register(ProjectUpdate)
class ProjectUpdateAdmin(ExportMixin, SimpleHistoryAdmin):
    """Quarterly updates, to look at, trace and export. They change only through their
    return."""

    resource_classes = [ProjectUpdateResource]
    formats = SPREADSHEET_FORMATS
    list_display = [
        "project_reference",
        "quarter",
        "rag",
        "dca",
        "rag_from_criteria",
        "return_state",
        "updated_by",
        "updated_at",
    ]
    list_filter = ["ret__quarter", "ret__state", "ret__portfolio", "rag", "dca"]
    search_fields = ["project__reference", "project__name"]
    list_select_related = ["project", "ret__quarter__year", "ret__portfolio", "updated_by"]

    @admin.display(description="Project", ordering="project__reference")
    def project_reference(self, obj: ProjectUpdate) -> str:
        return obj.project.reference

    @admin.display(description="Quarter", ordering="ret__quarter")
    def quarter(self, obj: ProjectUpdate) -> str:
        return str(obj.ret.quarter)

    @admin.display(description="Return", ordering="ret__state")
    def return_state(self, obj: ProjectUpdate) -> str:
        return obj.ret.get_state_display()

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
