"""Loading a year from the annual performance results table (the seeds' format).

Two steps: `parse_results` reads every row and says what is wrong with any of them, then
`import_results` writes all of it in one transaction, or nothing. Measures and actions
are imported here; projects and risks rows are counted and left for their own importer.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from measures import rules
from measures.models import Action, ActionUpdate, Measure, MeasureUpdate, RatingScheme
from measures.sections import rate
from measures.values import ParsedActual, ValueParseError, parse_actual, parse_target
from perfmon import quarters, services
from perfmon.models import Portfolio, Quarter, ReportingYear, Return, ReturnEvent, Theme, User
from reports.annual_table import TableRow, read_table

ACTION_STATUSES = {
    "completed": ActionUpdate.Status.COMPLETED,
    "on track": ActionUpdate.Status.ON_TRACK,
    "some slippage": ActionUpdate.Status.SOME_SLIPPAGE,
    "minor slippage": ActionUpdate.Status.SOME_SLIPPAGE,
    "major slippage": ActionUpdate.Status.MAJOR_SLIPPAGE,
    "n/a": ActionUpdate.Status.NOT_APPLICABLE,
}
DIRECTIONS = {d.label.lower(): d for d in rules.Direction} | {"n/a": rules.Direction.NOT_APPLICABLE}
_NOTE = re.compile(r"\s*\(([^)]*)\)\s*$")


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    reason: str


@dataclass
class ParsedRow:
    line: int
    kind: str  # "measure", "action" or "other"
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


@dataclass
class ParsedTable:
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(row.kind for row in self.rows)


def _kind(row: TableRow) -> str:
    section = row.section.lower()
    if section.startswith("actions"):
        return "action"
    if "measures" in section:
        return "measure"
    return "other"


def _status_text(text: str) -> str:
    """'On track (Q3 position)' -> 'On track'."""
    return _NOTE.sub("", text).strip()


def _parse_row(row: TableRow, problems: list[Problem]) -> ParsedRow | None:
    reference = row.get("ref")
    parsed = ParsedRow(
        line=row.line,
        kind=_kind(row),
        reference=reference,
        description=row.get("description"),
        portfolio=row.portfolio,
        theme=row.get("council plan theme"),
    )
    if not reference:
        problems.append(Problem(row.line, "Ref", "Every row needs a reference."))
        return None
    if parsed.kind == "other":
        return parsed
    last_year_column = next((c for c in row.cells if c.endswith("actual") and "q4" not in c), "")
    q4_column = next((c for c in row.cells if "q4 actual" in c), "")
    if parsed.kind == "action":
        status = ACTION_STATUSES.get(_status_text(row.get(q4_column)).lower())
        if status is None:
            problems.append(Problem(row.line, "Q4 actual", "Not an action status."))
            return None
        parsed.action_status = status
        return parsed
    for column, attribute in ((last_year_column, "last_year"), (q4_column, "actual")):
        try:
            setattr(parsed, attribute, parse_actual(row.get(column)))
        except ValueParseError as error:
            problems.append(Problem(row.line, column, str(error)))
            return None
    try:
        parsed.target = parse_target(row.get("target"))
    except ValueParseError as error:
        problems.append(Problem(row.line, "Target", str(error)))
        return None
    parsed.published_status = row.get("q4 status")
    parsed.direction = DIRECTIONS.get(row.get("dot").lower(), rules.Direction.NOT_APPLICABLE)
    return parsed


def parse_results(text: str) -> ParsedTable:
    table = ParsedTable()
    seen: dict[str, int] = {}
    for row in read_table(text):
        parsed = _parse_row(row, table.problems)
        if parsed is None:
            continue
        if parsed.reference in seen and parsed.kind != "other":
            table.problems.append(
                Problem(
                    row.line, "Ref", f"{parsed.reference} is also on line {seen[parsed.reference]}."
                )
            )
            continue
        seen[parsed.reference] = row.line
        above = table.rows[-1] if table.rows else None
        if not parsed.theme and parsed.kind != "other":
            if above is None or (above.portfolio, above.kind) != (parsed.portfolio, parsed.kind):
                table.problems.append(Problem(row.line, "Council Plan theme", "No theme given."))
                continue
            parsed.theme = above.theme
            table.warnings.append(
                Problem(
                    row.line,
                    "Council Plan theme",
                    f"Blank: took {above.theme!r} from the row above.",
                )
            )
        table.rows.append(parsed)
    return table


def _year(start_year: int) -> ReportingYear:
    existing = ReportingYear.objects.filter(start_year=start_year).first()
    if existing:
        return existing
    deadlines = {}
    for number in Quarter.Number.values:
        ends = quarters.quarter_bounds(start_year, number)[1]
        deadlines[number] = (ends + timedelta(days=21), ends + timedelta(days=35))
    return services.create_reporting_year(start_year=start_year, deadlines=deadlines)


def _approved_return(portfolio: Portfolio, quarter: Quarter, user: User, reason: str) -> Return:
    ret, created = Return.objects.get_or_create(
        portfolio=portfolio, quarter=quarter, defaults={"state": Return.State.APPROVED}
    )
    if created:
        ReturnEvent.objects.create(
            ret=ret,
            action=ReturnEvent.Action.APPROVED,
            from_state=Return.State.DRAFT,
            to_state=Return.State.APPROVED,
            user=user,
            comment=reason,
        )
    return ret


@dataclass
class ImportResult:
    created: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    no_polarity: list[str] = field(default_factory=list)


@transaction.atomic
def import_results(*, table: ParsedTable, start_year: int, user: User, source: str) -> ImportResult:
    """Write a parsed table for the year starting `start_year`: its measures and actions,
    their Q4 results in approved returns (the published status kept as the council's
    override where it differs from ours), and last year's actuals as the previous year's
    Q4, linked by lineage. Existing items are left as they are."""
    if table.problems:
        raise ValueError("Fix the problem rows before importing.")
    reason = f"import of {source}"
    year, last_year = _year(start_year), _year(start_year - 1)
    q4, last_q4 = year.quarters.get(number=4), last_year.quarters.get(number=4)
    scheme = RatingScheme.objects.prefetch_related("bands").get(in_use=True).as_rules()
    themes = {theme.name: theme for theme in Theme.objects.all()}
    result = ImportResult()
    new_updates: list[MeasureUpdate] = []
    new_actions: list[ActionUpdate] = []
    now = timezone.now()
    for row in table.rows:
        if row.kind == "other":
            continue
        portfolio, _ = Portfolio.objects.get_or_create(name=row.portfolio)
        theme = themes.get(row.theme)
        if theme is None:
            raise ValueError(f"Line {row.line}: unknown theme {row.theme!r}.")
        common = {"description": row.description, "portfolio": portfolio, "theme": theme}
        if row.kind == "action":
            action, created = Action.objects.get_or_create(
                year=year, reference=row.reference, defaults=common
            )
            (result.created if created else result.unchanged)["action"] += 1
            if created:
                new_actions.append(
                    ActionUpdate(
                        action=action,
                        ret=_approved_return(portfolio, q4, user, reason),
                        status=row.action_status,
                        updated_by=user,
                        updated_at=now,
                    )
                )
            continue
        assert row.actual is not None and row.last_year is not None
        polarity = rules.infer_polarity(
            previous=row.last_year.value, current=row.actual.value, direction=row.direction
        )
        if polarity is None:
            result.no_polarity.append(row.reference)
        unit = row.actual.unit or row.last_year.unit or rules.Unit.COUNT
        fields = common | {
            "unit": unit.value,
            "polarity": (polarity or rules.Polarity.HIGHER).value,
            "target": row.target,
        }
        measure, created = Measure.objects.get_or_create(
            year=year, reference=row.reference, defaults=fields
        )
        (result.created if created else result.unchanged)["measure"] += 1
        if not created:
            continue
        previous, _ = Measure.objects.get_or_create(
            year=last_year, reference=row.reference, defaults=fields | {"target": None}
        )
        if measure.previous_id is None and not hasattr(previous, "next"):
            measure.previous = previous
            measure.save(update_fields=["previous"])
        for item, parsed, quarter in (
            (measure, row.actual, q4),
            (previous, row.last_year, last_q4),
        ):
            if MeasureUpdate.objects.filter(measure=item, ret__quarter=quarter).exists():
                continue
            update = MeasureUpdate(
                measure=item,
                ret=_approved_return(portfolio, quarter, user, reason),
                actual=parsed.value,
                missing_reason=parsed.missing_reason.value if parsed.missing_reason else "",
                provisional=parsed.provisional,
                forecast=parsed.forecast,
                period_label=parsed.period_label,
                target=item.target,
                updated_by=user,
                updated_at=now,
            )
            rate(update, measure=item, target=item.target, scheme=scheme)
            published = row.published_status if item is measure else ""
            if published and published.lower() not in {update.status.lower(), "n/a"}:
                update.status_override, update.override_reason = published, "imported"
            new_updates.append(update)
    bulk_create_with_history(
        new_updates, MeasureUpdate, default_user=user, default_change_reason=reason
    )
    bulk_create_with_history(
        new_actions, ActionUpdate, default_user=user, default_change_reason=reason
    )
    return result
