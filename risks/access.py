"""Who may see what of a risk. Views load risks and assessments only through here.

Anyone signed in sees a risk's definition, the register and the heat map, from approved
returns. The officers and directors of the risk's portfolio and the performance team also
see, on the risk's page, quarters from returns not yet approved and the change history:
the same rule as measures (measures.access) and returns (perfmon.access).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from perfmon.access import ItemAccess, item_access
from perfmon.lineage import lineage_ids as lineage_ids  # views find other years here
from perfmon.models import Quarter, User
from risks.models import Risk, RiskAssessment


class RiskAccess(ItemAccess[Risk]):
    """One person's view of one risk."""

    @property
    def risk(self) -> Risk:
        return self.item


def get_risk_for_user(user: User, pk: int) -> RiskAccess:
    """The risk with its year, portfolio, theme and owner. Raises Http404 if there is none."""
    risk = get_object_or_404(
        Risk.objects.select_related("year", "portfolio", "theme", "owner"), pk=pk
    )
    view = item_access(user, risk)
    return RiskAccess(item=risk, is_team=view.is_team, roles=view.roles)


def published_assessments(user: User) -> QuerySet[RiskAssessment]:
    """What the register and heat map show anyone: assessments of approved returns, with
    their risk, its portfolio and theme."""
    return RiskAssessment.objects.approved().select_related(
        "risk__portfolio", "risk__theme", "ret__quarter__year"
    )


def latest_published_quarter(user: User) -> Quarter | None:
    """The last quarter with an approved risk assessment."""
    found = (
        published_assessments(user)
        .order_by("-ret__quarter__year__start_year", "-ret__quarter__number")
        .values_list("ret__quarter_id", flat=True)
        .first()
    )
    if found is None:
        return None
    return Quarter.objects.select_related("year").get(pk=found)
