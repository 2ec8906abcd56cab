"""In Chromium: an officer rates a project's four criteria and its DCA in the return; once
a director approves, the dashboard shows the new ratings beside last quarter's, and the
project's page shows every change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from perfmon.models import PortfolioRole, Return
from perfmon.services import create_reporting_year
from tests.browser.conftest import screenshot
from tests.browser.steps import check_and_submit, sign_in
from tests.factories import (
    PortfolioFactory,
    PortfolioRoleFactory,
    ThemeFactory,
    UserFactory,
)
from tests.projects.factories import ProjectFactory, ProjectUpdateFactory
from tests.projects.helpers import return_in

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Urls:
    base: str
    ret: str
    dashboard: str
    project: str
    project_pk: int


def shot(tab: Any, name: str) -> None:
    screenshot(tab, name)


def rate_submit_approve_and_look(tab: Any, urls: Urls) -> None:
    """The browser's part."""
    p = f"#id_p{urls.project_pk}"

    sign_in(tab, urls.base, "alex")
    tab.goto(urls.ret)
    fieldset = tab.inner_text(f"#p{urls.project_pk}")
    assert "Last quarter: Not on track: Roof repairs over budget" in fieldset
    for criterion, index in (("time", 1), ("cost", 1), ("scope", 0), ("benefits", 0)):
        tab.check(f"{p}-{criterion}_on_track_{index}")  # 0 on track, 1 not
    tab.fill(f"{p}-time_reason", "Phase 2 design late")
    tab.fill(f"{p}-cost_reason", "Financial assessment red")
    tab.select_option(f"{p}-dca", "amber_red")
    tab.fill(f"{p}-commentary", "A report goes to Cabinet on funding.")
    shot(tab, "projects-return-filled")
    tab.get_by_role("button", name="Save draft").click()
    tab.get_by_text("Draft saved").wait_for()
    rag = tab.get_by_test_id("rag-PMP9").inner_text()
    assert rag.startswith("RAG: Amber/Red Amber/Red: time and cost may not be delivered")
    check_and_submit(tab)
    tab.get_by_role("button", name="Sign out").click()

    sign_in(tab, urls.base, "dana")
    tab.goto(urls.ret)
    tab.get_by_label("Approve").check()
    tab.get_by_role("button", name="Send decision").click()
    tab.get_by_text("Return approved").wait_for()

    tab.goto(urls.dashboard)
    summary = tab.get_by_test_id("summary").inner_text()
    assert summary == "1 of 1 project assessed red or amber/red"
    row = tab.get_by_test_id("project-PMP9").inner_text()
    assert "Amber/Red\n↓ worse than last quarter (Amber/Green)" in row
    shot(tab, "projects-dashboard")
    tab.get_by_label("Rating (RAG or DCA)").select_option("green")
    tab.get_by_role("button", name="Show projects").click()
    tab.get_by_text("No projects match these filters.").wait_for()

    tab.goto(urls.project)
    history = tab.get_by_test_id("history").inner_text()
    assert "Q2 2026/27 · Created with Time: not on track" in history
    assert "DCA: Amber/Red; Supporting information added, by Alex Officer" in history
    shot(tab, "projects-project-page")


def test_it_rates_a_project_and_shows_it_moved_once_approved(live_server: Any, page: Any) -> None:
    portfolio = PortfolioFactory(name="Governance and Finance")
    year = create_reporting_year(start_year=2026)
    project = ProjectFactory(
        portfolio=portfolio,
        year=year,
        theme=ThemeFactory(name="A Vibrant City"),
        reference="PMP9",
        name="Market Hall",
    )
    ProjectUpdateFactory(
        project=project,
        ret=return_in(portfolio, 2026, 1, Return.State.APPROVED),
        cost_on_track=False,
        cost_reason="Roof repairs over budget",
        dca="amber_green",
    )
    officer = UserFactory(username="alex", first_name="Alex", last_name="Officer")
    director = UserFactory(username="dana", first_name="Dana", last_name="Director")
    PortfolioRoleFactory(user=officer, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
    PortfolioRoleFactory(user=director, portfolio=portfolio, role=PortfolioRole.Role.DIRECTOR)
    base = live_server.url
    urls = Urls(
        base=base,
        ret=base + reverse("return", args=[portfolio.pk, 2026, 2]),
        dashboard=base + reverse("projects:dashboard"),
        project=base + reverse("projects:project", args=[project.pk]),
        project_pk=project.pk,
    )
    rate_submit_approve_and_look(page, urls)
    update = project.updates.get(ret__quarter__number=2)
    assert (update.rag, update.dca, update.ret.state) == ("amber_red", "amber_red", "approved")
    assert update.history.get().history_user == officer
