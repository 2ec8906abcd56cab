"""A measure's page and an action's page: the definition, every quarter of every year of
the item's lineage, and (for those who may see it) the change history.

Each page runs a fixed number of queries whatever the number of years and quarters: the
lineage and its updates come in one query each (perfmon.item_page).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from measures import rules
from measures.access import get_action_for_user, get_measure_for_user
from measures.chart import build_chart
from measures.history import action_history, measure_history
from measures.models import ActionUpdate, Measure, MeasureUpdate, RatingBand
from measures.presenters import actual_text
from perfmon.item_page import QuarterRow, load_item_page
from perfmon.models import User


@dataclass(frozen=True)
class Status:
    label: str
    colour: str


@dataclass(frozen=True)
class MeasureRow(QuarterRow[MeasureUpdate]):
    actual_text: str = ""
    target: Decimal | None = None
    target_text: str = ""
    status: Status | None = None
    computed: Status | None = None  # the rule's status, when an override replaced it
    direction: rules.Direction = rules.Direction.NOT_APPLICABLE

    @property
    def actual(self) -> Decimal | None:
        return self.update.actual if self.update else None


def measure_page(request: HttpRequest, pk: int) -> HttpResponse:
    page = load_item_page(
        get_measure_for_user(cast(User, request.user), pk),
        kind="Performance measure",
        url_name="measures:measure",
        name=lambda measure: measure.description,
        update_model=MeasureUpdate,
        history=measure_history,
        years=lambda items: items.prefetch_related("quarter_targets"),
    )
    measure = page.item
    rows = measure_rows(page.years, page.updates, colours=band_colours())
    unit = rules.Unit(measure.unit)
    this_year = next(item for item in page.years if item.pk == measure.pk)
    chart = build_chart(
        [(row.label, row.actual, row.target) for row in rows],
        format_tick=lambda value: rules.format_value(value, unit),
    )
    context = page.context(
        rows=rows,
        chart=chart,
        target_text=rules.format_value(measure.target, unit),
        quarter_targets=[
            (target.quarter_number, rules.format_value(target.value, unit))
            for target in this_year.quarter_targets.all()
        ],
    )
    return render(request, "measures/measure.html", context)


@dataclass(frozen=True)
class ActionRow(QuarterRow[ActionUpdate]):
    @property
    def status(self) -> Status | None:
        if not self.update or not self.update.status:
            return None
        return Status(self.update.get_status_display(), self.update.colour[1])


def action_page(request: HttpRequest, pk: int) -> HttpResponse:
    page = load_item_page(
        get_action_for_user(cast(User, request.user), pk),
        kind="Council Plan action",
        url_name="measures:action",
        name=lambda action: action.description,
        update_model=ActionUpdate,
        history=action_history,
    )
    return render(request, "measures/action.html", page.context(rows=page.quarters(ActionRow)))


def band_colours() -> dict[str, str]:
    """The tag colour of each status label, for overrides (only the computed status has its
    colour stored). The scheme in use wins where schemes share a label."""
    pairs = RatingBand.objects.order_by("scheme__in_use").values_list("label", "colour")
    return dict(pairs)


def measure_rows(
    years: list[Measure], updates: list[MeasureUpdate], *, colours: dict[str, str]
) -> list[MeasureRow]:
    """A row per quarter of each year, with the direction of travel against the same
    quarter a year before (when that quarter is in the lineage and visible)."""
    found = {(update.measure_id, update.ret.quarter.number): update for update in updates}
    actuals: dict[tuple[int, int], Decimal | None] = {}
    rows = []
    for measure in years:
        unit = rules.Unit(measure.unit)
        start = measure.year.start_year
        for number in range(1, 5):
            update = found.get((measure.pk, number))
            actual = update.actual if update else None
            actuals[(start, number)] = actual
            target = update.target if update else measure.target_for(number)
            rows.append(
                MeasureRow(
                    item=measure,
                    number=number,
                    update=update,
                    actual_text=actual_text(update, unit, none="No actual") if update else "",
                    target=target,
                    target_text=rules.format_value(target, unit) if target is not None else "",
                    status=_shown_status(update, colours),
                    computed=_computed_status(update),
                    direction=rules.direction_of_travel(
                        current=actual,
                        previous=actuals.get((start - 1, number)),
                        polarity=rules.Polarity(measure.polarity),
                    ),
                )
            )
    return rows


def _shown_status(update: MeasureUpdate | None, colours: dict[str, str]) -> Status | None:
    if update is None or not update.shown_status:
        return None
    if update.status_override:
        return Status(update.status_override, colours.get(update.status_override, "grey"))
    return Status(update.status, update.status_colour)


def _computed_status(update: MeasureUpdate | None) -> Status | None:
    if update is None or not update.status_override or not update.status:
        return None
    return Status(update.status, update.status_colour)
