"""Accessibility beyond the return page, in Chromium. axe-core checks every page these tests
load (tests/browser/axe.py, through the conftest); these tests add what axe cannot see: the
heat map's arrows clear of its words, no sideways scrolling at 390 and 320 pixels, the API's
reference drawn, the sign-in error summary leading to the field, and the statement."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from measures.models import Measure
from perfmon.demo import DEMO_PASSWORD
from projects.models import Project
from reports.models import OpenDataSetting
from risks.models import Risk
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.browser.steps import sign_in

pytestmark = pytest.mark.browser

NARROW = (390, 320)

# Each word's box in the heat map's cells, and each arrow's ends (its circle where the risk
# was, its head where it is): which ends fall on a word. Lines between the ends may pass
# behind a word, which is painted over them (WORDS_OVER_ARROWS).
ARROW_ENDS_ON_WORDS = """
() => {
  const svg = document.querySelector("[data-testid=heat-map]");
  const words = [...svg.querySelectorAll("a text")].map((text) => text.getBBox());
  const near = (x, y, r) => words.some((box) => x >= box.x - r && x <= box.x + box.width + r
    && y >= box.y - r && y <= box.y + box.height + r);
  const covered = [];
  for (const line of svg.querySelectorAll("line")) {
    const [x1, y1, x2, y2] = ["x1", "y1", "x2", "y2"].map((name) => line[name].baseVal.value);
    if (near(x1, y1, 6)) covered.push(["from", x1, y1]);
    if (near(x2, y2, 6)) covered.push(["to", x2, y2]);
  }
  return covered;
}
"""
# Whether every cell's words come after (so are painted over) every arrow.
WORDS_OVER_ARROWS = """
() => {
  const svg = document.querySelector("[data-testid=heat-map]");
  const lines = [...svg.querySelectorAll("line")];
  const words = [...svg.querySelectorAll("a text")];
  return lines.every((line) => words.every(
    (text) => line.compareDocumentPosition(text) & Node.DOCUMENT_POSITION_FOLLOWING));
}
"""
# The outermost elements reaching past the page's right edge, to say what to fix.
WIDER_THAN_PAGE = """
() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.body.querySelectorAll("*")].filter(
    (element) => element.getBoundingClientRect().right > width + 1);
  return wide.filter((element) => !wide.includes(element.parentElement)).slice(0, 5).map(
    (element) => `${element.tagName.toLowerCase()}.${element.className}`);
}
"""


def assert_no_sideways_scroll(page: Any, what: str) -> None:
    width = page.evaluate("document.documentElement.clientWidth")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll <= width:
        return
    wide = page.evaluate(WIDER_THAN_PAGE)
    raise AssertionError(f"{what} scrolls sideways: {scroll}px in {width}px, from {wide}")


def at_narrow_widths(page: Any, url: str, name: str) -> None:
    """The page at 390 and 320 pixels wide: nothing off to the side, and still passing axe."""
    for width in NARROW:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(url)
        screenshot(page, f"a11y-{name}-{width}")
        assert_no_sideways_scroll(page, f"{url} at {width}px")
    page.set_viewport_size({"width": 1280, "height": 900})


@time_machine.travel(date(2026, 11, 23), tick=True)
def test_it_names_heat_map_cells_by_what_they_show_with_arrows_clear_of_their_words(
    live_server: Any, page: Any
) -> None:
    call_command("load_demo", verbosity=0)
    base = live_server.url
    sign_in(page, base, "officer", DEMO_PASSWORD)
    page.goto(base + reverse("risks:heat_map"))
    assert page.locator("[data-testid=heat-map] line").count() > 0, "the demo has moves"

    # Each cell's name starts with the words it shows, then says where it is.
    for cell in page.locator("[data-testid=heat-map] a").all():
        shown = " ".join(cell.locator("text").all_text_contents())
        name = cell.get_attribute("aria-label")
        assert name.replace(",", "").startswith(shown), (shown, name)
        assert ": likelihood " in name
    assert page.get_by_role("link", name="0 risks, Low, score 1: likelihood 1, impact 1").count()

    assert page.evaluate(ARROW_ENDS_ON_WORDS) == []
    assert page.evaluate(WORDS_OVER_ARROWS)
    screenshot(page, "a11y-heat-map")
    page.get_by_test_id("heat-map").screenshot(path=SCREENSHOTS / "a11y-heat-map-cells.png")

    # A cell's link is reached by keyboard and shows where the focus is.
    page.locator("[data-testid=cell-1-1]").focus()
    target = page.locator("[data-testid=cell-1-1] .app-heat-cell__target")
    assert target.evaluate("rect => getComputedStyle(rect).fill") == "rgb(255, 221, 0)"

    at_narrow_widths(page, base + reverse("risks:heat_map"), "heat-map")


@time_machine.travel(date(2026, 11, 23), tick=True)
def test_it_fits_the_sites_pages_in_320_pixels(live_server: Any, page: Any) -> None:
    call_command("load_demo", verbosity=0)
    base = live_server.url
    sign_in(page, base, "admin", DEMO_PASSWORD)
    measure = Measure.objects.filter(year__start_year=2024).order_by("pk").first()
    project = Project.objects.order_by("pk").first()
    risk = Risk.objects.order_by("pk").first()
    assert measure and project and risk
    pages = {
        "home": "/",
        "reports": reverse("reports:index"),
        "report-annual": reverse("reports:report", args=["annual"]),
        "report-summary": reverse("reports:report", args=["summary"]),
        "report-quarterly": reverse("reports:report", args=["quarterly"]),
        "report-trend": reverse("reports:report", args=["trend"]),
        "report-exceptions": reverse("reports:report", args=["exceptions"]),
        "measure": reverse("measures:measure", args=[measure.pk]),
        "project": reverse("projects:project", args=[project.pk]),
        "projects": reverse("projects:dashboard"),
        "risk": reverse("risks:risk", args=[risk.pk]),
        "risks": reverse("risks:register"),
        "accessibility": reverse("accessibility"),
    }
    for name, path in pages.items():
        at_narrow_widths(page, base + path, name)


@time_machine.travel(date(2026, 11, 23), tick=True)
def test_it_links_the_sign_in_error_to_the_field(live_server: Any, page: Any) -> None:
    call_command("load_demo", verbosity=0)
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Email address or username").fill("officer")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    page.wait_for_load_state("load")
    assert page.title().startswith("Error: Sign in")
    # GOV.UK Frontend moves the focus to the summary, whose link leads to the field.
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    link = summary.get_by_role("link", name="Enter a correct email address or username")
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_username"
    field_error = page.locator("#id_username_error")
    assert "Enter a correct email address or username and password" in field_error.inner_text()
    screenshot(page, "a11y-sign-in-error")

    # Asking for a reset link with no address: the same pattern, checked by axe too.
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_role("button", name="Send").click()
    page.locator(".govuk-error-summary").wait_for()
    page.wait_for_load_state("load")
    assert page.title().startswith("Error:")
    page.locator(".govuk-error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_email"


@time_machine.travel(date(2026, 11, 23), tick=True)
def test_it_links_every_page_to_the_accessibility_statement(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()
    page.get_by_role("heading", name="Accessibility statement for perfmon").wait_for()
    for heading in (
        "How accessible this service is",
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Technical information about this service’s accessibility",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ):
        assert page.get_by_role("heading", name=heading).count() == 1, heading
    screenshot(page, "a11y-statement")


@time_machine.travel(date(2026, 11, 23), tick=True)
def test_it_documents_the_open_data_api_on_a_page_people_can_read(
    live_server: Any, page: Any
) -> None:
    call_command("load_demo", verbosity=0)
    base = live_server.url
    # Closed to the public, it says so on a page of the site's own.
    page.goto(f"{base}/api/")
    assert "Sign in to read the open data API" in page.get_by_role("main").inner_text()
    setting = OpenDataSetting.load()
    setting.anonymous_read = True
    setting.save()

    page.goto(f"{base}/api/")
    page.get_by_role("heading", name="Open data API", exact=True).wait_for()
    assert page.get_by_test_id("endpoints").get_by_role("link", name=f"{base}/api/measures/")
    # Swagger UI, served by perfmon, draws every endpoint from the schema.
    reference = page.get_by_test_id("api-reference")
    reference.locator(".opblock").first.wait_for()
    assert reference.locator(".opblock").count() >= 14
    assert "/api/measures/" in reference.inner_text()
    page.check_accessibility()
    screenshot(page, "a11y-api-docs")
    # An endpoint opened, tried and answered is still accessible.
    years = reference.locator("#operations-years-years_list")
    years.locator(".opblock-summary-control").click()
    years.get_by_role("button", name="Try it out").click()
    years.get_by_role("button", name="Execute").click()
    years.locator(".live-responses-table .response").first.wait_for()
    assert "2026/27" in years.locator(".live-responses-table").inner_text()
    page.check_accessibility()
    screenshot(page, "a11y-api-docs-tried")
    at_narrow_widths(page, f"{base}/api/", "api-docs")

    # Machines still get the schema, and the docs' old address leads here.
    schema = page.context.request.get(f"{base}/api/schema/")
    assert schema.status == 200 and "openapi: 3" in schema.text()
    page.goto(f"{base}/api/docs/")
    assert page.url == f"{base}/api/"
