from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


@time_machine.travel(date(2026, 11, 23), tick=True)
def test_it_signs_the_demo_officer_in_to_see_their_portfolios(
    live_server: LiveServer, page: Any
) -> None:
    call_command("load_demo", verbosity=0)
    page.goto(f"{live_server.url}/")
    assert "/sign-in/" in page.url
    page.get_by_label("Email address or username").fill("officer@demo.perfmon.invalid")
    page.get_by_label("Password").fill("perfmon-demo")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("heading", name="Your portfolios").wait_for()
    table = page.get_by_role("table")
    assert "Children, Young People and Skills" in table.inner_text()
    assert "Governance and Finance" in table.inner_text()
    assert "Officer" in table.inner_text()
    assert "Reporting now: Quarter 2 2026/27" in page.content()
    screenshot(page, "home-officer")

    page.get_by_role("button", name="Sign out").click()
    assert "/sign-in/" in page.url
