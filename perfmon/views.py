from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Window
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from perfmon import quarters, reminders, return_summary, services, steering
from perfmon.access import ReturnAccess, get_return_for_user, standing_of
from perfmon.forms import CheckAnswersForm, DecisionForm, ReopenForm
from perfmon.models import (
    CouncilSettings,
    Portfolio,
    PortfolioRole,
    Quarter,
    Return,
    ReturnEvent,
    User,
)
from perfmon.sections import Clash, Merged, Missing, SectionForm, sections


def signed_in(request: HttpRequest) -> User:
    """The person making the request: every page but sign-in needs one
    (LoginRequiredMiddleware)."""
    return cast(User, request.user)


def home(request: HttpRequest) -> HttpResponse:
    today: date = timezone.localdate()
    user = signed_in(request)
    standing = standing_of(user)  # cached: roles and team without a query
    start_year, number = quarters.quarter_being_reported(today)
    quarter = Quarter.objects.being_reported(today).select_related("year").first()
    held = Portfolio.objects.filter(pk__in=list(standing.roles)).order_by("name")
    context = {
        "today": today,
        "reporting_year_label": quarters.year_label(start_year),
        "reporting_quarter_number": number,
        "reporting_months": quarters.QUARTER_MONTHS[number]
        + f" {quarters.quarter_bounds(start_year, number)[1].year}",
        "quarter": quarter,
        "portfolios": [(portfolio, _role_labels(standing.on(portfolio.pk))) for portfolio in held],
        "team": standing.team,
        "waiting": steering.waiting_for(user, today=today, current=quarter),
    }
    return render(request, "perfmon/home.html", context)


@login_not_required
@require_safe
def council_logo(request: HttpRequest, digest: str) -> HttpResponse:
    """The council's logo, at an address naming its content (its SHA-256), so browsers
    keep it until it changes. Shown on the sign-in page too, so nobody need be signed in.
    An SVG opened on its own runs nothing: it is sandboxed by its own policy, which
    django-csp leaves in place of the site's."""
    found = (
        CouncilSettings.objects.filter(pk=1, logo_digest=digest)
        .values_list("logo_type", "logo_image")
        .first()
    )
    if found is None:
        raise Http404("No such logo: the council may have changed it.")
    media_type, data = found
    response = HttpResponse(bytes(data), content_type=media_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _role_labels(roles: frozenset[str]) -> list[str]:
    return [PortfolioRole.Role(role).label for role in sorted(roles)]


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any]
) -> HttpResponse:
    """What django-axes shows once sign-ins for a username from one address are paused."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


def return_url(ret: Return, name: str = "return") -> str:
    return reverse(
        name,
        args=[ret.portfolio_id, ret.quarter.year.start_year, ret.quarter.number],
    )


def _render_return(
    request: HttpRequest,
    access: ReturnAccess,
    forms: list[SectionForm],
    *,
    missing: Sequence[Missing] = (),
    clashes: Sequence[Clash] = (),
    merged: Sequence[Merged] = (),
    decision: DecisionForm | None = None,
    reopen: ReopenForm | None = None,
    checking: bool = False,
    status: int = 200,
) -> HttpResponse:
    ret = access.ret
    forms = [form.for_display() for form in forms]
    trail = _trail(request, ret)
    events = trail.events
    errors = [error for form in forms for error in form.error_list()]
    for form in forms:
        form.show_missing(missing)
    context = {
        "access": access,
        "ret": ret,
        "forms": forms,
        "errors": errors,
        "missing": missing,
        "checking": checking,
        "clashes": clashes,
        "merged": merged,
        "events": events,
        "trail": trail,
        "last_returned": _last(ret, events, ReturnEvent.Action.RETURNED),
        "last_reopened": _last(ret, events, ReturnEvent.Action.REOPENED),
        "decision": decision or DecisionForm(initial={"seen": events[-1].pk if events else 0}),
        "reopen": reopen or ReopenForm(),
        "deadlines": steering.deadlines_of_return(ret),
        "reminded": reminders.reminders_sent_about(
            portfolio_id=ret.portfolio_id, quarter_id=ret.quarter_id
        ),
    }
    if access.can_edit:
        problems = [e.anchor for e in errors] + [c.anchor for c in clashes]
        tasks = [task for task in return_summary.tasks(forms, problems=problems) if task.total]
        context["tasks"] = tasks
        context["done_sections"] = sum(1 for task in tasks if task.status == "Completed")
        # The sections' rows are Jinja2 templates, for speed: see perfmon/jinja2.py.
        context["sections_html"] = [
            mark_safe(
                render_to_string(form.template_name, {"section": form}, using="jinja2")
            )  # autoescaped by Jinja2
            for form in forms
        ]
    else:
        # Read only: the return as summary lists, what matters first.
        summaries = return_summary.summarise(forms)
        context["answers_html"] = _answers_html(summaries)
        context["summary"] = return_summary.for_director(summaries)
    return render(request, "perfmon/return.html", context, status=status)


def _answers_html(summaries: Sequence[return_summary.SectionSummary], change_url: str = "") -> str:
    """The return's answers read only: a card for every item, in Jinja2 for speed as the
    rows are (see perfmon/jinja2.py)."""
    html = render_to_string(
        "perfmon/_return_answers.jinja",
        {"summaries": summaries, "change_url": change_url},
        using="jinja2",
    )
    return mark_safe(html)  # autoescaped by Jinja2


TRAIL_SHOWN = 10  # the latest steps a return page lists; ?trail=all lists every one


@dataclass(frozen=True)
class Trail:
    events: list[ReturnEvent]  # oldest first
    total: int  # steps in all

    @property
    def cut(self) -> bool:
        return len(self.events) < self.total


def _trail(request: HttpRequest, ret: Return) -> Trail:
    """The return's latest steps (all of them with ?trail=all): a return saved all day on
    deadline day keeps a page that loads as fast as in the morning."""
    if ret.pk is None:
        return Trail(events=[], total=0)
    latest = ret.events.select_related("user", "on_behalf_of").order_by("-at", "-pk")
    if request.GET.get("trail") == "all":
        events = list(latest)
        return Trail(events=events[::-1], total=len(events))
    # The count of every step comes with the latest ones, in the same query.
    events = list(latest.annotate(steps=Window(Count("pk")))[:TRAIL_SHOWN])
    total = cast(Any, events[0]).steps if events else 0  # the annotation
    return Trail(events=events[::-1], total=total)


def _last(ret: Return, events: Sequence[ReturnEvent], action: str) -> ReturnEvent | None:
    """The latest step of this kind: from the steps shown, else (older) looked up, for
    the return's banner."""
    found = [event for event in events if event.action == action]
    if found:
        return found[-1]
    if ret.pk is None or ret.state != action:
        return None  # only the banner of a returned (or reopened) return shows it
    return ret.events.filter(action=action).select_related("user").order_by("-at", "-pk").first()


def return_page(request: HttpRequest, portfolio_id: int, year: int, quarter: int) -> HttpResponse:
    access = get_return_for_user(
        signed_in(request), portfolio_id, year, quarter, write=request.method == "POST"
    )
    ret = access.ret
    data = request.POST if request.method == "POST" else None
    forms = [s.form(ret=ret, data=data, editable=access.can_edit) for s in sections]
    if data is None:
        return _render_return(request, access, forms)
    if not all(form.is_valid() for form in forms):
        return _render_return(request, access, forms, status=400)
    # Only Check your answers submits, once its declaration is made: a post asking the
    # return page to submit (an old page, or one made by hand) is saved and checked.
    checking = "check" in data or "submit" in data
    try:
        result = services.save_return(ret=ret, user=signed_in(request), forms=forms)
    except services.ReturnError as error:
        messages.error(request, str(error))
        return redirect(request.path)
    if result.clashes:
        access = get_return_for_user(signed_in(request), portfolio_id, year, quarter)
        forms = [form.after_clash(ret=access.ret, clashes=result.clashes) for form in forms]
        return _render_return(
            request, access, forms, clashes=result.clashes, merged=result.merged, status=409
        )
    if result.merged:
        kept = "; ".join(str(change) for change in result.merged)
        messages.info(request, f"Others saved this return while you were editing it: {kept}.")
    missing = result.missing
    if checking or missing:
        # The stored return (the save created it if it was new).
        access = get_return_for_user(signed_in(request), portfolio_id, year, quarter)
        missing = services.missing_from(access.ret) if checking else missing
    if missing:
        # Saved as a draft; the error summary says what is missing, each field says it too.
        forms = [s.form(ret=access.ret, editable=access.can_edit) for s in sections]
        return _render_return(request, access, forms, missing=missing, checking=checking)
    if checking:
        if result.changes:
            messages.success(request, f"Draft saved: {len(result.changes)} change(s).")
        return redirect(return_url(access.ret, "check_return"))
    if result.changes:
        messages.success(request, f"Draft saved: {len(result.changes)} change(s).")
    else:
        messages.info(request, "Nothing had changed, so nothing was saved.")
    return redirect(request.path)


def check_return(request: HttpRequest, portfolio_id: int, year: int, quarter: int) -> HttpResponse:
    """Check your answers: every value, what changed and what is flagged, a declaration,
    then submit. Reached from the return's "Save and check your answers"."""
    access = get_return_for_user(signed_in(request), portfolio_id, year, quarter)
    if not access.can_edit:
        return redirect(return_url(access.ret))
    form = CheckAnswersForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        # Submitting checks that nothing is missing itself, writing nothing if anything is.
        try:
            result = services.save_return(
                ret=access.ret, user=signed_in(request), forms=[], submit=True
            )
        except services.ReturnError as error:
            messages.error(request, str(error))
            return redirect(return_url(access.ret))
        if result.submitted:
            messages.success(request, "Return submitted. Its directors have been told.")
            return redirect(return_url(access.ret))
    forms = [s.form(ret=access.ret, editable=False) for s in sections]
    summaries = return_summary.summarise(forms)
    incomplete = [item for summary in summaries for item in summary.items if not item.complete]
    context = {
        "access": access,
        "ret": access.ret,
        "form": form,
        "answers_html": _answers_html(summaries, change_url=return_url(access.ret)),
        "summary": return_summary.for_director(summaries),
        "incomplete": incomplete if form.is_bound else [],
        "waiting": incomplete,
    }
    status = 400 if form.is_bound else 200
    return render(request, "perfmon/check_answers.html", context, status=status)


def decide_return(request: HttpRequest, portfolio_id: int, year: int, quarter: int) -> HttpResponse:
    access = get_return_for_user(signed_in(request), portfolio_id, year, quarter)
    if request.method != "POST":  # a reloaded failed decision: back to the return
        return redirect(return_url(access.ret))
    if not access.can_decide:
        raise PermissionDenied("Only a director of this portfolio can decide on this return.")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        forms = [s.form(ret=access.ret, editable=False) for s in sections]
        return _render_return(request, access, forms, decision=form, status=400)
    try:
        if form.cleaned_data["decision"] == DecisionForm.APPROVE:
            services.approve_return(
                ret=access.ret,
                user=signed_in(request),
                comment=form.cleaned_data["comment"],
                seen=form.cleaned_data["seen"],
            )
            messages.success(request, "Return approved. It is now locked.")
        else:
            services.return_to_officers(
                ret=access.ret,
                user=signed_in(request),
                comment=form.cleaned_data["comment"],
                seen=form.cleaned_data["seen"],
            )
            messages.success(request, "Return sent back to its officers with your comment.")
    except services.ReturnError as error:
        messages.error(request, str(error))
    return redirect(return_url(access.ret))


def reopen_return(request: HttpRequest, portfolio_id: int, year: int, quarter: int) -> HttpResponse:
    access = get_return_for_user(signed_in(request), portfolio_id, year, quarter)
    if request.method != "POST":  # a reloaded failed reopening: back to the return
        return redirect(return_url(access.ret))
    if not access.can_reopen:
        raise PermissionDenied("Only the performance team can reopen an approved return.")
    form = ReopenForm(request.POST)
    if not form.is_valid():
        forms = [s.form(ret=access.ret, editable=False) for s in sections]
        return _render_return(request, access, forms, reopen=form, status=400)
    services.reopen_return(
        ret=access.ret, user=signed_in(request), reason=form.cleaned_data["reason"]
    )
    messages.success(request, "Return reopened: its officers can change it again.")
    return redirect(return_url(access.ret))


def my_returns(request: HttpRequest) -> HttpResponse:
    rows = steering.to_fill(signed_in(request), today=timezone.localdate())
    return render(request, "perfmon/my_returns.html", {"rows": rows})


def approvals(request: HttpRequest) -> HttpResponse:
    rows = steering.awaiting_decision(signed_in(request), today=timezone.localdate())
    return render(request, "perfmon/approvals.html", {"rows": rows})
