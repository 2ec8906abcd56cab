"""The exception report for a committee: only the items that need attention. Measures in
the two worst bands of the scheme in use (Amber and Red), actions with some or major
slippage, projects rated red or amber/red, and risks scoring 12 or more (a setting)."""

from __future__ import annotations

from dataclasses import dataclass, field

from measures.models import ActionUpdate
from perfmon.models.items import Item
from reports.builders.common import (
    Filters,
    Key,
    Loaded,
    Status,
    Table,
    load,
    status_cell,
    text_cell,
)
from reports.builders.items import action_result, measure_result, project_results, risk_results
from reports.builders.keys import keys_for

SLIPPAGE = {ActionUpdate.Status.SOME_SLIPPAGE, ActionUpdate.Status.MAJOR_SLIPPAGE}


@dataclass(frozen=True)
class ExceptionRow:
    kind: str
    reference: str
    description: str
    position: str
    status: Status | None
    commentary: str
    theme: str
    link: tuple[str, int] | None


@dataclass
class PortfolioExceptions:
    name: str
    rows: list[ExceptionRow] = field(default_factory=list)


@dataclass(frozen=True)
class ExceptionReport:
    filters: Filters
    portfolios: list[PortfolioExceptions]
    keys: list[Key]
    measure_statuses: tuple[str, ...]
    risk_score: int

    @property
    def count(self) -> int:
        return sum(len(p.rows) for p in self.portfolios)

    def tables(self) -> list[Table]:
        table = Table(
            slug="exceptions",
            title=f"Exceptions at {self.filters.quarter_label}",
            columns=[
                "Portfolio",
                "Type",
                "Ref",
                "Description",
                "Position",
                "Status",
                "Theme",
                "Commentary",
            ],
        )
        for portfolio in self.portfolios:
            for row in portfolio.rows:
                table.rows.append(
                    [
                        text_cell(portfolio.name),
                        text_cell(row.kind),
                        text_cell(row.reference),
                        text_cell(row.description),
                        text_cell(row.position),
                        status_cell(row.status),
                        text_cell(row.theme),
                        text_cell(row.commentary),
                    ]
                )
        return [table]


def exceptions_from(loaded: Loaded) -> ExceptionReport:
    number = loaded.filters.quarter
    bands = [band.label for band in loaded.scheme.bands.all()] if loaded.scheme else []
    worst = tuple(bands[-2:])
    found: dict[int, PortfolioExceptions] = {}

    def add(item: Item, row: ExceptionRow) -> None:
        portfolio = item.portfolio
        found.setdefault(portfolio.pk, PortfolioExceptions(portfolio.name)).rows.append(row)

    for measure in loaded.measures:
        result = measure_result(loaded, measure, number)
        if result.status and result.status.label in worst:
            add(
                measure,
                ExceptionRow(
                    "Measure",
                    measure.reference,
                    measure.description,
                    f"{result.actual_text} against a target of {result.target_text}",
                    result.status,
                    result.commentary,
                    measure.theme.name,
                    ("measures:measure", measure.pk),
                ),
            )
    for action in loaded.actions:
        progress = action_result(loaded, action, number)
        if progress.status_value in SLIPPAGE:
            add(
                action,
                ExceptionRow(
                    "Action",
                    action.reference,
                    action.description,
                    progress.status.label if progress.status else "",
                    progress.rag,
                    progress.commentary,
                    action.theme.name,
                    ("measures:action", action.pk),
                ),
            )
    for project in project_results(loaded, number):
        if project.red_or_amber_red:
            add(
                project.project,
                ExceptionRow(
                    "Project",
                    project.project.reference,
                    project.project.name,
                    f"Rated {project.rating.label if project.rating else ''}",
                    project.rating,
                    project.commentary,
                    project.project.theme.name,
                    ("projects:project", project.project.pk),
                ),
            )
    counting = loaded.counting
    for risk in risk_results(loaded, number):
        if risk.score is not None and risk.score >= counting.exception_risk_score:
            add(
                risk.risk,
                ExceptionRow(
                    "Risk",
                    risk.risk.reference,
                    risk.risk.title,
                    risk.score_text + (f", {risk.change_words}" if risk.changed else ""),
                    risk.status,
                    risk.commentary,
                    risk.risk.theme.name,
                    ("risks:risk", risk.risk.pk),
                ),
            )
    return ExceptionReport(
        filters=loaded.filters,
        portfolios=[found[pk] for pk in sorted(found)],
        keys=keys_for(loaded),
        measure_statuses=worst,
        risk_score=counting.exception_risk_score,
    )


def build_exceptions(filters: Filters) -> ExceptionReport:
    """Loads the quarter before too, so a risk's score change is said."""
    numbers = (filters.quarter - 1, filters.quarter) if filters.quarter > 1 else (1,)
    return exceptions_from(load(filters, numbers=numbers))
