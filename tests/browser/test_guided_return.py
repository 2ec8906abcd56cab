"""The guided return in a real browser: the task list, a data-quality warning confirmed,
check your answers, submit; the director's summary, an empty decision shown as an error
summary that takes focus, then approval. And the sticky Save bar never hides the field
that has focus (WCAG 2.2, 2.4.11)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from measures.models import MeasureUpdate
from perfmon.models import Portfolio, PortfolioRole, Quarter, Return
from perfmon.services import create_reporting_year
from tests.browser.conftest import screenshot
from tests.browser.steps import sign_in
from tests.factories import (
    ActionFactory,
    MeasureFactory,
    PortfolioFactory,
    PortfolioRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


def focused_is_error_summary(page: Any) -> bool:
    """Whether GOV.UK Frontend (a deferred module) has moved focus to the error summary;
    waits for it, failing the test if it never does."""
    page.wait_for_function(
        "() => document.activeElement.classList.contains('govuk-error-summary')", timeout=5000
    )
    return True


def portfolio_with_officer_and_director() -> tuple[Portfolio, Quarter]:
    portfolio = PortfolioFactory(name="Governance and Finance")
    quarter = create_reporting_year(start_year=2026).quarters.get(number=2)
    officer = UserFactory(username="alex", first_name="Alex", last_name="Officer")
    director = UserFactory(username="dana", first_name="Dana", last_name="Director")
    PortfolioRoleFactory(user=officer, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
    PortfolioRoleFactory(user=director, portfolio=portfolio, role=PortfolioRole.Role.DIRECTOR)
    return portfolio, quarter


def test_it_guides_a_return_from_the_task_list_to_approval(live_server: Any, page: Any) -> None:
    portfolio, quarter = portfolio_with_officer_and_director()
    measure = MeasureFactory(
        portfolio=portfolio,
        year=quarter.year,
        reference="CM PM03",
        description="% Council Tax collected in-year",
        target=93.8,
    )
    action = ActionFactory(portfolio=portfolio, year=quarter.year, reference="SM 10")
    base = live_server.url
    return_url = base + reverse("return", args=[portfolio.pk, 2026, 2])
    m = f"#id_m{measure.pk}"

    # The officer starts from My returns: the return's progress, then its task list.
    sign_in(page, base, "alex")
    page.get_by_role("link", name="My returns").click()
    assert "0 of 2 answered" in page.get_by_test_id(f"progress-{portfolio.pk}").inner_text()
    page.get_by_role("link", name="Governance and Finance").click()
    assert page.get_by_test_id("task-measures").inner_text() == "Not started"
    page.locator(f"#id_a{action.pk}-status").select_option("on_track")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved").wait_for()
    assert page.get_by_test_id("task-actions").inner_text() == "Completed"
    screenshot(page, "guided-task-list")

    # A percentage of 740 is probably a typing mistake: the officer must confirm it.
    page.get_by_role("link", name="Performance measures").click()
    page.locator(f"{m}-actual").fill("740%")
    page.get_by_role("button", name="Save and check your answers").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error:")
    assert focused_is_error_summary(page)
    assert page.get_by_test_id("task-measures").inner_text() == "There is a problem"
    assert "740% is a percentage over 100" in page.locator(f"{m}-actual_error").inner_text()
    screenshot(page, "guided-quality-warning")
    page.locator(".govuk-error-summary__list a").first.click()
    assert page.evaluate("() => document.activeElement.id") == f"id_m{measure.pk}-actual"
    page.get_by_label("I have checked this actual: it is right").check()
    page.get_by_role("button", name="Save and check your answers").click()

    # Check your answers: the value, the confirmed warning, a Change link; then submit.
    page.get_by_role("heading", name="Check your answers before submitting").wait_for()
    assert "Data-quality warning confirmed: 740% is a percentage over 100" in (
        page.get_by_test_id("flagged").inner_text()
    )
    change = page.get_by_role(
        "link", name="Change actual of CM PM03 % Council Tax collected in-year"
    )
    assert change.get_attribute("href").endswith(f"{m}-actual")
    screenshot(page, "guided-check-answers")
    page.get_by_role("button", name="Submit return").click()  # no declaration yet
    assert page.title().startswith("Error:")
    assert focused_is_error_summary(page)
    page.get_by_label("I have checked these answers").check()
    page.get_by_role("button", name="Submit return").click()
    page.get_by_text("Return submitted").wait_for()
    assert page.get_by_test_id("state").inner_text() == "Submitted"
    assert MeasureUpdate.objects.get().quality_warning == "740% is a percentage over 100"
    page.get_by_role("button", name="Sign out").click()

    # The director: the summary first, the decision near the top, the return read only.
    sign_in(page, base, "dana")
    page.get_by_role("link", name="Approvals").click()
    page.get_by_role("link", name="Governance and Finance").click()
    summary = page.get_by_test_id("director-summary")
    assert "740% is a percentage over 100" in summary.inner_text()
    assert page.locator("input[disabled], select[disabled], textarea[disabled]").count() == 0
    screenshot(page, "guided-director")
    page.get_by_role("button", name="Send decision").click()  # nothing chosen
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error:")
    assert focused_is_error_summary(page)
    link = page.get_by_role("link", name="Choose whether to approve or return the return")
    assert link.get_attribute("href") == "#id_decision_0"
    assert page.url.endswith("/decide/")
    page.goto(page.url)  # the failed decision's address can be loaded again: the return
    assert page.url == return_url
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Send decision").click()
    page.get_by_text("Return approved").wait_for()
    assert page.get_by_test_id("state").inner_text() == "Approved"
    assert Return.objects.get().state == Return.State.APPROVED


def test_it_never_hides_the_focused_field_behind_the_save_bar(live_server: Any, page: Any) -> None:
    portfolio, quarter = portfolio_with_officer_and_director()
    for _ in range(12):
        MeasureFactory(portfolio=portfolio, year=quarter.year)
    sign_in(page, live_server.url, "alex")
    page.goto(live_server.url + reverse("return", args=[portfolio.pk, 2026, 2]))
    page.locator("#return-form").focus()
    hidden = []
    for _ in range(80):
        page.keyboard.press("Tab")
        overlap = page.evaluate(
            """() => {
                const el = document.activeElement;
                const bar = document.querySelector('.perfmon-sticky-actions');
                if (!el || !bar || bar.contains(el) || !el.closest('#return-form')) return null;
                const r = el.getBoundingClientRect(), b = bar.getBoundingClientRect();
                return r.bottom > b.top && r.top < b.bottom ? el.id || el.tagName : null;
            }"""
        )
        if overlap:
            hidden.append(overlap)
    assert hidden == []


def test_it_fits_the_return_and_its_check_page_in_320_pixels(live_server: Any, page: Any) -> None:
    portfolio, quarter = portfolio_with_officer_and_director()
    MeasureFactory(portfolio=portfolio, year=quarter.year, reference="CM PM03")
    ActionFactory(portfolio=portfolio, year=quarter.year, reference="SM 10")
    sign_in(page, live_server.url, "alex")
    page.set_viewport_size({"width": 320, "height": 800})
    wide = "() => document.documentElement.scrollWidth"
    for name in ("return", "check_return", "my_returns"):
        args = [] if name == "my_returns" else [portfolio.pk, 2026, 2]
        page.goto(live_server.url + reverse(name, args=args))
        assert page.evaluate(wide) <= 320, name
    screenshot(page, "guided-320")
