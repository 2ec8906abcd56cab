"""Browser tests drive Debian's Chromium through Playwright.

Without Chromium they skip, saying how to enable them; under CI (CI=true) they fail
instead, so a machine that lost its browser can never pass silently.

Every page a test loads, through `page` or a context it opens from `browser`, is checked
with axe-core for WCAG 2.2 AA (tests/browser/axe.py): a violation fails the test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.axe import CheckedBrowser, CheckedPage

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
# Flags this closed network needs: no background calls home, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = (
            f"Chromium not found at {CHROMIUM}: browser tests need Debian's chromium "
            "package (sudo apt-get install chromium) or CHROMIUM_PATH."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in the test thread, which trips
    # Django's async-safety guard on the test's own ORM calls; the live server's requests
    # run in their own thread, so the guard protects nothing here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser(chromium: object, request: pytest.FixtureRequest) -> Iterator[CheckedBrowser]:
    """The browser, whose pages of the site under test (the live server's) are checked with
    axe; pages the test left open are checked when it ends."""
    site = None
    if "live_server" in request.fixturenames:
        site = request.getfixturevalue("live_server").url
    checked = CheckedBrowser(chromium, site)
    yield checked
    checked.check_open_pages()


@pytest.fixture
def page(browser: CheckedBrowser) -> Iterator[CheckedPage]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
