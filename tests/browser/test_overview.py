"""The performance team steers the quarter in a real browser: the overview filtered to
what is overdue, a chase, an extension; then a director names a deputy, who approves a
return, and the trail says for whom."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from perfmon import quarters
from perfmon.models import Extension, PortfolioRole, ReminderEmail, Return, ReturnEvent
from perfmon.services import create_reporting_year, ensure_performance_team_group
from tests.browser.conftest import screenshot
from tests.browser.steps import sign_in, sign_out
from tests.factories import MeasureFactory, PortfolioFactory, PortfolioRoleFactory, UserFactory

pytestmark = pytest.mark.browser


def test_it_steers_the_quarter_from_the_overview(live_server: LiveServer, page: Any) -> None:
    today = timezone.localdate()
    start_year, number = quarters.quarter_being_reported(today)
    year = create_reporting_year(
        start_year=start_year,
        deadlines={number: (today - timedelta(days=4), today + timedelta(days=10))},
    )
    quarter = year.quarters.get(number=number)
    governance = PortfolioFactory(name="Governance and Finance")
    housing = PortfolioFactory(name="Housing")
    leisure = PortfolioFactory(name="Leisure")
    for portfolio in (governance, housing, leisure):
        MeasureFactory(portfolio=portfolio, year=year)
    officer = UserFactory(username="alex", first_name="Alex", last_name="Officer")
    director = UserFactory(username="dana", first_name="Dana", last_name="Director")
    deputy = UserFactory(username="bea", first_name="B.", last_name="Deputy")
    team = UserFactory(username="pat", first_name="Pat", last_name="Performance", is_staff=True)
    team.groups.add(ensure_performance_team_group())
    for portfolio in (governance, housing):
        PortfolioRoleFactory(user=officer, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
    PortfolioRoleFactory(user=director, portfolio=leisure, role=PortfolioRole.Role.DIRECTOR)
    PortfolioRoleFactory(user=deputy, portfolio=housing, role=PortfolioRole.Role.DIRECTOR)
    submitted = Return.objects.create(portfolio=leisure, quarter=quarter, state="submitted")
    ReturnEvent.objects.create(
        ret=submitted, action="submitted", from_state="draft", to_state="submitted", user=officer
    )
    base = live_server.url

    # The team opens the overview from the menu and narrows it to what is overdue.
    sign_in(page, base, "pat")
    page.get_by_role("link", name="Overview", exact=True).click()
    count = page.get_by_test_id("count-line")
    assert count.inner_text() == "1 of 3 submitted, 2 overdue"
    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Show returns").click()
    rows = page.get_by_test_id("overview").locator("tbody tr")
    assert rows.count() == 2
    assert "Leisure" not in page.get_by_test_id("overview").inner_text()
    screenshot(page, "overview-overdue")

    # It chases Governance and Finance's officers, with a note.
    page.get_by_role("link", name="Chase Governance and Finance").click()
    page.get_by_label("Its officers").check()
    page.get_by_label("Note (optional)").fill("Please submit today.")
    page.get_by_role("button", name="Send reminder").click()
    page.get_by_text("its officers have been reminded").wait_for()
    assert ReminderEmail.objects.filter(recipient=officer, event__action="chased").count() == 1
    row = page.locator("tr[data-portfolio='Governance and Finance']")
    assert "Chased 1 time" in row.inner_text()

    # It gives Housing a later deadline; a date before the current one is refused first.
    page.get_by_role("link", name="Extend Housing").click()
    page.get_by_label("New submission deadline").fill((today - timedelta(days=10)).isoformat())
    page.get_by_label("Reason").fill("Their data lead is off sick.")
    page.get_by_role("button", name="Extend deadline").click()
    page.locator(".govuk-error-summary").wait_for()
    assert not Extension.objects.exists()
    screenshot(page, "overview-extension-refused")
    later = today + timedelta(days=7)
    page.get_by_label("New submission deadline").fill(later.isoformat())
    page.get_by_role("button", name="Extend deadline").click()
    page.get_by_text("Housing now submits by").wait_for()
    housing_row = page.locator("tr[data-portfolio='Housing']")
    assert "Extended" in housing_row.inner_text()
    assert "overdue" not in housing_row.inner_text()
    assert page.get_by_test_id("count-line").inner_text() == "1 of 3 submitted, 1 overdue"
    screenshot(page, "overview-after-steering")
    sign_out(page)

    # The director, going away, names B. Deputy for Leisure.
    sign_in(page, base, "dana")
    page.get_by_role("link", name="Approvals", exact=True).click()
    page.get_by_role("link", name="Name a deputy to cover your decisions").click()
    page.get_by_label("Portfolio").select_option(label="Leisure")
    page.get_by_label("Deputy (username or email address)").fill("bea")
    page.get_by_label("First day of cover").fill(today.isoformat())
    page.get_by_label("Last day of cover").fill((today + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Name deputy").click()
    page.get_by_text("B. Deputy covers for Dana Director").wait_for()
    sign_out(page)

    # The deputy approves Leisure's return, and the trail says for whom.
    sign_in(page, base, "bea")
    page.get_by_role("link", name="Approvals", exact=True).click()
    page.get_by_role("link", name="Leisure").click()
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Send decision").click()
    page.get_by_text("Return approved").wait_for()
    trail = page.get_by_test_id("trail").inner_text()
    assert "Approved by B. Deputy for Dana Director" in " ".join(trail.split())
    assert Return.objects.get(pk=submitted.pk).state == Return.State.APPROVED
    assert reverse("return", args=[leisure.pk, start_year, number]) in page.url
    screenshot(page, "overview-deputy-approved")
