"""Demo projects for the demo council (reports.demo calls these): last year's projects
carried into the current year, and each demo return's project updates.

Both are deterministic and idempotent: calling them again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from perfmon.lineage import carry_on
from perfmon.models import ReportingYear, Return, User
from projects import rules
from projects.models import CRITERION_FIELDS, Project, ProjectUpdate

DEMO_REASON = "demo"


def carry_projects_on(*, from_year: ReportingYear, to: ReportingYear) -> None:
    """Copy `from_year`'s projects into `to`, each linked to the one it continues; those
    already carried on (or whose reference `to` already has) are left alone."""
    carry_on(Project, from_year=from_year, to=to, reason=DEMO_REASON)


@dataclass(frozen=True)
class DemoPosition:
    off_track: tuple[rules.Criterion, ...]
    dca: rules.Rating
    commentary: str


T, C, S, B = rules.CRITERIA
RED = DemoPosition(
    (T, C, S, B),
    rules.Rating.RED,
    "The preferred contractor withdrew and costs have risen well beyond the budget. A report "
    "to Cabinet will recommend whether the project should continue.",
)
# Cycled through a return's projects after the first two; Red appears once per return.
POSITIONS = (
    DemoPosition((), rules.Rating.GREEN, "On programme and within budget."),
    DemoPosition((C, T), rules.Rating.AMBER_RED, "Land costs and a planning delay."),
    DemoPosition((B,), rules.Rating.AMBER_GREEN, "Benefits will be realised a year later."),
    DemoPosition((), rules.Rating.AMBER_GREEN, "Funding decision awaited from the partner."),
    DemoPosition((T, S, B), rules.Rating.AMBER_RED, "Scope under review with the board."),
    DemoPosition((T,), rules.Rating.GREEN, "A short delay, recovered next quarter."),
)
REASONS = {
    T: "Behind the agreed milestones",
    C: "Forecast above the agreed budget",
    S: "Scope being reduced",
    B: "Benefits delayed",
}


def _position(index: int) -> DemoPosition:
    if index == 1:
        return RED
    return POSITIONS[index % len(POSITIONS)]


def _update(project: Project, ret: Return, position: DemoPosition, officer: User) -> ProjectUpdate:
    update = ProjectUpdate(
        project=project,
        ret=ret,
        dca=position.dca.value,
        commentary=position.commentary,
        updated_by=officer,
        updated_at=timezone.now(),
    )
    for criterion, (on, why) in CRITERION_FIELDS.items():
        off = criterion in position.off_track
        setattr(update, on, not off)
        setattr(update, why, REASONS[criterion] if off else "")
    update.derive_rag()
    return update


@transaction.atomic
def fill_return(ret: Return, *, officer: User, complete: bool) -> None:
    """This quarter's update of each of the return's projects, as `officer`: varied
    ratings, among them Amber/Red and one Red with its commentary. When not `complete`,
    every other project is left without an update, so the return has something missing.
    Projects that already have an update in `ret` are left alone."""
    projects = list(
        Project.objects.filter(portfolio_id=ret.portfolio_id, year_id=ret.quarter.year_id).order_by(
            "reference"
        )
    )
    done = set(ProjectUpdate.objects.filter(ret=ret).values_list("project_id", flat=True))
    included = [p for index, p in enumerate(projects) if complete or index % 2 == 0]
    updates = [
        _update(project, ret, _position(index), officer)
        for index, project in enumerate(included)
        if project.pk not in done
    ]
    bulk_create_with_history(
        updates, ProjectUpdate, default_user=officer, default_change_reason=DEMO_REASON
    )
