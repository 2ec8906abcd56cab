"""The priority projects section of a portfolio's quarterly return."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q

from perfmon.item_sections import ItemSection, Row
from projects.forms import ProjectUpdateForm
from projects.models import CRITERION_FIELDS, Project, ProjectUpdate, Rating

CRITERIA_ANSWERED = Q(
    time_on_track__isnull=False,
    cost_on_track__isnull=False,
    scope_on_track__isnull=False,
    benefits_on_track__isnull=False,
)


class ProjectSection(ItemSection):
    key = "projects"
    title = "Priority projects"
    order = 30  # after actions (10) and measures (20)
    template_name = "projects/_section_projects.jinja"
    row_template_name = "projects/_row_project.jinja"
    item_model = Project
    update_model = ProjectUpdate
    row_form = ProjectUpdateForm
    prefix = "p"
    value_fields = (
        *(name for pair in CRITERION_FIELDS.values() for name in pair),
        "dca",
        "commentary",
    )
    derived_fields = ("rag", "rag_explained", "rag_from_criteria")
    complete_when = CRITERIA_ANSWERED & ~Q(dca="")
    missing_problem = "Say whether time, cost, scope and benefits are on track, and choose the DCA"
    missing_field = "time_on_track"

    def row_state(self, row: Row) -> tuple[Any, ...]:
        return (row.item.theme.name,)

    def item_label(self, item: Any) -> str:
        return f"{item.reference} {item.name}"

    def field_label(self, name: str) -> str:
        if name.endswith("_on_track"):
            return f"{name.removesuffix('_on_track')} on track"
        if name.endswith("_reason"):
            return f"why {name.removesuffix('_reason')} is not on track"
        if name == "dca":
            return "DCA"
        return super().field_label(name)

    def rating(self, update: Any, *, context: Mapping[str, Any]) -> tuple[str, str] | None:
        rating = update.rag_rating
        return (f"RAG {rating.label}", rating.colour) if rating else None

    def show(
        self, name: str, value: Any, *, item: Any, context: Mapping[str, Any] | None = None
    ) -> str:
        if name == "dca" and value:
            return str(Rating(value).label)
        return super().show(name, value, item=item, context=context)
