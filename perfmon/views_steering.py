"""Pages for steering the quarter: the overview, chasing, extensions and deputies."""

from __future__ import annotations

import csv
from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from perfmon import quarters, services, steering
from perfmon.access import ReturnAccess, get_return_for_user
from perfmon.models import Deputy, Portfolio, PortfolioRole, Quarter
from perfmon.steering_forms import ChaseForm, DeputyForm, ExtendForm, OverviewFilterForm
from perfmon.views import return_url, signed_in

CSV_COLUMNS = [
    "Portfolio",
    "State",
    "Items complete",
    "Items",
    "Submission deadline",
    "Approval deadline",
    "Extended",
    "Overdue",
    "Last saved by",
    "Last saved at",
    "Submitted at",
    "Approved at",
    "Reminders sent",
    "Chased",
]


def _chosen_quarter(form: OverviewFilterForm, today: date) -> Quarter | None:
    data = form.cleaned_data if form.is_valid() else {}
    start_year, number = quarters.quarter_being_reported(today)
    if data.get("q"):
        chosen_year, chosen_number = data["q"].split("-")
        data = {"year": int(chosen_year), "quarter": int(chosen_number)}
    return (
        Quarter.objects.select_related("year")
        .filter(
            year__start_year=data.get("year") or start_year, number=data.get("quarter") or number
        )
        .first()
    )


def _stamp(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _csv(overview: steering.Overview, rows: list[steering.OverviewRow]) -> HttpResponse:
    quarter = overview.quarter
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"returns-{quarter.year.start_year}-q{quarter.number}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.portfolio.name,
                row.state_label,
                row.complete,
                row.items,
                row.deadlines.submission or "",
                row.deadlines.approval or "",
                "yes" if row.deadlines.extended else "no",
                row.overdue_text,
                row.saved_by,
                _stamp(row.saved_at),
                _stamp(row.submitted_at),
                _stamp(row.approved_at),
                row.reminders,
                row.chases,
            ]
        )
    return response


def returns_overview(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if not steering.sees_overview(user):
        raise Http404("No overview for you.")
    today = timezone.localdate()
    form = OverviewFilterForm(request.GET or None)
    quarter = _chosen_quarter(form, today)
    choices = Quarter.objects.select_related("year").order_by("-year__start_year", "-number")
    context: dict[str, object] = {"form": form, "quarter": quarter, "quarters": choices}
    if quarter is not None:
        overview = steering.quarter_overview(user=user, quarter=quarter, today=today)
        data = form.cleaned_data if form.is_valid() else {}
        rows = steering.filter_rows(
            overview.rows, state=data.get("state") or "", overdue=bool(data.get("overdue"))
        )
        if request.GET.get("format") == "csv":
            return _csv(overview, rows)
        context |= {
            "overview": overview,
            "rows": rows,
            "is_team": user.is_performance_team,
            "names_deputies": user.is_performance_team
            or PortfolioRole.objects.filter(user=user, role=PortfolioRole.Role.DIRECTOR).exists(),
        }
    return render(request, "perfmon/overview.html", context)


def _steering_access(
    request: HttpRequest, portfolio_id: int, year: int, number: int
) -> ReturnAccess:
    """The return, for someone who holds a role on it or is in the team; 404 for others."""
    access = get_return_for_user(signed_in(request), portfolio_id, year, number)
    if not (access.is_team or access.roles):
        raise Http404("No such return.")
    return access


def _refused(form: ChaseForm | ExtendForm | DeputyForm, error: services.SteeringError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


def chase_return(request: HttpRequest, portfolio_id: int, year: int, quarter: int) -> HttpResponse:
    access = _steering_access(request, portfolio_id, year, quarter)
    if not access.can_chase and not access.ret.is_locked:
        raise PermissionDenied("Only the performance team or a director can chase this return.")
    ret = access.ret
    latest = (
        ret.events.filter(action__in=steering.CHASES).order_by("-pk").values_list("pk", flat=True)
        if ret.pk
        else []
    )
    seen = next(iter(latest), 0)
    form = ChaseForm(request.POST or None, initial={"audience": "officers", "seen": seen})
    if request.method == "POST" and form.is_valid():
        try:
            _, new = services.chase_return(
                ret=ret,
                user=signed_in(request),
                audience=form.cleaned_data["audience"],
                note=form.cleaned_data["note"],
                seen=form.cleaned_data["seen"] or 0,
            )
        except services.SteeringError as error:
            _refused(form, error)
        else:
            who = form.cleaned_data["audience"]
            messages.success(
                request,
                f"{ret.portfolio.name}: its {who} have been reminded."
                if new
                else f"{ret.portfolio.name}: its {who} were reminded already.",
            )
            return redirect(_overview_url(ret.quarter))
    status = 400 if form.errors else 200
    return render(
        request, "perfmon/chase.html", {"form": form, "ret": ret, "access": access}, status=status
    )


def _overview_url(quarter: Quarter) -> str:
    return reverse("returns_overview") + f"?year={quarter.year.start_year}&quarter={quarter.number}"


def extend_deadline(
    request: HttpRequest, portfolio_id: int, year: int, quarter: int
) -> HttpResponse:
    access = _steering_access(request, portfolio_id, year, quarter)
    if not access.is_team:
        raise PermissionDenied("Only the performance team can extend a deadline.")
    ret = access.ret
    deadlines = steering.deadlines_of(ret.portfolio_id, ret.quarter)
    form = ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.extend_deadline(
                ret=ret,
                user=signed_in(request),
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            )
        except services.SteeringError as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                f"{ret.portfolio.name} now submits by {form.cleaned_data['until']:%-d %B %Y}.",
            )
            return redirect(_overview_url(ret.quarter))
    context = {"form": form, "ret": ret, "deadlines": deadlines, "return_url": return_url(ret)}
    return render(request, "perfmon/extend.html", context, status=400 if form.errors else 200)


def deputies(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    portfolios = Portfolio.objects.filter(is_active=True)
    if not user.is_performance_team:
        portfolios = portfolios.filter(
            roles__user=user, roles__role=PortfolioRole.Role.DIRECTOR
        ).distinct()
        if not portfolios.exists():
            raise Http404("No deputies for you.")
    form = DeputyForm(request.POST or None, portfolios=portfolios.order_by("name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        director = services.find_person(data["director"]) if data["director"] else user
        try:
            if director is None:
                raise services.SteeringError(
                    "Nobody has an account with that username or email address.",
                    field="director",
                )
            cover = services.name_deputy(
                user=user,
                portfolio=data["portfolio"],
                director=director,
                deputy=services.find_person(data["deputy"]),
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except services.SteeringError as error:
            _refused(form, error)
        else:
            messages.success(request, f"{cover.deputy} covers for {cover.director}.")
            return redirect("deputies")
    named = Deputy.objects.select_related("portfolio", "director", "deputy").filter(
        ends_on__gte=timezone.localdate()
    )
    if not user.is_performance_team:
        named = named.filter(Q(director=user) | Q(deputy=user))
    named = named.order_by("starts_on", "portfolio__name")
    context = {
        "form": form,
        "named": named,
        "endable": {cover.pk for cover in named if services.may_end_cover(user=user, cover=cover)},
        "today": timezone.localdate(),
    }
    return render(request, "perfmon/deputies.html", context, status=400 if form.errors else 200)


@require_POST
def end_cover(request: HttpRequest, pk: int) -> HttpResponse:
    """End a cover now (the deputies page's "End cover"): its director or the team."""
    cover = Deputy.objects.select_related("director", "deputy").filter(pk=pk).first()
    if cover is None:
        raise Http404("No such cover: it may have been withdrawn already.")
    user = signed_in(request)
    if not services.may_end_cover(user=user, cover=cover):
        raise PermissionDenied("Only the director or the performance team can end this cover.")
    try:
        withdrawn = services.end_cover(cover=cover, user=user)
    except services.SteeringError as error:  # ended already (a second click, say)
        messages.error(request, str(error))
        return redirect("deputies")
    done = "is withdrawn" if withdrawn else "has ended: they decide nothing more"
    messages.success(request, f"The cover of {cover.deputy} for {cover.director} {done}.")
    return redirect("deputies")
