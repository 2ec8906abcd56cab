"""The Content-Security-Policy in Chromium: every kind of page loads and works under it
with nothing blocked, and every kind of response carries it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from measures.models import Measure
from perfmon.demo import DEMO_PASSWORD
from perfmon.models import Portfolio, Return
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.browser.steps import sign_in, sign_out

pytestmark = pytest.mark.browser

# Runs before any page script, injected by the devtools protocol, so the policy does not
# apply to it: it passes each violation the page reports to the test.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.perfmonCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ` +
      `${event.sourceFile || document.URL}:${event.lineNumber} ${event.sample}`,
  );
});
"""


class Watch:
    """What Chromium said on a page: policy violations, console errors, uncaught errors."""

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        page.expose_function("perfmonCspViolation", self._violation)
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _violation(self, description: str) -> None:
        self.problems.append(f"violation: {description}")

    def _console(self, message: Any) -> None:
        # Chromium asks for /favicon.ico on the admin's pages, which name no icon.
        if message.location.get("url", "").endswith("/favicon.ico"):
            return
        if message.type in {"error", "warning"}:
            self.problems.append(f"console {message.type}: {message.text} ({message.location})")


def visit(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert "default-src 'self'" in response.headers["content-security-policy"], url
    # Give late violations (images, styles applied after load) time to be reported.
    page.wait_for_load_state("networkidle")


def assert_govuk_scripts_ran(page: Any) -> None:
    page.wait_for_load_state("load")
    classes = page.evaluate("document.body.className")
    assert "js-enabled" in classes and "govuk-frontend-supported" in classes


def assert_chart_keeps_its_shape(page: Any, selector: str) -> None:
    """The chart is drawn at its viewBox's width (or the page's, if narrower), and as tall as
    that width gives: its class sizes it now that no style attribute may."""
    chart = page.locator(selector).first
    box = chart.bounding_box()
    view_box = chart.get_attribute("viewBox").split()
    width, height = float(view_box[2]), float(view_box[3])
    available = chart.evaluate("svg => svg.parentElement.clientWidth")
    assert box["width"] == pytest.approx(min(width, available), abs=1)
    assert box["height"] == pytest.approx(box["width"] * height / width, abs=2)


@time_machine.travel(date(2026, 11, 23), tick=True)
def test_it_loads_every_kind_of_page_with_nothing_blocked(live_server: Any, page: Any) -> None:
    call_command("load_demo", verbosity=0)
    base = live_server.url
    watch = Watch(page)
    pages: list[Any] = []
    page.on("response", lambda response: pages.append(response))

    # An officer: home, their draft return (saving it posts a form), a measure, the heat map.
    sign_in(page, base, "officer", DEMO_PASSWORD)
    assert_govuk_scripts_ran(page)
    draft = Return.objects.filter(
        state=Return.State.DRAFT, portfolio__roles__user__username="officer"
    ).first()
    assert draft is not None
    quarter = draft.quarter
    return_url = reverse(
        "return", args=[draft.portfolio_id, quarter.year.start_year, quarter.number]
    )
    visit(page, base + return_url)
    assert page.locator("fieldset.perfmon-item").count() > 0
    assert_govuk_scripts_ran(page)
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("saved", exact=False).first.wait_for()
    screenshot(page, "csp-officer-return")
    # A measure with years of approved results to chart.
    measure = Measure.objects.filter(year__start_year=2024).order_by("pk").first()
    assert measure is not None
    visit(page, base + reverse("measures:measure", args=[measure.pk]))
    assert_chart_keeps_its_shape(page, "[data-testid=trend-chart]")
    page.get_by_test_id("trend-chart").screenshot(path=SCREENSHOTS / "csp-measure-chart.png")
    page.set_viewport_size({"width": 420, "height": 900})
    assert_chart_keeps_its_shape(page, "[data-testid=trend-chart]")
    assert page.get_by_test_id("trend-chart").bounding_box()["width"] < 420
    page.set_viewport_size({"width": 1280, "height": 900})
    visit(page, f"{base}/risks/heat-map/")
    assert_chart_keeps_its_shape(page, "[data-testid=heat-map]")
    sign_out(page)
    page.get_by_role("heading", name="Sign in to perfmon").wait_for()

    # The performance team: the reports, the open data API and the admin.
    sign_in(page, base, "admin", DEMO_PASSWORD)
    visit(page, f"{base}/")
    visit(page, f"{base}/reports/")
    visit(page, f"{base}/reports/trend/")
    assert page.locator("svg.app-chart").count() == 2
    assert_chart_keeps_its_shape(page, "svg.app-chart")
    swatch = page.locator("img.app-swatch").first
    assert swatch.evaluate("image => image.complete && image.naturalWidth > 0")
    page.locator("figure.app-figure").first.screenshot(path=SCREENSHOTS / "csp-trend-chart.png")
    visit(page, f"{base}/reports/annual/")
    visit(page, f"{base}/risks/")
    visit(page, f"{base}/projects/")

    # The API's page: Swagger UI, served by perfmon, draws the schema under the policy.
    visit(page, f"{base}/api/")
    page.get_by_test_id("api-reference").locator(".opblock").first.wait_for()
    screenshot(page, "csp-api")
    visit(page, f"{base}/api/measures/")

    portfolio = Portfolio.objects.order_by("pk").first()
    assert portfolio is not None
    # Each admin page, and whether it loads the admin's jQuery (window.django).
    admin_pages = [
        ("/admin/", False),
        ("/admin/perfmon/portfolio/", True),
        (f"/admin/perfmon/portfolio/{portfolio.pk}/change/", True),
        (f"/admin/perfmon/portfolio/{portfolio.pk}/history/", False),
        ("/admin/perfmon/portfolio/add/", True),
        ("/admin/perfmon/portfolio/import/", False),
        ("/admin/perfmon/portfolio/export/", False),
        ("/admin/perfmon/user/", True),
        ("/admin/perfmon/reportingyear/", True),
        ("/admin/reports/resultsimport/", False),
    ]
    for path, loads_jquery in admin_pages:
        visit(page, base + path)
        if loads_jquery:
            assert page.evaluate("typeof window.django?.jQuery") == "function", path
    # django-import-export's "Select all" box (an inline handler allowed by its hash) works.
    visit(page, f"{base}/admin/perfmon/portfolio/export/")
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]')
    assert fields.count() >= 2
    page.locator("input.select-toggle").uncheck()
    assert all(not box.is_checked() for box in fields.all())
    page.locator("input.select-toggle").check()
    assert all(box.is_checked() for box in fields.all())
    # The change list's actions and the change form's save post forms to perfmon.
    visit(page, f"{base}/admin/perfmon/portfolio/{portfolio.pk}/change/")
    page.locator("input[name=_continue]").click()
    page.locator(".messagelist .success").wait_for()
    screenshot(page, "csp-admin-change")

    visit(page, f"{base}/")
    sign_out(page)
    page.get_by_role("heading", name="Sign in to perfmon").wait_for()

    assert not watch.problems, "\n".join(watch.problems)
    documents = [r for r in pages if r.request.resource_type == "document"]
    assert len(documents) > 20
    for response in documents:
        assert "content-security-policy" in response.headers, response.url


def header_of(response: Any) -> str:
    return str(response.headers.get("content-security-policy", ""))


def directives_of(policy: str) -> dict[str, str]:
    """The policy's directives by name, whatever order they come in."""
    named = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {name: value[0] if value else "" for name, *value in named}


@time_machine.travel(date(2026, 11, 23), tick=True)
def test_it_sends_the_policy_with_every_kind_of_response(live_server: Any, page: Any) -> None:
    call_command("load_demo", verbosity=0)
    base = live_server.url
    request = page.context.request

    redirect = request.get(f"{base}/", max_redirects=0)
    assert redirect.status == 302
    sign_in(page, base, "admin", DEMO_PASSWORD)
    not_found = request.get(f"{base}/no-such-page/")
    assert not_found.status == 404
    as_json = request.get(f"{base}/api/measures/?format=json")
    assert as_json.status == 200
    assert as_json.headers["content-type"] == "application/json"
    workbook = request.get(f"{base}/reports/annual/?format=xlsx")
    assert workbook.status == 200
    assert "attachment" in workbook.headers["content-disposition"]
    assert workbook.body()[:2] == b"PK"
    table = request.get(f"{base}/reports/annual/?format=csv")
    assert table.status == 200
    assert "attachment" in table.headers["content-disposition"]

    for response in (redirect, not_found, as_json, workbook, table):
        policy = directives_of(header_of(response))
        assert policy["default-src"] == "'self'", response.url
        assert policy["script-src"] == "'self'", response.url
        assert policy["frame-ancestors"] == "'none'", response.url
