"""Writing a planned quarter (reports.quarterly_import): each item's position and
supporting information into the quarter's approved return of its portfolio, new items
created first, through the annual importer's writer (history with the user and the file)
and the projects' and risks' import services, in one transaction: all of it or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import transaction

from measures.models import Action, ActionUpdate, Measure, MeasureUpdate
from measures.values import ParsedActual, ValueParseError, parse_actual
from perfmon.models import Portfolio, Quarter, Return, Theme, User
from perfmon.models.returns import TEXT_LIMIT
from projects.rules import parse_dca
from projects.services import PublishedProject, import_published_projects
from reports.importer import (
    ACTION_STATUSES,
    PLACEHOLDER_PORTFOLIO,
    ImportResult,
    _DryRun,
    _sync_items,
    _sync_updates,
    _update_values,
    _Writer,
)
from reports.quarterly_import import MODELS, Match, QuarterlyPlan, reads
from risks.rules import parse_score_text
from risks.services import PublishedRisk, import_published_risks

_LEADING_VALUE = re.compile(r"^(£?\s?-?[\d,]+(?:\.\d+)?\s?%?)")
_MISSING = re.compile(r"not available|no data|none (?:secured|completed)|^n/a$", re.IGNORECASE)


def _actual(position: str) -> ParsedActual:
    """A measure's position as an actual: "7.5%", "0.6 per 100,000 population", or the
    figure leading "36 audits"; "Not available for Q1 reporting" is not yet available."""
    try:
        return parse_actual(position)
    except ValueParseError:
        pass
    if _MISSING.search(position):
        return parse_actual("data not yet available")
    found = _LEADING_VALUE.match(position)
    if found:
        try:
            return parse_actual(found.group(1))
        except ValueParseError:
            pass
    return ParsedActual(value=None)


def import_quarter(
    *,
    plan: QuarterlyPlan,
    user: User,
    source: str,
    accept_uncertain: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Write a planned quarter: each item's position and supporting information into the
    quarter's approved return of its portfolio, new items created first. Raises ValueError
    (nothing written) when the plan has problems, or uncertain matches not accepted."""
    if plan.problems:
        raise ValueError("Fix the problems before importing.")
    if plan.by_outcome("uncertain") and not accept_uncertain:
        raise ValueError("Some matches are uncertain: check them, then accept them.")
    writer: _Writer | None = None
    try:
        with transaction.atomic():
            writer = _Writer(
                start_year=plan.start_year,
                user=user,
                reason=f"import of {source}",
                with_last_year=False,
            )
            _write(plan, writer)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    assert writer is not None
    return writer.result


def _write(plan: QuarterlyPlan, writer: _Writer) -> None:
    quarter = writer.quarters[plan.quarter]
    themes = {t.name: t for t in Theme.objects.for_year(writer.year)}
    by_kind: dict[str, list[Match]] = {kind: [] for kind in MODELS}
    for match in plan.matches:
        by_kind[match.kind].append(match)
    existing = {
        kind: {i.reference: i for i in model.objects.filter(year=writer.year)}
        for kind, model in MODELS.items()
    }

    def portfolio(match: Match) -> Portfolio:
        item = existing[match.kind].get(match.reference)
        return item.portfolio if item is not None else writer.portfolio(PLACEHOLDER_PORTFOLIO)

    def rows(kind: str, values: dict[str, Any]) -> list[tuple[Any, dict[str, Any]]]:
        return [
            (m, {"portfolio": portfolio(m), "theme": themes[m.theme], **values})
            for m in by_kind[kind]
            if m.reference not in existing[kind]
        ]

    actions = _sync_items(
        writer,
        Action,
        [(m, v | {"description": m.text}) for m, v in rows("action", {})],
        writer.year,
        "action",
        count=False,
    )
    measures = _sync_items(
        writer,
        Measure,
        [(m, v | {"description": m.text}) for m, v in rows("measure", {})],
        writer.year,
        "measure",
        count=False,
    )
    action_updates = [
        (
            actions[m.reference],
            quarter,
            {
                "status": ACTION_STATUSES[m.item.position.lower()],
                "commentary": m.item.supporting_information[:TEXT_LIMIT],
            },
        )
        for m in by_kind["action"]
    ]
    measure_updates = []
    for m in by_kind["measure"]:
        measure = measures[m.reference]
        values = _update_values(writer, measure, _actual(m.item.position), "")
        values["commentary"] = m.item.supporting_information[:TEXT_LIMIT]
        measure_updates.append((measure, quarter, values))
    changed = _sync_updates(writer, ActionUpdate, "action", action_updates)
    _count(writer, "action", by_kind["action"], existing["action"], actions, changed)
    changed = _sync_updates(writer, MeasureUpdate, "measure", measure_updates)
    _count(writer, "measure", by_kind["measure"], existing["measure"], measures, changed)
    _projects_and_risks(writer, quarter, by_kind, portfolio, themes)


def _count(
    writer: _Writer,
    kind: str,
    matches: list[Match],
    before: dict[str, Any],
    items: dict[str, Any],
    changed: set[int],
) -> None:
    for match in matches:
        if match.reference not in before:
            writer.result.created[kind] += 1
        elif items[match.reference].pk in changed:
            writer.result.updated[kind] += 1
        else:
            writer.result.unchanged[kind] += 1


def _projects_and_risks(
    writer: _Writer,
    quarter: Quarter,
    by_kind: dict[str, list[Match]],
    portfolio: Callable[[Match], Portfolio],
    themes: dict[str, Theme],
) -> None:
    """Projects and risks through their own apps' import services, into the quarter's
    approved returns. A position neither can read is left out, with a warning."""
    projects = [
        PublishedProject(
            reference=m.reference,
            name=m.text[:200],
            portfolio=portfolio(m),
            theme=themes[m.theme],
            dca_text=m.item.position,
        )
        for m in by_kind["project"]
        if reads(parse_dca, m.item.position)
    ]
    risks = [
        PublishedRisk(
            reference=m.reference,
            title=m.text[:200],
            portfolio=portfolio(m),
            theme=themes[m.theme],
            score_text=m.item.position,
        )
        for m in by_kind["risk"]
        if reads(parse_score_text, m.item.position)
    ]

    def return_for(p: Portfolio) -> Return:
        return writer.approved_return(p, quarter)

    outcomes = {
        "project": import_published_projects(
            projects=projects,
            year=writer.year,
            return_for=return_for,
            user=writer.user,
            reason=writer.reason,
        ),
        "risk": import_published_risks(
            risks=risks,
            year=writer.year,
            return_for=return_for,
            user=writer.user,
            reason=writer.reason,
        ),
    }
    counters = {
        "created": writer.result.created,
        "updated": writer.result.updated,
        "unchanged": writer.result.unchanged,
    }
    for kind, outcome in outcomes.items():
        for result in outcome.values():
            counters[result][kind] += 1
