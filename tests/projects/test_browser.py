"""In Chromium: an officer rates a project's four criteria and its DCA in the return; once
a director approves, the dashboard shows the new ratings beside last quarter's, and the
project's page shows every change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from perfmon.models import PortfolioRole, Return
from perfmon.services import create_reporting_year
from tests.browser.conftest import browser, page  # noqa: F401  (the browser fixtures)
from tests.factories import (
    PASSWORD,
    PortfolioFactory,
    PortfolioRoleFactory,
    ThemeFactory,
    UserFactory,
)
from tests.projects.factories import ProjectFactory, ProjectUpdateFactory
from tests.projects.helpers import return_in

pytestmark = pytest.mark.browser
# Set PROJECTS_SCREENSHOTS to a folder to keep a picture of each page for review.
SHOTS = os.environ.get("PROJECTS_SCREENSHOTS")


def shot(tab: object, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def sign_in(tab: object, base: str, username: str) -> None:
    tab.goto(f"{base}/sign-in/")  # type: ignore[attr-defined]
    tab.get_by_label("Email address or username").fill(username)  # type: ignore[attr-defined]
    tab.get_by_label("Password").fill(PASSWORD)  # type: ignore[attr-defined]
    tab.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    tab.get_by_role("button", name="Sign out").wait_for()  # type: ignore[attr-defined]


def sign_out(tab: object) -> None:
    tab.get_by_role("button", name="Sign out").click()  # type: ignore[attr-defined]


def test_it_rates_a_project_and_shows_it_moved_once_approved(
    live_server: object,
    page: object,  # noqa: F811
) -> None:
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
    base = live_server.url  # type: ignore[attr-defined]
    p = f"#id_p{project.pk}"

    sign_in(page, base, "alex")
    page.goto(base + reverse("return", args=[portfolio.pk, 2026, 2]))  # type: ignore[attr-defined]
    assert "Last quarter: Not on track: Roof repairs over budget" in page.inner_text(  # type: ignore[attr-defined]
        f"#p{project.pk}"
    )
    for criterion, on_track in (
        ("time", False),
        ("cost", False),
        ("scope", True),
        ("benefits", True),
    ):
        page.check(f"{p}-{criterion}_on_track_{0 if on_track else 1}")  # type: ignore[attr-defined]
    page.fill(f"{p}-time_reason", "Phase 2 design late")  # type: ignore[attr-defined]
    page.fill(f"{p}-cost_reason", "Financial assessment red")  # type: ignore[attr-defined]
    page.select_option(f"{p}-dca", "amber_red")  # type: ignore[attr-defined]
    page.fill(f"{p}-commentary", "A report goes to Cabinet on funding.")  # type: ignore[attr-defined]
    shot(page, "projects-return-filled")
    page.get_by_role("button", name="Save and submit to director").click()  # type: ignore[attr-defined]
    page.get_by_text("Return submitted").wait_for()  # type: ignore[attr-defined]
    assert (
        page.get_by_test_id("rag-PMP9")
        .inner_text()
        .startswith(  # type: ignore[attr-defined]
            "RAG: Amber/Red Amber/Red: time and cost may not be delivered within tolerance"
        )
    )
    sign_out(page)

    sign_in(page, base, "dana")
    page.goto(base + reverse("return", args=[portfolio.pk, 2026, 2]))  # type: ignore[attr-defined]
    page.get_by_label("Approve").check()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Send decision").click()  # type: ignore[attr-defined]
    page.get_by_text("Return approved").wait_for()  # type: ignore[attr-defined]

    page.goto(base + reverse("projects:dashboard"))  # type: ignore[attr-defined]
    assert page.get_by_test_id("summary").inner_text() == (  # type: ignore[attr-defined]
        "1 of 1 project assessed red or amber/red"
    )
    row = page.get_by_test_id("project-PMP9")  # type: ignore[attr-defined]
    assert "Amber/Red\n↓ worse than last quarter (Amber/Green)" in row.inner_text()
    shot(page, "projects-dashboard")
    page.get_by_label("Rating (RAG or DCA)").select_option("green")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Show projects").click()  # type: ignore[attr-defined]
    page.get_by_text("No projects match these filters.").wait_for()  # type: ignore[attr-defined]

    page.goto(base + reverse("projects:project", args=[project.pk]))  # type: ignore[attr-defined]
    history = page.get_by_test_id("history").inner_text()  # type: ignore[attr-defined]
    assert "Q2 2026/27 · Created with Time: not on track" in history
    assert "DCA: Amber/Red; Supporting information added, by Alex Officer" in history
    shot(page, "projects-project-page")
