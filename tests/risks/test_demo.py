"""The demo helpers the demo loader calls: last year's risks carried into the current
year with their lineage, and demo returns' assessments, deterministic and varied, some
moved since last quarter; both idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from perfmon.models import Portfolio, ReportingYear, Return, User
from perfmon.services import create_reporting_year
from risks.demo import carry_risks_on, fill_return, moved_cell, starting_cell
from risks.models import Risk, RiskAssessment
from tests.risks.conftest import approved_return
from tests.risks.factories import RiskFactory


@pytest.fixture
def years(db: None) -> tuple[ReportingYear, ReportingYear]:
    return create_reporting_year(start_year=2024), create_reporting_year(start_year=2026)


@pytest.fixture
def published(
    years: tuple[ReportingYear, ReportingYear], portfolio: Portfolio, theme: Any
) -> list[Risk]:
    """2024/25's risks, each with a published score only in the approved Q4 return."""
    last_year = years[0]
    ret = approved_return(portfolio, last_year.quarters.get(number=4))
    risks = []
    for n, score in enumerate([16, 12, 9, 8, 6, 16, 12, 9, 4, 3, 12, 16]):
        risk = RiskFactory(
            reference=f"SR{n}_CR{n}", year=last_year, portfolio=portfolio, theme=theme
        )
        RiskAssessment.objects.create(risk=risk, ret=ret, threat_score=score, score_only=True)
        risks.append(risk)
    return risks


def test_it_carries_risks_on_with_their_lineage_once(
    years: tuple[ReportingYear, ReportingYear], published: list[Risk]
) -> None:
    last_year, this_year = years
    carry_risks_on(from_year=last_year, to=this_year)
    carried = Risk.objects.filter(year=this_year).order_by("reference")
    assert carried.count() == 12
    first = carried.get(reference="SR0_CR0")
    assert first.previous == published[0]
    assert (first.title, first.portfolio, first.theme) == (
        published[0].title,
        published[0].portfolio,
        published[0].theme,
    )
    assert first.history.get().history_change_reason == "demo"
    carry_risks_on(from_year=last_year, to=this_year)
    assert Risk.objects.filter(year=this_year).count() == 12


def _first_quarter(years: tuple[ReportingYear, ReportingYear], portfolio: Portfolio) -> Return:
    carry_risks_on(from_year=years[0], to=years[1])
    return Return.objects.create(
        portfolio=portfolio, quarter=years[1].quarters.get(number=1), state="approved"
    )


def test_it_fills_a_return_from_last_quarters_scores_some_moved(
    years: tuple[ReportingYear, ReportingYear],
    published: list[Risk],
    portfolio: Portfolio,
    officer: User,
) -> None:
    ret = _first_quarter(years, portfolio)
    fill_return(ret, officer=officer, complete=True)
    assessments = list(RiskAssessment.objects.filter(ret=ret).select_related("risk__previous"))
    assert len(assessments) == 12
    last = {
        a.risk_id: a.threat_score
        for a in RiskAssessment.objects.filter(ret__quarter__year=years[0])
    }
    moved = 0
    for assessment in assessments:
        assert assessment.threat_likelihood in range(1, 5) and assessment.threat_impact in range(
            1, 5
        )
        assert assessment.threat_score == assessment.threat_likelihood * assessment.threat_impact
        assert assessment.threat_level and not assessment.score_only
        assert assessment.updated_by == officer and assessment.target_score is not None
        moved += assessment.threat_score != last[assessment.risk.previous_id]
    assert 0 < moved < 12
    assert len({(a.threat_likelihood, a.threat_impact) for a in assessments}) >= 4  # varied


def test_it_is_deterministic_and_idempotent(
    years: tuple[ReportingYear, ReportingYear],
    published: list[Risk],
    portfolio: Portfolio,
    officer: User,
) -> None:
    ret = _first_quarter(years, portfolio)
    fill_return(ret, officer=officer, complete=True)
    first = list(
        RiskAssessment.objects.filter(ret=ret)
        .order_by("risk__reference")
        .values_list("threat_likelihood", "threat_impact")
    )
    fill_return(ret, officer=officer, complete=True)
    assert RiskAssessment.objects.filter(ret=ret).count() == 12
    assert RiskAssessment.history.filter(ret_id=ret.pk).count() == 12
    RiskAssessment.objects.filter(ret=ret).delete()
    fill_return(ret, officer=officer, complete=True)
    again = list(
        RiskAssessment.objects.filter(ret=ret)
        .order_by("risk__reference")
        .values_list("threat_likelihood", "threat_impact")
    )
    assert again == first


def test_it_leaves_every_other_risk_for_the_officer_in_a_draft(
    years: tuple[ReportingYear, ReportingYear],
    published: list[Risk],
    portfolio: Portfolio,
    officer: User,
) -> None:
    carry_risks_on(from_year=years[0], to=years[1])
    ret = Return.objects.create(portfolio=portfolio, quarter=years[1].quarters.get(number=2))
    fill_return(ret, officer=officer, complete=False)
    assert RiskAssessment.objects.filter(ret=ret).count() == 6


@pytest.mark.parametrize("score", [1, 2, 3, 4, 6, 8, 9, 12, 16])
def test_it_starts_a_published_score_from_one_of_its_cells(score: int) -> None:
    likelihood, impact = starting_cell(score, "SR3_CR3")
    assert likelihood * impact == score
    assert starting_cell(None, "SR3_CR3") == (2, 3)


def test_it_moves_at_most_one_step_and_stays_on_the_matrix() -> None:
    for reference in (f"SR{n}" for n in range(200)):
        for cell in ((1, 1), (4, 4), (2, 3)):
            likelihood, impact = moved_cell(cell, reference, 2)
            assert 1 <= likelihood <= 4 and 1 <= impact <= 4
            assert abs(likelihood - cell[0]) + abs(impact - cell[1]) <= 1
