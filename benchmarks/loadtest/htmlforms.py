"""Read a page's forms the way a browser does, and build the body a browser would post.

The load test never lists a form's fields: it posts back every input, select and
textarea the page holds (hidden version fields included), changing only the ones it
names. Standard library only (html.parser), since it runs inside the Locust process.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser

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


@dataclass
class Page:
    forms: list[Form]
    banners: list[tuple[bool, str]]  # (a success banner?, its text), the flash messages
    error_titles: list[str]  # the error summaries' titles

    def form_posting_to(self, path: str) -> Form | None:
        """The POST form whose action is `path` (an empty action posts to the page)."""
        for form in self.forms:
            if form.method == "post" and form.action in {path, ""}:
                return form
        return None


def _classes(attrs: Mapping[str, str | None]) -> set[str]:
    return set((attrs.get("class") or "").split())


class _Stop(Exception):
    """Raised inside the parser once it has read as far as it was asked to."""


class _PageParser(HTMLParser):
    def __init__(self, until: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.until = until
        self.forms: list[Form] = []
        self.banners: list[tuple[bool, str]] = []
        self.error_titles: list[str] = []
        self._form: Form | None = None
        self._select: Control | None = None
        self._option: Option | None = None
        self._textarea: Control | None = None
        self._text: list[str] | None = None  # text of a banner heading or error title
        self._text_target: str = ""
        self._success_banner = False

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        if tag == self.until:
            raise _Stop
        attrs = dict(attrs_list)
        classes = _classes(attrs)
        if tag == "div" and "govuk-notification-banner" in classes:
            self._success_banner = "govuk-notification-banner--success" in classes
        elif tag == "p" and "govuk-notification-banner__heading" in classes:
            self._text, self._text_target = [], "banner"
        elif tag == "h2" and "govuk-error-summary__title" in classes:
            self._text, self._text_target = [], "error"
        if tag == "form":
            self._form = Form(
                action=attrs.get("action") or "", method=(attrs.get("method") or "get").lower()
            )
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "option" and self._select is not None:
            self._option = Option(
                value=attrs.get("value") or "", label="", selected="selected" in attrs
            )
            # An option without a value attribute sends its text.
            if "value" not in attrs:
                self._option.value = "\0"
            self._select.options.append(self._option)
            return
        if tag not in {"input", "select", "textarea", "button"}:
            return
        control = Control(
            tag=tag,
            name=attrs.get("name") or "",
            type=(attrs.get("type") or ("submit" if tag == "button" else "")).lower(),
            value=attrs.get("value") or "",
            checked="checked" in attrs,
            disabled="disabled" in attrs,
        )
        self._form.controls.append(control)
        if tag == "select":
            self._select = control
        elif tag == "textarea":
            self._textarea = control

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the newline that follows <textarea>, as Django's widget expects.
            if self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]
            self._textarea = None
        elif tag in {"p", "h2"} and self._text is not None:
            text = " ".join("".join(self._text).split())
            if self._text_target == "banner":
                self.banners.append((self._success_banner, text))
            else:
                self.error_titles.append(text)
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option.label += data
        if self._text is not None:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        for form in self.forms:
            for option in _options(form):
                if option.value == "\0":
                    option.value = option.label.strip()


def _options(form: Form) -> Iterator[Option]:
    for control in form.controls:
        yield from control.options


def parse_page(html: str, *, until: str | None = None) -> Page:
    """The page's forms, flash messages and error summaries; with `until` (a tag name),
    only what comes before that tag's first appearance (the load test reads the
    messages at the top of a long page this way, at a fraction of the cost)."""
    parser = _PageParser(until)
    try:
        parser.feed(html)
        parser.close()
    except _Stop:
        pass
    return Page(forms=parser.forms, banners=parser.banners, error_titles=parser.error_titles)
