"""The project dashboard and a project's page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from perfmon import quarters
from perfmon.item_page import QuarterRow, load_item_page
from perfmon.models import Portfolio, Quarter, Theme, User
from projects import rules
from projects.access import get_project_for_user
from projects.dashboard import build_dashboard
from projects.forms import DashboardForm
from projects.history import project_history
from projects.models import ProjectUpdate


def _default_quarter(choices: list[Quarter]) -> Quarter | None:
    """The latest quarter with an approved project update, else the quarter being
    reported today, else the latest there is."""
    latest = (
        ProjectUpdate.objects.approved()
        .order_by("-ret__quarter__year__start_year", "-ret__quarter__number")
        .values_list("ret__quarter_id", flat=True)
        .first()
    )
    start_year, number = quarters.quarter_being_reported(timezone.localdate())
    for quarter in choices:
        if quarter.pk == latest:
            return quarter
    for quarter in choices:
        if (quarter.year.start_year, quarter.number) == (start_year, number):
            return quarter
    return choices[0] if choices else None


def dashboard(request: HttpRequest) -> HttpResponse:
    choices = list(Quarter.objects.select_related("year"))
    themes = list(Theme.objects.filter(projects__isnull=False).distinct().order_by("name"))
    portfolios = list(Portfolio.objects.filter(projects__isnull=False).distinct())
    data = request.GET.copy()
    if not data.get("quarter"):
        default = _default_quarter(choices)
        data["quarter"] = str(default.pk) if default else ""
    form = DashboardForm(data, quarters=choices, themes=themes, portfolios=portfolios)
    form.is_valid()  # a filter that is not valid is shown with its error, and not applied
    filters = form.cleaned_data
    quarter = filters.get("quarter") or _default_quarter(choices)
    board = (
        build_dashboard(
            quarter=quarter,
            theme=filters.get("theme"),
            portfolio=filters.get("portfolio"),
            rating=filters.get("rating", ""),
        )
        if quarter is not None
        else None
    )
    return render(request, "projects/dashboard.html", {"form": form, "board": board})


@dataclass(frozen=True)
class ProjectRow(QuarterRow[ProjectUpdate]):
    @property
    def rag(self) -> rules.Rating | None:
        return self.update.rag_rating if self.update else None

    @property
    def dca(self) -> rules.Rating | None:
        return self.update.dca_rating if self.update else None


def project_page(request: HttpRequest, pk: int) -> HttpResponse:
    page = load_item_page(
        get_project_for_user(cast(User, request.user), pk),
        kind="Priority project",
        url_name="projects:project",
        name=lambda project: project.name,
        update_model=ProjectUpdate,
        history=project_history,
    )
    context = page.context(
        rows=page.quarters(ProjectRow),
        dca_meanings=[(rating, rules.DCA_MEANINGS[rating]) for rating in rules.Rating],
    )
    return render(request, "projects/project.html", context)
