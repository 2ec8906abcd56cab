"""The council's logo in Chromium: uploaded in the admin, drawn in the header of every page
(sign-in included) under the site's Content-Security-Policy."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from perfmon.demo import DEMO_PASSWORD
from tests.browser.conftest import screenshot
from tests.browser.steps import sign_in
from tests.browser.test_csp import Watch

pytestmark = pytest.mark.browser

LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
    '<rect width="40" height="40" fill="#00594f"/>'
    '<text x="48" y="26" font-family="Arial" font-size="14">Anytown</text></svg>'
)


def drawn_logo_width(page: Any) -> int:
    logo = page.locator("img.app-header__logo")
    logo.wait_for()
    page.wait_for_function("document.querySelector('img.app-header__logo').complete")
    width: int = logo.evaluate("image => image.naturalWidth")
    return width


@time_machine.travel(date(2026, 11, 23), tick=True)
def test_it_draws_the_uploaded_logo_in_every_header(
    live_server: LiveServer, page: Any, tmp_path: Path
) -> None:
    call_command("load_demo", verbosity=0)
    watch = Watch(page)
    logo = tmp_path / "anytown.svg"
    logo.write_text(LOGO)
    sign_in(page, live_server.url, "admin", DEMO_PASSWORD)
    assert page.locator("img.app-header__logo").count() == 0

    page.goto(f"{live_server.url}/admin/perfmon/councilsettings/1/change/")
    page.get_by_label("Logo:").set_input_files(str(logo))
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was changed successfully").wait_for()

    page.goto(f"{live_server.url}/")
    assert drawn_logo_width(page) == 120
    screenshot(page, "council-logo")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in to perfmon").wait_for()
    assert drawn_logo_width(page) == 120
    assert watch.problems == []
