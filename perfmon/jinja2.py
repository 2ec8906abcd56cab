"""The Jinja2 environment for the return's sections.

A return page renders every item of a portfolio, each with several fields: 150 items are
over a thousand form controls. Django's template language took most of that page's time,
so the sections' rows are Jinja2 templates (compiled to Python, autoescaped like Django's),
in templates/jinja2/, rendered with `using="jinja2"`. Everything else stays in Django's
templates. The globals give the rows what Django's tags gave them.
"""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import date, linebreaksbr, pluralize, truncatechars
from django.urls import reverse
from jinja2 import Environment
from markupsafe import Markup, escape

from perfmon.templatetags.govuk import govuk_field


def tag(label: Any, colour: str = "") -> Markup:
    """A status as a GOV.UK tag (templates/includes/_tag.html in Django's templates)."""
    modifier = f" govuk-tag--{escape(colour)}" if colour else ""
    return Markup(f'<strong class="govuk-tag{modifier}">{escape(label)}</strong>')


_PLACEHOLDER = 987654321
_ONE_ID_URLS: dict[str, str] = {}


def url(name: str, *args: Any) -> str:
    """reverse(), with a page's many links to one view (an item page per row) worked out
    once: the URL of one id, with the id put in."""
    if len(args) != 1 or not isinstance(args[0], int):
        return reverse(name, args=args)
    if name not in _ONE_ID_URLS:
        _ONE_ID_URLS[name] = reverse(name, args=[_PLACEHOLDER])
    return _ONE_ID_URLS[name].replace(str(_PLACEHOLDER), str(args[0]))


def environment(**options: Any) -> Environment:
    env = Environment(**options)
    env.globals.update({"field": govuk_field, "tag": tag, "url": url})
    env.filters.update(
        {
            "date": date,
            "linebreaksbr": linebreaksbr,
            "pluralize": pluralize,
            "truncatechars": truncatechars,
        }
    )
    return env
