"""The annual performance results, as councils publish them (seeds
derby-city-annual-results-2021-22 and -2024-25): the summary by theme, then per portfolio
the sections "Actions", "Measures" and "Priority projects and strategic risks", with Ref,
Description, last year's actual, Q4 actual, Q4 status, Target, DoT and theme, and the key.

The year's outturn is its fourth quarter; another quarter can be asked for (a year so far).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from perfmon import quarters
from perfmon.models import CouncilSettings
from perfmon.models.items import Item
from reports.builders.common import (
    Cell,
    Filters,
    Key,
    Loaded,
    Status,
    Table,
    load,
    number_cell,
    status_cell,
    text_cell,
)
from reports.builders.items import (
    ActionResult,
    MeasureResult,
    ProjectResult,
    RiskResult,
    action_result,
    measure_result,
    project_results,
    risk_results,
)
from reports.builders.keys import keys_for
from reports.builders.summary import Summary, summarise


@dataclass(frozen=True)
class AnnualRow:
    """One line of the table. `measure` is set for a measure's row, for its numbers."""

    kind: str  # "action", "measure", "project" or "risk"
    reference: str
    description: str
    last_year: str
    actual: str
    status: Status | None
    target: str
    direction: str
    theme: str
    measure: MeasureResult | None = None
    computed: Status | None = None  # the rule's status where the council overrode it
    link: tuple[str, int] | None = None  # (url name, pk) of the item's page


@dataclass
class PortfolioSection:
    name: str
    actions: list[AnnualRow] = field(default_factory=list)
    measures: list[AnnualRow] = field(default_factory=list)
    projects_and_risks: list[AnnualRow] = field(default_factory=list)

    @property
    def sections(self) -> list[tuple[str, str, list[AnnualRow]]]:
        """(slug, heading, rows) of the sections that have rows."""
        return [
            (slug, heading, rows)
            for slug, heading, rows in (
                ("actions", "Actions identified in the Delivery Plan", self.actions),
                ("measures", "Delivery Plan measures", self.measures),
                ("projects", "Priority projects and strategic risks", self.projects_and_risks),
            )
            if rows
        ]


@dataclass(frozen=True)
class AnnualReport:
    filters: Filters
    summary: Summary
    portfolios: list[PortfolioSection]
    keys: list[Key]

    @property
    def last_year_label(self) -> str:
        return quarters.year_label(self.filters.year.start_year - 1)

    @property
    def columns(self) -> list[str]:
        number = self.filters.quarter
        return [
            "Ref",
            "Description",
            f"{self.last_year_label} actual",
            f"{self.filters.year.label} Q{number} actual",
            f"Q{number} status",
            "Target",
            "DoT",
            "Council Plan theme",
        ]

    @property
    def row_count(self) -> int:
        return sum(len(rows) for p in self.portfolios for _, _, rows in p.sections)

    def tables(self) -> list[Table]:
        """A sheet per section: actions, measures, projects and risks, each with its
        portfolio in a column (a spreadsheet filters better than it reads headings)."""
        tables = [summary_table_for(self.summary)]
        for slug, title in (
            ("actions", "Actions"),
            ("measures", "Measures"),
            ("projects", "Projects and risks"),
        ):
            table = Table(slug=slug, title=title, columns=["Portfolio", *self.columns])
            for portfolio in self.portfolios:
                for section_slug, _, rows in portfolio.sections:
                    if section_slug == slug:
                        table.rows.extend([text_cell(portfolio.name), *_cells(r)] for r in rows)
            tables.append(table)
        return tables


def summary_table_for(summary: Summary) -> Table:
    return summary.tables()[0]


def _cells(row: AnnualRow) -> list[Cell]:
    if row.measure is None:
        return [
            text_cell(row.reference),
            text_cell(row.description),
            text_cell(row.last_year),
            text_cell(row.actual),
            status_cell(row.status),
            text_cell(row.target),
            text_cell(row.direction),
            text_cell(row.theme),
        ]
    result, unit = row.measure, row.measure.measure.unit
    return [
        text_cell(row.reference),
        text_cell(row.description),
        number_cell(result.last_year_actual, row.last_year, unit),
        number_cell(result.actual, row.actual, unit),
        status_cell(row.status),
        number_cell(result.target, row.target, unit),
        text_cell(row.direction),
        text_cell(row.theme),
    ]


def _action_row(result: ActionResult) -> AnnualRow:
    status = result.status
    return AnnualRow(
        kind="action",
        reference=result.action.reference,
        description=result.action.description,
        last_year="N/A",
        actual=status.label if status else "N/A",
        status=result.rag,
        target="N/A - action",
        direction="N/A",
        theme=result.action.theme.name,
        link=("measures:action", result.action.pk),
    )


def _measure_row(result: MeasureResult, words: dict[str, str] | None = None) -> AnnualRow:
    """`words`: the council's words for each direction of travel (Derbyshire's "No change")."""
    measure = result.measure
    return AnnualRow(
        kind="measure",
        reference=measure.reference,
        description=measure.description,
        last_year=result.last_year_text,
        actual=result.actual_text,
        status=result.status,
        target=result.target_text,
        direction=(words or {}).get(result.direction.label, result.direction.label),
        theme=measure.theme.name,
        measure=result,
        computed=result.computed,
        link=("measures:measure", measure.pk),
    )


def _project_row(result: ProjectResult) -> AnnualRow:
    project = result.project
    return AnnualRow(
        kind="project",
        reference=project.reference,
        description=project.name,
        last_year="N/A",
        actual="N/A",
        status=result.rating,
        target="N/A - project",
        direction="N/A",
        theme=project.theme.name,
        link=("projects:project", project.pk),
    )


def annual_from(loaded: Loaded) -> AnnualReport:
    number = loaded.filters.quarter
    sections: dict[int, PortfolioSection] = {}

    def section(item: Item) -> PortfolioSection:
        portfolio = item.portfolio
        if portfolio.pk not in sections:
            sections[portfolio.pk] = PortfolioSection(name=portfolio.name)
        return sections[portfolio.pk]

    for action in loaded.actions:
        section(action).actions.append(_action_row(action_result(loaded, action, number)))
    words = CouncilSettings.current().dot_words
    for measure in loaded.measures:
        row = _measure_row(measure_result(loaded, measure, number), words)
        section(measure).measures.append(row)
    for project in project_results(loaded, number):
        section(project.project).projects_and_risks.append(_project_row(project))
    for risk in risk_results(loaded, number):
        section(risk.risk).projects_and_risks.append(_risk_row(risk))
    return AnnualReport(
        filters=loaded.filters,
        summary=summarise(loaded),
        portfolios=[sections[pk] for pk in sorted(sections)],
        keys=keys_for(loaded),
    )


def _risk_row(result: RiskResult) -> AnnualRow:
    risk = result.risk
    return AnnualRow(
        kind="risk",
        reference=risk.reference,
        description=risk.title,
        last_year="N/A",
        actual="N/A",
        status=result.status,
        target="N/A - risk",
        direction="N/A",
        theme=risk.theme.name,
        link=("risks:risk", risk.pk),
    )


def build_annual(filters: Filters) -> AnnualReport:
    return annual_from(load(filters, numbers=(filters.quarter,)))
