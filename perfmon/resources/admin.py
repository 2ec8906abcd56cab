"""The admin side of spreadsheet import and export, for every app's ModelAdmin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats

from perfmon.resources.base import SPREADSHEET_FORMATS, BoundedXLSX
from perfmon.resources.spreadsheets import SpreadsheetRefused


class SpreadsheetImportExportMixin(ImportExportMixin):
    """django-import-export's ImportExportMixin (put it first in the bases, so its change
    list template adds the buttons) with perfmon's defaults: spreadsheet formats only,
    and a confirm step that asks for the file again when the upload kept between preview
    and confirm has expired (IMPORT_EXPORT_TMP_STORAGE_CLASS keeps it in the shared cache
    for a day) instead of failing with a server error.

    Importing needs the model's change permission and exporting its view permission
    (IMPORT_EXPORT_IMPORT_PERMISSION_CODE and IMPORT_EXPORT_EXPORT_PERMISSION_CODE).

    An XLSX upload is read by BoundedXLSX, whatever `formats` a subclass sets: a
    spreadsheet bomb is refused with a sentence saying which limit it passed.
    """

    formats = SPREADSHEET_FORMATS

    def get_import_formats(self) -> list[type[base_formats.Format]]:
        return [
            BoundedXLSX if fmt is base_formats.XLSX else fmt for fmt in super().get_import_formats()
        ]

    def add_data_read_fail_error_to_form(self, form: Any, e: Exception) -> None:
        if isinstance(e, SpreadsheetRefused):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def process_import(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        name = request.POST.get("import_file_name", "")
        if request.method == "POST" and self.has_import_permission(request) and name:
            storage = self.get_tmp_storage_class()(name=name, **self.get_tmp_storage_class_kwargs())
            try:
                expired = storage.read() is None
            except OSError:  # a folder storage whose file has gone
                expired = True
            if expired:
                messages.error(
                    request,
                    "The file you checked is no longer kept (uploads are kept for a day "
                    "between the check and the import). Choose it again.",
                )
                opts = self.model._meta
                return redirect(f"admin:{opts.app_label}_{opts.model_name}_import")
        return super().process_import(request, **kwargs)
