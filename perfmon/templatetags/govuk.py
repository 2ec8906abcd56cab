"""GOV.UK Design System markup for Django form fields, rendered in Python.

`{% govuk_field form.username %}` gives the label, hint (the field's help_text), error
message and control of one bound field, chosen by its widget. It is a tag rather than an
included template, and builds plain strings, because a return page renders well over a
thousand fields and the template engine took most of that page's time.

Ids follow Django's: the control is id_<name> (radios id_<name>_0...), the hint
id_<name>_helptext and the error id_<name>_error, referenced from aria-describedby.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from html import escape
from typing import Any, cast

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

INPUT_WIDTH = {"date": "govuk-input--width-10", "number": "govuk-input--width-10"}


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _flat(attrs: dict[str, Any]) -> str:
    """Attributes as HTML: True gives a bare attribute, False and None leave it out."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False and value is not None:
            parts.append(f' {name}="{_e(value)}"')
    return "".join(parts)


def _error(field: BoundField) -> str:
    if not field.errors:
        return ""
    messages = "<br>".join(
        f'<span class="govuk-visually-hidden">Error:</span> {_e(error)}' for error in field.errors
    )
    return f'<p id="{field.auto_id}_error" class="govuk-error-message">{messages}</p>'


def _hint(field: BoundField, extra_class: str = "") -> str:
    if not field.help_text:
        return ""
    hint_id = f"{field.auto_id}_helptext"
    return f'<div id="{hint_id}" class="govuk-hint{extra_class}">{_e(field.help_text)}</div>'


def _described_by(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


def _attrs(field: BoundField, css: str, **extra: Any) -> str:
    widget = field.field.widget
    attrs: dict[str, Any] = {**widget.attrs, **extra}
    attrs["class"] = " ".join(filter(None, [css, widget.attrs.get("class", "")]))
    attrs.setdefault("id", field.auto_id)
    attrs["name"] = field.html_name
    attrs["disabled"] = field.field.disabled
    if field.errors:
        attrs["aria-invalid"] = "true"
    attrs["aria-describedby"] = _described_by(field) or None
    return _flat(attrs)


def _group(field: BoundField, inner: str) -> str:
    error_class = " govuk-form-group--error" if field.errors else ""
    return f'<div class="govuk-form-group{error_class}">{inner}</div>'


def _label(field: BoundField, as_heading: bool) -> str:
    label = f'for="{_e(field.id_for_label)}">{_e(field.label)}</label>'
    if as_heading:
        heading = '<h1 class="govuk-label-wrapper"><label class="govuk-label govuk-label--l"'
        return f"{heading} {label}</h1>"
    return f'<label class="govuk-label" {label}'


def _choices(field: BoundField) -> Iterator[tuple[str, str]]:
    choices: Iterable[tuple[Any, Any]] = getattr(field.field, "choices", ())
    for value, label in choices:
        yield ("" if value is None else str(value)), str(label)


def _selected(field: BoundField) -> set[str]:
    value = field.value()
    values = value if isinstance(value, list | tuple) else [value]
    return {"" if v is None else str(v) for v in values}


def _control(field: BoundField) -> str:
    kind = field.widget_type
    errored = bool(field.errors)
    if kind == "textarea":
        value = field.value()
        css = "govuk-textarea govuk-textarea--error" if errored else "govuk-textarea"
        return f"<textarea{_attrs(field, css)}>\n{_e('' if value is None else value)}</textarea>"
    if kind in {"select", "nullbooleanselect"}:
        selected = _selected(field)
        options = "".join(
            f'<option value="{_e(v)}"{" selected" if v in selected else ""}>{_e(label)}</option>'
            for v, label in _choices(field)
        )
        css = "govuk-select govuk-select--error" if errored else "govuk-select"
        return f"<select{_attrs(field, css)}>{options}</select>"
    widget = field.field.widget
    input_type = getattr(widget, "input_type", "text")
    extra: dict[str, Any] = {"type": input_type}
    if kind == "number":
        # GOV.UK advises text with a numeric keyboard, so a mistyped value is shown back.
        extra = {"type": "text", "inputmode": "decimal", "spellcheck": "false"}
    value = field.value()
    if input_type != "password" and value not in (None, ""):
        extra["value"] = widget.format_value(value)
    css = " ".join(
        filter(
            None, ["govuk-input", "govuk-input--error" if errored else "", INPUT_WIDTH.get(kind)]
        )
    )
    return f"<input{_attrs(field, css, **extra)}>"


def _checkbox(field: BoundField) -> str:
    checked = field.field.widget.check_test(field.value())
    control = _attrs(field, "govuk-checkboxes__input", type="checkbox", checked=checked)
    return _group(
        field,
        f"{_error(field)}"
        '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
        f'<div class="govuk-checkboxes__item"><input{control}>'
        f'<label class="govuk-label govuk-checkboxes__label" for="{_e(field.id_for_label)}">'
        f"{_e(field.label)}</label>{_hint(field, ' govuk-checkboxes__hint')}</div></div>",
    )


def _radios(field: BoundField, as_heading: bool) -> str:
    selected = _selected(field)
    items = []
    for index, (value, label) in enumerate(_choices(field)):
        if value == "":
            continue
        item_id = f"{field.auto_id}_{index}"
        attrs = {
            "id": item_id,
            "type": "radio",
            "name": field.html_name,
            "value": value,
            "checked": value in selected,
            "disabled": field.field.disabled,
        }
        items.append(
            f'<div class="govuk-radios__item"><input class="govuk-radios__input"{_flat(attrs)}>'
            f'<label class="govuk-label govuk-radios__label" for="{item_id}">{_e(label)}</label>'
            "</div>"
        )
    legend_class = " govuk-fieldset__legend--l" if as_heading else ""
    legend = (
        f'<h1 class="govuk-fieldset__heading">{_e(field.label)}</h1>'
        if as_heading
        else _e(field.label)
    )
    described = _flat({"aria-describedby": _described_by(field) or None})
    return _group(
        field,
        f'<fieldset class="govuk-fieldset"{described}>'
        f'<legend class="govuk-fieldset__legend{legend_class}">{legend}</legend>'
        f'{_hint(field)}{_error(field)}<div class="govuk-radios" data-module="govuk-radios">'
        f"{''.join(items)}</div></fieldset>",
    )


# A return page renders over a thousand controls from a few fields shared by every row
# (perfmon.item_sections), so each field's markup is built once, as a stencil with
# placeholders for the row's id, name and value, and each row fills it in. A field with
# errors is rendered in full, as is a group of radios.
_ID, _NAME, _VALUE = "\x00id\x00", "\x00name\x00", "\x00value\x00"


class _Placeholders:
    """Stands in for a BoundField while its stencil is built: the field's own label,
    hint and widget, placeholders for what differs by row, and no errors."""

    errors: tuple[str, ...] = ()
    auto_id = id_for_label = _ID
    html_name = _NAME

    def __init__(self, bound: BoundField, value: Any) -> None:
        self.field = bound.field
        self.label = bound.label
        self.help_text = bound.help_text
        self.widget_type = bound.widget_type
        self.is_hidden = bound.is_hidden
        self._value = value

    def value(self) -> Any:
        return self._value


def _stencil(field: BoundField, kind: str, variant: Any, as_heading: bool) -> str:
    key = (kind, variant, as_heading, field.field.disabled)
    stencils = field.field.__dict__.setdefault("_govuk_stencils", {})
    if key not in stencils:
        stand_in = _Placeholders(field, variant if kind == "checkbox" else _VALUE)
        # The stand-in has what rendering reads of a BoundField.
        stencils[key] = _render(cast(BoundField, stand_in), as_heading)
    return str(stencils[key])


def _fast(field: BoundField, kind: str, as_heading: bool) -> str:
    if kind == "checkbox":
        checked = bool(field.field.widget.check_test(field.value()))
        html = _stencil(field, kind, checked, as_heading)
    elif kind in {"select", "nullbooleanselect"}:
        html = _stencil(field, kind, None, as_heading)
        for value in _selected(field):
            option = f'<option value="{_e(value)}">'
            html = html.replace(option, f'<option value="{_e(value)}" selected>', 1)
    else:
        html = _stencil(field, kind, None, as_heading)
        shown: Any = field.value()
        if kind != "textarea":
            shown = None if shown in (None, "") else field.field.widget.format_value(shown)
        if shown in (None, ""):
            html = html.replace(f' value="{_VALUE}"', "").replace(_VALUE, "")
        else:
            html = html.replace(_VALUE, _e(shown))
    return html.replace(_ID, field.auto_id).replace(_NAME, field.html_name)


def _render(field: BoundField, as_heading: bool) -> str:
    kind = field.widget_type
    if kind == "checkbox":
        return _checkbox(field)
    if kind == "radioselect":
        return _radios(field, as_heading)
    inner = f"{_label(field, as_heading)}{_hint(field)}{_error(field)}{_control(field)}"
    return _group(field, inner)


@register.simple_tag
def govuk_field(field: BoundField, as_heading: bool = False) -> SafeString:
    if field.is_hidden:
        value = field.value()
        value_attr = (
            "" if value is None else f' value="{_e(field.field.widget.format_value(value))}"'
        )
        return SafeString(
            f'<input type="hidden" name="{field.html_name}" id="{field.auto_id}"{value_attr}>'
        )
    kind = _widget_type(field)
    # An unbound form has errors only when given some (a missing answer on the return).
    form = field.form
    errored = bool(field.errors) if form.is_bound or getattr(form, "_errors", None) else False
    if kind == "radioselect" or errored or not isinstance(field.auto_id, str):
        return SafeString(_render(field, as_heading))
    return SafeString(_fast(field, kind, as_heading))


_WIDGET_TYPES: dict[type, str] = {}


def _widget_type(field: BoundField) -> str:
    """BoundField.widget_type, worked out once per widget class rather than per control."""
    widget = type(field.field.widget)
    if widget not in _WIDGET_TYPES:
        _WIDGET_TYPES[widget] = field.widget_type
    return _WIDGET_TYPES[widget]


@register.filter
def in_section(path: str, section: str | None) -> bool:
    """Whether `path` is `section` or a page below it: the header marks "Reports" on every
    report's page. "/" is only itself."""
    if not section:
        return False
    return path == section or (section != "/" and path.startswith(section))
