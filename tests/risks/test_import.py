"""Loading the strategic risks of a published annual results table: risks created or
updated with their lineage, each one's score stored as published and marked score-only in
the year's quarter 4 return, with history; a second run changes nothing; text it cannot
read, or a score that disagrees with the return, stops everything."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from perfmon.models import Portfolio, ReportingYear, Return, Theme, User
from perfmon.services import create_reporting_year
from risks import rules
from risks.models import Risk, RiskAssessment
from risks.services import PublishedRisk, PublishedScore, import_published_risks, parse_score_text
from tests.factories import PortfolioFactory, ThemeFactory
from tests.risks.factories import RiskFactory, assess


@pytest.fixture
def year(db: None) -> ReportingYear:
    return create_reporting_year(start_year=2024)


@pytest.fixture
def places(db: None) -> dict[str, Any]:
    return {
        "cyps": PortfolioFactory(name="Children, Young People and Skills"),
        "gov": PortfolioFactory(name="Governance and Finance"),
        "resilient": ThemeFactory(name="A Resilient City"),
        "smarter": ThemeFactory(name="Working Smarter"),
    }


class Q4Returns:
    """What the importer passes: the year's approved quarter 4 return of a portfolio."""

    def __init__(self, year: ReportingYear) -> None:
        self.quarter = year.quarters.get(number=4)
        self.asked: list[Portfolio] = []

    def __call__(self, portfolio: Portfolio) -> Return:
        self.asked.append(portfolio)
        return Return.objects.get_or_create(
            portfolio=portfolio, quarter=self.quarter, defaults={"state": "approved"}
        )[0]


def seed_rows(places: dict[str, Any], **changes: str) -> list[PublishedRisk]:
    rows = [
        ("SR28_PS22", "Inadequate placement sufficiency", "cyps", "resilient", "Risk Score 9"),
        (
            "SR30_PS24",
            "Demand pressures in the High Needs Block",
            "cyps",
            "resilient",
            "Risk score 16",
        ),
        ("SR3_CR3", "Cyber threats to our systems", "gov", "smarter", "Risk score 16"),
        ("SR21_CR22", "Health, wellbeing and sickness absence", "gov", "smarter", "Risk score 9"),
    ]
    return [
        PublishedRisk(
            reference=ref,
            title=title,
            portfolio=places[portfolio],
            theme=places[theme],
            score_text=changes.get(ref, text),
        )
        for ref, title, portfolio, theme, text in rows
    ]


def run(
    year: ReportingYear, rows: list[PublishedRisk], user: User, returns: Q4Returns | None = None
) -> dict[str, str]:
    return import_published_risks(
        year=year,
        risks=rows,
        return_for=returns or Q4Returns(year),
        user=user,
        reason="Imported derby-city-annual-results-2024-25.txt",
    )


def test_it_creates_risks_and_score_only_assessments_in_the_q4_return(
    year: ReportingYear, places: dict[str, Any], admin_user: User
) -> None:
    returns = Q4Returns(year)
    result = run(year, seed_rows(places), admin_user, returns)
    assert result == dict.fromkeys(["SR28_PS22", "SR30_PS24", "SR3_CR3", "SR21_CR22"], "created")
    assert returns.asked == [places["cyps"], places["gov"]]  # once per portfolio
    cyber = Risk.objects.get(reference="SR3_CR3")
    assert (cyber.title, cyber.portfolio, cyber.theme, cyber.year, cyber.assessed) == (
        "Cyber threats to our systems",
        places["gov"],
        places["smarter"],
        year,
        "threat",
    )
    assessment = cyber.assessments.get()
    assert assessment.ret.quarter.number == 4 and assessment.ret.portfolio == places["gov"]
    assert (assessment.threat_score, assessment.threat_likelihood, assessment.threat_impact) == (
        16,
        None,
        None,
    )
    assert assessment.score_only and assessment.threat_level == "Very high"
    assert assessment.side(rules.Side.THREAT).text == "16 (score only, as published)"
    record = cyber.history.get()
    assert (record.history_user, record.history_change_reason) == (
        admin_user,
        "Imported derby-city-annual-results-2024-25.txt",
    )
    assert assessment.history.get().history_user == admin_user


def test_it_changes_nothing_and_writes_no_history_the_second_time(
    year: ReportingYear, places: dict[str, Any], admin_user: User
) -> None:
    run(year, seed_rows(places), admin_user)
    counts = (Risk.history.count(), RiskAssessment.history.count())
    result = run(year, seed_rows(places), admin_user)
    assert set(result.values()) == {"unchanged"}
    assert (Risk.history.count(), RiskAssessment.history.count()) == counts
    assert RiskAssessment.objects.count() == 4


def test_it_updates_a_changed_title_or_score(
    year: ReportingYear, places: dict[str, Any], admin_user: User
) -> None:
    run(year, seed_rows(places), admin_user)
    rows = seed_rows(places, SR3_CR3="Risk score 12")
    rows[0] = PublishedRisk(
        **{**rows[0].__dict__, "title": "Placement sufficiency for looked after children"}
    )
    result = run(year, rows, admin_user)
    assert result == {
        "SR28_PS22": "updated",
        "SR30_PS24": "unchanged",
        "SR3_CR3": "updated",
        "SR21_CR22": "unchanged",
    }
    assert Risk.objects.get(reference="SR28_PS22").title.startswith("Placement sufficiency")
    cyber = RiskAssessment.objects.get(risk__reference="SR3_CR3")
    assert (cyber.threat_score, cyber.version) == (12, 2)
    assert [h.threat_score for h in cyber.history.order_by("history_id")] == [16, 12]


def test_it_reads_an_opportunity_and_both_scores(
    year: ReportingYear, places: dict[str, Any], admin_user: User
) -> None:
    rows = seed_rows(
        places,
        SR21_CR22="Opportunity risk score of 6",
        SR3_CR3="Risk score of 12 Opportunity score of 12",
    )
    run(year, rows, admin_user)
    wellbeing = RiskAssessment.objects.get(risk__reference="SR21_CR22")
    assert (wellbeing.risk.assessed, wellbeing.threat_score, wellbeing.opportunity_score) == (
        "opportunity",
        None,
        6,
    )
    both = RiskAssessment.objects.get(risk__reference="SR3_CR3")
    assert (both.risk.assessed, both.threat_score, both.opportunity_score) == ("both", 12, 12)


def test_it_links_each_risk_to_last_years_of_the_same_reference(
    year: ReportingYear, places: dict[str, Any], admin_user: User
) -> None:
    earlier = create_reporting_year(start_year=2023)
    old = RiskFactory(
        reference="SR3_CR3", year=earlier, portfolio=places["gov"], theme=places["smarter"]
    )
    run(year, seed_rows(places), admin_user)
    assert Risk.objects.get(reference="SR3_CR3", year=year).previous == old
    assert Risk.objects.get(reference="SR30_PS24", year=year).previous is None


@pytest.mark.parametrize("text", ["N/A", "Risk score 7", "Risk score twelve", ""])
def test_it_refuses_a_score_it_cannot_read_and_writes_nothing(
    year: ReportingYear, places: dict[str, Any], admin_user: User, text: str
) -> None:
    with pytest.raises(ValueError, match="^SR30_PS24: .*"):
        run(year, seed_rows(places, SR30_PS24=text), admin_user)
    assert not Risk.objects.exists() and not RiskAssessment.objects.exists()
    with pytest.raises(ValueError):
        parse_score_text(text)  # what the importer checks each row with first


def test_it_refuses_a_reference_given_twice(
    year: ReportingYear, places: dict[str, Any], admin_user: User
) -> None:
    rows = seed_rows(places)
    with pytest.raises(ValueError, match="SR3_CR3 is given twice"):
        run(year, [*rows, rows[2]], admin_user)
    assert not Risk.objects.exists()


def test_it_refuses_a_score_that_disagrees_with_the_returns_likelihood_and_impact(
    year: ReportingYear, places: dict[str, Any], admin_user: User
) -> None:
    returns = Q4Returns(year)
    cyber = RiskFactory(
        reference="SR3_CR3", year=year, portfolio=places["gov"], theme=places["smarter"]
    )
    assess(cyber, returns(places["gov"]), threat=(3, 4))
    with pytest.raises(
        ValueError, match="published threat score 16 disagrees with likelihood 3 × impact 4 = 12"
    ):
        run(year, seed_rows(places), admin_user, returns)
    assert Risk.objects.count() == 1
    agreeing = run(year, seed_rows(places, SR3_CR3="Risk score 12"), admin_user, returns)
    assert agreeing["SR3_CR3"] == "updated"  # its title, not its assessment
    kept = RiskAssessment.objects.get(risk=cyber)
    assert (kept.threat_likelihood, kept.threat_impact, kept.score_only) == (3, 4, False)
    assert isinstance(places["smarter"], Theme)


SEEDS = Path(__file__).resolve().parents[2] / "reports" / "seeds"


def test_it_reads_every_risk_score_published_in_the_2024_25_table() -> None:
    lines = (SEEDS / "derby-city-annual-results-2024-25.txt").read_text(encoding="utf-8")
    cells = [line.split("\t")[4] for line in lines.splitlines() if line.startswith("SR")]
    assert len(cells) == 18
    scores = [parse_score_text(cell).threat for cell in cells]
    assert sorted(set(scores)) == [6, 8, 9, 12, 16]


def test_it_reads_the_scores_of_the_quarter_1_report() -> None:
    text = (SEEDS / "derby-city-quarter1-report-2021-22.txt").read_text(encoding="utf-8")
    cells = re.findall(
        r"\t((?:Opportunity )?(?:risk )?[Rr]isk score of \d+(?: Opportunity score of \d+)?)\t", text
    )
    read = [parse_score_text(cell) for cell in cells]
    assert PublishedScore(12, 12) in read  # "Risk score of 12 Opportunity score of 12"
    assert PublishedScore(None, 6) in read  # "Opportunity risk score of 6"
    assert PublishedScore(3, None) in read
