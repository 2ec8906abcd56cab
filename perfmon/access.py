"""Who may see and do what with a return. Views load returns only through here.

Officers edit their own portfolios' returns while they are editable; directors decide
on their portfolios' submitted returns; viewers read approved returns; the performance
team reads everything and alone reopens an approved return.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from perfmon.models import (
    CouncilSettings,
    Deputy,
    Portfolio,
    PortfolioRole,
    Quarter,
    Return,
    ReturnEvent,
    User,
)
from perfmon.models.items import Item

AnyItem = TypeVar("AnyItem", bound=Item)


@dataclass(frozen=True)
class ReturnAccess:
    """What one person may do with one return."""

    ret: Return
    roles: frozenset[str]
    is_team: bool
    edited_by_user: bool
    submitted_by_user: bool = False  # this person made the latest submission
    separate_duties: bool = True  # the council's separation of duties (CouncilSettings)
    deputy_for: int | None = None  # the absent director this person covers, if deputising

    @property
    def can_read(self) -> bool:
        return self.is_team or bool(self.roles) or self.ret.state == Return.State.APPROVED

    @property
    def can_edit(self) -> bool:
        return PortfolioRole.Role.OFFICER in self.roles and self.ret.is_editable

    @property
    def can_decide(self) -> bool:
        """May return it to officers: a director of the portfolio, once it is submitted."""
        return PortfolioRole.Role.DIRECTOR in self.roles and (
            self.ret.state == Return.State.SUBMITTED
        )

    @property
    def can_approve(self) -> bool:
        """A director may not approve a return they edited, nor, where the council
        separates duties, one they submitted."""
        return self.can_decide and not self.edited_by_user and not self.self_submitted

    @property
    def self_submitted(self) -> bool:
        """A deputy never approves what they submitted, whatever the council's setting."""
        return (self.separate_duties or self.deputy_for is not None) and self.submitted_by_user

    @property
    def can_chase(self) -> bool:
        """May chase its officers: the team, or a director of the portfolio (or deputy),
        while it is not approved."""
        return (self.is_team or PortfolioRole.Role.DIRECTOR in self.roles) and not (
            self.ret.is_locked
        )

    @property
    def can_extend(self) -> bool:
        return self.is_team and not self.ret.is_locked

    @property
    def can_reopen(self) -> bool:
        return self.is_team and self.ret.state == Return.State.APPROVED


def roles_on(user: User, portfolio: Portfolio) -> frozenset[str]:
    return frozenset(
        PortfolioRole.objects.filter(user=user, portfolio=portfolio).values_list("role", flat=True)
    )


def covering_deputies(user: User) -> QuerySet[Deputy]:
    """`user`'s cover for absent directors in force today, for directors who still direct
    the portfolio."""
    return Deputy.objects.covering(timezone.localdate()).filter(
        deputy=user,
        director__portfolio_roles__portfolio=F("portfolio"),
        director__portfolio_roles__role=PortfolioRole.Role.DIRECTOR,
    )


def access_to(user: User, ret: Return) -> ReturnAccess:
    """What `user` may do with `ret`, from one query: their roles on its portfolio, whether
    they saved it or made its latest submission, the council's separation of duties, and
    the director they cover for, if they are deputising on it today."""
    events = ReturnEvent.objects.filter(ret_id=ret.pk)
    facts = Portfolio.objects.filter(pk=ret.portfolio_id).annotate(
        **{
            role: Exists(
                PortfolioRole.objects.filter(user=user, portfolio=OuterRef("pk"), role=role)
            )
            for role in PortfolioRole.Role.values
        },
        separate=Subquery(
            CouncilSettings.objects.filter(pk=1).values("separate_submit_and_approve")[:1]
        ),
        edited=Exists(events.filter(user=user, action=ReturnEvent.Action.SAVED)),
        deputy_for=Subquery(
            covering_deputies(user)
            .filter(portfolio=OuterRef("pk"))
            .order_by("starts_on", "pk")
            .values("director_id")[:1]
        ),
        submitter=Subquery(
            events.filter(action=ReturnEvent.Action.SUBMITTED)
            .order_by("-at", "-pk")
            .values("user_id")[:1]
        ),
    )
    found = facts.values(
        *PortfolioRole.Role.values, "separate", "edited", "submitter", "deputy_for"
    ).get()
    roles = {role for role in PortfolioRole.Role.values if found[role]}
    deputy_for = None
    if PortfolioRole.Role.DIRECTOR not in roles and found["deputy_for"] is not None:
        roles.add(PortfolioRole.Role.DIRECTOR)
        deputy_for = found["deputy_for"]
    return ReturnAccess(
        ret=ret,
        roles=frozenset(roles),
        deputy_for=deputy_for,
        is_team=user.is_performance_team,
        edited_by_user=bool(ret.pk and found["edited"]),
        submitted_by_user=bool(ret.pk) and found["submitter"] == user.pk,
        separate_duties=found["separate"] is not False,
    )


def get_return_for_user(
    user: User, portfolio_id: int, start_year: int, number: int, *, write: bool = False
) -> ReturnAccess:
    """The return of a portfolio for a quarter (a new, unsaved draft if none is stored yet).

    Raises Http404 when the person may not read it (so its existence is not revealed)
    and PermissionDenied when they may read but `write` was asked and they may not edit.
    """
    # A stored return comes with its portfolio and quarter in one query; only a return not
    # yet started needs them looked up (or not found) one by one.
    ret = (
        Return.objects.with_frame()
        .filter(
            portfolio_id=portfolio_id, quarter__year__start_year=start_year, quarter__number=number
        )
        .first()
    )
    if ret is None:
        portfolio = get_object_or_404(Portfolio, pk=portfolio_id)
        quarter = get_object_or_404(
            Quarter.objects.select_related("year"), year__start_year=start_year, number=number
        )
        ret = Return(portfolio=portfolio, quarter=quarter)
    access = access_to(user, ret)
    if not access.can_read:
        raise Http404("No such return.")
    if write and not access.can_edit:
        raise PermissionDenied("You cannot change this return.")
    return access


@dataclass(frozen=True)
class ItemAccess(Generic[AnyItem]):
    """One person's view of one item of any kind (a measure, an action, a project, a risk).

    Anyone signed in sees an item's definition and its quarters from approved returns. The
    officers and directors of the item's portfolio and the performance team also see
    quarters from returns not yet approved, and the item's change history: the rule of
    `access_to` for returns, so an unapproved quarter of another portfolio's return (the
    item moved) stays hidden.
    """

    item: AnyItem
    is_team: bool
    roles: frozenset[str]

    @property
    def sees_unapproved(self) -> bool:
        """May see quarters from returns not yet approved, and the change history."""
        return self.is_team or bool(self.roles)

    @classmethod
    def of_member(cls, item: AnyItem) -> ItemAccess[AnyItem]:
        """The view of an officer of the item's portfolio (not the team): what an item's
        change history shows when its caller names no reader, since the pages show the
        history only to the portfolio's people and the team."""
        return cls(item=item, is_team=False, roles=frozenset({PortfolioRole.Role.OFFICER}))

    def visible(self, updates: QuerySet[Any]) -> QuerySet[Any]:
        """`updates` (of this item and its lineage) narrowed to those this person may see.
        Works as well on the updates' history records (simple-history keeps `ret`), so the
        change history and the quarter table follow one rule."""
        if self.is_team:
            return updates
        shown = Q(ret__state=Return.State.APPROVED)
        if self.roles:
            shown |= Q(ret__portfolio_id=self.item.portfolio_id)
        return updates.filter(shown)


def item_access(user: User, item: AnyItem) -> ItemAccess[AnyItem]:
    """`user`'s view of `item` (anything with a portfolio)."""
    is_team = user.is_performance_team
    # The team sees everything, so their roles need not be looked up.
    roles = frozenset() if is_team else roles_on(user, item.portfolio)
    return ItemAccess(item=item, is_team=is_team, roles=roles)
