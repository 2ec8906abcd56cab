"""The quarterly performance report (seed derby-city-quarter1-report-2021-22): per theme,
the assessment of progress (Completed / On track / Some slippage / Major slippage), key
achievements (actions completed this quarter), priorities for development (actions with
slippage), projects rated red or amber/red, risks whose score changed, then the
supporting information of every item."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from measures.models import ActionScheme, ActionUpdate
from perfmon.models.items import Item
from reports.builders.common import (
    Filters,
    Key,
    Loaded,
    Table,
    load,
    number_cell,
    pct_cell,
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
from reports.builders.summary import Share, share

ASSESSMENTS = (
    ActionUpdate.Status.COMPLETED,
    ActionUpdate.Status.ON_TRACK,
    ActionUpdate.Status.SOME_SLIPPAGE,
    ActionUpdate.Status.MAJOR_SLIPPAGE,
)


def assessed_labels() -> list[tuple[str, str, bool]]:
    """(key, label, counts as on track) of each rating of the action scheme in use; Derby
    City's where none is."""
    scheme = ActionScheme.objects.prefetch_related("labels").filter(in_use=True).first()
    if scheme is not None:
        return [(x.key, x.label, x.on_track) for x in scheme.labels.all() if x.rated]
    done = {ActionUpdate.Status.COMPLETED, ActionUpdate.Status.ON_TRACK}
    return [(status.value, status.label, status in done) for status in ASSESSMENTS]


@dataclass
class ThemeQuarter:
    theme: str
    measures: list[MeasureResult] = field(default_factory=list)
    actions: list[ActionResult] = field(default_factory=list)
    projects: list[ProjectResult] = field(default_factory=list)
    risks: list[RiskResult] = field(default_factory=list)
    completed_now: list[ActionResult] = field(default_factory=list)

    @property
    def risk_changes(self) -> list[RiskResult]:
        return [r for r in self.risks if r.changed]

    @property
    def assessment(self) -> Counter[str]:
        return Counter(r.status_value for r in self.actions if r.status_value)

    @property
    def major_slippage(self) -> list[ActionResult]:
        return [r for r in self.actions if r.status_value == ActionUpdate.Status.MAJOR_SLIPPAGE]

    @property
    def some_slippage(self) -> list[ActionResult]:
        return [r for r in self.actions if r.status_value == ActionUpdate.Status.SOME_SLIPPAGE]

    @property
    def red_projects(self) -> list[ProjectResult]:
        return [r for r in self.projects if r.red_or_amber_red]

    @property
    def assessed_projects(self) -> int:
        return sum(1 for r in self.projects if r.rating_value)


@dataclass(frozen=True)
class QuarterlyReport:
    filters: Filters
    themes: list[ThemeQuarter]
    keys: list[Key]

    @property
    def assessment_rows(self) -> list[tuple[str, list[int], int]]:
        """(status, count per theme, total) for the assessment of progress table, in the
        words of the action scheme in use."""
        rows = []
        for key, label, _ in assessed_labels():
            counts = [theme.assessment[key] for theme in self.themes]
            rows.append((label, counts, sum(counts)))
        return rows

    @property
    def on_track(self) -> Share:
        """Actions on track or completed, of those assessed (the report's headline)."""
        labels = assessed_labels()
        done = {key for key, _, on_track in labels if on_track}
        assessed = {key for key, _, _ in labels}
        return share(
            r.status_value in done
            for theme in self.themes
            for r in theme.actions
            if r.status_value in assessed
        )

    def tables(self) -> list[Table]:
        assessment = Table(
            slug="assessment",
            title=f"Assessment of progress (Quarter {self.filters.quarter})",
            columns=["Assessment", *(t.theme for t in self.themes), "Total"],
        )
        for label, counts, total in self.assessment_rows:
            assessment.rows.append(
                [text_cell(label), *(number_cell(c) for c in counts), number_cell(total)]
            )
        assessment.rows.append(
            [text_cell("Delivered or on track"), *([text_cell("")] * len(self.themes))]
            + [pct_cell(self.on_track.pct)]
        )
        info = Table(
            slug="supporting-information",
            title="Supporting information",
            columns=[
                "Theme",
                "Type",
                "Ref",
                "Item description",
                "Position",
                "Status",
                "Supporting information",
            ],
        )
        for theme in self.themes:
            for m in theme.measures:
                info.rows.append(
                    [
                        text_cell(theme.theme),
                        text_cell("Measure"),
                        text_cell(m.measure.reference),
                        text_cell(m.measure.description),
                        number_cell(m.actual, m.actual_text, m.measure.unit),
                        status_cell(m.status),
                        text_cell(m.commentary),
                    ]
                )
            for a in theme.actions:
                info.rows.append(
                    [
                        text_cell(theme.theme),
                        text_cell("Action"),
                        text_cell(a.action.reference),
                        text_cell(a.action.description),
                        text_cell(a.status.label if a.status else "N/A"),
                        status_cell(a.rag),
                        text_cell(a.commentary),
                    ]
                )
            for p in theme.projects:
                info.rows.append(
                    [
                        text_cell(theme.theme),
                        text_cell("Project"),
                        text_cell(p.project.reference),
                        text_cell(p.project.name),
                        text_cell(p.rating.label if p.rating else "N/A"),
                        status_cell(p.rating),
                        text_cell(p.commentary),
                    ]
                )
            for r in theme.risks:
                info.rows.append(
                    [
                        text_cell(theme.theme),
                        text_cell("Risk"),
                        text_cell(r.risk.reference),
                        text_cell(r.risk.title),
                        text_cell(r.score_text),
                        status_cell(r.status),
                        text_cell(r.commentary),
                    ]
                )
        return [assessment, info]


def quarterly_from(loaded: Loaded) -> QuarterlyReport:
    number = loaded.filters.quarter
    themes: dict[str, ThemeQuarter] = {}
    order: dict[str, tuple[int, str]] = {}

    def theme_of(item: Item) -> ThemeQuarter:
        theme = item.theme
        order[theme.name] = (theme.position, theme.name)
        return themes.setdefault(theme.name, ThemeQuarter(theme=theme.name))

    for measure in loaded.measures:
        theme_of(measure).measures.append(measure_result(loaded, measure, number))
    for action in loaded.actions:
        result = action_result(loaded, action, number)
        theme = theme_of(action)
        theme.actions.append(result)
        before = action_result(loaded, action, number - 1) if number > 1 else None
        if result.status_value == ActionUpdate.Status.COMPLETED and (
            before is None or before.status_value != ActionUpdate.Status.COMPLETED
        ):
            theme.completed_now.append(result)
    for project in project_results(loaded, number):
        theme_of(project.project).projects.append(project)
    for risk in risk_results(loaded, number):
        theme_of(risk.risk).risks.append(risk)
    return QuarterlyReport(
        filters=loaded.filters,
        themes=[themes[name] for name in sorted(themes, key=order.__getitem__)],
        keys=keys_for(loaded),
    )


def build_quarterly(filters: Filters) -> QuarterlyReport:
    """Loads this quarter and the one before (for completions and risk score changes)."""
    numbers = (filters.quarter - 1, filters.quarter) if filters.quarter > 1 else (1,)
    return quarterly_from(load(filters, numbers=numbers))
