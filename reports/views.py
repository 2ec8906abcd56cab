"""Report pages, and the same reports as XLSX, PDF and CSV (`?format=`).

Every report goes the same way: parse the filters, check access (a draft preview is for
the performance team), call the report's builder, and render the result as asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from perfmon.models import User
from reports import pdf, xlsx
from reports.access import check_report_access, may_preview_drafts
from reports.builders.annual import build_annual
from reports.builders.common import Filters
from reports.builders.exceptions import build_exceptions
from reports.builders.quarterly import build_quarterly
from reports.builders.summary import build_summary
from reports.builders.trend import build_trend
from reports.csv import table_csv
from reports.forms import ReportFilterForm


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    builder: Callable[[Filters], Any]
    about: str


REPORTS = {
    report.slug: report
    for report in (
        Report(
            "annual",
            "Annual performance results",
            build_annual,
            "The year's outturn as the council publishes it: the summary by theme, then for "
            "each Cabinet portfolio its actions, measures, priority projects and strategic "
            "risks, with last year's actual, the Q4 actual, status, target and direction of "
            "travel, and the key.",
        ),
        Report(
            "summary",
            "Summary by theme",
            build_summary,
            "For a year and quarter, per Council Plan theme and for the whole council: how "
            "many measures, actions, risks and projects, the % of measures meeting target and "
            "improved since last year, the % of actions on track and of projects Green or "
            "Amber. How each figure is counted is printed under the table.",
        ),
        Report(
            "quarterly",
            "Quarterly performance report",
            build_quarterly,
            "Per theme: the assessment of progress of actions, key achievements, priorities "
            "for development (slippage), projects rated red or amber/red, then the "
            "supporting information of every item.",
        ),
        Report(
            "trend",
            "Trend over time",
            build_trend,
            "How many measures and actions were in each rating at the end of each quarter of "
            "the year, as charts and tables, and each item's rating beside last quarter's.",
        ),
        Report(
            "exceptions",
            "Exception report",
            build_exceptions,
            "For a committee: only the measures rated Amber or Red, actions with slippage, "
            "projects rated red or amber/red, and risks scoring 12 or more.",
        ),
    )
}


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reports/index.html",
        {"reports": REPORTS.values(), "may_preview": may_preview_drafts(cast(User, request.user))},
    )


def report_page(request: HttpRequest, slug: str) -> HttpResponse:
    report = REPORTS.get(slug)
    if report is None:
        raise Http404("No such report.")
    user = cast(User, request.user)
    check_report_access(user, draft=bool(request.GET.get("draft")))
    form = ReportFilterForm(request.GET or None, may_preview=may_preview_drafts(user))
    context: dict[str, Any] = {"report": report, "form": form, "result": None}
    if request.GET and not form.is_valid():
        return render(request, "reports/page.html", context, status=400)
    if not request.GET:
        form = ReportFilterForm({}, may_preview=may_preview_drafts(user))
        form.is_valid()
        context["form"] = form
    filters = form.filters()
    if filters is None:
        return render(request, "reports/page.html", context)
    result = report.builder(filters)
    context.update(
        filters=filters,
        result=result,
        body=f"reports/_{slug}.html",
        keys=getattr(result, "keys", []),
        query=_query(filters),
    )
    fmt = form.cleaned_data.get("format") or "html"
    if fmt == "html":
        return render(request, "reports/page.html", context)
    name = f"{slug}-{filters.year.start_year}-q{filters.quarter}" + (
        "-draft" if filters.draft else ""
    )
    if fmt == "xlsx":
        data = xlsx.workbook(
            result.tables(), heading=report.title, filters=filters, keys=context["keys"]
        )
        return _download(data, f"{name}.xlsx", XLSX)
    if fmt == "csv":
        tables = {table.slug: table for table in result.tables()}
        table = tables.get(form.cleaned_data.get("table") or next(iter(tables)))
        if table is None:
            raise Http404("No such table in this report.")
        return _download(table_csv(table, draft=filters.draft), f"{name}-{table.slug}.csv", CSV)
    html = render_to_string("reports/pdf.html", context, request=request)
    return _download(
        pdf.pdf_bytes(html, base_url=request.build_absolute_uri("/")), f"{name}.pdf", PDF
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
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
