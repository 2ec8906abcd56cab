"""A risk re-scored and a project rated in one return, in a real browser: the officer fills
both in, the director approves, the heat map and the project dashboard show the new
positions with last quarter's beside them, and the risk's page shows every change."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from pytest_django.live_server_helper import LiveServer

from perfmon.models import PortfolioRole, Return
from perfmon.services import create_reporting_year
from risks.models import RiskAssessment
from tests.browser.steps import check_and_submit, sign_in, sign_out
from tests.factories import PortfolioFactory, PortfolioRoleFactory, UserFactory
from tests.projects.factories import ProjectFactory, ProjectUpdateFactory
from tests.risks.factories import RiskFactory, assess

pytestmark = pytest.mark.browser


def test_it_re_scores_a_risk_and_rates_a_project_and_both_pages_show_the_moves(
    live_server: LiveServer,
    page: Any,
) -> None:
    portfolio = PortfolioFactory(name="Governance and Finance")
    year = create_reporting_year(start_year=2026)
    risk = RiskFactory(
        reference="SR19", title="Business resilience", year=year, portfolio=portfolio
    )
    first = Return.objects.create(
        portfolio=portfolio, quarter=year.quarters.get(number=1), state="approved"
    )
    assess(risk, first, threat=(2, 4))
    project = ProjectFactory(
        portfolio=portfolio, year=year, theme=risk.theme, reference="PMP9", name="Market Hall"
    )
    ProjectUpdateFactory(project=project, ret=first, dca="green")
    officer = UserFactory(username="alex", first_name="Alex", last_name="Officer")
    director = UserFactory(username="dana", first_name="Dana", last_name="Director")
    PortfolioRoleFactory(user=officer, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
    PortfolioRoleFactory(user=director, portfolio=portfolio, role=PortfolioRole.Role.DIRECTOR)
    base = live_server.url
    return_url = base + reverse("return", args=[portfolio.pk, 2026, 2])

    # The officer scores the risk, thinks again, and submits.
    sign_in(page, base, "alex")
    page.goto(return_url)
    previous = page.get_by_test_id("previous-SR19-threat").inner_text()
    assert "Last quarter: 8 (likelihood 2 × impact 4)" in previous
    page.locator(f"#id_r{risk.pk}-threat_likelihood").select_option("3")
    page.locator(f"#id_r{risk.pk}-threat_impact").select_option("3")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved").wait_for()
    now = page.get_by_test_id("previous-SR19-threat").inner_text()
    assert "Score increased from 8 at the end of June 2026 to 9" in now
    page.locator(f"#id_r{risk.pk}-threat_likelihood").select_option("2")
    page.locator(f"#id_r{risk.pk}-controls").fill("Redundancy working group.")
    # In the same return, the project: time and cost off track, DCA Amber/Red.
    p = f"#id_p{project.pk}"
    for criterion, index in (("time", 1), ("cost", 1), ("scope", 0), ("benefits", 0)):
        page.check(f"{p}-{criterion}_on_track_{index}")
    page.fill(f"{p}-time_reason", "Phase 2 design late")
    page.fill(f"{p}-cost_reason", "Tenders over budget")
    page.select_option(f"{p}-dca", "amber_red")
    page.fill(f"{p}-commentary", "A report goes to Cabinet on funding.")
    check_and_submit(page)
    sign_out(page)

    # The director approves.
    sign_in(page, base, "dana")
    page.goto(return_url)
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Send decision").click()
    page.get_by_text("Return approved").wait_for()
    assert page.locator(f"#id_r{risk.pk}-threat_likelihood").count() == 0

    # The heat map shows where it is now, where it was, and the move in words.
    page.goto(base + reverse("risks:heat_map"))
    assert "Q2 2026/27" in page.locator("h1 + *, .govuk-caption-l").first.inner_text()
    now_cell = page.get_by_test_id("cell-2-3")
    assert now_cell.get_attribute("aria-label").startswith("1 risk, Medium, score 6:")
    was_cell = page.get_by_test_id("cell-2-4")
    was_label = was_cell.get_attribute("aria-label")
    assert was_label.startswith("0 risks, High, score 8, 1 last quarter:")
    moves = page.get_by_test_id("moves").inner_text()
    assert "SR19" in moves and "score reduced from 8 at the end of June 2026 to 6" in moves
    page.get_by_role("link", name="Show opportunities").click()
    page.get_by_role("heading", name="Risk heat map: opportunities").wait_for()
    page.get_by_role("link", name="Show threats").click()

    # The project dashboard shows the project's move beside last quarter's rating.
    page.goto(base + reverse("projects:dashboard"))
    row = page.get_by_test_id("project-PMP9").inner_text()
    assert "Amber/Red\n↓ worse than last quarter (Green)" in row
    page.goto(base + reverse("risks:heat_map"))

    # A cell leads to its risks, and the risk's page to every change.
    page.get_by_test_id("table-2-3").get_by_role("link").click()
    page.get_by_test_id("risk-SR19").get_by_role("link", name="SR19").click()
    history = page.get_by_test_id("history").inner_text()
    assert "Threat likelihood: 3 → 2" in history and "Alex Officer" in history
    assert "Created with Threat likelihood: 3; Threat impact: 3; Threat score: 9" in history
    assessment = RiskAssessment.objects.get(ret__quarter__number=2)
    assert (assessment.threat_score, assessment.controls) == (6, "Redundancy working group.")
    assert assessment.history.count() == 2
