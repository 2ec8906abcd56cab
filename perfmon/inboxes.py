"""What each person has waiting: officers' returns to fill in, directors' approvals.

Each inbox runs a fixed number of queries however many portfolios and items there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from perfmon import quarters
from perfmon.models import Portfolio, PortfolioRole, Quarter, Return, User
from perfmon.sections import sections


@dataclass(frozen=True)
class InboxRow:
    portfolio: Portfolio
    quarter: Quarter
    ret: Return | None
    missing: int

    @property
    def state(self) -> str:
        return self.ret.get_state_display() if self.ret else "Not started"

    @property
    def deadline(self) -> date | None:
        return self.quarter.submission_deadline


def officer_returns(user: User, *, today: date) -> list[InboxRow]:
    """The officer's returns: every portfolio's return for the quarter being reported, and
    any other return of theirs that is open for changes (returned or reopened)."""
    portfolios = list(
        Portfolio.objects.filter(
            roles__user=user, roles__role=PortfolioRole.Role.OFFICER
        ).distinct()
    )
    if not portfolios:
        return []
    start_year, number = quarters.quarter_being_reported(today)
    returns = list(
        Return.objects.with_frame()
        .filter(portfolio__in=portfolios)
        .filter(
            Q(quarter__year__start_year=start_year, quarter__number=number)
            | Q(state__in=Return.EDITABLE_STATES)
        )
    )
    current = (
        Quarter.objects.select_related("year")
        .filter(year__start_year=start_year, number=number)
        .first()
    )
    by_key = {(ret.portfolio_id, ret.quarter_id): ret for ret in returns}
    keys = {(ret.portfolio, ret.quarter) for ret in returns}
    if current:
        keys |= {(portfolio, current) for portfolio in portfolios}
    missing = _missing_counts(returns)
    not_started = _item_counts([p for p, q in keys if (p.pk, q.pk) not in by_key], current)
    rows = []
    for portfolio, quarter in keys:
        ret = by_key.get((portfolio.pk, quarter.pk))
        count = missing.get(ret.pk, 0) if ret else not_started.get(portfolio.pk, 0)
        rows.append(InboxRow(portfolio=portfolio, quarter=quarter, ret=ret, missing=count))
    rows.sort(
        key=lambda row: (-row.quarter.year.start_year, -row.quarter.number, row.portfolio.name)
    )
    return rows


def _missing_counts(returns: list[Return]) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for section in sections:
        for ret_id, count in section.missing_counts(returns=returns).items():
            totals[ret_id] += count
    return totals


def _item_counts(portfolios: list[Portfolio], quarter: Quarter | None) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    if not portfolios or quarter is None:
        return totals
    for section in sections:
        for portfolio_id, count in section.item_counts(
            portfolios=portfolios, year=quarter.year
        ).items():
            totals[portfolio_id] += count
    return totals
