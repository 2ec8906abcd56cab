"""axe-core inside the browser tests: every page a test loads is checked against WCAG 2.2 AA,
and a violation fails the test naming the rule and the elements.

axe comes from node_modules (package.json pins it; `npm ci` installs it), never a CDN: it is
evaluated in the page through the devtools protocol, which the site's Content-Security-Policy
does not govern, so the page needs no change to be checked.

The conftest hands tests a `CheckedPage` instead of Playwright's page: it checks the page
after every `goto`, and after any other load (a click that submits a form, a redirect) the
next time the test touches the page, before it acts on it. A page still unchecked when its
test ends or its context closes is checked then.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Only the site's own pages are checked: not Django's admin (Django's pages; see README
# "Accessibility"), nor another site a test passes through (the test sign-in provider).
NOT_CHECKED = ("/admin/",)

RUN_AXE = """
async (tags) => {
  const results = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map((node) => ({
      target: node.target.join(" "),
      html: node.html,
      summary: node.failureSummary,
    })),
  }));
}
"""


@cache
def axe_source() -> str:
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `npm ci` to install axe-core.")
    return AXE.read_text()


def checked(url: str, site: str | None) -> bool:
    """Whether `url` is one of the site's pages; `site` is the origin the site is served
    from (the live server's), None for a test that has no site."""
    parts = urlsplit(url)
    return (
        site is not None
        and f"{parts.scheme}://{parts.netloc}" == site
        and not parts.path.startswith(NOT_CHECKED)
    )


def violations_on(page: Any) -> list[dict[str, Any]]:
    """axe's WCAG 2.2 AA violations on the page's current document (none for a document
    that is not HTML, such as JSON shown as text)."""
    if page.evaluate("document.contentType") != "text/html":
        return []
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return list(page.evaluate(RUN_AXE, WCAG_22_AA))


def describe(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe found {len(violations)} WCAG 2.2 AA violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            summary = " ".join(node["summary"].split())
            lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def assert_accessible(page: Any, site: str | None) -> None:
    """Fails if axe finds a WCAG 2.2 AA violation on the page now, if it is the site's."""
    page.wait_for_load_state("load")
    url = page.url
    if not checked(url, site):
        return
    try:
        violations = violations_on(page)
    except Exception as error:
        # The page moved on (a script or a redirect navigated it) while axe ran: check the
        # page it moved to.
        if "context was destroyed" not in str(error) and "navigat" not in str(error):
            raise
        page.wait_for_load_state("load")
        url = page.url
        if not checked(url, site):
            return
        violations = violations_on(page)
    assert not violations, describe(url, violations)


class CheckedPage:
    """Playwright's page, checked with axe after each page it loads (see the module)."""

    def __init__(self, page: Any, site: str | None) -> None:
        self.__dict__["_page"] = page
        self.__dict__["_site"] = site
        self.__dict__["_pending"] = False
        page.on("load", self._loaded)

    def _loaded(self, _page: Any) -> None:
        self.__dict__["_pending"] = True

    def check_accessibility(self) -> None:
        """Checks the page now, whether or not it loaded since the last check: for a change
        made by script (a panel opened, a viewport narrowed)."""
        self.__dict__["_pending"] = False
        assert_accessible(self._page, self._site)

    def check_pending(self) -> None:
        if self.__dict__["_pending"] and not self._page.is_closed():
            self.check_accessibility()

    def goto(self, url: str, **options: Any) -> Any:
        response = self._page.goto(url, **options)
        self.check_accessibility()
        return response

    def __getattr__(self, name: str) -> Any:
        self.check_pending()
        return getattr(self._page, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._page, name, value)


class CheckedContext:
    """A browser context whose pages are `CheckedPage`s, checked before it closes."""

    def __init__(self, context: Any, opened: list[CheckedPage], site: str | None) -> None:
        self._context = context
        self._opened = opened
        self._site = site

    def new_page(self) -> CheckedPage:
        page = CheckedPage(self._context.new_page(), self._site)
        self._opened.append(page)
        return page

    def close(self) -> None:
        for page in self._opened:
            if page._page.context is self._context:
                page.check_pending()
        self._context.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


class CheckedBrowser:
    """The session's browser; the contexts a test opens itself are checked too."""

    def __init__(self, browser: Any, site: str | None) -> None:
        self._browser = browser
        self.site = site
        self.opened: list[CheckedPage] = []

    def new_context(self, **options: Any) -> CheckedContext:
        return CheckedContext(self._browser.new_context(**options), self.opened, self.site)

    def check_open_pages(self) -> None:
        pages, self.opened[:] = list(self.opened), []
        for page in pages:
            page.check_pending()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)
