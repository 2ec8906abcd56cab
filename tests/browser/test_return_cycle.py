"""The quarterly cycle in a real browser: fill in, submit, return, correct, approve."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from pytest_django.live_server_helper import LiveServer

from measures.models import MeasureUpdate
from perfmon.models import PortfolioRole, Return
from perfmon.services import create_reporting_year
from tests.browser.conftest import screenshot
from tests.browser.steps import check_and_submit, sign_in, sign_out
from tests.factories import (
    ActionFactory,
    MeasureFactory,
    PortfolioFactory,
    PortfolioRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


def test_it_takes_a_return_from_draft_to_approved(live_server: LiveServer, page: Any) -> None:
    portfolio = PortfolioFactory(name="Governance and Finance")
    quarter = create_reporting_year(start_year=2026).quarters.get(number=2)
    measure = MeasureFactory(
        portfolio=portfolio,
        year=quarter.year,
        reference="CM PM03",
        description="% Council Tax collected in-year",
        target=93.8,
    )
    action = ActionFactory(portfolio=portfolio, year=quarter.year, reference="SM 10")
    officer = UserFactory(username="alex", first_name="Alex", last_name="Officer")
    director = UserFactory(username="dana", first_name="Dana", last_name="Director")
    PortfolioRoleFactory(user=officer, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
    PortfolioRoleFactory(user=director, portfolio=portfolio, role=PortfolioRole.Role.DIRECTOR)
    base = live_server.url
    return_url = base + reverse("return", args=[portfolio.pk, 2026, 2])

    # The officer fills in the return from their inbox and submits it.
    sign_in(page, base, "alex")
    page.get_by_role("link", name="My returns").click()
    page.get_by_role("link", name="Governance and Finance").click()
    page.locator(f"#id_m{measure.pk}-actual").fill("93.25%")
    page.locator(f"#id_a{action.pk}-status").select_option("on_track")
    page.locator(f"#id_a{action.pk}-commentary").fill("Board agreed the programme.")
    check_and_submit(page)
    assert page.get_by_test_id("state").inner_text() == "Submitted"
    assert page.get_by_role("button", name="Save draft").count() == 0
    screenshot(page, "return-submitted")
    sign_out(page)

    # The director sends it back with a comment.
    sign_in(page, base, "dana")
    page.get_by_role("link", name="Approvals").click()
    page.get_by_role("link", name="Governance and Finance").click()
    page.get_by_label("Return to officers").check()
    page.get_by_label("Comment").fill("Explain why collection is below target.")
    page.get_by_role("button", name="Send decision").click()
    page.get_by_text("Return sent back").wait_for()
    sign_out(page)

    # The officer sees the comment, corrects and resubmits.
    sign_in(page, base, "alex")
    page.goto(return_url)
    assert "Explain why collection" in page.get_by_test_id("returned-comment").inner_text()
    page.locator(f"#id_m{measure.pk}-commentary").fill("Cost of living pressures.")
    check_and_submit(page)
    sign_out(page)

    # The director approves; the return locks for both of them.
    sign_in(page, base, "dana")
    page.goto(return_url)
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Send decision").click()
    page.get_by_text("Return approved").wait_for()
    assert page.get_by_test_id("state").inner_text() == "Approved"
    assert page.get_by_role("button", name="Send decision").count() == 0
    assert page.locator(f"#id_m{measure.pk}-actual").count() == 0  # read only: summary lists
    screenshot(page, "return-approved")
    sign_out(page)

    sign_in(page, base, "alex")
    page.goto(return_url)
    assert page.get_by_role("button", name="Save draft").count() == 0
    assert page.locator(f"#id_m{measure.pk}-actual").count() == 0  # read only: summary lists

    ret = Return.objects.get()
    assert ret.state == Return.State.APPROVED
    assert list(ret.events.values_list("action", flat=True)) == [
        "saved",
        "submitted",
        "returned",
        "saved",
        "submitted",
        "approved",
    ]
    update = MeasureUpdate.objects.get()
    assert update.commentary == "Cost of living pressures."
    assert [h.history_user for h in update.history.all()] == [officer, officer]

    # The measure's page shows every step of its update, by whom.
    page.goto(base + reverse("measures:measure", args=[measure.pk]))
    history = page.get_by_test_id("history").inner_text()
    assert "93.25%" in history and "Alex Officer" in history
    assert history.count("Q2 2026/27") >= 2  # entered, then the commentary added
    screenshot(page, "measure-history")
