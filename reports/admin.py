"""The performance team's annual results import and export, in the admin.

Upload a table, read the preview (what will be created, updated and left alone, and
every problem row), then confirm; or export a year in the same layout. Importing needs
the "Can import annual results tables" permission, exporting "Can export ...".
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from perfmon import quarters
from perfmon.forms import FinancialYearField
from perfmon.models import ReportingYear
from reports import services
from reports.exporter import FORMATS, render, table_rows
from reports.models import CountingSetting, OpenDataSetting, ResultsImport

CONTENT_TYPES = {
    "tsv": "text/tab-separated-values; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Annual results table",
        help_text="TSV, CSV or XLSX, laid out as the council publishes it, up to "
        f"{services.MAX_BYTES // 1024 // 1024} MB.",
    )
    year = FinancialYearField(label="The year it reports on", help_text="For example, 2024/25")


class ExportForm(forms.Form):
    year = forms.ModelChoiceField(
        queryset=ReportingYear.objects.order_by("-start_year"), empty_label=None
    )
    format = forms.ChoiceField(choices=[(f, f.upper()) for f in FORMATS], initial="xlsx")


@admin.register(ResultsImport)
class ResultsImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "year_label", "state", "uploaded_by", "uploaded_at"]
    list_filter = ["state", "start_year"]
    change_list_template = "admin/reports/resultsimport/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("reports.import_results")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("reports.import_results") or request.user.has_perm(
            "reports.export_results"
        )

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("export/", wrap(self.export_view), name="reports_resultsimport_export"),
            path(
                "<int:pk>/confirm/",
                wrap(require_POST(self.confirm_view)),
                name="reports_resultsimport_confirm",
            ),
            *super().get_urls(),
        ]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                created = services.upload_results(
                    name=upload.name,
                    data=upload.read(services.MAX_BYTES + 1),
                    size=upload.size,
                    start_year=form.cleaned_data["year"],
                    user=user,
                )
            except services.UploadError as error:
                form.add_error("file", str(error))
            else:
                return HttpResponseRedirect(self._page(created))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import an annual results table",
            "form": form,
            "max_mb": services.MAX_BYTES // 1024 // 1024,
        }
        return TemplateResponse(request, "admin/reports/resultsimport/upload.html", context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        upload = get_object_or_404(ResultsImport, pk=object_id)
        if not self.has_view_permission(request, upload):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{upload.file_name}: {upload.get_state_display()}",
            "upload": upload,
            "progress": services.import_progress(upload) if upload.running else None,
            "can_import": request.user.has_perm("reports.import_results"),
            "kinds": _kind_rows(upload),
            "changes": upload.outcome or upload.preview.get("changes") or {},
        }
        return TemplateResponse(request, "admin/reports/resultsimport/detail.html", context)

    def confirm_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or not user.has_perm("reports.import_results"):
            raise PermissionDenied
        upload = get_object_or_404(ResultsImport, pk=pk)
        try:
            services.confirm_results_import(upload=upload, user=user)
        except services.UploadError as error:
            messages.error(request, str(error))
        return HttpResponseRedirect(self._page(upload))

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("reports.export_results"):
            raise PermissionDenied
        form = ExportForm(request.GET or None)
        if form.is_valid():
            year, fmt = form.cleaned_data["year"], form.cleaned_data["format"]
            response = HttpResponse(render(table_rows(year), fmt), content_type=CONTENT_TYPES[fmt])
            name = f"annual-results-{quarters.year_label(year.start_year).replace('/', '-')}"
            response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Export an annual results table",
            "form": form,
        }
        return TemplateResponse(request, "admin/reports/resultsimport/export.html", context)

    def _page(self, upload: ResultsImport) -> str:
        return reverse("admin:reports_resultsimport_change", args=[upload.pk])


KIND_LABELS = {
    "measure": "Measures",
    "action": "Actions",
    "project": "Priority projects",
    "risk": "Strategic risks",
}


def _kind_rows(upload: ResultsImport) -> list[dict[str, Any]]:
    """Per kind: rows read, and what the import will do (or did) with them."""
    changes = upload.outcome or upload.preview.get("changes") or {}
    rows = upload.preview.get("rows", {})
    return [
        {
            "label": label,
            "rows": rows.get(kind, 0),
            **{
                key: changes.get(key, {}).get(kind, 0)
                for key in ("created", "updated", "unchanged")
            },
        }
        for kind, label in KIND_LABELS.items()
        if rows.get(kind)
    ]


@admin.register(OpenDataSetting)
class OpenDataSettingAdmin(SimpleHistoryAdmin):
    """The open data API's switch: one row, which the performance team changes and nobody
    adds or deletes. The list page goes straight to it."""

    fields = ["anonymous_read"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_switch_open_data(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_switch_open_data(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_switch_open_data(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if not may_switch_open_data(request):
            raise PermissionDenied
        setting = OpenDataSetting.load()
        return HttpResponseRedirect(
            reverse("admin:reports_opendatasetting_change", args=[setting.pk])
        )


def may_switch_open_data(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and user.is_performance_team)


@admin.register(CountingSetting)
class CountingSettingAdmin(SimpleHistoryAdmin):
    """The counting convention: one row, changed, never added or deleted."""

    fields = ["convention"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        setting = CountingSetting.load()
        return HttpResponseRedirect(
            reverse("admin:reports_countingsetting_change", args=[setting.pk])
        )
