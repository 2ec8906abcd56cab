"""State changes of the risks app: the matrices perfmon ships with, and loading the
strategic risks of a published annual results table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from perfmon.models import Portfolio, ReportingYear, Return, Theme, User
from risks import rules
from risks.models import (
    AxisPoint,
    MatrixCell,
    MatrixLevel,
    Risk,
    RiskAssessment,
    RiskMatrix,
    assessed_as,
)
from risks.rules import PublishedScore, parse_score_text

__all__ = [
    "PublishedRisk",
    "PublishedScore",
    "ensure_risk_matrices",
    "import_published_risks",
    "matrices_in_use",
    "parse_score_text",
]


@transaction.atomic
def ensure_risk_matrices() -> None:
    """The threat and opportunity matrices of Derby City's guidance, where a council has
    none yet for a side. Idempotent, and run after every migrate and flush, as Django does
    for permissions: a matrix a council has changed is left alone."""
    have = set(RiskMatrix.objects.values_list("side", flat=True))
    for matrix in (rules.THREATS, rules.OPPORTUNITIES):
        if matrix.side.value in have:
            continue
        row = RiskMatrix.objects.create(side=matrix.side.value, title=matrix.title)
        levels = {
            level.key: MatrixLevel.objects.create(
                matrix=row, position=position, key=level.key, label=level.label, colour=level.colour
            )
            for position, level in enumerate(matrix.levels, start=1)
        }
        AxisPoint.objects.bulk_create(
            AxisPoint(
                matrix=row,
                axis=axis,
                value=point.value,
                label=point.label,
                description=point.description,
            )
            for axis, points in (
                (AxisPoint.Axis.LIKELIHOOD, matrix.likelihood),
                (AxisPoint.Axis.IMPACT, matrix.impact),
            )
            for point in points.values()
        )
        MatrixCell.objects.bulk_create(
            MatrixCell(matrix=row, likelihood=lk, impact=im, level=levels[level.key])
            for (lk, im), level in matrix.cells.items()
        )


def matrices_in_use() -> dict[rules.Side, rules.Matrix]:
    """Both matrices for the pure rules, in four queries."""
    return {rules.Side(matrix.side): matrix.as_rules() for matrix in RiskMatrix.objects.complete()}


def rate_side(
    assessment: RiskAssessment, side: rules.Side, *, matrices: dict[rules.Side, rules.Matrix]
) -> None:
    """Set one side's score and level from its likelihood and impact (or, for a score
    imported on its own, its level where the score alone decides it)."""
    name = side.value
    likelihood = getattr(assessment, f"{name}_likelihood")
    impact = getattr(assessment, f"{name}_impact")
    matrix = matrices.get(side)
    level: rules.Level | None = None
    if likelihood is not None and impact is not None:
        setattr(assessment, f"{name}_score", rules.score(likelihood, impact))
        level = matrix.level_at(likelihood, impact) if matrix else None
    elif assessment.score_only and getattr(assessment, f"{name}_score") is not None:
        value = getattr(assessment, f"{name}_score")
        level = matrix.level_for_score(value) if matrix else None
    else:
        setattr(assessment, f"{name}_score", None)
    setattr(assessment, f"{name}_level", level.label if level else "")
    setattr(assessment, f"{name}_level_colour", level.colour if level else "")


# Importing published risks ---------------------------------------------------------------


@dataclass(frozen=True)
class PublishedRisk:
    """A strategic risk row of the annual results table."""

    reference: str
    title: str
    portfolio: Portfolio
    theme: Theme
    score_text: str  # as published, e.g. "Risk score 16"


ASSESSMENT_FIELDS = (
    "threat_score",
    "threat_level",
    "threat_level_colour",
    "opportunity_score",
    "opportunity_level",
    "opportunity_level_colour",
    "score_only",
)
RISK_FIELDS = ("title", "portfolio", "theme", "assessed")


@transaction.atomic
def import_published_risks(
    *,
    year: ReportingYear,
    risks: Sequence[PublishedRisk],
    return_for: Callable[[Portfolio], Return],
    user: User,
    reason: str,
) -> dict[str, str]:
    """Create or update the year's risks and each one's assessment in `return_for(its
    portfolio)` (the caller gives the year's approved quarter 4 return), with the score as
    published and marked score-only.

    Returns {reference: "created" | "updated" | "unchanged"}. Running it again with the
    same rows changes nothing and writes no history. Raises ValueError, and writes
    nothing, for a score text `parse_score_text` cannot read, for a reference given twice,
    or where the return already holds a likelihood x impact that disagrees with the
    published score.
    """
    scores = _read_scores(risks)
    existing = {
        risk.reference: risk
        for risk in Risk.objects.filter(year=year, reference__in=scores).select_related(
            "portfolio", "theme"
        )
    }
    last_year = {
        risk.reference: risk
        for risk in Risk.objects.filter(
            year__start_year=year.start_year - 1, reference__in=scores, next__isnull=True
        )
    }
    outcome: dict[str, str] = {}
    created, changed = [], []
    for row in risks:
        values = {
            "title": row.title,
            "portfolio": row.portfolio,
            "theme": row.theme,
            "assessed": _assessed(scores[row.reference], existing.get(row.reference)),
        }
        risk = existing.get(row.reference)
        if risk is None:
            risk = Risk(
                year=year, reference=row.reference, previous=last_year.get(row.reference), **values
            )
            created.append(risk)
            outcome[row.reference] = "created"
        elif _assign(risk, values):
            changed.append(risk)
            outcome[row.reference] = "updated"
        else:
            outcome[row.reference] = "unchanged"
        existing[row.reference] = risk
    history = {"default_user": user, "default_change_reason": reason}
    if created:
        bulk_create_with_history(created, Risk, **history)
        # Read back with their ids (bulk_create sets them on PostgreSQL, not everywhere).
        saved = Risk.objects.filter(year=year, reference__in=[r.reference for r in created])
        existing.update({risk.reference: risk for risk in saved})
    if changed:
        bulk_update_with_history(changed, Risk, fields=list(RISK_FIELDS), **history)
    _import_assessments(
        risks, scores, existing, return_for=return_for, history=history, outcome=outcome
    )
    return outcome


def _read_scores(risks: Sequence[PublishedRisk]) -> dict[str, PublishedScore]:
    scores: dict[str, PublishedScore] = {}
    for row in risks:
        if row.reference in scores:
            raise ValueError(f"{row.reference} is given twice.")
        try:
            scores[row.reference] = parse_score_text(row.score_text)
        except ValueError as error:
            raise ValueError(f"{row.reference}: {error}") from None
    return scores


def _assessed(published: PublishedScore, risk: Risk | None) -> str:
    """What the published scores say the risk is assessed as. A risk already assessed on
    both sides stays so when the table prints one score."""
    if risk is not None and risk.assessed == Risk.Assessed.BOTH:
        return Risk.Assessed.BOTH
    return assessed_as(
        threat=published.threat is not None, opportunity=published.opportunity is not None
    )


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set `values` on `obj`; whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _import_assessments(
    risks: Sequence[PublishedRisk],
    scores: dict[str, PublishedScore],
    by_reference: dict[str, Risk],
    *,
    return_for: Callable[[Portfolio], Return],
    history: dict[str, Any],
    outcome: dict[str, str],
) -> None:
    user = history["default_user"]
    returns: dict[int, Return] = {}
    for row in risks:
        if row.portfolio.pk not in returns:
            returns[row.portfolio.pk] = return_for(row.portfolio)
    stored = {
        (a.risk_id, a.ret_id): a
        for a in RiskAssessment.objects.filter(
            risk__in=[by_reference[row.reference] for row in risks], ret__in=list(returns.values())
        )
    }
    matrices = matrices_in_use()
    created, changed = [], []
    for row in risks:
        risk, ret = by_reference[row.reference], returns[row.portfolio.pk]
        published = scores[row.reference]
        assessment = stored.get((risk.pk, ret.pk))
        if assessment is not None and not assessment.score_only:
            _check_agrees(row.reference, assessment, published)
            continue
        new = RiskAssessment(
            risk=risk,
            ret=ret,
            threat_score=published.threat,
            opportunity_score=published.opportunity,
            score_only=True,
            updated_by=user,
        )
        for side in rules.Side:
            rate_side(new, side, matrices=matrices)
        values = {name: getattr(new, name) for name in ASSESSMENT_FIELDS}
        if assessment is None:
            created.append(new)
        elif _assign(assessment, values):
            assessment.version += 1
            assessment.updated_by = user
            changed.append(assessment)
        else:
            continue
        if outcome[row.reference] == "unchanged":
            outcome[row.reference] = "updated"
    if created:
        bulk_create_with_history(created, RiskAssessment, **history)
    if changed:
        fields = [*ASSESSMENT_FIELDS, "version", "updated_by"]
        bulk_update_with_history(changed, RiskAssessment, fields=fields, **history)


def _check_agrees(reference: str, assessment: RiskAssessment, published: PublishedScore) -> None:
    """An assessment made in the return keeps its likelihood and impact; the table may
    only confirm its score."""
    for side in rules.Side:
        given = getattr(published, side.value)
        stored = assessment.side(side)
        if given is not None and stored.score is not None and given != stored.score:
            raise ValueError(
                f"{reference}: the published {side.value} score {given} disagrees with "
                f"likelihood {stored.likelihood} × impact {stored.impact} = {stored.score} "
                "in the return."
            )
