"""The performance summary by Council Plan theme: how many items of each kind, and the four
percentages councils publish, per theme and for the whole council.

Each percentage has its numerator and denominator beside it, and how they are counted
(`Counting`) is printed under the table, so a reader can check every figure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from measures.models import ActionUpdate
from reports.builders.common import Counting, Filters, Key, Loaded, Table, load, pct_cell, text_cell
from reports.builders.common import number_cell as _number
from reports.builders.items import action_result, measure_result, project_results
from reports.builders.keys import keys_for
from reports.builders.rating_counts import rating_counts
from reports.builders.trend import action_statuses
from reports.conventions import Convention


@dataclass(frozen=True)
class Share:
    """`count` of `out_of` counted; `pct` is None where nothing counts."""

    count: int
    out_of: int

    @property
    def pct(self) -> float | None:
        return round(100 * self.count / self.out_of, 1) if self.out_of else None

    @property
    def text(self) -> str:
        return "N/A" if self.pct is None else f"{self.pct:g}%"


def share(flags: Iterable[bool | None]) -> Share:
    counted = [flag for flag in flags if flag is not None]
    return Share(count=sum(counted), out_of=len(counted))


@dataclass(frozen=True)
class ThemeSummary:
    """One theme's line, or the whole council's (`theme` None)."""

    theme: str | None
    measures: int
    actions: int
    risks: int
    projects: int
    meeting_target: Share
    improved: Share
    actions_on_track: Share
    projects_green_or_amber: Share
    action_ratings: dict[str, int] = field(default_factory=dict)
    measure_ratings: dict[str, int] = field(default_factory=dict)
    # How many actions are at each status ("completed", "on_track", ...): the quarterly
    # report's "Assessment of progress" counts.
    action_statuses: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        """The `performance_summary --format json` object, keys as documented."""
        return {
            "theme": self.theme,
            "measures": self.measures,
            "actions": self.actions,
            "risks": self.risks,
            "projects": self.projects,
            "measures_meeting_target_pct": self.meeting_target.pct,
            "measures_improved_pct": self.improved.pct,
            "actions_on_track_pct": self.actions_on_track.pct,
            "projects_green_or_amber_pct": self.projects_green_or_amber.pct,
            "action_ratings": self.action_ratings,
            "measure_ratings": self.measure_ratings,
            "action_statuses": self.action_statuses,
        }


@dataclass(frozen=True)
class Summary:
    filters: Filters
    rows: list[ThemeSummary]  # each theme, then the council
    counting: Counting
    keys: list[Key]

    @property
    def themes(self) -> list[ThemeSummary]:
        return [row for row in self.rows if row.theme is not None]

    @property
    def council(self) -> ThemeSummary:
        return self.rows[-1]

    @property
    def notes(self) -> list[str]:
        return self.counting.notes()

    def tables(self) -> list[Table]:
        return [summary_table(self)]


def summarise(loaded: Loaded) -> Summary:
    """The summary of already loaded items at the filtered quarter."""
    number = loaded.filters.quarter
    counting = loaded.counting
    measures = [measure_result(loaded, m, number) for m in loaded.measures]
    actions = [action_result(loaded, a, number) for a in loaded.actions]
    projects = project_results(loaded, number)
    themes = {
        item.theme.name: (item.theme.position, item.theme.name)
        for item in [*loaded.measures, *loaded.actions, *loaded.projects, *loaded.risks]
    }

    action_order = [status.label for status in action_statuses()]
    measure_order = [band.label for band in loaded.scheme.bands.all()] if loaded.scheme else []

    def line(theme: str | None) -> ThemeSummary:
        ms = [r for r in measures if theme in (None, r.measure.theme.name)]
        acts = [r for r in actions if theme in (None, r.action.theme.name)]
        projs = [r for r in projects if theme in (None, r.project.theme.name)]
        return ThemeSummary(
            theme=theme,
            measures=len(ms),
            actions=len(acts),
            risks=sum(1 for risk in loaded.risks if theme in (None, risk.theme.name)),
            projects=len(projs),
            meeting_target=share(r.meets_target(counting) for r in ms),
            improved=share(r.improved(counting) for r in ms),
            actions_on_track=share(r.on_track(counting) for r in acts),
            projects_green_or_amber=share(r.green_or_amber(counting) for r in projs),
            action_ratings=rating_counts((r.status for r in acts), action_order),
            measure_ratings=rating_counts((r.status for r in ms), measure_order),
            action_statuses=_statuses(r.counted_status(counting) for r in acts),
        )

    ordered = sorted(themes, key=themes.__getitem__)
    return Summary(
        filters=loaded.filters,
        rows=[*(line(name) for name in ordered), line(None)],
        counting=counting,
        keys=keys_for(loaded),
    )


def _statuses(statuses: Iterable[str]) -> dict[str, int]:
    counted = Counter(status for status in statuses if status)
    return {status: counted[status] for status in ActionUpdate.Status.values}


def build_summary(filters: Filters, *, convention: Convention | None = None) -> Summary:
    """The summary counted by `convention` (default: the one chosen in the admin)."""
    return summarise(load(filters, convention=convention))


def summary_table(summary: Summary) -> Table:
    table = Table(
        slug="summary",
        title="Summary by theme",
        columns=[
            "Council Plan theme",
            "Performance measures",
            "Delivery Plan actions",
            "Strategic risks",
            "Priority projects",
            "% measures meeting target, where set",
            "% measures improved since last year",
            "% actions delivered or on track",
            "% projects Green or Amber",
        ],
        notes=summary.notes,
    )
    for row in summary.rows:
        table.rows.append(
            [
                text_cell(row.theme or "Whole council"),
                _number(row.measures),
                _number(row.actions),
                _number(row.risks),
                _number(row.projects),
                pct_cell(row.meeting_target.pct),
                pct_cell(row.improved.pct),
                pct_cell(row.actions_on_track.pct),
                pct_cell(row.projects_green_or_amber.pct),
            ]
        )
    return table
