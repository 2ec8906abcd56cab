"""Factories for risks: deterministic sequences, the smallest valid objects, and a helper
that assesses a risk in a return the way the return section does (score and level
worked out from the matrix in use)."""

from __future__ import annotations

from typing import Any

import factory

from perfmon.models import Return
from risks import rules
from risks.models import Risk, RiskAssessment
from risks.services import matrices_in_use, rate_side
from tests.factories import PortfolioFactory, ReportingYearFactory, ThemeFactory


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    year = factory.SubFactory(ReportingYearFactory)
    reference = factory.Sequence(lambda n: f"SR{n}_CR{n}")
    title = factory.Sequence(lambda n: f"Strategic risk number {n}")
    portfolio = factory.SubFactory(PortfolioFactory)
    theme = factory.SubFactory(ThemeFactory)


def assess(
    risk: Risk,
    ret: Return,
    *,
    threat: tuple[int, int] | None = None,
    opportunity: tuple[int, int] | None = None,
    **values: Any,
) -> RiskAssessment:
    """Save `risk`'s assessment in `ret` with likelihood and impact (threat, opportunity)."""
    assessment = RiskAssessment(risk=risk, ret=ret, **values)
    for side, cell in ((rules.Side.THREAT, threat), (rules.Side.OPPORTUNITY, opportunity)):
        if cell is not None:
            setattr(assessment, f"{side.value}_likelihood", cell[0])
            setattr(assessment, f"{side.value}_impact", cell[1])
    matrices = matrices_in_use()
    for side in rules.Side:
        rate_side(assessment, side, matrices=matrices)
    assessment.save()
    return assessment
