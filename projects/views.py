"""The project dashboard and a project's page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from perfmon import quarters
from perfmon.models import Portfolio, Quarter, Return, Theme, User
from projects import rules
from projects.access import get_project_for_user, lineage_ids
from projects.dashboard import build_dashboard
from projects.forms import DashboardForm
from projects.history import project_history
from projects.models import Project, ProjectUpdate


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
class QuarterRow:
    """One quarter of one year of the project's lineage; `update` is None when there is
    none this person may see."""

    item: Project
    number: int
    update: ProjectUpdate | None

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.item.year.label}"

    @property
    def approved(self) -> bool:
        return self.update is not None and self.update.ret.state == Return.State.APPROVED

    @property
    def rag(self) -> rules.Rating | None:
        return self.update.rag_rating if self.update else None

    @property
    def dca(self) -> rules.Rating | None:
        return self.update.dca_rating if self.update else None


def project_page(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_project_for_user(cast(User, request.user), pk)
    project = access.item
    years = list(
        Project.objects.filter(pk__in=lineage_ids(project))
        .select_related("year")
        .order_by("year__start_year", "pk")
    )
    updates = access.visible(ProjectUpdate.objects.filter(project__in=years)).select_related(
        "ret__quarter"
    )
    found = {(update.project_id, update.ret.quarter.number): update for update in updates}
    rows = [
        QuarterRow(item=item, number=number, update=found.get((item.pk, number)))
        for item in years
        for number in range(1, 5)
    ]
    context = {
        "access": access,
        "project": project,
        "years": years,
        "rows": rows,
        "history": project_history(project, access=access) if access.sees_unapproved else None,
        "dca_meanings": [(rating, rules.DCA_MEANINGS[rating]) for rating in rules.Rating],
    }
    return render(request, "projects/project.html", context)
