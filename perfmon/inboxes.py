"""What each person has waiting: officers' returns to fill in, directors' approvals.

Each inbox runs a fixed number of queries however many portfolios and items there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q

from perfmon import quarters
from perfmon.access import standing_of
from perfmon.models import Portfolio, PortfolioRole, Quarter, Return, ReturnEvent, User
from perfmon.sections import sections


@dataclass(frozen=True)
class InboxRow:
    portfolio: Portfolio
    quarter: Quarter
    ret: Return | None
    missing: int
    total: int = 0  # the return's items

    @property
    def answered(self) -> int:
        return max(self.total - self.missing, 0)

    @property
    def state(self) -> str:
        return self.ret.get_state_display() if self.ret else "Not started"


_saves = ReturnEvent.objects.filter(ret=OuterRef("pk"), action=ReturnEvent.Action.SAVED)


def officer_returns(user: User, *, today: date, current: Quarter | None = None) -> list[InboxRow]:
    """The officer's returns: every portfolio's return for the quarter being reported, and
    any other return of theirs that is open for changes (returned or reopened).
    `current`: the quarter being reported, if the caller has it already."""
    officer_of = [
        portfolio_id
        for portfolio_id, roles in standing_of(user).roles.items()
        if PortfolioRole.Role.OFFICER in roles
    ]
    if not officer_of:
        return []
    portfolios = list(Portfolio.objects.filter(pk__in=officer_of))
    start_year, number = quarters.quarter_being_reported(today)
    returns = list(
        Return.objects.with_frame()
        .filter(portfolio__in=portfolios)
        .filter(
            Q(quarter__year__start_year=start_year, quarter__number=number)
            | Q(state__in=Return.EDITABLE_STATES)
        )
        # A draft nobody has saved (stored only to hold a chase or an extension) is
        # not started.
        .exclude(Q(state=Return.State.DRAFT) & ~Exists(_saves))
    )
    if current is None:
        current = (
            Quarter.objects.select_related("year")
            .filter(year__start_year=start_year, number=number)
            .first()
        )
    by_key = {(ret.portfolio_id, ret.quarter_id): ret for ret in returns}
    keys = {(ret.portfolio, ret.quarter) for ret in returns}
    if current:
        keys |= {(portfolio, current) for portfolio in portfolios}
    answered = sections.answered_counts(returns=returns)
    totals = _totals(keys)
    rows = []
    for portfolio, quarter in keys:
        ret = by_key.get((portfolio.pk, quarter.pk))
        total = totals.get((portfolio.pk, quarter.year_id), 0)
        count = total - answered.get(ret.pk, 0) if ret else total
        rows.append(
            InboxRow(portfolio=portfolio, quarter=quarter, ret=ret, missing=count, total=total)
        )
    rows.sort(
        key=lambda row: (-row.quarter.year.start_year, -row.quarter.number, row.portfolio.name)
    )
    return rows


def _totals(keys: set[tuple[Portfolio, Quarter]]) -> dict[tuple[int, int], int]:
    """Items of each portfolio in each year, by (portfolio id, year id): a few queries
    per year shown (an officer's returns span one year, or two)."""
    totals: dict[tuple[int, int], int] = defaultdict(int)
    years = {quarter.year_id: quarter.year for _, quarter in keys}
    for year_id, year in years.items():
        portfolios = list({p.pk: p for p, q in keys if q.year_id == year_id}.values())
        for portfolio_id, count in sections.item_counts(portfolios=portfolios, year=year).items():
            totals[(portfolio_id, year_id)] += count
    return totals
