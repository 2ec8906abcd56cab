"""Reading the quarter as the performance team steers it: each portfolio's deadlines
once extensions count, and the overview of every return of a quarter.

The overview runs a fixed number of queries however many portfolios and items there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from perfmon.access import covering_deputies, standing_of
from perfmon.deadlines import Deadlines, deadlines_for, describe_overdue, overdue_days
from perfmon.inboxes import InboxRow, officer_returns
from perfmon.models import (
    Extension,
    Portfolio,
    PortfolioRole,
    Quarter,
    Reminder,
    Return,
    ReturnEvent,
    User,
)
from perfmon.sections import sections

NOT_STARTED = "not_started"
CHASES = (ReturnEvent.Action.CHASED, ReturnEvent.Action.CHASED_DIRECTORS)
# What needs action first: then the order of the workflow.
_URGENCY = {
    NOT_STARTED: 0,
    Return.State.RETURNED: 1,
    Return.State.REOPENED: 2,
    Return.State.DRAFT: 3,
    Return.State.SUBMITTED: 4,
    Return.State.APPROVED: 5,
}
_COLOURS = {
    NOT_STARTED: "grey",
    Return.State.DRAFT: "yellow",
    Return.State.RETURNED: "orange",
    Return.State.REOPENED: "purple",
    Return.State.SUBMITTED: "",
    Return.State.APPROVED: "green",
}
STATE_CHOICES = [(NOT_STARTED, "Not started"), *Return.State.choices]


def deadlines_of(portfolio_id: int, quarter: Quarter) -> Deadlines:
    extended = (
        Extension.objects.filter(portfolio_id=portfolio_id, quarter=quarter)
        .values_list("submission_deadline", flat=True)
        .first()
    )
    return deadlines_for(
        submission=quarter.submission_deadline,
        approval=quarter.approval_deadline,
        extended_to=extended,
    )


def deadlines_of_return(ret: Return) -> Deadlines:
    """A return's deadlines, from the extension read with it (`extended_to`, which
    access.get_return_for_user annotates) when it was, else looked up."""
    if "extended_to" not in ret.__dict__:
        return deadlines_of(ret.portfolio_id, ret.quarter)
    return deadlines_for(
        submission=ret.quarter.submission_deadline,
        approval=ret.quarter.approval_deadline,
        extended_to=ret.__dict__["extended_to"],
    )


def extended_deadlines(quarter: Quarter) -> dict[int, Deadlines]:
    """By portfolio id, the deadlines of the portfolios with an extension this quarter."""
    return {
        portfolio_id: deadlines_for(
            submission=quarter.submission_deadline,
            approval=quarter.approval_deadline,
            extended_to=until,
        )
        for portfolio_id, until in Extension.objects.filter(quarter=quarter).values_list(
            "portfolio_id", "submission_deadline"
        )
    }


def sees_overview(user: User) -> bool:
    """The performance team, directors, and deputies covering a director today."""
    standing = standing_of(user)
    return standing.team or standing.decides


def overview_portfolios(user: User) -> QuerySet[Portfolio]:
    """The portfolios on `user`'s overview: all active ones for the team, else those they
    direct or cover for."""
    portfolios = Portfolio.objects.filter(is_active=True)
    if user.is_performance_team:
        return portfolios
    return portfolios.filter(
        Q(roles__user=user, roles__role=PortfolioRole.Role.DIRECTOR)
        | Q(pk__in=covering_deputies(user).values("portfolio_id"))
    ).distinct()


@dataclass(frozen=True)
class OverviewRow:
    portfolio: Portfolio
    ret: Return | None
    deadlines: Deadlines
    items: int
    complete: int
    reminders: int
    chases: int
    overdue: int

    @property
    def started(self) -> bool:
        """Whether anyone has saved the return: chasing or extending a return nobody has
        started stores it, as a draft, to hold the step, but does not start it."""
        if self.ret is None:
            return False
        return self.ret.state != Return.State.DRAFT or self.saved_at is not None

    @property
    def state(self) -> str:
        return self.ret.state if self.ret and self.started else NOT_STARTED

    @property
    def state_label(self) -> str:
        return self.ret.get_state_display() if self.ret and self.started else "Not started"

    @property
    def state_colour(self) -> str:
        return _COLOURS[self.state]

    @property
    def overdue_text(self) -> str:
        return describe_overdue(self.overdue, state=self.state)

    @property
    def saved_at(self) -> datetime | None:
        return getattr(self.ret, "saved_at", None)

    @property
    def saved_by(self) -> str:
        if self.ret is None or not getattr(self.ret, "saved_by_username", None):
            return ""
        first = getattr(self.ret, "saved_by_first", "")
        last = getattr(self.ret, "saved_by_last", "")
        return f"{first} {last}".strip() or str(getattr(self.ret, "saved_by_username", ""))

    @property
    def submitted_at(self) -> datetime | None:
        return getattr(self.ret, "submitted_at", None)

    @property
    def approved_at(self) -> datetime | None:
        return getattr(self.ret, "approved_at", None)

    @property
    def chasable(self) -> bool:
        return self.state != Return.State.APPROVED

    @property
    def extendable(self) -> bool:
        """Only a return not yet submitted has a submission deadline to move."""
        return self.state not in {Return.State.SUBMITTED, Return.State.APPROVED}


@dataclass(frozen=True)
class Overview:
    quarter: Quarter
    rows: list[OverviewRow]
    total: int
    submitted: int
    overdue: int

    @property
    def count_line(self) -> str:
        return f"{self.submitted} of {self.total} submitted, {self.overdue} overdue"


def _latest(action: str, field: str) -> Subquery:
    return Subquery(
        ReturnEvent.objects.filter(ret=OuterRef("pk"), action=action)
        .order_by("-at", "-pk")
        .values(field)[:1]
    )


def _returns(quarter: Quarter, portfolios: list[Portfolio]) -> dict[int, Return]:
    saved = ReturnEvent.Action.SAVED
    chases = (
        ReturnEvent.objects.filter(ret=OuterRef("pk"), action__in=CHASES)
        .values("ret")
        .annotate(n=Count("pk"))
        .values("n")
    )
    returns = (
        Return.objects.with_frame()
        .filter(quarter=quarter, portfolio__in=portfolios)
        .annotate(
            saved_at=_latest(saved, "at"),
            saved_by_first=_latest(saved, "user__first_name"),
            saved_by_last=_latest(saved, "user__last_name"),
            saved_by_username=_latest(saved, "user__username"),
            submitted_at=_latest(ReturnEvent.Action.SUBMITTED, "at"),
            approved_at=_latest(ReturnEvent.Action.APPROVED, "at"),
            chases=Subquery(chases[:1]),
        )
    )
    return {ret.portfolio_id: ret for ret in returns}


def quarter_overview(*, user: User, quarter: Quarter, today: date) -> Overview:
    """Every return `user` oversees for `quarter`, what needs action first: portfolios with
    items that year or a return started."""
    portfolios = list(overview_portfolios(user).order_by("name"))
    returns = _returns(quarter, portfolios)
    started = list(returns.values())
    items = sections.item_counts(portfolios=portfolios, year=quarter.year)
    answered = sections.answered_counts(returns=started)
    missing = {ret.pk: items.get(ret.portfolio_id, 0) - answered.get(ret.pk, 0) for ret in started}
    extended = extended_deadlines(quarter)
    reminded = dict(
        Reminder.objects.filter(quarter=quarter, email__sent_at__isnull=False)
        .values("portfolio_id")
        .annotate(n=Count("pk"))
        .values_list("portfolio_id", "n")
    )
    standard = deadlines_for(
        submission=quarter.submission_deadline,
        approval=quarter.approval_deadline,
        extended_to=None,
    )
    rows = []
    for portfolio in portfolios:
        ret = returns.get(portfolio.pk)
        if ret is None and not items.get(portfolio.pk):
            continue
        deadlines = extended.get(portfolio.pk, standard)
        total = items.get(portfolio.pk, 0)
        done = max(0, total - missing[ret.pk]) if ret else 0
        rows.append(
            OverviewRow(
                portfolio=portfolio,
                ret=ret,
                deadlines=deadlines,
                items=total,
                complete=done,
                reminders=reminded.get(portfolio.pk, 0),
                chases=getattr(ret, "chases", None) or 0,
                overdue=overdue_days(
                    state=ret.state if ret else None, deadlines=deadlines, today=today
                ),
            )
        )
    rows.sort(key=lambda row: (-row.overdue, _URGENCY[row.state], row.portfolio.name))
    return Overview(
        quarter=quarter,
        rows=rows,
        total=len(rows),
        submitted=sum(row.state in {Return.State.SUBMITTED, Return.State.APPROVED} for row in rows),
        overdue=sum(row.overdue > 0 for row in rows),
    )


def filter_rows(rows: list[OverviewRow], *, state: str, overdue: bool) -> list[OverviewRow]:
    return [
        row
        for row in rows
        if (not state or row.state == state) and (not overdue or row.overdue > 0)
    ]


@dataclass(frozen=True)
class Menu:
    """Which of the workflow's pages the menu offers this person."""

    my_returns: bool = False
    approvals: bool = False
    overview: bool = False


def menu_for(user: User) -> Menu:
    """From the person's standing (loaded once for the request)."""
    if not user.is_authenticated:
        return Menu()
    standing = standing_of(user)
    return Menu(
        my_returns=standing.holds(PortfolioRole.Role.OFFICER),
        approvals=standing.decides,
        overview=standing.team or standing.decides,
    )


@dataclass(frozen=True)
class Awaiting:
    """A submitted return waiting for a director's (or their deputy's) decision."""

    ret: Return
    deadlines: Deadlines
    overdue: int
    covering_for: str  # the absent director's name, when the reader is their deputy

    @property
    def portfolio(self) -> Portfolio:
        return self.ret.portfolio

    @property
    def overdue_text(self) -> str:
        return describe_overdue(self.overdue, state=Return.State.SUBMITTED)


def awaiting_decision(user: User, *, today: date) -> list[Awaiting]:
    """Submitted returns of the portfolios `user` directs or covers today, overdue ones
    first, then the longest waiting."""
    if not standing_of(user).decides:
        return []
    own = PortfolioRole.objects.filter(user=user, role=PortfolioRole.Role.DIRECTOR).values(
        "portfolio_id"
    )
    cover = {
        d.portfolio_id: d.director
        for d in covering_deputies(user).select_related("director").order_by("-starts_on")
    }
    returns = list(
        Return.objects.with_frame()
        .filter(state=Return.State.SUBMITTED)
        .filter(Q(portfolio_id__in=own) | Q(portfolio_id__in=list(cover)))
        .order_by("updated_at")
    )
    extensions = {
        (e.portfolio_id, e.quarter_id): e.submission_deadline
        for e in Extension.objects.filter(
            portfolio_id__in={r.portfolio_id for r in returns},
            quarter_id__in={r.quarter_id for r in returns},
        )
    }
    own_ids = set(own.values_list("portfolio_id", flat=True))
    rows = []
    for ret in returns:
        deadlines = deadlines_for(
            submission=ret.quarter.submission_deadline,
            approval=ret.quarter.approval_deadline,
            extended_to=extensions.get((ret.portfolio_id, ret.quarter_id)),
        )
        covering = cover.get(ret.portfolio_id) if ret.portfolio_id not in own_ids else None
        rows.append(
            Awaiting(
                ret=ret,
                deadlines=deadlines,
                overdue=overdue_days(state=ret.state, deadlines=deadlines, today=today),
                covering_for=covering.display_name if covering else "",
            )
        )
    rows.sort(key=lambda row: -row.overdue)
    return rows


@dataclass(frozen=True)
class ToFill:
    """An officer's return on the home page, with its deadline once extensions count."""

    row: InboxRow
    deadlines: Deadlines
    overdue: int

    @property
    def overdue_text(self) -> str:
        return describe_overdue(self.overdue, state=self.row.ret.state if self.row.ret else None)


def to_fill(user: User, *, today: date, current: Quarter | None = None) -> list[ToFill]:
    """An officer's returns (see inboxes.officer_returns), each with its deadlines once
    the portfolio's extension counts, and how overdue it is."""
    rows = officer_returns(user, today=today, current=current)
    extensions = (
        {
            (e.portfolio_id, e.quarter_id): e.submission_deadline
            for e in Extension.objects.filter(
                portfolio_id__in={r.portfolio.pk for r in rows},
                quarter_id__in={r.quarter.pk for r in rows},
            )
        }
        if rows
        else {}
    )
    result = []
    for row in rows:
        deadlines = deadlines_for(
            submission=row.quarter.submission_deadline,
            approval=row.quarter.approval_deadline,
            extended_to=extensions.get((row.portfolio.pk, row.quarter.pk)),
        )
        state = row.ret.state if row.ret else None
        overdue = overdue_days(state=state, deadlines=deadlines, today=today)
        result.append(ToFill(row=row, deadlines=deadlines, overdue=overdue))
    return result


@dataclass(frozen=True)
class Waiting:
    """What the home page says is waiting for one person."""

    to_fill: list[ToFill]  # an officer's returns
    to_decide: list[Awaiting]
    overview: Overview | None  # the team's quarter

    @property
    def anything(self) -> bool:
        return bool(self.to_fill or self.to_decide or self.overview)


def waiting_for(user: User, *, today: date, current: Quarter | None) -> Waiting:
    """What waits for `user` on `today`; `current` is the quarter being reported (None:
    not set up yet)."""
    overview = None
    if standing_of(user).team and current is not None:
        overview = quarter_overview(user=user, quarter=current, today=today)
    return Waiting(
        to_fill=to_fill(user, today=today, current=current),
        to_decide=awaiting_decision(user, today=today),
        overview=overview,
    )
