"""Who may see what of a measure or an action. Views load items only through here.

Anyone signed in sees an item's definition and its quarters from approved returns. The
officers and directors of the item's portfolio and the performance team also see quarters
from returns not yet approved, and the item's change history. That mirrors who may read a
return (perfmon.access): unapproved quarters of a return are shown only to those who may
read that return, so one from another portfolio (the item moved) stays hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from measures.models import Action, Measure
from perfmon.access import roles_on
from perfmon.lineage import lineage_ids as lineage_ids  # views find other years here
from perfmon.models import Return, User

Item = TypeVar("Item", Measure, Action)


@dataclass(frozen=True)
class ItemAccess(Generic[Item]):
    """One person's view of one item."""

    item: Item
    is_team: bool
    roles: frozenset[str]

    @property
    def sees_unapproved(self) -> bool:
        """May see quarters from returns not yet approved, and the change history."""
        return self.is_team or bool(self.roles)

    def visible(self, updates: QuerySet) -> QuerySet:  # type: ignore[type-arg]
        """`updates` (of this item and its lineage) narrowed to those this person may see."""
        if self.is_team:
            return updates
        shown = Q(ret__state=Return.State.APPROVED)
        if self.roles:
            shown |= Q(ret__portfolio_id=self.item.portfolio_id)
        return updates.filter(shown)


def _access(user: User, item: Item) -> ItemAccess[Item]:
    is_team = user.is_performance_team
    # The team sees everything, so their roles need not be looked up.
    roles = frozenset() if is_team else roles_on(user, item.portfolio)
    return ItemAccess(item=item, is_team=is_team, roles=roles)


def get_measure_for_user(user: User, pk: int) -> ItemAccess[Measure]:
    """The measure with its year, portfolio and theme. Raises Http404 if there is none."""
    measure = get_object_or_404(Measure.objects.select_related("year", "portfolio", "theme"), pk=pk)
    return _access(user, measure)


def get_action_for_user(user: User, pk: int) -> ItemAccess[Action]:
    """The action with its year, portfolio and theme. Raises Http404 if there is none."""
    action = get_object_or_404(Action.objects.select_related("year", "portfolio", "theme"), pk=pk)
    return _access(user, action)
