"""Trend over time (the Derbyshire seed): for each quarter of a year, how many measures and
actions were in each rating, as a stacked bar chart and a table; and each item's rating
this quarter beside last quarter's ("Amber (Green in Q3)"). A measure's own multi-year
trend is on its page, linked from each row.
"""

from __future__ import annotations

from dataclasses import dataclass

from measures import rules
from measures.models import ActionScheme, ActionUpdate, Measure, MeasureUpdate
from measures.presenters import actual_text
from perfmon import quarters
from perfmon.models import CouncilSettings
from reports.builders.common import (
    Filters,
    Key,
    Loaded,
    Status,
    Table,
    load,
    number_cell,
    text_cell,
    visible,
)
from reports.builders.items import action_result, measure_result
from reports.builders.keys import keys_for

NOT_RATED = Status("Not reported", "grey")
# GOV.UK colours for the chart's fills; the legend and the table name each rating.
FILLS = {
    "blue": "#1d70b8",
    "green": "#00703c",
    "yellow": "#ffdd00",
    "orange": "#f47738",
    "red": "#d4351c",
    "grey": "#b1b4b6",
}


# The grey statuses, told apart by shade (the legend and table name them too).
GREYS = {"No target": "#b1b4b6", "N/A": "#6f777b", "Not reported": "#e5e6e7"}


def fill_of(status: Status) -> str:
    return GREYS.get(status.label) or FILLS.get(status.colour, FILLS["grey"])


@dataclass(frozen=True)
class Segment:
    y: float
    height: float
    status: Status
    count: int

    @property
    def fill(self) -> str:
        return fill_of(self.status)


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    label: str
    total: int
    segments: tuple[Segment, ...]

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class BarChart:
    """A stacked bar per quarter, in SVG user units (y grows downwards)."""

    title: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: tuple[Bar, ...]
    y_ticks: tuple[tuple[float, int], ...]
    legend: tuple[Status, ...]


@dataclass(frozen=True)
class RatingCounts:
    """How many items had each rating at the end of each quarter."""

    kind: str  # "Measures" or "Actions"
    statuses: list[Status]
    counts: list[list[int]]  # [status][quarter]
    chart: BarChart
    heading: str = ""  # the council's word for them ("Key measures", "Deliverables")

    @property
    def title(self) -> str:
        return self.heading or self.kind

    @property
    def rows(self) -> list[tuple[Status, list[int]]]:
        return list(zip(self.statuses, self.counts, strict=True))

    @property
    def legend(self) -> list[tuple[Status, str]]:
        return [(status, fill_of(status)) for status in self.statuses]

    def totals(self) -> list[int]:
        return [sum(column) for column in zip(*self.counts, strict=True)]


@dataclass(frozen=True)
class ItemTrend:
    kind: str
    reference: str
    description: str
    now: Status | None
    before: Status | None
    before_label: str
    link: tuple[str, int]

    @property
    def text(self) -> str:
        """'Good (Strong in Q3)'; the rating alone when it did not change."""
        now = self.now.label if self.now else "Not rated"
        if self.before is None or self.before.label == now:
            return now
        return f"{now} ({self.before.label} in {self.before_label})"

    @property
    def changed(self) -> bool:
        return self.before is not None and self.now is not None and self.before != self.now


@dataclass(frozen=True)
class MeasureYears:
    """One measure's result at the filtered quarter in each year of its lineage."""

    measure: Measure
    updates: list[MeasureUpdate | None]  # per year of `TrendReport.years`

    @property
    def texts(self) -> list[str]:
        unit = rules.Unit(self.measure.unit)
        return [actual_text(u, unit) if u else "" for u in self.updates]


@dataclass(frozen=True)
class TrendReport:
    filters: Filters
    measures: RatingCounts
    actions: RatingCounts
    items: list[ItemTrend]
    keys: list[Key]
    years: list[str]
    measure_years: list[MeasureYears]

    @property
    def quarter_labels(self) -> list[str]:
        return [f"Q{n}" for n in range(1, self.filters.quarter + 1)]

    def tables(self) -> list[Table]:
        tables = []
        for counts in (self.measures, self.actions):
            table = Table(
                slug=counts.kind.lower(),
                title=f"{counts.title} by rating, {self.filters.year.label}",
                columns=["Rating", *self.quarter_labels],
            )
            for status, per_quarter in zip(counts.statuses, counts.counts, strict=True):
                table.rows.append(
                    [text_cell(status.label, status.colour), *(number_cell(n) for n in per_quarter)]
                )
            table.rows.append([text_cell("Total"), *(number_cell(n) for n in counts.totals())])
            tables.append(table)
        items = Table(
            slug="items",
            title=f"Ratings at {self.filters.quarter_label} beside the quarter before",
            columns=["Type", "Ref", "Description", "Rating", "Last quarter", "This quarter"],
        )
        for item in self.items:
            items.rows.append(
                [
                    text_cell(item.kind),
                    text_cell(item.reference),
                    text_cell(item.description),
                    text_cell(item.text),
                    text_cell(item.before.label if item.before else ""),
                    text_cell(
                        item.now.label if item.now else "", item.now.colour if item.now else ""
                    ),
                ]
            )
        tables.append(items)
        history = Table(
            slug="years",
            title=f"Measures at Q{self.filters.quarter} over the years",
            columns=["Ref", "Description", *self.years],
        )
        for row in self.measure_years:
            unit = row.measure.unit
            history.rows.append(
                [text_cell(row.measure.reference), text_cell(row.measure.description)]
                + [
                    number_cell(u.actual, text, unit) if u else text_cell("")
                    for u, text in zip(row.updates, row.texts, strict=True)
                ]
            )
        tables.append(history)
        return tables


def _counts(
    kind: str, statuses: list[Status], per_quarter: list[list[Status | None]], heading: str = ""
) -> RatingCounts:
    found = {status.label for column in per_quarter for status in column if status}
    shown = [s for s in statuses if s.label in found] or statuses[:1]
    if any(
        status is None or status.label not in {s.label for s in shown}
        for column in per_quarter
        for status in column
    ):
        shown.append(NOT_RATED)
    labels = [s.label for s in shown]
    counts = [[0] * len(per_quarter) for _ in shown]
    for q, column in enumerate(per_quarter):
        for status in column:
            label = status.label if status and status.label in labels else NOT_RATED.label
            counts[labels.index(label)][q] += 1
    return RatingCounts(kind, shown, counts, _chart(heading or kind, shown, counts), heading)


def _chart(kind: str, statuses: list[Status], counts: list[list[int]]) -> BarChart:
    width, height = 640, 300
    left, right, top, bottom = 48.0, width - 16.0, 24.0, height - 40.0
    quarters = len(counts[0]) if counts else 0
    totals = [sum(row[q] for row in counts) for q in range(quarters)]
    most = max(totals, default=0) or 1
    steps = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
    step = next((n for n in steps if most / n <= 6), -(-most // 5))
    top_value = step * -(-most // step)
    scale = (bottom - top) / top_value
    band = (right - left) / max(quarters, 1)
    bars = []
    for q in range(quarters):
        y = bottom
        segments = []
        for status, row in zip(statuses, counts, strict=True):
            if row[q]:
                h = row[q] * scale
                y -= h
                segments.append(Segment(round(y, 1), round(h, 1), status, row[q]))
        bars.append(
            Bar(
                x=round(left + band * q + band * 0.2, 1),
                width=round(band * 0.6, 1),
                label=f"Q{q + 1}",
                total=totals[q],
                segments=tuple(segments),
            )
        )
    ticks = tuple((round(bottom - v * scale, 1), v) for v in range(0, top_value + 1, step))
    return BarChart(
        title=f"{kind} by rating at each quarter end",
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        bars=tuple(bars),
        y_ticks=ticks,
        legend=tuple(statuses),
    )


ACTION_STATUSES = [
    Status(ActionUpdate.Status(value).label, colour)
    for value, (_, colour) in ActionUpdate.COLOURS.items()
]


def action_statuses() -> list[Status]:
    """The labels of the action scheme in use, in its order, then Derby City's for quarters
    rated before a change of scheme."""
    scheme = ActionScheme.objects.prefetch_related("labels").filter(in_use=True).first()
    own = [Status(label.label, label.colour) for label in scheme.labels.all()] if scheme else []
    known = {status.label for status in own}
    return own + [status for status in ACTION_STATUSES if status.label not in known]


def trend_from(loaded: Loaded) -> TrendReport:
    council = CouncilSettings.current()
    last = loaded.filters.quarter
    numbers = range(1, last + 1)
    measure_statuses = (
        [Status(b.label, b.colour) for b in loaded.scheme.bands.all()] if loaded.scheme else []
    )
    measure_statuses += [Status("No target", "grey"), Status("N/A", "grey")]
    measures = _counts(
        "Measures",
        measure_statuses,
        [[measure_result(loaded, m, n).status for m in loaded.measures] for n in numbers],
        council.measures_heading,
    )
    actions = _counts(
        "Actions",
        action_statuses(),
        [[action_result(loaded, a, n).status for a in loaded.actions] for n in numbers],
        council.actions_heading,
    )
    before_label = f"Q{last - 1}" if last > 1 else ""
    years, history = measure_years(loaded)
    items = [
        ItemTrend(
            kind="Measure",
            reference=m.reference,
            description=m.description,
            now=measure_result(loaded, m, last).status,
            before=measure_result(loaded, m, last - 1).status if last > 1 else None,
            before_label=before_label,
            link=("measures:measure", m.pk),
        )
        for m in loaded.measures
    ] + [
        ItemTrend(
            kind="Action",
            reference=a.reference,
            description=a.description,
            now=action_result(loaded, a, last).status,
            before=action_result(loaded, a, last - 1).status if last > 1 else None,
            before_label=before_label,
            link=("measures:action", a.pk),
        )
        for a in loaded.actions
    ]
    return TrendReport(
        filters=loaded.filters,
        measures=measures,
        actions=actions,
        items=items,
        keys=keys_for(loaded),
        years=years,
        measure_years=history,
    )


YEARS_BACK = 5


def measure_years(loaded: Loaded) -> tuple[list[str], list[MeasureYears]]:
    """Each measure's result at the filtered quarter in this year and up to four before,
    followed back through `previous`: two queries, whatever the number of measures."""
    filters = loaded.filters
    start = filters.year.start_year
    earlier = {
        pk: (previous_id, year)
        for pk, previous_id, year in Measure.objects.filter(
            year__start_year__gte=start - YEARS_BACK + 1, year__start_year__lt=start
        ).values_list("pk", "previous_id", "year__start_year")
    }
    chains: dict[int, dict[int, int]] = {}
    for measure in loaded.measures:
        chain, previous = {start: measure.pk}, measure.previous_id
        while previous is not None and previous in earlier and len(chain) < YEARS_BACK:
            chain[earlier[previous][1]] = previous
            previous = earlier[previous][0]
        chains[measure.pk] = chain
    wanted = [pk for chain in chains.values() for pk in chain.values()]
    found = {
        u.measure_id: u
        for u in visible(
            MeasureUpdate.objects.filter(
                measure_id__in=wanted, ret__quarter__number=filters.quarter
            ),
            filters,
        )
    }
    years = sorted({year for chain in chains.values() for year in chain})
    rows = [
        MeasureYears(
            measure=measure,
            updates=[
                found.get(chains[measure.pk][y]) if y in chains[measure.pk] else None for y in years
            ],
        )
        for measure in loaded.measures
    ]
    return [quarters.year_label(y) for y in years], rows


def build_trend(filters: Filters) -> TrendReport:
    return trend_from(load(filters, numbers=range(1, filters.quarter + 1)))
