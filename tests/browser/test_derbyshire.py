"""A Derbyshire deliverable rated in a return, in the county's own words, reaches the
trend report beside its last quarter's rating."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from pytest_django.live_server_helper import LiveServer

from measures.models import Action, ActionUpdate
from perfmon.demo import DEMO_PASSWORD
from perfmon.models import Return
from tests.browser.conftest import screenshot
from tests.browser.steps import check_and_submit, sign_in

pytestmark = pytest.mark.browser


def test_it_rates_a_deliverable_and_shows_it_on_the_trend(
    live_server: LiveServer, page: Any
) -> None:
    call_command("load_demo", "--council", "derbyshire", stdout=StringIO())
    action = Action.objects.get(reference="CP D01", year__start_year=2021)
    # The performance team reopens the priority's Q4 return for a correction.
    ret = Return.objects.get(portfolio=action.portfolio, quarter__number=4)
    ret.state = Return.State.REOPENED
    ret.save(update_fields=["state"])
    base = live_server.url

    sign_in(page, base, "officer", DEMO_PASSWORD)
    page.goto(base + reverse("return", args=[action.portfolio_id, 2021, 4]))
    status = page.locator(f"#id_a{action.pk}-status")
    assert "Strong" in status.inner_text() and "Some slippage" not in status.inner_text()
    status.select_option("review")
    check_and_submit(page)
    screenshot(page, "derbyshire-return")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, "director", DEMO_PASSWORD)
    page.goto(base + reverse("return", args=[action.portfolio_id, 2021, 4]))
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Send decision").click()
    page.get_by_text("Return approved").wait_for()

    page.goto(f"{base}/reports/trend/?year=2021&quarter=4")
    row = page.locator("tr", has_text="CP D01").first
    assert " ".join(row.inner_text().split()).count("Review (Good in Q3)") == 1
    screenshot(page, "derbyshire-trend")
    update = ActionUpdate.objects.get(action=action, ret=ret)
    assert update.rating is not None and update.rating.label == "Review"
