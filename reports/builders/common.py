"""What every report shares: the filters, the counting conventions, the statuses and the
key, a tabular form for the spreadsheet and CSV writers, and the loading of items with
their quarterly updates in a fixed number of queries.

Only updates from approved returns are read, unless `Filters.draft` is set (the
performance team's preview, watermarked "Draft" wherever it is shown).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Q, QuerySet

from measures import rules
from measures.models import Action, ActionUpdate, Measure, MeasureUpdate, RatingScheme
from perfmon import quarters
from perfmon.models import Portfolio, ReportingYear, Return, Theme
from perfmon.models.items import Item
from projects.models import Project, ProjectUpdate
from projects.rules import Rating as ProjectRating
from reports import conventions
from reports.conventions import Convention
from reports.models import CountingSetting
from risks.models import Risk, RiskAssessment


@dataclass(frozen=True)
class Filters:
    """What a report covers. `quarter` is 1 to 4; `draft` includes returns not yet approved."""

    year: ReportingYear
    quarter: int = 4
    theme: Theme | None = None
    portfolio: Portfolio | None = None
    draft: bool = False

    @property
    def quarter_label(self) -> str:
        return f"Quarter {self.quarter} {self.year.label}"

    @property
    def months(self) -> str:
        ends = quarters.quarter_bounds(self.year.start_year, self.quarter)[1]
        return f"{quarters.QUARTER_MONTHS[self.quarter]} {ends.year}"

    @property
    def end_of_quarter(self) -> str:
        """'the end of June 2021', as the quarterly report words it."""
        ends = quarters.quarter_bounds(self.year.start_year, self.quarter)[1]
        return f"the end of {ends:%B %Y}"

    def describe(self) -> str:
        parts = [self.quarter_label]
        if self.theme:
            parts.append(f"theme “{self.theme.name}”")
        if self.portfolio:
            parts.append(f"portfolio “{self.portfolio.name}”")
        parts.append("draft: includes returns not yet approved" if self.draft else "approved")
        return ", ".join(parts)


# How the summary counts; a council sets REPORTS_COUNTING in its settings to match its own
# published convention, and the sentences of `Counting.notes` print it under the table.
DEFAULT_COUNTING: dict[str, Any] = {
    # Statuses that count as meeting target; empty means the two best bands of the rating
    # scheme in use (Blue and Green for Derby City).
    "met_statuses": (),
    # Leave out results for an earlier period ("91.9% (Q3 data)") from both percentages.
    "exclude_earlier_period": True,
    # Count a direction of travel of "Same" as improved.
    "same_counts_as_improved": False,
    # Action statuses that count as delivered or on track.
    "actions_on_track": ("completed", "on_track"),
    # Which project rating the summary and exception report read: "dca" or "rag".
    "project_rating": "dca",
    # Project ratings that count as Green or Amber.
    "projects_green_or_amber": ("green", "amber_green", "amber_red"),
    # Risks scoring this or more are exceptions.
    "exception_risk_score": 12,
    # Published measure statuses replaced by the rating scheme's status for the counting
    # (Derby City 2021/22 rates its "Annual Collection" measures from actual and target).
    "rate_published_statuses": (),
    # An action with no position this quarter counts with its latest earlier position in
    # the year (the annual table's "On track (Q3 position)").
    "count_earlier_positions": True,
}


@dataclass(frozen=True)
class Counting:
    met_statuses: tuple[str, ...]
    exclude_earlier_period: bool
    same_counts_as_improved: bool
    actions_on_track: tuple[str, ...]
    project_rating: str
    projects_green_or_amber: tuple[str, ...]
    exception_risk_score: int
    rate_published_statuses: tuple[str, ...] = ()
    count_earlier_positions: bool = True
    convention: Convention = conventions.PERFMON

    @classmethod
    def from_settings(
        cls, scheme: rules.Scheme | None, convention: Convention | None = None
    ) -> Counting:
        """The counting of `convention` (default: the one chosen in the admin), with the
        REPORTS_COUNTING setting's choices over it."""
        convention = convention or chosen_convention()
        chosen = {
            **DEFAULT_COUNTING,
            **convention.rules,
            **getattr(settings, "REPORTS_COUNTING", {}),
        }
        met = tuple(chosen["met_statuses"]) or tuple(
            band.label for band in (scheme.bands[:2] if scheme else ())
        )
        return cls(
            met_statuses=met,
            exclude_earlier_period=bool(chosen["exclude_earlier_period"]),
            same_counts_as_improved=bool(chosen["same_counts_as_improved"]),
            actions_on_track=tuple(chosen["actions_on_track"]),
            project_rating=str(chosen["project_rating"]),
            projects_green_or_amber=tuple(chosen["projects_green_or_amber"]),
            exception_risk_score=int(chosen["exception_risk_score"]),
            rate_published_statuses=tuple(chosen["rate_published_statuses"]),
            count_earlier_positions=bool(chosen["count_earlier_positions"]),
            convention=convention,
        )

    def notes(self) -> list[str]:
        """How each figure is counted, in sentences printed under the summary."""
        earlier = (
            " Results for an earlier period (such as “Q3 data”) are left out."
            if self.exclude_earlier_period
            else " Results for an earlier period (such as “Q3 data”) are counted."
        )
        same = "counted as improved" if self.same_counts_as_improved else "not counted as improved"
        actions = " or ".join(
            ActionUpdate.Status(value).label for value in self.actions_on_track
        ).lower()
        projects = ", ".join(_project_label(value) for value in self.projects_green_or_amber)
        rating = "delivery confidence assessment (DCA)" if self.project_rating == "dca" else "RAG"
        rated = (
            " Measures published as "
            + " or ".join(f"“{status}”" for status in self.rate_published_statuses)
            + " are rated by the scheme from their actual and target."
            if self.rate_published_statuses
            else ""
        )
        positions = (
            "an action with no position this quarter counts with its latest position this year"
            if self.count_earlier_positions
            else "actions reported with an earlier quarter's position are left out"
        )
        return [
            f"Counting convention: {self.convention.name}.",
            "% of measures meeting target: measures rated "
            f"{' or '.join(self.met_statuses) or 'in the best bands'}, out of the measures with "
            "a target and a result this quarter (no target, no data and contextual measures "
            f"are left out).{earlier}{rated}",
            "% of measures improved: direction of travel against the same quarter last year; "
            f"“Same” is {same}. Measures with no result either year, or no polarity, are left "
            f"out.{earlier.replace('are left out', 'in either year are left out')}",
            f"% of actions delivered or on track: actions {actions}, out of the actions with "
            f"a status this quarter (N/A left out); {positions}.",
            f"% of projects Green or Amber: projects whose {rating} is {projects}, out of the "
            "projects assessed this quarter (Pre-start/Completed left out).",
            f"Exception report: risks scoring {self.exception_risk_score} or more.",
        ]


def chosen_convention() -> Convention:
    """The counting convention the performance team chose in the admin."""
    return conventions.convention(CountingSetting.load().convention)


def _project_label(value: str) -> str:
    try:
        return ProjectRating(value).label
    except ValueError:
        return value


@dataclass(frozen=True)
class Status:
    """A status as shown: its label and GOV.UK tag colour (the label carries the meaning)."""

    label: str
    colour: str = "grey"


@dataclass(frozen=True)
class KeyEntry:
    status: Status
    meaning: str


@dataclass(frozen=True)
class Key:
    """The legend of one rating scheme used in a report."""

    title: str
    entries: tuple[KeyEntry, ...]


ACTION_MEANINGS = {
    ActionUpdate.Status.COMPLETED: "The action has been delivered.",
    ActionUpdate.Status.ON_TRACK: "On track within the agreed deadlines.",
    ActionUpdate.Status.SOME_SLIPPAGE: "Some slippage against the agreed deadlines.",
    ActionUpdate.Status.MAJOR_SLIPPAGE: "Major slippage against the agreed deadlines.",
}


def action_status(update: ActionUpdate | None) -> Status | None:
    if update is None or not update.status:
        return None
    return Status(update.get_status_display(), update.colour[1])


# ---- A tabular form of a report, for XLSX and CSV -------------------------------------


@dataclass(frozen=True)
class Cell:
    """One cell: `value` is what a spreadsheet stores (a number where there is one),
    `text` what a person reads; `number_format` an Excel format for numbers."""

    value: Any
    text: str = ""
    colour: str = ""
    number_format: str = ""

    @property
    def shown(self) -> str:
        if self.text:
            return self.text
        return "" if self.value is None else str(self.value)


@dataclass
class Table:
    slug: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def text_cell(text: str | None, colour: str = "") -> Cell:
    return Cell(value=text or "", text=text or "", colour=colour)


def number_cell(value: Decimal | int | None, text: str = "", unit: str = "") -> Cell:
    """A real number with an Excel format showing the digits it has, in its unit."""
    if value is None:
        return Cell(value=None, text=text)
    exponent = Decimal(value).as_tuple().exponent
    if not isinstance(exponent, int):  # "n", "N" or "F": NaN or infinity
        raise ValueError(f"{value} is not a finite number")
    places = max(0, -exponent)
    digits = "#,##0" + ("." + "0" * places if places else "")
    formats = {
        rules.Unit.PERCENTAGE.value: f'{digits}"%"',
        rules.Unit.CURRENCY.value: f'"£"{digits}',
    }
    number: int | float = int(value) if places == 0 else float(value)
    return Cell(value=number, text=text or str(value), number_format=formats.get(unit, digits))


def pct_cell(value: float | None) -> Cell:
    if value is None:
        return Cell(value=None, text="N/A")
    return Cell(value=value / 100, text=f"{value:g}%", number_format="0.0%")


def status_cell(status: Status | None, empty: str = "N/A") -> Cell:
    if status is None:
        return Cell(value=empty, text=empty, colour="grey")
    return Cell(value=status.label, text=status.label, colour=status.colour)


# ---- Loading ----------------------------------------------------------------------------


def scheme_in_use() -> RatingScheme | None:
    return RatingScheme.objects.prefetch_related("bands").filter(in_use=True).first()


def status_colours(scheme: RatingScheme | None) -> dict[str, str]:
    """The tag colour of each measure status label (an override stores only its label)."""
    colours = {"No target": "grey", "N/A": "grey"}
    if scheme is not None:
        colours.update({band.label: band.colour for band in scheme.bands.all()})
    return colours


def measure_status(update: MeasureUpdate | None, colours: dict[str, str]) -> Status | None:
    if update is None or not update.shown_status:
        return None
    if update.status_override:
        return Status(update.status_override, colours.get(update.status_override, "grey"))
    return Status(update.status, update.status_colour or "grey")


def computed_status(update: MeasureUpdate | None) -> Status | None:
    """The rule's status when an override replaced it, else None."""
    if update is None or not update.status_override or not update.status:
        return None
    return Status(update.status, update.status_colour or "grey")


def visible(updates: QuerySet[Any], filters: Filters) -> QuerySet[Any]:
    if filters.draft:
        return updates
    return updates.filter(ret__state=Return.State.APPROVED)


_ItemT = TypeVar("_ItemT", bound=Item)


def _items(model: type[_ItemT], filters: Filters) -> QuerySet[_ItemT]:
    items = model.objects.filter(year=filters.year).select_related("portfolio", "theme")
    if filters.theme is not None:
        items = items.filter(theme=filters.theme)
    if filters.portfolio is not None:
        items = items.filter(portfolio=filters.portfolio)
    # Portfolios and items in the order they were set up, which is the published order for
    # an imported table.
    return items.order_by("portfolio_id", "pk")


@dataclass
class Loaded:
    """A year's items (filtered) with their updates, by (item id, quarter number).

    `last_year` holds the updates of the items' previous-year lineage (`previous`), by
    (previous item id, quarter number), for directions of travel; `risk_last_year` the
    same for risks (fourth quarter only), for a first quarter's score change.
    """

    filters: Filters
    scheme: RatingScheme | None
    measures: list[Measure]
    measure_updates: dict[tuple[int, int], MeasureUpdate]
    last_year: dict[tuple[int, int], MeasureUpdate]
    actions: list[Action]
    action_updates: dict[tuple[int, int], ActionUpdate]
    projects: list[Project] = field(default_factory=list)
    project_updates: dict[tuple[int, int], ProjectUpdate] = field(default_factory=dict)
    risks: list[Risk] = field(default_factory=list)
    risk_updates: dict[tuple[int, int], RiskAssessment] = field(default_factory=dict)
    risk_last_year: dict[tuple[int, int], RiskAssessment] = field(default_factory=dict)
    colours: dict[str, str] = field(default_factory=dict)
    convention: Convention | None = None  # None: the one chosen in the admin

    @cached_property
    def counting(self) -> Counting:
        scheme = self.scheme.as_rules() if self.scheme else None
        return Counting.from_settings(scheme, self.convention)


def load(
    filters: Filters,
    *,
    numbers: Iterable[int] | None = None,
    convention: Convention | None = None,
) -> Loaded:
    """The filtered items of the year and their updates in quarters `numbers` (default:
    the filtered quarter), plus last year's updates in the same quarters. Action updates
    come for every quarter up to the last wanted, for an action's latest position."""
    wanted = sorted(set(numbers or (filters.quarter,)))
    scheme = scheme_in_use()
    measures = list(_items(Measure, filters))
    ids = [m.pk for m in measures] + [m.previous_id for m in measures if m.previous_id]
    found = visible(
        MeasureUpdate.objects.filter(measure_id__in=ids, ret__quarter__number__in=wanted),
        filters,
    ).select_related("ret__quarter")
    this_year = {m.pk for m in measures}
    measure_updates: dict[tuple[int, int], MeasureUpdate] = {}
    last_year: dict[tuple[int, int], MeasureUpdate] = {}
    for update in found:
        key = (update.measure_id, update.ret.quarter.number)
        (measure_updates if update.measure_id in this_year else last_year)[key] = update
    actions = list(_items(Action, filters))
    action_updates = {
        (u.action_id, u.ret.quarter.number): u
        for u in visible(
            ActionUpdate.objects.filter(action__in=actions, ret__quarter__number__lte=max(wanted)),
            filters,
        ).select_related("ret__quarter", "rating")
    }
    loaded = Loaded(
        filters=filters,
        scheme=scheme,
        measures=measures,
        measure_updates=measure_updates,
        last_year=last_year,
        actions=actions,
        action_updates=action_updates,
        colours=status_colours(scheme),
        convention=convention,
    )
    _load_projects(loaded, wanted)
    _load_risks(loaded, wanted)
    return loaded


def _load_projects(loaded: Loaded, wanted: list[int]) -> None:
    loaded.projects = list(_items(Project, loaded.filters))
    loaded.project_updates = {
        (u.project_id, u.ret.quarter.number): u
        for u in visible(
            ProjectUpdate.objects.filter(
                project__in=loaded.projects, ret__quarter__number__in=wanted
            ),
            loaded.filters,
        ).select_related("ret__quarter")
    }


def _load_risks(loaded: Loaded, wanted: list[int]) -> None:
    """Strategic risks and their assessments in the wanted quarters, plus last year's
    fourth quarter (through `previous`) so a first quarter's change has a start."""
    loaded.risks = list(_items(Risk, loaded.filters))
    this_year = {r.pk for r in loaded.risks}
    earlier = [r.previous_id for r in loaded.risks if r.previous_id]
    found = visible(
        RiskAssessment.objects.filter(
            Q(risk_id__in=this_year, ret__quarter__number__in=wanted)
            | Q(risk_id__in=earlier, ret__quarter__number=4)
        ),
        loaded.filters,
    ).select_related("ret__quarter")
    for assessment in found:
        key = (assessment.risk_id, assessment.ret.quarter.number)
        if assessment.risk_id in this_year:
            loaded.risk_updates[key] = assessment
        else:
            loaded.risk_last_year[key] = assessment
