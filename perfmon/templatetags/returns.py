"""A return's state as a GOV.UK tag: the words carry the meaning, the colour repeats it."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from perfmon.models import Return

register = template.Library()

STATE_COLOURS = {
    Return.State.DRAFT: "grey",
    Return.State.SUBMITTED: "blue",
    Return.State.RETURNED: "orange",
    Return.State.APPROVED: "green",
    Return.State.REOPENED: "yellow",
}


@register.simple_tag
def state_tag(ret: Return | None) -> SafeString:
    """`{% state_tag ret %}`: an unsaved return (or none) is "Not started"."""
    if ret is None or ret.pk is None:
        return mark_safe('<strong class="govuk-tag govuk-tag--light-blue">Not started</strong>')
    colour = STATE_COLOURS.get(Return.State(ret.state), "grey")
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, ret.get_state_display()
    )
