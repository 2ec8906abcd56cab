"""Read a page's forms the way a browser does, and build the body a browser would post.

The load test never lists a form's fields: it posts back every input, select and
textarea the page holds (hidden version fields included), changing only the ones it
names. It runs inside the Locust process, so it parses with lxml (C), not Python.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

# Inputs that never go into a form's data unless they are the button pressed.
_BUTTON_TYPES = {"submit", "image", "button", "reset"}


@dataclass
class Option:
    value: str
    label: str
    selected: bool


@dataclass
class Control:
    tag: str  # input, select, textarea or button
    name: str
    type: str = ""
    value: str = ""
    checked: bool = False
    disabled: bool = False
    options: list[Option] = field(default_factory=list)

    @property
    def editable(self) -> bool:
        return not self.disabled and self.type != "hidden"

    def current(self) -> list[str]:
        """The values this control adds to the form's data as the page stands."""
        if self.disabled or self.tag == "button" or self.type in _BUTTON_TYPES:
            return []
        if self.type in {"checkbox", "radio"}:
            return [self.value or "on"] if self.checked else []
        if self.tag == "select":
            chosen = [option.value for option in self.options if option.selected]
            return chosen or [option.value for option in self.options[:1]]
        return [self.value]


@dataclass
class Form:
    action: str
    method: str
    controls: list[Control] = field(default_factory=list)

    def named(self, name: str) -> list[Control]:
        return [control for control in self.controls if control.name == name]

    def names(self) -> set[str]:
        return {control.name for control in self.controls if control.name}

    def body(
        self, changes: Mapping[str, str], *, button: str | None = None
    ) -> list[tuple[str, str]]:
        """The form's data with `changes` applied, as if `button` (a name) was pressed.

        Raises KeyError when a change or the button names nothing in the form: the page
        is not the one the caller expected.
        """
        unknown = set(changes) - self.names()
        if unknown:
            raise KeyError(f"not in the form: {sorted(unknown)[:5]}")
        pairs: list[tuple[str, str]] = []
        done: set[str] = set()
        for control in self.controls:
            if not control.name or control.name in done:
                continue
            if control.name in changes:
                pairs.append((control.name, changes[control.name]))
                done.add(control.name)
                continue
            pairs += [(control.name, value) for value in control.current()]
        if button is not None:
            pressed = [c for c in self.named(button) if c.tag == "button" or c.type == "submit"]
            if not pressed:
                raise KeyError(f"no button called {button!r} in the form")
            pairs.append((button, pressed[0].value))
        return pairs


class Page:
    """A parsed page: its forms, and (read when asked) its flash messages and error
    summaries."""

    def __init__(self, root: etree._Element):
        self._root = root
        self.forms = [
            Form(
                action=form.get("action") or "",
                method=(form.get("method") or "get").lower(),
                controls=[_control(e) for e in form.iter("input", "select", "textarea", "button")],
            )
            for form in root.iter("form")
        ]

    @cached_property
    def banners(self) -> list[tuple[bool, str]]:
        """(a success banner?, its text), the flash messages."""
        return [
            (
                "govuk-notification-banner--success" in (banner.get("class") or "").split(),
                _text(heading),
            )
            for banner in self._root.xpath(f"//div[{_has_class('govuk-notification-banner')}]")
            for heading in banner.xpath(f".//p[{_has_class('govuk-notification-banner__heading')}]")
        ]

    @cached_property
    def error_titles(self) -> list[str]:
        """The error summaries' titles."""
        return [
            _text(title)
            for title in self._root.xpath(f"//h2[{_has_class('govuk-error-summary__title')}]")
        ]

    def form_posting_to(self, path: str) -> Form | None:
        """The POST form whose action is `path` (an empty action posts to the page)."""
        for form in self.forms:
            if form.method == "post" and form.action in {path, ""}:
                return form
        return None


def _has_class(name: str) -> str:
    """An XPath test for an element having the class `name`."""
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _control(element: etree._Element) -> Control:
    tag = element.tag
    attrib = dict(element.attrib)  # one copy out of libxml2, then plain lookups
    control = Control(
        tag=tag,
        name=attrib.get("name") or "",
        type=(attrib.get("type") or ("submit" if tag == "button" else "")).lower(),
        value=attrib.get("value") or "",
        checked="checked" in attrib,
        disabled="disabled" in attrib,
    )
    if tag == "select":
        options = []
        for option in element.iter("option"):
            label = "".join(option.itertext())
            value = option.get("value")
            # An option without a value attribute sends its text.
            chosen = "selected" in option.attrib
            options.append(
                Option(" ".join(label.split()) if value is None else value, label, chosen)
            )
        control.options = options
    elif tag == "textarea":
        # Browsers drop the newline that follows <textarea>, as Django's widget expects.
        text = element.text or ""
        control.value = text[1:] if text.startswith("\n") else text
    return control


_PARSER = etree.HTMLParser(collect_ids=False)


def parse_page(html: bytes, *, until: str | None = None) -> Page:
    """The page's forms, flash messages and error summaries; with `until` (a tag name),
    only what comes before that tag's first appearance (the load test reads the
    messages at the top of a long page this way, at a fraction of the cost).

    lxml's parser (libxml2, in C) reads a 150-item return page in a few milliseconds,
    from the response's bytes as they came (decoding them first, then having lxml
    encode them again, costs as much again); the standard library's took about 60 ms,
    and the Locust process that parses every page shares the machine with the server it
    measures.
    """
    if until is not None:
        cut = re.search(rb"<" + until.encode() + rb"[\s>]", html)
        html = html[: cut.start()] if cut else html
    root = etree.fromstring(html, _PARSER) if html.strip() else None
    return Page(root if root is not None else etree.fromstring(b"<html></html>", _PARSER))
