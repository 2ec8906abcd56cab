"""The demo council, built from the published Derby City tables in reports/seeds/.

The 2024/25 table is imported as it was published. This year's measures and actions carry
the same items on, with quarterly returns in every state so each inbox has something in it.
Every step is get-or-create: loading twice changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from measures import rules
from measures.models import Action, ActionUpdate, Measure, MeasureUpdate, RatingScheme
from perfmon import demo as frame_demo
from perfmon import quarters
from perfmon.lineage import carry_on
from perfmon.models import (
    Extension,
    Portfolio,
    Quarter,
    ReportingYear,
    Return,
    ReturnEvent,
    User,
)
from projects.demo import carry_projects_on
from projects.demo import fill_return as fill_projects
from reports.annual_table import read_table
from reports.importer import ImportResult, import_results, parse_results
from reports.quarterly_import import read_quarterly_report
from reports.quarterly_writer import import_quarter
from risks.demo import carry_risks_on
from risks.demo import fill_return as fill_risks

SEEDS = Path(__file__).resolve().parent / "seeds"
ANNUAL_2024_25 = SEEDS / "derby-city-annual-results-2024-25.txt"
ANNUAL_2021_22 = SEEDS / "derby-city-annual-results-2021-22.txt"
QUARTER1_2021_22 = SEEDS / "derby-city-quarter1-report-2021-22.txt"

PLAN_NAME = "Council Plan 2024 to 2028"
PLAN_YEARS = (2024, 2027)
CYPS, GOVERNANCE = "Children, Young People and Skills", "Governance and Finance"
# The demo officer and director work on these two.
ROLE_PORTFOLIOS = (CYPS, GOVERNANCE)


@dataclass(frozen=True)
class Demo:
    frame: frame_demo.DemoFrame
    imported: ImportResult


def _in_order(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


@transaction.atomic
def load_demo(*, today: date) -> Demo:
    text = ANNUAL_2024_25.read_text(encoding="utf-8")
    rows = read_table(text)
    frame = frame_demo.load_demo_frame(
        today=today,
        plan_name=PLAN_NAME,
        plan_years=PLAN_YEARS,
        themes=sorted(_in_order([row.get("theme") for row in rows])),
        portfolios=_in_order([row.portfolio for row in rows]),
        role_portfolios=ROLE_PORTFOLIOS,
    )
    admin = frame.users[frame_demo.ADMIN.username]
    imported = import_results(
        table=parse_results(rows), start_year=2024, user=admin, source=ANNUAL_2024_25.name
    )
    older = read_table(ANNUAL_2021_22.read_text(encoding="utf-8"))
    import_results(
        table=parse_results(older), start_year=2021, user=admin, source=ANNUAL_2021_22.name
    )
    # Its first quarter from the quarterly report; the three uncertain matches are right.
    import_quarter(
        plan=read_quarterly_report(data=QUARTER1_2021_22.read_bytes(), start_year=2021, quarter=1),
        user=admin,
        source=QUARTER1_2021_22.name,
        accept_uncertain=True,
    )
    current = ReportingYear.objects.get(start_year=quarters.quarter_being_reported(today)[0])
    if not Measure.objects.filter(year=current).exists():
        _carry_items_on(from_year=2024, to=current)
        _current_returns(current, today=today, users=frame.users)
    return Demo(frame=frame, imported=imported)


def _carry_items_on(*, from_year: int, to: ReportingYear) -> None:
    earlier = ReportingYear.objects.get(start_year=from_year)
    for model in (Measure, Action):
        carry_on(model, from_year=earlier, to=to, reason="demo")
    carry_projects_on(from_year=earlier, to=to)
    carry_risks_on(from_year=earlier, to=to)


def _wobble(reference: str, quarter: int) -> Decimal:
    """A steady pseudo-random factor between 0.9 and 1.1 for a measure's demo value."""
    digest = hashlib.sha256(f"{reference}/{quarter}".encode()).digest()
    return Decimal(90 + digest[0] % 21) / 100


def _precision(measure: Measure) -> Decimal:
    return Decimal(1) if measure.unit in {"count", "currency"} else Decimal("0.1")


def _plan(portfolios: list[Portfolio]) -> dict[tuple[str, int], Return.State]:
    """Which state each demo return is in: every state appears in the inboxes."""
    plan = {(p.name, 1): Return.State.APPROVED for p in portfolios}
    # This quarter: the other portfolios are approved, so the reports, the dashboard and
    # the heat map have a current quarter to show; the demo users' two are still open.
    plan.update({(p.name, 2): Return.State.APPROVED for p in portfolios})
    plan[(GOVERNANCE, 1)] = Return.State.SUBMITTED
    plan[(CYPS, 2)] = Return.State.RETURNED
    plan[(GOVERNANCE, 2)] = Return.State.DRAFT
    # Quarter 1's overview shows every state, for the performance team to steer: the
    # submitted one is overdue for approval, the draft for submission, the reopened one
    # has an extension (see _steer_quarter_1).
    others = sorted(p.name for p in portfolios if p.name not in ROLE_PORTFOLIOS)
    if len(others) >= 3:
        plan[(others[0], 1)] = Return.State.DRAFT
        plan[(others[1], 1)] = Return.State.RETURNED
        plan[(others[2], 1)] = Return.State.REOPENED
    return plan


def _current_returns(year: ReportingYear, *, today: date, users: dict[str, User]) -> None:
    officer, director = users["officer"], users["director"]
    scheme = RatingScheme.objects.prefetch_related("bands").get(in_use=True).as_rules()
    reporting = quarters.quarter_being_reported(today)
    last_actuals = {
        update.measure.reference: update.actual
        for update in MeasureUpdate.objects.filter(
            measure__year__start_year=2024, ret__quarter__number=4
        ).select_related("measure")
    }
    portfolios = list(Portfolio.objects.filter(measures__year=year).distinct())
    for (name, number), state in _plan(portfolios).items():
        if (year.start_year, number) > reporting:
            continue
        portfolio = next(p for p in portfolios if p.name == name)
        quarter = Quarter.objects.get(year=year, number=number)
        _demo_return(
            portfolio,
            quarter,
            state,
            officer=officer,
            director=director,
            team=users["admin"],
            scheme=scheme,
            last_actuals=last_actuals,
        )
    _extend_reopened(year, today=today, admin=users["admin"])


def _extend_reopened(year: ReportingYear, *, today: date, admin: User) -> None:
    """The reopened return of quarter 1 gets a week from today to resubmit."""
    ret = Return.objects.filter(quarter__year=year, state=Return.State.REOPENED).first()
    if ret is None or ret.quarter.submission_deadline is None:
        return
    until = today + timedelta(days=7)
    reason = "Reopened to correct a figure; the service needs a week."
    Extension.objects.create(
        portfolio=ret.portfolio,
        quarter=ret.quarter,
        submission_deadline=until,
        reason=reason,
        granted_by=admin,
    )
    ReturnEvent.objects.create(
        ret=ret,
        action=ReturnEvent.Action.EXTENDED,
        from_state=ret.state,
        to_state=ret.state,
        user=admin,
        comment=f"Submission deadline moved from {ret.quarter.submission_deadline:%-d %B %Y} "
        f"to {until:%-d %B %Y}: {reason}",
    )


def _demo_return(
    portfolio: Portfolio,
    quarter: Quarter,
    state: Return.State,
    *,
    officer: User,
    director: User,
    team: User,
    scheme: rules.Scheme,
    last_actuals: dict[str, Decimal | None],
) -> None:
    ret = Return.objects.create(portfolio=portfolio, quarter=quarter, state=state)
    at = timezone.now() - timedelta(days=2)
    complete = state != Return.State.DRAFT
    measures = list(Measure.objects.filter(portfolio=portfolio, year=quarter.year))
    updates = []
    for index, measure in enumerate(measures):
        if not complete and index % 2:
            continue
        last = last_actuals.get(measure.reference)
        actual = None if last is None else (last * _wobble(measure.reference, quarter.number))
        update = MeasureUpdate(
            measure=measure,
            ret=ret,
            actual=None if actual is None else actual.quantize(_precision(measure)),
            missing_reason="" if actual is not None else "not_yet_available",
            target=measure.target,
            commentary="" if actual is None else "Demo figure for this quarter.",
            updated_by=officer,
            updated_at=at,
        )
        update.rate(measure=measure, target=measure.target, scheme=scheme)
        updates.append(update)
    bulk_create_with_history(updates, MeasureUpdate, default_user=officer)
    actions = list(Action.objects.filter(portfolio=portfolio, year=quarter.year))
    action_updates = [
        ActionUpdate(
            action=action,
            ret=ret,
            status=ActionUpdate.Status.ON_TRACK if index % 4 else ActionUpdate.Status.SOME_SLIPPAGE,
            commentary="Progressing as planned." if index % 4 else "Waiting on a partner.",
            updated_by=officer,
            updated_at=at,
        )
        for index, action in enumerate(actions)
        if complete or index % 2 == 0
    ]
    bulk_create_with_history(action_updates, ActionUpdate, default_user=officer)
    fill_projects(ret, officer=officer, complete=complete)
    fill_risks(ret, officer=officer, complete=complete)
    trail = [(ReturnEvent.Action.SAVED, Return.State.DRAFT, Return.State.DRAFT, officer, "")]
    if state != Return.State.DRAFT:
        trail.append(
            (ReturnEvent.Action.SUBMITTED, Return.State.DRAFT, Return.State.SUBMITTED, officer, "")
        )
    if state in {Return.State.APPROVED, Return.State.REOPENED}:
        approved = Return.State.APPROVED
        trail.append((ReturnEvent.Action.APPROVED, Return.State.SUBMITTED, approved, director, ""))
    if state == Return.State.REOPENED:
        reason = "A figure was wrong in the published table."
        trail.append((ReturnEvent.Action.REOPENED, Return.State.APPROVED, state, team, reason))
    if state == Return.State.RETURNED:
        comment = "Please add supporting information for the measures rated Red."
        trail.append(
            (ReturnEvent.Action.RETURNED, Return.State.SUBMITTED, state, director, comment)
        )
    for action, from_state, to_state, user, comment in trail:
        ReturnEvent.objects.create(
            ret=ret,
            action=action,
            from_state=from_state,
            to_state=to_state,
            user=user,
            comment=comment,
            at=at,
        )
