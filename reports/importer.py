"""Loading a year from the annual performance results table (the seeds' format).

`parse_results` reads every row and says what is wrong with any of them (line, column,
reason). `import_results` then writes the whole table in one transaction, or nothing;
with `dry_run=True` it does all the work and rolls it back, so the preview's counts are
exactly what the import will do. Measures and actions are written here; priority
projects (their published DCA) and strategic risks (their published score) go through
their own apps' import services, in the same transaction and the same Q4 returns.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from measures import rules
from measures.models import (
    Action,
    ActionUpdate,
    Measure,
    MeasureUpdate,
    RatingScheme,
    as_stored,
)
from measures.values import ParsedActual, ValueParseError, parse_actual, parse_target
from perfmon import quarters, services
from perfmon.models import (
    CouncilPlan,
    Portfolio,
    Quarter,
    ReportingYear,
    Return,
    ReturnEvent,
    Theme,
    User,
)
from perfmon.models.returns import TEXT_LIMIT
from projects.models import Project
from projects.rules import parse_dca
from projects.services import PublishedProject, import_published_projects
from reports.annual_table import TableRow
from risks.models import Risk
from risks.rules import parse_score_text
from risks.services import PublishedRisk, import_published_risks

ACTION_STATUSES = {
    "completed": ActionUpdate.Status.COMPLETED,
    "on track": ActionUpdate.Status.ON_TRACK,
    "some slippage": ActionUpdate.Status.SOME_SLIPPAGE,
    "minor slippage": ActionUpdate.Status.SOME_SLIPPAGE,
    "major slippage": ActionUpdate.Status.MAJOR_SLIPPAGE,
    "n/a": ActionUpdate.Status.NOT_APPLICABLE,
}
DIRECTIONS = {d.label.lower(): d for d in rules.Direction} | {
    "n/a": rules.Direction.NOT_APPLICABLE,
    # Older and other councils' words.
    "planned": rules.Direction.NOT_APPLICABLE,
    "no change": rules.Direction.SAME,
    "improved": rules.Direction.IMPROVING,
    "declining": rules.Direction.DETERIORATING,
    "worse": rules.Direction.DETERIORATING,
}
# Status column words that are not a rating: a milestone (an action), or a
# flag on the actual.
_NOT_A_RATING = {"milestone", "planned"}
_FLAGS = {"provisional", "forecast"}
# Items of a table that names no portfolio go here, for the team to move.
PLACEHOLDER_PORTFOLIO = "Portfolio to be assigned"
_NOTE = re.compile(r"\s*\(([^)]*)\)\s*$")
_POSITION = re.compile(r"\(\s*Q([1-4])\s+position\s*\)\s*$", re.IGNORECASE)
_RISK_REF = re.compile(r"^SR\s*\d", re.IGNORECASE)
KINDS = ("measure", "action", "project", "risk")


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass
class ParsedRow:
    line: int
    kind: str
    reference: str
    description: str
    portfolio: str
    theme: str
    last_year: ParsedActual | None = None
    actual: ParsedActual | None = None
    target: Decimal | None = None
    published_status: str = ""
    direction: rules.Direction = rules.Direction.NOT_APPLICABLE
    action_status: str = ""
    # "On track (Q3 position)": the position was last reported at quarter 3, and goes
    # into that quarter's return.
    action_quarter: int = 4


@dataclass
class ParsedTable:
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # What the reader found: the columns, in order, and what the heading rows are.
    columns: list[str] = field(default_factory=list)
    headings: str = ""

    def counts(self) -> Counter[str]:
        return Counter(row.kind for row in self.rows)


def _kind(row: TableRow) -> str:
    explicit = row.get("kind").lower()
    if explicit in {"action", "measure", "project", "risk"}:
        return explicit
    if explicit in {"priority project", "strategic risk"}:
        return explicit.split()[-1]
    section = row.section.lower()
    if section.startswith("actions"):
        return "action"
    if (
        row.get("q4_status").lower() in {"milestone", "planned"}
        or "milestone" in row.get("target").lower()
    ):
        return "action"
    if "measures" in section:
        return "measure"
    status = row.get("q4_status").lower()
    if _RISK_REF.match(row.get("ref")) or status.startswith(("risk score", "opportunity")):
        return "risk"
    return "project"


def generated_reference(kind: str, portfolio: str, description: str) -> str:
    """A stable reference for a table without a Ref column: the same row always gets the
    same one, so importing the file again finds what it created."""
    digest = hashlib.sha1(f"{portfolio}|{description}".encode()).hexdigest()[:6].upper()
    return f"{kind[0].upper()}-{digest}"


def _status_text(text: str) -> str:
    """'On track (Q3 position)' -> 'On track'."""
    return _NOTE.sub("", text).strip()


def _same_name(text: str) -> str:
    """A portfolio's name for matching: "&" reads as "and", case and spacing ignored."""
    return re.sub(r"\s+", " ", text.replace("&", " and ")).strip().lower()


def _portfolio(row: TableRow, known: dict[str, str], table: ParsedTable) -> str | None:
    """The row's portfolio: its heading, or its Portfolio cell where that names a portfolio
    perfmon or the file knows. None (with a problem) for a cell that names none."""
    heading, cell = row.portfolio, row.get("portfolio")
    if not cell or _same_name(cell) == _same_name(heading):
        return heading
    if heading and _same_name(heading).startswith(_same_name(cell)):
        table.warnings.append(
            Problem(row.line, "Portfolio", f"“{cell}” read as the heading “{heading}”.")
        )
        return heading
    if _same_name(cell) in known:
        return known[_same_name(cell)]
    table.problems.append(
        Problem(
            row.line,
            "Portfolio",
            f"“{cell}” is not a portfolio perfmon knows, nor a portfolio heading in the "
            "file: correct the cell, or add the portfolio in the admin first.",
        )
    )
    return None


def _parse_row(row: TableRow, portfolio: str, problems: list[Problem]) -> ParsedRow | None:
    kind = _kind(row)
    description = row.get("description")
    parsed = ParsedRow(
        line=row.line,
        kind=kind,
        reference=row.get("ref") or generated_reference(kind, portfolio, description),
        description=description,
        portfolio=portfolio,
        theme=row.get("theme"),
    )
    if not description:
        problems.append(Problem(row.line, "Description", "Every row needs a description."))
        return None
    if not portfolio:
        problems.append(
            Problem(row.line, "Portfolio", "No portfolio: add a portfolio heading row above.")
        )
        return None
    too_long = _too_long(parsed, row.get("q4_status"))
    if too_long:
        problems.append(too_long)
        return None
    if kind in {"project", "risk"}:
        parsed.published_status = row.get("q4_status")
        try:
            if kind == "project":
                parse_dca(parsed.published_status)
            else:
                parse_score_text(parsed.published_status)
        except ValueError as error:
            problems.append(Problem(row.line, "Q4 status", str(error)))
            return None
        return parsed
    if kind == "action":
        status = ACTION_STATUSES.get(_status_text(row.get("q4_actual")).lower())
        if status is None:
            problems.append(
                Problem(
                    row.line,
                    "Q4 actual",
                    f"“{row.get('q4_actual')}” is not an action status: use Completed, On "
                    "track, Some slippage, Major slippage or N/A.",
                )
            )
            return None
        parsed.action_status = status
        position = _POSITION.search(row.get("q4_actual"))
        if position:
            parsed.action_quarter = int(position.group(1))
        return parsed
    for column, attribute, label in (
        ("last_year", "last_year", "Last year's actual"),
        ("q4_actual", "actual", "Q4 actual"),
    ):
        try:
            actual = parse_actual(row.get(column))
        except ValueParseError as error:
            problems.append(Problem(row.line, label, str(error)))
            return None
        if len(actual.period_label) > _PERIOD_LONGEST:
            problems.append(
                Problem(
                    row.line,
                    label,
                    f"The period in brackets can be up to {_PERIOD_LONGEST} characters, "
                    "such as (Q3 data).",
                )
            )
            return None
        setattr(parsed, attribute, actual)
    try:
        parsed.target = parse_target(row.get("target"))
    except ValueParseError as error:
        problems.append(Problem(row.line, "Target", str(error)))
        return None
    published = row.get("q4_status")
    if published.lower() in _FLAGS and parsed.actual is not None:
        flagged = published.lower() == "provisional"
        parsed.actual = replace(parsed.actual, provisional=flagged, forecast=not flagged)
        published = ""
    parsed.published_status = "" if published.lower() in _NOT_A_RATING else published
    parsed.direction = DIRECTIONS.get(row.get("dot").lower(), rules.Direction.NOT_APPLICABLE)
    return parsed


def _longest(model: type[models.Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length is not None
    return field.max_length


_PERIOD_LONGEST = _longest(MeasureUpdate, "period_label")


def _too_long(parsed: ParsedRow, status: str) -> Problem | None:
    """The first cell longer than the database keeps for it, as a problem: a reference, a
    theme, a published status and a description (a project's name and a risk's title are
    shorter than a measure's or an action's description, a free text of TEXT_LIMIT)."""
    names = {"project": (Project, "name"), "risk": (Risk, "title")}
    described = _longest(*names[parsed.kind]) if parsed.kind in names else TEXT_LIMIT
    for column, text, longest in (
        ("Ref", parsed.reference, _longest(Measure, "reference")),
        ("Description", parsed.description, described),
        ("Council Plan theme", parsed.theme, _longest(Theme, "name")),
        ("Q4 status", status, _longest(MeasureUpdate, "status_override")),
    ):
        if len(text) > longest:
            return Problem(
                parsed.line,
                column,
                f"This cell has {len(text):,} characters; it can have up to {longest:,}.",
            )
    return None


def parse_results(rows: list[TableRow], *, portfolios: Iterable[str] = ()) -> ParsedTable:
    """Every row read into items, with its problems (rows that cannot be imported as they
    stand) and warnings (what was assumed). `portfolios` are the names perfmon already
    has; a Portfolio cell must name one of them or a portfolio heading in the file."""
    table = ParsedTable()
    known = {_same_name(name): name for name in portfolios}
    known.update({_same_name(row.portfolio): row.portfolio for row in rows if row.portfolio})
    seen: dict[str, int] = {}
    above: tuple[str, str, str] = ("", "", "")  # the portfolio, kind and theme of the last row
    for row in rows:
        portfolio = _portfolio(row, known, table)
        if portfolio == "" and row.priority:
            portfolio = PLACEHOLDER_PORTFOLIO
            table.warnings.append(
                Problem(
                    row.line,
                    "Portfolio",
                    f"No portfolio: imported under its theme “{row.priority}”, in "
                    f"“{PLACEHOLDER_PORTFOLIO}” for the team to assign.",
                )
            )
        parsed = None if portfolio is None else _parse_row(row, portfolio, table.problems)
        theme = row.get("theme") or row.priority
        if not theme and above[:2] == (row.get("portfolio") or row.portfolio, _kind(row)):
            theme = above[2]
            if parsed is not None:
                table.warnings.append(
                    Problem(
                        row.line, "Council Plan theme", f"Blank: took “{theme}” from the row above."
                    )
                )
        above = (row.get("portfolio") or row.portfolio, _kind(row), theme)
        if parsed is None:
            continue
        # References are unique across kinds within a year.
        if parsed.reference in seen:
            first = seen[parsed.reference]
            table.problems.append(
                Problem(row.line, "Ref", f"{parsed.reference} is also on line {first}.")
            )
            continue
        seen[parsed.reference] = row.line
        if not theme:
            table.problems.append(Problem(row.line, "Council Plan theme", "No theme given."))
            continue
        parsed.theme = theme
        table.rows.append(parsed)
    return table


@dataclass
class ImportResult:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    no_polarity: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        for kind in KINDS:
            counts = [
                f"{counter[kind]} {label}"
                for counter, label in (
                    (self.created, "new"),
                    (self.updated, "updated"),
                    (self.unchanged, "unchanged"),
                )
                if counter[kind]
            ]
            if counts:
                parts.append(f"{kind}s: " + ", ".join(counts))
        return "; ".join(parts) or "nothing to import"


class _DryRun(Exception):
    pass


def _year(start_year: int) -> ReportingYear:
    existing = ReportingYear.objects.filter(start_year=start_year).first()
    if existing:
        return existing
    deadlines: dict[int, tuple[date | None, date | None]] = {}
    for number in Quarter.Number.values:
        ends = quarters.quarter_bounds(start_year, number)[1]
        deadlines[number] = (ends + timedelta(days=21), ends + timedelta(days=35))
    return services.create_reporting_year(start_year=start_year, deadlines=deadlines)


def _themes(year: ReportingYear, names: set[str]) -> dict[str, Theme]:
    """The year's themes by name, creating those the year's plan lacks (and a plan for the
    year if none covers it)."""
    themes = {theme.name.lower(): theme for theme in Theme.objects.for_year(year)}
    missing = sorted(name for name in names if name.lower() not in themes)
    if missing:
        plan = (
            CouncilPlan.objects.filter(
                first_year__lte=year.start_year, last_year__gte=year.start_year
            )
            .order_by("-first_year")
            .first()
        ) or CouncilPlan.objects.create(
            name=f"Council Plan (imported for {year.label})",
            first_year=year.start_year,
            last_year=year.start_year,
        )
        for name in missing:
            themes[name.lower()] = Theme.objects.create(plan=plan, name=name)
    return themes


class _Writer:
    """The state of one import: what exists, what to create and what to change."""

    def __init__(
        self, *, start_year: int, user: User, reason: str, with_last_year: bool = True
    ) -> None:
        self.user, self.reason = user, reason
        self.year = _year(start_year)
        # An annual table gives last year's actuals too; a quarterly report does not.
        self.last_year = _year(start_year - 1) if with_last_year else self.year
        self.quarters = {quarter.number: quarter for quarter in self.year.quarters.all()}
        self.q4 = self.quarters[4]
        self.last_q4 = self.last_year.quarters.get(number=4) if with_last_year else self.q4
        self.scheme = RatingScheme.objects.prefetch_related("bands").get(in_use=True).as_rules()
        self.portfolios: dict[str, Portfolio] = {p.name: p for p in Portfolio.objects.all()}
        self.returns: dict[tuple[int, int], Return] = {}
        self.result = ImportResult()
        self.now = timezone.now()

    def portfolio(self, name: str) -> Portfolio:
        if name not in self.portfolios:
            self.portfolios[name] = Portfolio.objects.create(name=name)
        return self.portfolios[name]

    def approved_return(self, portfolio: Portfolio, quarter: Quarter) -> Return:
        key = (portfolio.pk, quarter.pk)
        if key not in self.returns:
            ret, created = Return.objects.get_or_create(
                portfolio=portfolio, quarter=quarter, defaults={"state": Return.State.APPROVED}
            )
            if created:
                ReturnEvent.objects.create(
                    ret=ret,
                    action=ReturnEvent.Action.APPROVED,
                    from_state=Return.State.DRAFT,
                    to_state=Return.State.APPROVED,
                    user=self.user,
                    comment=f"Imported: {self.reason}",
                )
            self.returns[key] = ret
        return self.returns[key]


def _changed(obj: Any, values: dict[str, Any]) -> list[str]:
    """The fields whose stored value differs; related objects compared by key, so no
    query is made per row."""
    return [
        name
        for name, value in values.items()
        if (
            getattr(obj, f"{name}_id") != (value.pk if value is not None else None)
            if isinstance(value, models.Model) or name in _RELATIONS
            else getattr(obj, name) != value
        )
    ]


_RELATIONS = {"portfolio", "theme", "previous"}


def _sync_items(
    writer: _Writer,
    model: type[Any],
    rows: list[tuple[ParsedRow, dict[str, Any]]],
    year: ReportingYear,
    kind: str,
    *,
    count: bool = True,
    create_only: bool = False,
) -> dict[str, Any]:
    """Create or update the items of `rows` in `year`; returns them by reference. With
    `create_only`, items that exist are left as they are."""
    existing = {item.reference: item for item in model.objects.filter(year=year)}
    created, updated, fields = [], [], set()
    for row, values in rows:
        item = existing.get(row.reference)
        if item is None:
            item = model(year=year, reference=row.reference, **values)
            existing[row.reference] = item
            created.append(item)
            if count:
                writer.result.created[kind] += 1
            continue
        changes = [] if create_only else _changed(item, values)
        if changes:
            for name in changes:
                setattr(item, name, values[name])
            fields.update(changes)
            updated.append(item)
        if count:
            (writer.result.updated if changes else writer.result.unchanged)[kind] += 1
    common = {"default_user": writer.user, "default_change_reason": writer.reason}
    if created:
        bulk_create_with_history(created, model, **common)
    if updated:
        bulk_update_with_history(updated, model, fields=sorted(fields), **common)
    return existing


def _sync_updates(
    writer: _Writer,
    model: type[Any],
    item_field: str,
    updates: list[tuple[Any, Quarter, dict[str, Any]]],
    *,
    create_only: bool = False,
) -> set[int]:
    """Create or change each item's update for a quarter; returns the ids of the items
    whose update was created or changed. With `create_only`, updates that exist are left
    as they are."""
    items = [item for item, _, _ in updates]
    existing = {
        (getattr(u, f"{item_field}_id"), u.ret.quarter_id): u
        for u in model.objects.filter(**{f"{item_field}__in": items}).select_related("ret")
    }
    created, updated, fields = [], [], set()
    for item, quarter, values in updates:
        update = existing.get((item.pk, quarter.pk))
        if update is None:
            ret = writer.approved_return(item.portfolio, quarter)
            created.append(
                model(
                    **{item_field: item},
                    ret=ret,
                    updated_by=writer.user,
                    updated_at=writer.now,
                    **values,
                )
            )
            continue
        changes = [] if create_only else _changed(update, values)
        if changes:
            for name in changes:
                setattr(update, name, values[name])
            update.version += 1
            fields.update([*changes, "version"])
            updated.append(update)
    common = {"default_user": writer.user, "default_change_reason": writer.reason}
    if created:
        bulk_create_with_history(created, model, **common)
    if updated:
        bulk_update_with_history(updated, model, fields=sorted(fields), **common)
    return {getattr(u, f"{item_field}_id") for u in [*created, *updated]}


def _measure_values(
    writer: _Writer, row: ParsedRow, polarity: rules.Polarity | None
) -> dict[str, Any]:
    assert row.actual is not None and row.last_year is not None
    unit = row.actual.unit or row.last_year.unit or rules.Unit.COUNT
    values: dict[str, Any] = {
        "description": row.description,
        "unit": unit.value,
        "target": as_stored(row.target),
    }
    if polarity is not None:
        values["polarity"] = polarity.value
    return values


def _update_values(
    writer: _Writer, measure: Measure, parsed: ParsedActual, published: str
) -> dict[str, Any]:
    probe = MeasureUpdate(
        actual=as_stored(parsed.value),
        missing_reason=parsed.missing_reason.value if parsed.missing_reason else "",
        target=measure.target,
    )
    probe.rate(measure=measure, target=measure.target, scheme=writer.scheme)
    override = ""
    if published and published.lower() not in {probe.status.lower(), "n/a", ""}:
        override = published  # the council's published status, kept beside ours
    return {
        "actual": probe.actual,
        "missing_reason": probe.missing_reason,
        "provisional": parsed.provisional,
        "forecast": parsed.forecast,
        "period_label": parsed.period_label,
        "target": measure.target,
        "status": probe.status,
        "status_colour": probe.status_colour,
        "status_explained": probe.status_explained,
        "status_override": override,
        "override_reason": "imported" if override else "",
    }


def _contextual(row: ParsedRow) -> bool:
    """A measure with no target whose direction of travel the council left N/A although
    both years have a value (recorded crimes, hate crimes reported): it has no polarity."""
    assert row.actual is not None and row.last_year is not None
    return (
        row.target is None
        and row.direction is rules.Direction.NOT_APPLICABLE
        and row.actual.value is not None
        and row.last_year.value is not None
    )


def _import(table: ParsedTable, writer: _Writer) -> None:
    themes = _themes(writer.year, {row.theme for row in table.rows})
    measure_rows, last_year_rows, action_rows = [], [], []
    published: dict[str, list[tuple[ParsedRow, dict[str, Any]]]] = {"project": [], "risk": []}
    for row in table.rows:
        common = {
            "portfolio": writer.portfolio(row.portfolio),
            "theme": themes[row.theme.lower()],
        }
        if row.kind in {"project", "risk"}:
            published[row.kind].append((row, common))
            continue
        if row.kind == "action":
            action_rows.append((row, common | {"description": row.description}))
            continue
        assert row.actual is not None and row.last_year is not None
        polarity = rules.infer_polarity(
            previous=row.last_year.value, current=row.actual.value, direction=row.direction
        )
        if polarity is None and _contextual(row):
            polarity = rules.Polarity.NONE
        if polarity is None:
            writer.result.no_polarity.append(row.reference)
        values = common | _measure_values(writer, row, polarity)
        measure_rows.append((row, values))
        if row.last_year.value is not None or row.last_year.missing_reason:
            last_year_rows.append((row, values | {"target": None}))
    # Last year's items come first, so this year's are created already linked to them.
    # Where they exist (from last year's own table, or its returns) they are kept as
    # they are: a later table's "last year" column never overwrites a year's own figures.
    earlier = _sync_items(
        writer, Measure, last_year_rows, writer.last_year, "measure", count=False, create_only=True
    )
    for row, values in measure_rows:
        if row.reference in earlier:
            values["previous"] = earlier[row.reference]
    measures = _sync_items(writer, Measure, measure_rows, writer.year, "measure")
    updates = []
    for row, _ in measure_rows:
        assert row.actual is not None  # every measure row has one (checked above)
        measure = measures[row.reference]
        updates.append(
            (measure, writer.q4, _update_values(writer, measure, row.actual, row.published_status))
        )
    _sync_updates(writer, MeasureUpdate, "measure", updates)
    last_year_updates = []
    for row, _ in last_year_rows:
        assert row.last_year is not None  # likewise
        measure = earlier[row.reference]
        last_year_updates.append(
            (measure, writer.last_q4, _update_values(writer, measure, row.last_year, ""))
        )
    _sync_updates(writer, MeasureUpdate, "measure", last_year_updates, create_only=True)
    _import_projects_and_risks(writer, published)
    actions = _sync_items(writer, Action, action_rows, writer.year, "action")
    _sync_updates(
        writer,
        ActionUpdate,
        "action",
        [
            (
                actions[row.reference],
                writer.quarters[row.action_quarter],
                {"status": row.action_status},
            )
            for row, _ in action_rows
        ],
    )


def _import_projects_and_risks(
    writer: _Writer, published: dict[str, list[tuple[ParsedRow, dict[str, Any]]]]
) -> None:
    """Projects and risks through their own apps' import services, into the same
    approved quarter 4 returns."""

    def q4_return(portfolio: Portfolio) -> Return:
        return writer.approved_return(portfolio, writer.q4)

    outcomes = {
        "project": import_published_projects(
            projects=[
                PublishedProject(
                    reference=row.reference,
                    name=row.description,
                    dca_text=row.published_status,
                    **values,
                )
                for row, values in published["project"]
            ],
            year=writer.year,
            return_for=q4_return,
            user=writer.user,
            reason=writer.reason,
        ),
        "risk": import_published_risks(
            risks=[
                PublishedRisk(
                    reference=row.reference,
                    title=row.description,
                    score_text=row.published_status,
                    **values,
                )
                for row, values in published["risk"]
            ],
            year=writer.year,
            return_for=q4_return,
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


def import_results(
    *, table: ParsedTable, start_year: int, user: User, source: str, dry_run: bool = False
) -> ImportResult:
    """Write a parsed table for the year starting `start_year` (creating the year, and last
    year, where they do not exist): its measures and actions, their Q4 results in approved
    returns (the published status kept as the council's override, reason "imported",
    where it differs from ours), and last year's actuals as the previous year's Q4, linked
    by lineage. History rows carry `user` and the reason "import of <source>".

    Raises ValueError if the table has problem rows. With `dry_run`, everything is done
    and rolled back, so the result is the preview of a real import.
    """
    if table.problems:
        raise ValueError("Fix the problem rows before importing.")
    writer: _Writer | None = None
    try:
        with transaction.atomic():
            writer = _Writer(start_year=start_year, user=user, reason=f"import of {source}")
            _import(table, writer)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    assert writer is not None
    return writer.result
