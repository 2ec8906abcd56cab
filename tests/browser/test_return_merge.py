"""Two officers editing one return in two browsers: changes to different items merge;
the same field changed by both comes back to the second, who confirms theirs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from pytest_django.live_server_helper import LiveServer

from measures.models import MeasureUpdate
from perfmon.models import PortfolioRole
from perfmon.services import create_reporting_year
from tests.browser.conftest import screenshot
from tests.browser.steps import sign_in
from tests.factories import MeasureFactory, PortfolioFactory, PortfolioRoleFactory, UserFactory

pytestmark = pytest.mark.browser


def test_it_merges_two_browsers_saves_and_shows_a_clash(
    live_server: LiveServer, browser: Any
) -> None:
    portfolio = PortfolioFactory(name="Governance and Finance")
    quarter = create_reporting_year(start_year=2026).quarters.get(number=2)
    x, y = (
        MeasureFactory(portfolio=portfolio, year=quarter.year, reference=ref, target=50)
        for ref in ("CM PM01", "CM PM02")
    )
    for username, first in (("ann", "Ann"), ("ben", "Ben")):
        person = UserFactory(username=username, first_name=first, last_name="Officer")
        PortfolioRoleFactory(user=person, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
    base = live_server.url
    url = base + reverse("return", args=[portfolio.pk, 2026, 2])
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(2)]
    ann, ben = (context.new_page() for context in contexts)
    try:
        for page, username in ((ann, "ann"), (ben, "ben")):
            sign_in(page, base, username)
            page.goto(url)

        # Different items: both kept, and Ben is told what Ann changed.
        ann.locator(f"#id_m{x.pk}-actual").fill("51%")
        ann.get_by_role("button", name="Save draft").click()
        ann.get_by_text("Draft saved").wait_for()
        ben.locator(f"#id_m{y.pk}-actual").fill("52%")
        ben.get_by_role("button", name="Save draft").click()
        ben.get_by_text("Ann Officer changed CM PM01 actual to 51%").wait_for()
        assert MeasureUpdate.objects.get(measure=x).actual == Decimal("51")
        assert MeasureUpdate.objects.get(measure=y).actual == Decimal("52")

        # The same field: Ann's stays; Ben sees the clash at the field and confirms his.
        ann.goto(url)
        ann.locator(f"#id_m{x.pk}-actual").fill("60%")
        ben.locator(f"#id_m{x.pk}-actual").fill("57%")
        ann.get_by_role("button", name="Save draft").click()
        ann.get_by_text("Draft saved").wait_for()
        ben.get_by_role("button", name="Save draft").click()
        ben.get_by_test_id("conflict").wait_for()
        assert (
            "Ann Officer changed it to 60%; yours is 57%"
            in ben.get_by_test_id("conflict").inner_text()
        )
        assert ben.locator(f"#id_m{x.pk}-actual").input_value() == "57%"
        assert ben.title().startswith("Error:")
        screenshot(ben, "return-clash")
        assert MeasureUpdate.objects.get(measure=x).actual == Decimal("60")
        ben.get_by_role("button", name="Save draft").click()
        ben.get_by_text("Draft saved").wait_for()
        assert MeasureUpdate.objects.get(measure=x).actual == Decimal("57")
        assert MeasureUpdate.objects.get(measure=y).actual == Decimal("52")
    finally:
        for context in contexts:
            context.close()
