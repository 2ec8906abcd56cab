"""Report pages, and the same reports as XLSX, PDF and CSV (`?format=`).

Every report goes the same way: parse the filters, check access (a draft preview is for
the performance team), then draw the page, or hand over the file. A file of approved
returns is made once and kept (reports.report_files); one not made yet is either made in
the request or made by a worker while `prepare_file` shows how far it has got. Drafts are
made in the request every time, and never kept.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from perfmon.models import User
from reports import report_files
from reports.access import check_report_access, may_preview_drafts
from reports.builders.common import Filters
from reports.catalogue import REPORTS, Report
from reports.forms import ReportFilterForm
from reports.models import ReportFile
from reports.rendering import FileSpec, NoSuchTable, make_file

# How often the page waiting for a file asks again, in seconds.
REFRESH_SECONDS = 2


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reports/index.html",
        {"reports": REPORTS.values(), "may_preview": may_preview_drafts(cast(User, request.user))},
    )


def _report(slug: str) -> Report:
    report = REPORTS.get(slug)
    if report is None:
        raise Http404("No such report.")
    return report


def _bound_form(request: HttpRequest, user: User) -> ReportFilterForm:
    """The filter form bound to the query string (the defaults when there is none). Raises
    PermissionDenied for a draft asked for by anyone outside the performance team."""
    check_report_access(user, draft=bool(request.GET.get("draft")))
    form = ReportFilterForm(request.GET or {}, may_preview=may_preview_drafts(user))
    form.is_valid()
    return form


def report_page(request: HttpRequest, slug: str) -> HttpResponse:
    report = _report(slug)
    user = cast(User, request.user)
    form = _bound_form(request, user)
    context: dict[str, Any] = {"report": report, "form": form, "result": None}
    if form.errors:
        return render(request, "reports/page.html", context, status=400)
    filters = form.filters()
    if filters is None:
        return render(request, "reports/page.html", context)
    fmt = form.cleaned_data.get("format") or "html"
    if fmt != "html":
        return _file(request, FileSpec(slug, filters, fmt, form.cleaned_data.get("table") or ""))
    result = report.builder(filters)
    context.update(
        filters=filters,
        result=result,
        body=f"reports/_{slug}.html",
        keys=getattr(result, "keys", []),
        query=_query(filters),
    )
    return render(request, "reports/page.html", context)


def _file(request: HttpRequest, spec: FileSpec) -> HttpResponse:
    """The file itself when it is made (or can be made now), else the page waiting for it."""
    try:
        if spec.filters.draft:
            built = make_file(spec)
            return _download(built.data, built.file_name, built.content_type)
        kept = report_files.request_report_file(spec=spec, user=cast(User, request.user))
    except NoSuchTable as error:
        raise Http404(str(error)) from error
    if kept.state != ReportFile.State.READY:
        return redirect(_file_query(reverse("reports:prepare", args=[spec.slug]), spec))
    return _download(bytes(kept.content or b""), kept.file_name, kept.content_type)


@require_http_methods(["GET", "POST"])
def prepare_file(request: HttpRequest, slug: str) -> HttpResponse:
    """The page that waits for a file a worker is making: it refreshes itself until the
    file is ready, then offers it; a failure is said in words, with a button to try
    again (POST)."""
    report = _report(slug)
    user = cast(User, request.user)
    form = _bound_form(request, user)
    filters = None if form.errors else form.filters()
    fmt = form.cleaned_data.get("format") if not form.errors else None
    page = reverse("reports:report", args=[slug])
    if filters is None or not fmt or fmt == "html":
        return redirect(page + ("?" + _query(filters) if filters else ""))
    spec = FileSpec(slug, filters, fmt, form.cleaned_data.get("table") or "")
    download = _file_query(page, spec)
    if filters.draft:  # never kept, so nothing to wait for
        return redirect(download)
    try:
        if request.method == "POST":
            report_files.retry_report_file(spec=spec, user=user)
            return redirect(_file_query(reverse("reports:prepare", args=[slug]), spec))
        kept = report_files.request_report_file(spec=spec, user=user, content=False)
    except NoSuchTable as error:
        raise Http404(str(error)) from error
    response = render(
        request,
        "reports/file.html",
        {
            "report": report,
            "filters": filters,
            "spec": spec,
            "kept": kept,
            "download": download,
            "back": f"{page}?{_query(filters)}",
            "refresh_seconds": REFRESH_SECONDS,
        },
    )
    if kept.waiting and not kept.stalled:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private"
    return response


def _query(filters: Filters) -> str:
    """The filters as a query string, for the download links."""
    parts = [f"year={filters.year.start_year}", f"quarter={filters.quarter}"]
    if filters.theme:
        parts.append(f"theme={filters.theme.pk}")
    if filters.portfolio:
        parts.append(f"portfolio={filters.portfolio.pk}")
    if filters.draft:
        parts.append("draft=on")
    return "&".join(parts)


def _file_query(path: str, spec: FileSpec) -> str:
    table = f"&table={spec.table}" if spec.fmt == "csv" and spec.table else ""
    return f"{path}?{_query(spec.filters)}&format={spec.fmt}{table}"
