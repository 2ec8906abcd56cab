"""Who may see and do what with a return. Views load returns only through here.

Officers edit their own portfolios' returns while they are editable; directors decide
on their portfolios' submitted returns; viewers read approved returns; the performance
team reads everything and alone reopens an approved return.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from perfmon.cached import CachedFor
from perfmon.models import (
    CouncilSettings,
    Deputy,
    Extension,
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


@dataclass(frozen=True)
class Standing:
    """What one person is across the council: their roles on each portfolio, the absent
    directors they cover for today, and whether they are in the performance team."""

    roles: Mapping[int, frozenset[str]]  # by portfolio id
    covering: Mapping[int, int]  # portfolio id: the absent director covered today
    team: bool

    def on(self, portfolio_id: int) -> frozenset[str]:
        return self.roles.get(portfolio_id, frozenset())

    def holds(self, role: str) -> bool:
        return any(role in roles for roles in self.roles.values())

    @property
    def decides(self) -> bool:
        """Directs a portfolio, or covers for its absent director today."""
        return self.holds(PortfolioRole.Role.DIRECTOR) or bool(self.covering)


_STANDING = "_perfmon_standing"
_standings: CachedFor[Standing] = CachedFor("standing")


def standing_of(user: User) -> Standing:
    """`user`'s standing: from the cache (see `forget_standings`), else from three small
    queries; kept on the user object for the rest of the request, as Django keeps the
    user."""
    known: Standing | None = getattr(user, _STANDING, None)
    if known is not None:
        return known
    if not user.is_authenticated:
        return Standing(roles={}, covering={}, team=False)
    today = timezone.localdate()
    standing = _standings.get(f"{user.pk}:{today}", lambda: _load_standing(user, today))
    setattr(user, _STANDING, standing)
    return standing


def _load_standing(user: User, today: date) -> Standing:
    roles: dict[int, set[str]] = {}
    for portfolio_id, role in PortfolioRole.objects.filter(user=user).values_list(
        "portfolio_id", "role"
    ):
        roles.setdefault(portfolio_id, set()).add(role)
    covering: dict[int, int] = {}
    for portfolio_id, director_id in (
        covering_deputies(user, today=today)
        .order_by("starts_on", "pk")
        .values_list("portfolio_id", "director_id")
    ):
        covering.setdefault(portfolio_id, director_id)  # the earliest cover in force
    return Standing(
        roles={pk: frozenset(found) for pk, found in roles.items()},
        covering=covering,
        team=user.is_performance_team,
    )


def forget_standings(**kwargs: Any) -> None:
    """Everyone's standing is loaded afresh after any change to who holds which role,
    covers for whom, or is in which group, and after a change to a person (active,
    superuser), but not after a sign-in, which only stamps last_login."""
    signed_in = kwargs.get("sender") is User and kwargs.get("update_fields") == frozenset(
        {"last_login"}
    )
    if not signed_in:
        _standings.forget_all()


for _model in (PortfolioRole, Deputy, Group, User):
    post_save.connect(forget_standings, sender=_model, dispatch_uid=f"standing-save-{_model}")
    post_delete.connect(forget_standings, sender=_model, dispatch_uid=f"standing-del-{_model}")
m2m_changed.connect(forget_standings, sender=User.groups.through, dispatch_uid="standing-m2m")


def roles_on(user: User, portfolio: Portfolio) -> frozenset[str]:
    return standing_of(user).on(portfolio.pk)


def covering_deputies(user: User, *, today: date | None = None) -> QuerySet[Deputy]:
    """`user`'s cover for absent directors in force today, for directors who still direct
    the portfolio."""
    return Deputy.objects.covering(today or timezone.localdate()).filter(
        deputy=user,
        director__portfolio_roles__portfolio=F("portfolio"),
        director__portfolio_roles__role=PortfolioRole.Role.DIRECTOR,
    )


def access_to(user: User, ret: Return) -> ReturnAccess:
    """What `user` may do with `ret`: their roles on its portfolio (from their standing),
    the council's separation of duties, the director they cover for if they are
    deputising on it today and, for one who decides on it, whether they saved it or made
    its latest submission (one query)."""
    standing = standing_of(user)
    roles = set(standing.on(ret.portfolio_id))
    deputy_for = None
    if PortfolioRole.Role.DIRECTOR not in roles and ret.portfolio_id in standing.covering:
        roles.add(PortfolioRole.Role.DIRECTOR)
        deputy_for = standing.covering[ret.portfolio_id]
    edited = submitted = False
    if PortfolioRole.Role.DIRECTOR in roles and ret.pk:
        events = ReturnEvent.objects.filter(
            Q(user=user, action=ReturnEvent.Action.SAVED) | Q(action=ReturnEvent.Action.SUBMITTED),
            ret_id=ret.pk,
        ).order_by("-at", "-pk")
        submitters = []
        for action, user_id in events.values_list("action", "user_id"):
            if action == ReturnEvent.Action.SAVED:
                edited = True
            else:
                submitters.append(user_id)
        submitted = bool(submitters) and submitters[0] == user.pk
    return ReturnAccess(
        ret=ret,
        roles=frozenset(roles),
        deputy_for=deputy_for,
        is_team=standing.team,
        edited_by_user=edited,
        submitted_by_user=submitted,
        separate_duties=CouncilSettings.current().separate_submit_and_approve,
    )


_EXTENDED_TO = Subquery(
    Extension.objects.filter(
        portfolio_id=OuterRef("portfolio_id"), quarter_id=OuterRef("quarter_id")
    )
    .order_by()
    .values("submission_deadline")[:1]
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
    ret: Return | None = (
        Return.objects.with_frame()
        .annotate(extended_to=_EXTENDED_TO)  # its portfolio's extension, for its deadlines
        .filter(
            portfolio_id=portfolio_id, quarter__year__start_year=start_year, quarter__number=number
        )
        .order_by()  # one at most (unique); Return's Meta ordering would sort by three joins
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
