"""The project dashboard: every project of a quarter with its RAG and DCA side by side, and
last quarter's beside them.

Only approved returns are shown: the dashboard is the agreed picture that everyone may
read. It runs a fixed number of queries however many projects: the projects, this
quarter's updates and last quarter's updates (for quarter 1, last year's quarter 4 of the
project each one continues).
"""

from __future__ import annotations

from dataclasses import dataclass

from perfmon.models import Portfolio, Quarter, Theme
from projects import rules
from projects.models import Project, ProjectUpdate


@dataclass(frozen=True)
class Rated:
    """A rating and how it moved since last quarter."""

    now: rules.Rating | None
    before: rules.Rating | None

    @property
    def movement(self) -> rules.Movement:
        return rules.movement(self.before, self.now)

    @property
    def moved_words(self) -> str:
        return rules.describe_movement(self.before, self.now)


@dataclass(frozen=True)
class DashboardRow:
    project: Project
    update: ProjectUpdate | None
    previous: ProjectUpdate | None

    @property
    def rag(self) -> Rated:
        return Rated(_rating(self.update, "rag"), _rating(self.previous, "rag"))

    @property
    def dca(self) -> Rated:
        return Rated(_rating(self.update, "dca"), _rating(self.previous, "dca"))


def _rating(update: ProjectUpdate | None, field: str) -> rules.Rating | None:
    value = getattr(update, field, "") if update is not None else ""
    return rules.Rating(value) if value else None


@dataclass(frozen=True)
class Dashboard:
    quarter: Quarter
    rows: list[DashboardRow]  # after every filter
    assessed: int  # projects in the theme and portfolio chosen, whatever their rating
    red_or_amber_red: int  # of those, how many have a DCA of Red or Amber/Red

    @property
    def summary(self) -> str:
        """The quarterly report's line: "6 of 17 projects assessed red or amber/red"."""
        noun = "project" if self.assessed == 1 else "projects"
        return f"{self.red_or_amber_red} of {self.assessed} {noun} assessed red or amber/red"


def _updates(quarter: Quarter, projects: list[Project]) -> dict[int, ProjectUpdate]:
    updates = ProjectUpdate.objects.approved().filter(project__in=projects, ret__quarter=quarter)
    return {update.project_id: update for update in updates}


def _previous_updates(quarter: Quarter, projects: list[Project]) -> dict[int, ProjectUpdate]:
    """Last quarter's approved update of each project, by the project's id."""
    approved = ProjectUpdate.objects.approved()
    if quarter.number > 1:
        updates = approved.filter(
            project__in=projects,
            ret__quarter__year_id=quarter.year_id,
            ret__quarter__number=quarter.number - 1,
        )
        return {update.project_id: update for update in updates}
    continued = {p.previous_id: p.pk for p in projects if p.previous_id}
    updates = approved.filter(project_id__in=list(continued), ret__quarter__number=4)
    return {continued[update.project_id]: update for update in updates}


def matches(row: DashboardRow, rating: str) -> bool:
    """Whether the row's RAG or DCA this quarter is `rating` ("red_or_amber_red" for
    either of those two)."""
    now = {row.rag.now, row.dca.now}
    if rating == "red_or_amber_red":
        return bool(now & {rules.Rating.RED, rules.Rating.AMBER_RED})
    return rules.Rating(rating) in now


def build_dashboard(
    *,
    quarter: Quarter,
    theme: Theme | None = None,
    portfolio: Portfolio | None = None,
    rating: str = "",
) -> Dashboard:
    projects = Project.objects.filter(year_id=quarter.year_id).select_related("theme", "portfolio")
    if theme is not None:
        projects = projects.filter(theme=theme)
    if portfolio is not None:
        projects = projects.filter(portfolio=portfolio)
    found = list(projects.order_by("theme__position", "theme__name", "reference"))
    updates = _updates(quarter, found)
    previous = _previous_updates(quarter, found)
    rows = [DashboardRow(p, updates.get(p.pk), previous.get(p.pk)) for p in found]
    assessed = [row for row in rows if row.update is not None]
    red = sum(1 for row in assessed if rules.is_red_or_amber_red(row.dca.now))
    shown = [row for row in rows if matches(row, rating)] if rating else rows
    return Dashboard(quarter=quarter, rows=shown, assessed=len(assessed), red_or_amber_red=red)
