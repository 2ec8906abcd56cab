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
from reports.annual_table import ROLES, check_roles
from reports.exporter import FORMATS, render, table_rows
from reports.models import CountingSetting, ImportProfile, OpenDataSetting, ResultsImport
from reports.profiles import ProfileError, guess_mapping

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
    quarter = forms.TypedChoiceField(
        label="Quarter (for a quarterly report)",
        choices=[
            ("", "None: an annual results table"),
            *[(n, f"Quarter {n}") for n in (1, 2, 3, 4)],
        ],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Choose the quarter to upload a quarterly performance report; its items "
        "are matched to the year's items by their text.",
    )
    profile = forms.ModelChoiceField(
        label="Import profile",
        queryset=ImportProfile.objects.all(),
        required=False,
        empty_label="None: read the columns by their names",
        help_text="A saved column mapping, for a table in a layout of its own.",
    )


class MappingForm(forms.Form):
    """One role a column of the header row, and a name to save the mapping under."""

    name = forms.CharField(
        label="Save this mapping as", max_length=100, help_text="For example, Derby 2019/20"
    )

    def __init__(self, *args: Any, header: list[str], roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header = header
        for index, (cell, role) in enumerate(zip(header, roles, strict=True)):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=cell or f"Column {index + 1} (no name)",
                choices=list(ROLES.items()),
                initial=role,
            )

    def roles(self) -> list[str]:
        return [self.cleaned_data[f"column_{index}"] for index in range(len(self.header))]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            for error in check_roles(self.roles()):
                self.add_error(None, error)
        return cleaned


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
            path("<int:pk>/map/", wrap(self.map_view), name="reports_resultsimport_map"),
            path(
                "<int:pk>/confirm/",
                wrap(require_POST(self.confirm_view)),
                name="reports_resultsimport_confirm",
            ),
            path(
                "<int:pk>/new-items/",
                wrap(require_POST(self.new_items_view)),
                name="reports_resultsimport_new_items",
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
                    quarter=form.cleaned_data["quarter"],
                    profile=form.cleaned_data["profile"],
                )
            except services.UploadError as error:
                form.add_error("file", str(error))
            else:
                return HttpResponseRedirect(self._page(created))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import an annual results table or a quarterly report",
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
            "can_map": upload.state == ResultsImport.State.PROBLEMS
            and upload.quarter is None
            and upload.content is not None
            and bool(upload.error),
            "matches": _matches(upload),
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

    def new_items_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The uncertain matches the team says are wrong, ticked: check the report again
        with their items as new items."""
        user = request.user
        if not user.is_authenticated or not user.has_perm("reports.import_results"):
            raise PermissionDenied
        upload = get_object_or_404(ResultsImport, pk=pk)
        lines = [int(line) for line in request.POST.getlist("new") if line.isdigit()]
        try:
            services.choose_new_items(upload=upload, lines=lines)
        except services.UploadError as error:
            messages.error(request, str(error))
        return HttpResponseRedirect(self._page(upload))

    def map_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Map the columns of a file perfmon could not read by itself, save the mapping
        as an import profile and check the file again with it."""
        user = request.user
        if not user.is_authenticated or not user.has_perm("reports.import_results"):
            raise PermissionDenied
        upload = get_object_or_404(ResultsImport, pk=pk, content__isnull=False)
        guess = guess_mapping(name=upload.file_name, data=bytes(upload.content or b""))
        if guess is None:
            messages.error(request, "No row of this file looks like a header to map.")
            return HttpResponseRedirect(self._page(upload))
        line, header, roles = guess
        form = MappingForm(request.POST or None, header=header, roles=roles)
        if request.method == "POST" and form.is_valid():
            try:
                services.recheck_with_profile(
                    upload=upload,
                    name=form.cleaned_data["name"],
                    header=header,
                    roles=form.roles(),
                    user=user,
                )
            except ProfileError as error:
                form.add_error(None, str(error))
            else:
                return HttpResponseRedirect(self._page(upload))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Map the columns of {upload.file_name}",
            "upload": upload,
            "form": form,
            "line": line,
            "columns": [form[f"column_{index}"] for index in range(len(header))],
        }
        return TemplateResponse(request, "admin/reports/resultsimport/map.html", context)

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


def _matches(upload: ResultsImport) -> dict[str, list[dict[str, Any]]]:
    """A quarterly report's matches by outcome (matched, uncertain, new), and under
    "choosable" the uncertain ones with those the team took as new, to choose again."""
    found: dict[str, list[dict[str, Any]]] = {
        "uncertain": [],
        "new": [],
        "matched": [],
        "choosable": [],
    }
    for match in upload.preview.get("matches", []):
        found[match["outcome"]].append(match)
        if services.may_choose_new(match):
            found["choosable"].append(match)
    return found


@admin.register(ImportProfile)
class ImportProfileAdmin(SimpleHistoryAdmin):
    list_display = ["name", "created_by", "created_at"]
    readonly_fields = ["header", "roles", "created_by", "created_at"]
    fields = ["name", "header", "roles", "created_by", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by mapping a file's columns


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
