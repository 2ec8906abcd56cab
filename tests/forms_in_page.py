"""What a browser would post back from a page's form: read from the HTML, not from the
view's context, so tests post exactly what people's browsers send."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _FormReader(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.found = False
        self.inside = False
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._select_first: str | None = None
        self._option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            self.found = self.found or self.inside
        if not self.inside or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data[a["name"]] = a.get("value", "on")
            elif kind not in {"submit", "button", "image"}:
                self.data[a["name"]] = a.get("value", "")
        elif tag == "select" and a.get("name"):
            self._select, self._select_first = a["name"], None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
                self.data.setdefault(self._select, value)
            if "selected" in a:
                self.data[self._select] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self.data[self._textarea] = text[1:] if text.startswith("\n") else text
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)


def form_data(html: str | bytes, form_id: str = "return-form", **changes: Any) -> dict[str, str]:
    """The fields of the page's form with id `form_id` as a browser would post them, with
    `changes` applied (`m12__actual="57%"` sets `m12-actual`)."""
    reader = _FormReader(form_id)
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    assert reader.found, f"No form with id {form_id!r} on the page."
    data = reader.data
    data.update({key.replace("__", "-"): str(value) for key, value in changes.items()})
    return data


def decision(client: Any, page_url: str, **fields: str) -> dict[str, str]:
    """The director's decision form on the return page at `page_url`, as loaded now by
    `client`, with `fields` filled in (decision="approve", comment=...)."""
    return form_data(client.get(page_url).content, "decision-form", **fields)


def submit(client: Any, page_url: str, data: dict[str, str]) -> Any:
    """Submit as an officer does: "Save and check your answers" on the return page, then
    the declaration on Check your answers. The return page's response if it did not go
    on to the check page (something missing, a clash, bad input), else the check page's."""
    checked = client.post(page_url, {**data, "check": ""})
    if checked.status_code != 302 or not checked.url.endswith("/check/"):
        return checked
    return client.post(checked.url, {"declaration": "on"})
