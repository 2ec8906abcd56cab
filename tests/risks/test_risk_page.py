"""A risk's page: its definition, every quarter of every year of its lineage with the
change in words, unapproved quarters and history only for its portfolio's people and the
performance team, in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perfmon.models import Portfolio, Return, User
from perfmon.services import create_reporting_year
from risks.models import RiskAssessment
from tests.risks.conftest import approved_return, as_client
from tests.risks.factories import RiskFactory, assess


def _lineage(portfolio: Portfolio, theme: Any, year_2026: Any) -> dict[str, Any]:
    earlier = create_reporting_year(start_year=2025)
    old = RiskFactory(
        reference="SR19",
        title="Business resilience",
        year=earlier,
        portfolio=portfolio,
        theme=theme,
        owner_name="Director of Economy",
    )
    new = RiskFactory(
        reference="SR19_CR2",
        title="Business resilience and jobs",
        year=year_2026,
        portfolio=portfolio,
        theme=theme,
        previous=old,
        assessed="both",
    )
    RiskAssessment.objects.create(
        risk=old,
        ret=approved_return(portfolio, earlier.quarters.get(number=4)),
        threat_score=8,
        score_only=True,
    )
    assess(
        new,
        approved_return(portfolio, year_2026.quarters.get(number=1)),
        threat=(2, 3),
        opportunity=(2, 2),
        controls="Redundancy working group.",
    )
    assess(
        new,
        Return.objects.create(portfolio=portfolio, quarter=year_2026.quarters.get(number=2)),
        threat=(3, 3),
        opportunity=(2, 2),
    )
    return {"old": old, "new": new}


def test_it_shows_the_definition_and_every_quarter_with_the_change(
    officer: User, portfolio: Portfolio, theme: Any, year_2026: Any
) -> None:
    risks = _lineage(portfolio, theme, year_2026)
    response = as_client(officer).get(reverse("risks:risk", args=[risks["new"].pk]))
    html = response.content.decode()
    assert "Business resilience and jobs" in html and "Threat and opportunity" in html
    assert "2025/26: SR19" in html  # the other year of its lineage
    rows = {row.label: row for row in response.context["rows"]}
    assert len(rows) == 8
    assert rows["Q4 2025/26"].sides[0][0].text == "8 (score only, as published)"
    assert rows["Q1 2026/27"].sides[0][1] == "reduced from 8 at the end of March 2026 to 6"
    assert rows["Q1 2026/27"].sides[1][1] == "4, not scored at the end of March 2026"
    assert rows["Q2 2026/27"].sides[0][1] == "increased from 6 at the end of June 2026 to 9"
    assert "Not yet approved" in html  # Q2 is a draft, shown to the portfolio's officer
    assert "Redundancy working group." in html
    assert 'data-testid="history"' in html


def test_it_shows_viewers_approved_quarters_and_no_history(
    outsider: User, portfolio: Portfolio, theme: Any, year_2026: Any
) -> None:
    risks = _lineage(portfolio, theme, year_2026)
    response = as_client(outsider).get(reverse("risks:risk", args=[risks["new"].pk]))
    rows = {row.label: row for row in response.context["rows"]}
    assert rows["Q2 2026/27"].update is None
    assert rows["Q1 2026/27"].update is not None
    html = response.content.decode()
    assert "Not yet approved" not in html and 'data-testid="history"' not in html
    assert response.context["history"] is None


def test_it_says_who_owns_a_risk_and_404s_for_none(
    outsider: User, portfolio: Portfolio, theme: Any, year_2026: Any
) -> None:
    risks = _lineage(portfolio, theme, year_2026)
    client = as_client(outsider)
    assert (
        "Director of Economy"
        in client.get(reverse("risks:risk", args=[risks["old"].pk])).content.decode()
    )
    assert client.get(reverse("risks:risk", args=[999999])).status_code == 404


def test_it_runs_a_fixed_number_of_queries_whatever_the_years(
    admin_user: User, portfolio: Portfolio, theme: Any, year_2026: Any
) -> None:
    client = as_client(admin_user)
    risks = _lineage(portfolio, theme, year_2026)
    url = reverse("risks:risk", args=[risks["old"].pk])
    client.get(url)  # the first page reads the council's settings and schemes into the cache
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    previous = risks["new"]
    for start in (2027, 2028, 2029):
        year = create_reporting_year(start_year=start)
        previous = RiskFactory(
            reference=f"SR19 {start}",
            year=year,
            portfolio=portfolio,
            theme=theme,
            previous=previous,
        )
        assess(previous, approved_return(portfolio, year.quarters.get(number=1)), threat=(1, 2))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["rows"]) == 20
    assert len(many) == len(few)
