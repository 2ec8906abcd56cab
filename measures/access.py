"""Who may see what of a measure or an action. Views load items only through here.

Anyone signed in sees an item's definition and its quarters from approved returns. The
officers and directors of the item's portfolio and the performance team also see quarters
from returns not yet approved, and the item's change history. That mirrors who may read a
return (perfmon.access): unapproved quarters of a return are shown only to those who may
read that return, so one from another portfolio (the item moved) stays hidden.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from measures.models import Action, Measure
from perfmon.access import ItemAccess, item_access
from perfmon.lineage import lineage_ids as lineage_ids  # views find other years here
from perfmon.models import User


def get_measure_for_user(user: User, pk: int) -> ItemAccess[Measure]:
    """The measure with its year, portfolio and theme. Raises Http404 if there is none."""
    measure = get_object_or_404(Measure.objects.select_related("year", "portfolio", "theme"), pk=pk)
    return item_access(user, measure)


def get_action_for_user(user: User, pk: int) -> ItemAccess[Action]:
    """The action with its year, portfolio and theme. Raises Http404 if there is none."""
    action = get_object_or_404(Action.objects.select_related("year", "portfolio", "theme"), pk=pk)
    return item_access(user, action)
