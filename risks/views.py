"""A risk's page, the risk register and the heat map of a quarter.

Each runs a fixed number of queries whatever the number of risks, years and quarters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from perfmon.item_page import QuarterRow, load_item_page
from perfmon.models import Quarter, Return, User
from risks import rules
from risks.access import get_risk_for_user, latest_published_quarter
from risks.forms import QuarterForm, RegisterFilterForm
from risks.history import risk_history
from risks.models import RiskAssessment, SideAssessment
from risks.register import (
    HEIGHT,
    WIDTH,
    arrows,
    axis_labels,
    build_heat_map,
    cell_origin,
    heat_map_url,
    in_cell,
    register_rows,
    register_url,
)
from risks.sections import since_words
from risks.services import matrices_in_use


@dataclass(frozen=True)
class RiskRow(QuarterRow[RiskAssessment]):
    sides: list[tuple[SideAssessment, str]] = field(default_factory=list)  # with its change


def quarter_rows(rows: list[QuarterRow[RiskAssessment]]) -> list[RiskRow]:
    """Each quarter with each side's change against the quarter before it in the lineage."""
    last: dict[rules.Side, int | None] = {}
    shown = []
    for row in rows:
        assessment, risk = row.update, row.item
        sides = []
        if assessment is not None:
            since = since_words(risk.year.start_year, row.number)
            for side in risk.sides:
                view = assessment.side(side)
                change = rules.change_in_words(
                    previous=last.get(side), current=view.score, since=since
                )
                sides.append((view, change))
        for side in rules.Side:
            # A quarter with no assessment breaks the comparison.
            last[side] = assessment.side(side).score if assessment else None
        shown.append(RiskRow(item=risk, number=row.number, update=assessment, sides=sides))
    return shown


def risk_page(request: HttpRequest, pk: int) -> HttpResponse:
    page = load_item_page(
        get_risk_for_user(cast(User, request.user), pk),
        kind="Strategic risk",
        url_name="risks:risk",
        name=lambda risk: risk.title,
        update_model=RiskAssessment,
        history=risk_history,
    )
    context = page.context(rows=quarter_rows(page.quarters()))
    return render(request, "risks/risk.html", context)


def _quarter(user: User, form: QuarterForm) -> Quarter | None:
    """The quarter asked for, or the latest with an approved assessment."""
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("year") and data.get("quarter"):
        quarter = (
            Quarter.objects.select_related("year")
            .filter(year__start_year=data["year"], number=data["quarter"])
            .first()
        )
        if quarter is None:
            raise Http404("No such quarter.")
        return quarter
    return latest_published_quarter(user)


def _published_quarters() -> list[Quarter]:
    return list(
        Quarter.objects.filter(returns__riskassessments__ret__state=Return.State.APPROVED)
        .select_related("year")
        .distinct()
        .order_by("-year__start_year", "-number")
    )


def register(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = RegisterFilterForm(request.GET or None)
    quarter = _quarter(user, form)
    data = form.cleaned_data if form.is_valid() else {}
    side = form.side_chosen()
    rows = register_rows(user, quarter, portfolio=data.get("portfolio")) if quarter else []
    likelihood, impact = data.get("likelihood"), data.get("impact")
    cell = likelihood is not None or impact is not None
    if cell:
        rows = [row for row in rows if in_cell(row, side, likelihood, impact)]
    context = {
        "form": form,
        "quarter": quarter,
        "quarters": _published_quarters(),
        "rows": rows,
        "side": side,
        "cell": {"likelihood": likelihood, "impact": impact} if cell else None,
        "portfolio": data.get("portfolio"),
        "heat_map_url": heat_map_url(quarter, side) if quarter else "",
        "sides": list(rules.Side),
    }
    return render(request, "risks/register.html", context)


def heat_map(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = QuarterForm(request.GET or None)
    quarter = _quarter(user, form)
    side = form.side_chosen()
    matrix = matrices_in_use()[side]
    context: dict[str, Any] = {
        "quarter": quarter,
        "quarters": _published_quarters(),
        "side": side,
        "matrix": matrix,
        "width": WIDTH,
        "height": HEIGHT,
    }
    if quarter is not None:
        heat = build_heat_map(
            register_rows(user, quarter), quarter=quarter, side=side, matrix=matrix
        )
        context |= {
            "heat": heat,
            "arrows": arrows(heat.moves),
            "cells": [
                (cell, *cell_origin(cell.likelihood, cell.impact))
                for row in heat.rows
                for cell in row
            ],
            "toggle": [
                (other, heat_map_url(quarter, other), other is side) for other in rules.Side
            ],
            "register_url": register_url(quarter, side),
            "impact_labels": axis_labels(matrix, "impact"),
            "likelihood_labels": axis_labels(matrix, "likelihood"),
            "since": since_words(quarter.year.start_year, quarter.number),
        }
    return render(request, "risks/heat_map.html", context)
