"""Demo data for risks, called by the demo loader (reports.demo): carry last year's risks
into the current year, and fill a demo return's risk assessments.

Both are deterministic (the same input gives the same rows) and idempotent (a second call
adds nothing).
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from perfmon.lineage import carry_on
from perfmon.models import ReportingYear, Return, User
from risks import rules
from risks.models import Risk, RiskAssessment
from risks.register import previous_assessments
from risks.services import matrices_in_use, rate_side

DEMO = "demo"


def carry_risks_on(*, from_year: ReportingYear, to: ReportingYear) -> None:
    """Copy `from_year`'s risks into `to`, each linked to the one it continues; those
    already carried on (or whose reference `to` already has) are left alone."""
    carry_on(Risk, from_year=from_year, to=to, reason=DEMO)


def _digest(reference: str, quarter: int) -> bytes:
    return hashlib.sha256(f"{reference}/{quarter}".encode()).digest()


def starting_cell(score: int | None, reference: str) -> tuple[int, int]:
    """A (likelihood, impact) for a risk last scored `score` (perhaps a published score
    alone): a cell with that score, chosen steadily by reference; (2, 3) for none."""
    if score is None or not rules.is_possible_score(score):
        return (2, 3)
    cells = rules.cells_scoring(score)
    return cells[_digest(reference, 0)[0] % len(cells)]


def moved_cell(cell: tuple[int, int], reference: str, quarter: int) -> tuple[int, int]:
    """About a third of risks move one step on one axis each quarter; the rest stay."""
    digest = _digest(reference, quarter)
    likelihood, impact = cell
    roll = digest[1] % 6
    if roll == 0:
        likelihood = max(1, likelihood - 1)
    elif roll == 1:
        likelihood = min(4, likelihood + 1)
    elif roll == 2 and digest[2] % 2:
        impact = max(1, impact - 1)
    return likelihood, impact


@transaction.atomic
def fill_return(ret: Return, *, officer: User, complete: bool) -> None:
    """Assess `ret`'s portfolio risks for its quarter, starting from last quarter's
    approved assessment (or last year's quarter 4), some moved a step. When not
    `complete`, every other risk is left for the officer. Risks already assessed in this
    return are left alone."""
    quarter = ret.quarter
    risks = list(
        Risk.objects.filter(portfolio=ret.portfolio, year=quarter.year).order_by("reference")
    )
    done = set(RiskAssessment.objects.filter(ret=ret).values_list("risk_id", flat=True))
    previous = previous_assessments(officer, quarter, risks)
    matrices = matrices_in_use()
    at = timezone.now()
    assessments = []
    for index, risk in enumerate(risks):
        if risk.pk in done or (not complete and index % 2):
            continue
        before = previous.get(risk.pk)
        assessment = RiskAssessment(
            risk=risk,
            ret=ret,
            controls="Owner reviews the risk monthly; mitigations are in the directorate plan.",
            further_actions="Report progress to the Corporate Risk Management Group.",
            commentary="Demo assessment for this quarter.",
            updated_by=officer,
            updated_at=at,
        )
        for side in risk.sides:
            last = before.side(side) if before else None
            start = last.cell if last is not None else None
            if start is None:
                start = starting_cell(last.score if last else None, risk.reference)
            likelihood, impact = moved_cell(start, risk.reference, quarter.number)
            setattr(assessment, f"{side.value}_likelihood", likelihood)
            setattr(assessment, f"{side.value}_impact", impact)
        for side in rules.Side:
            rate_side(assessment, side, matrices=matrices)
        scored = [s for s in (assessment.threat_score, assessment.opportunity_score) if s]
        # Half the lower score: always one a likelihood x impact can give.
        assessment.target_score = max(1, min(scored) // 2) if scored else None
        assessments.append(assessment)
    if assessments:
        bulk_create_with_history(assessments, RiskAssessment, default_user=officer)
