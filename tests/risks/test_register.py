"""The risk register and the heat map: approved assessments of a quarter, every cell
with its count and a link to its risks, threats and opportunities, where risks were last
quarter, score-only risks apart, a table with the same figures, and a fixed number of
queries however many risks."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perfmon.models import Portfolio, Quarter, Return, User
from perfmon.services import create_reporting_year
from risks.models import Risk, RiskAssessment
from tests.factories import PortfolioFactory
from tests.risks.conftest import approved_return, as_client
from tests.risks.factories import RiskFactory, assess

REGISTER, HEAT_MAP = reverse("risks:register"), reverse("risks:heat_map")


@pytest.fixture
def world(portfolio: Portfolio, year_2026: Any, theme: Any) -> dict[str, Any]:
    """Q1 and Q2 2026/27 approved, Q3 still a draft. SR19 moved from 2x4 to 2x3, SR6 rose
    from 3x3 to 3x4, SR8 stayed at 3x3, SR14 has a published score only, SR21 is an
    opportunity, and SR30 has no assessment in Q2."""
    q1, q2, q3 = (year_2026.quarters.get(number=n) for n in (1, 2, 3))
    common = {"portfolio": portfolio, "year": year_2026, "theme": theme}
    risks = {
        ref: RiskFactory(reference=ref, title=f"Risk {ref}", **common)
        for ref in ("SR19", "SR6", "SR8", "SR14", "SR30")
    }
    risks["SR21"] = RiskFactory(
        reference="SR21", title="Wellbeing", assessed="opportunity", **common
    )
    first, second = approved_return(portfolio, q1), approved_return(portfolio, q2)
    draft = Return.objects.create(portfolio=portfolio, quarter=q3)
    assess(risks["SR19"], first, threat=(2, 4))
    assess(risks["SR19"], second, threat=(2, 3))
    assess(risks["SR6"], first, threat=(3, 3))
    assess(risks["SR6"], second, threat=(3, 4))
    assess(risks["SR8"], first, threat=(3, 3))
    assess(risks["SR8"], second, threat=(3, 3))
    assess(risks["SR30"], first, threat=(1, 1))
    RiskAssessment.objects.create(
        risk=risks["SR14"], ret=second, threat_score=16, threat_level="Very high", score_only=True
    )
    assess(risks["SR21"], first, opportunity=(2, 3))
    assess(risks["SR21"], second, opportunity=(3, 3))
    assess(risks["SR19"], draft, threat=(4, 4))  # not approved: nowhere on these pages
    return {"risks": risks, "q2": q2}


def query(**params: Any) -> str:
    return "?" + "&".join(f"{key}={value}" for key, value in params.items())


def cell_text(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</(?:a|td)>', html, re.S)
    assert match, testid
    return re.sub(r"<[^>]+>", " ", match.group(1))


def test_it_lists_every_risk_of_the_latest_approved_quarter(outsider: User, world: dict) -> None:
    response = as_client(outsider).get(REGISTER)
    assert response.status_code == 200
    assert response.context["quarter"] == world["q2"]
    rows = {row.risk.reference: row for row in response.context["rows"]}
    assert set(rows) == {"SR19", "SR6", "SR8", "SR14", "SR30", "SR21"}
    assert rows["SR19"].threat.now.score == 6  # Q2's approved score, not Q3's draft 16
    assert rows["SR30"].assessment is None
    html = response.content.decode()
    assert "↓ Reduced from 8 at the end of June 2026 to 6" in cell_text(html, "threat-SR19")
    assert "↑ Increased from 9 at the end of June 2026 to 12" in cell_text(html, "threat-SR6")
    assert "Unchanged at 9" in cell_text(html, "threat-SR8")
    assert "score only, as published" in cell_text(html, "threat-SR14")
    assert "Very high" in cell_text(html, "threat-SR14")
    assert "–" in cell_text(html, "threat-SR21") and "Reduced" not in cell_text(html, "threat-SR21")
    assert "Increased from 6 at the end of June 2026 to 9" in cell_text(html, "opportunity-SR21")
    assert "No approved assessment this quarter" in html


def test_it_narrows_the_register_to_one_cell(outsider: User, world: dict) -> None:
    client = as_client(outsider)
    response = client.get(
        REGISTER + query(year=2026, quarter=2, side="threat", likelihood=3, impact=3)
    )
    assert [row.risk.reference for row in response.context["rows"]] == ["SR8"]
    assert "Showing threats at likelihood 3 and impact 3: 1 risk" in response.content.decode()
    opportunities = client.get(
        REGISTER + query(year=2026, quarter=2, side="opportunity", likelihood=3, impact=3)
    )
    assert [row.risk.reference for row in opportunities.context["rows"]] == ["SR21"]
    by_impact = client.get(REGISTER + query(year=2026, quarter=2, side="threat", impact=4))
    assert [row.risk.reference for row in by_impact.context["rows"]] == ["SR6"]


def test_it_shows_an_earlier_quarter_and_one_portfolio(outsider: User, world: dict) -> None:
    client = as_client(outsider)
    q1 = client.get(REGISTER + query(year=2026, quarter=1))
    assert {
        row.risk.reference: row.threat.now.score for row in q1.context["rows"] if row.threat
    } == {
        "SR19": 8,
        "SR6": 9,
        "SR8": 9,
        "SR30": 1,
    }
    other = PortfolioFactory(name="Other portfolio")
    mine = client.get(REGISTER + query(year=2026, quarter=2, portfolio=other.pk))
    assert mine.context["rows"] == []
    assert client.get(REGISTER + query(year=2030, quarter=1)).status_code == 404


def test_it_says_when_nothing_is_approved_yet(outsider: User, year_2026: Any) -> None:
    client = as_client(outsider)
    assert "No quarter has an approved risk assessment yet" in client.get(REGISTER).content.decode()
    assert "No quarter has an approved risk assessment yet" in client.get(HEAT_MAP).content.decode()


def test_it_counts_the_risks_in_every_cell_and_links_to_them(outsider: User, world: dict) -> None:
    response = as_client(outsider).get(HEAT_MAP)
    heat = response.context["heat"]
    counts = {(c.likelihood, c.impact): c.count for row in heat.rows for c in row if c.count}
    assert counts == {(2, 3): 1, (3, 4): 1, (3, 3): 1}
    assert [row[0].impact for row in heat.rows] == [4, 3, 2, 1]  # impact up the side
    assert [cell.likelihood for cell in heat.rows[0]] == [1, 2, 3, 4]  # likelihood along
    html = response.content.decode()
    svg_cell = re.search(
        r'<a href="([^"]+)" aria-label="([^"]+)" class="app-heat-cell" data-testid="cell-3-4"',
        html,
    )
    assert svg_cell is not None
    link, label = svg_cell.groups()
    assert label == "1 risk, Very high, score 12: likelihood 3, impact 4"
    linked = as_client(outsider).get(link.replace("&amp;", "&"))
    assert [row.risk.reference for row in linked.context["rows"]] == ["SR6"]
    # Every cell carries its number and its label, so colour is never needed.
    empty = re.search(r'data-testid="cell-1-1">(.*?)</a>', html, re.S)
    assert empty and ">0 risks<" in empty.group(1) and "Low" in empty.group(1)


def test_it_gives_the_same_figures_as_a_table(outsider: User, world: dict) -> None:
    html = as_client(outsider).get(HEAT_MAP).content.decode()
    assert "Risks in each cell: threats" in html
    assert "Impact 4 Very high" in html and "Likelihood 1 Remote" in html
    assert cell_text(html, "table-3-4").strip().startswith("1 risk")
    text = re.sub(
        r"\s+", " ", re.search(r'data-testid="table-3-3">(.*?)</td>', html, re.S).group(1)
    )
    assert "1 risk" in text and "High" in text and "2 last quarter" in text and "SR8" in text
    assert cell_text(html, "table-4-4").strip().startswith("0 risks")


def test_it_marks_where_each_risk_was_last_quarter(outsider: User, world: dict) -> None:
    response = as_client(outsider).get(HEAT_MAP)
    heat = response.context["heat"]
    was = {(c.likelihood, c.impact): c.was_here for row in heat.rows for c in row if c.was_here}
    assert was == {(2, 4): 1, (3, 3): 2}  # SR19 was at 2x4; SR6 and SR8 at 3x3
    assert [move.risk.reference for move in heat.moves] == ["SR19", "SR6"]
    arrows = response.context["arrows"]
    assert [arrow.label for arrow in arrows] == [
        "SR19: reduced from 8 at the end of June 2026 to 6",
        "SR6: increased from 9 at the end of June 2026 to 12",
    ]
    html = response.content.decode()
    assert html.count('marker-end="url(#arrowhead)"') == 2
    assert ">2 last quarter<" in html
    assert "from likelihood 2 × impact 4 to 2 × 3; score reduced from 8" in html


def test_it_lists_score_only_risks_apart_from_the_grid(outsider: User, world: dict) -> None:
    response = as_client(outsider).get(HEAT_MAP)
    heat = response.context["heat"]
    assert [row.risk.reference for row in heat.score_only] == ["SR14"]
    assert heat.placed == 3
    assert [row.risk.reference for row in heat.unassessed] == ["SR30"]
    html = response.content.decode()
    assert "Not placed: score only" in html
    assert "SR14</a> Risk SR14: score 16 (Very high), score only" in html


def test_it_toggles_between_threats_and_opportunities_with_links(
    outsider: User, world: dict
) -> None:
    client = as_client(outsider)
    html = client.get(HEAT_MAP).content.decode()
    toggle = re.search(r'data-testid="toggle">(.*?)</nav>', html, re.S).group(1)
    assert '<strong aria-current="page">Threats</strong>' in toggle
    link = re.search(r'href="([^"]+)">Show opportunities', toggle).group(1).replace("&amp;", "&")
    assert link == f"{HEAT_MAP}?year=2026&quarter=2&side=opportunity"
    response = client.get(link)
    heat = response.context["heat"]
    counts = {(c.likelihood, c.impact): c.count for row in heat.rows for c in row if c.count}
    assert counts == {(3, 3): 1}
    page = response.content.decode()
    assert "Impact 4 Significant" in page and "Likelihood 1 Rare" in page
    assert "Risk heat map: opportunities" in page
    assert "Show threats" in page


def _grow(portfolio: Portfolio, quarter: Quarter, theme: Any, count: int) -> None:
    year = quarter.year
    last = Return.objects.get_or_create(
        portfolio=portfolio, quarter=year.quarters.get(number=1), defaults={"state": "approved"}
    )[0]
    now = Return.objects.get_or_create(
        portfolio=portfolio, quarter=quarter, defaults={"state": "approved"}
    )[0]
    for index in range(count):
        risk = RiskFactory(portfolio=portfolio, year=year, theme=theme, assessed="both")
        assess(risk, last, threat=(1 + index % 4, 2), opportunity=(2, 2))
        if index % 3:
            assess(risk, now, threat=(1 + index % 4, 3), opportunity=(2, 1))
        else:
            RiskAssessment.objects.create(risk=risk, ret=now, threat_score=12, score_only=True)


@pytest.mark.parametrize("page", [REGISTER, HEAT_MAP, f"{HEAT_MAP}?side=opportunity"])
def test_it_runs_a_fixed_number_of_queries(
    outsider: User,
    portfolio: Portfolio,
    quarter: Quarter,
    theme: Any,
    page: str,
    django_assert_num_queries: Any,
) -> None:
    client = as_client(outsider)
    _grow(portfolio, quarter, theme, 10)
    client.get(page)  # the first page reads the council's settings and schemes into the cache
    with CaptureQueriesContext(connection) as few:
        assert client.get(page).status_code == 200
    _grow(portfolio, quarter, theme, 140)
    with django_assert_num_queries(len(few)):
        response = client.get(page)
    assert (
        len(
            response.context["rows"]
            if "rows" in response.context
            else response.context["heat"].moves
        )
        > 10
    )


def test_it_compares_quarter_1_with_last_years_quarter_4_of_the_same_risk(
    outsider: User, portfolio: Portfolio, theme: Any, year_2026: Any
) -> None:
    earlier = create_reporting_year(start_year=2025)
    old = RiskFactory(reference="SR3_CR3", portfolio=portfolio, year=earlier, theme=theme)
    new = RiskFactory(
        reference="SR3 renamed", portfolio=portfolio, year=year_2026, theme=theme, previous=old
    )
    assess(old, approved_return(portfolio, earlier.quarters.get(number=4)), threat=(4, 4))
    assess(new, approved_return(portfolio, year_2026.quarters.get(number=1)), threat=(3, 4))
    response = as_client(outsider).get(REGISTER + query(year=2026, quarter=1))
    (row,) = response.context["rows"]
    assert row.threat.change == "reduced from 16 at the end of March 2026 to 12"
    heat = as_client(outsider).get(HEAT_MAP + query(year=2026, quarter=1)).context["heat"]
    assert [move.risk for move in heat.moves] == [new]


def test_it_needs_a_sign_in(client: Client, world: dict) -> None:
    assert client.get(REGISTER).status_code == 302
    assert client.get(HEAT_MAP).status_code == 302
    assert Risk.objects.count() == 6
