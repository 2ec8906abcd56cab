"""Form controls rendered by `govuk_field`: what a browser would post back is exactly what
the form holds, for every kind of control, and the second row of a section (rendered from
the first row's stencil) is as right as the first."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from perfmon.templatetags.govuk import govuk_field
from tests.forms_in_page import form_data

TRICKY = 'A & B <b>"quoted"</b> \u2019s'


class Row(forms.Form):
    text = forms.CharField(label="Text", required=False, help_text="A hint")
    number = forms.DecimalField(label="Number", required=False)
    choice = forms.ChoiceField(
        label="Choice", required=False, choices=[("", "None"), ("a&b", "A and B"), ("c", "C")]
    )
    flag = forms.BooleanField(label="Flag", required=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def rows_html(initials: list[dict[str, Any]], *, shared: bool) -> str:
    fields = Row.base_fields
    html = []
    for n, initial in enumerate(initials):
        form = Row(prefix=f"r{n}", initial=initial)
        if shared:  # as a return section's rows share their fields
            form.fields = fields
        html += [str(govuk_field(form[name])) for name in form.fields]
    return f'<form id="return-form">{"".join(html)}</form>'


@pytest.mark.parametrize("shared", [True, False])
def test_it_posts_back_what_each_row_shows(shared: bool) -> None:
    initials = [
        {"text": TRICKY, "number": 12.5, "choice": "a&b", "flag": True, "notes": TRICKY},
        {"text": "", "number": None, "choice": "", "flag": False, "notes": "", "version": 3},
        {
            "text": "plain",
            "number": 0,
            "choice": "c",
            "flag": True,
            "notes": "\nline",
            "version": 0,
        },
    ]
    posted = form_data(rows_html(initials, shared=shared))
    assert posted == {
        "r0-text": TRICKY,
        "r0-number": "12.5",
        "r0-choice": "a&b",
        "r0-flag": "on",
        "r0-notes": TRICKY,
        "r0-version": "",
        "r1-text": "",
        "r1-number": "",
        "r1-choice": "",
        "r1-notes": "",
        "r1-version": "3",
        "r2-text": "plain",
        "r2-number": "0",
        "r2-choice": "c",
        "r2-flag": "on",
        "r2-notes": "\nline",
        "r2-version": "0",
    }


def test_it_labels_and_describes_each_rows_own_control() -> None:
    html = rows_html([{}, {}], shared=True)
    for n in range(2):
        assert f'<label class="govuk-label" for="id_r{n}-text">Text</label>' in html
        assert f'<div id="id_r{n}-text_helptext" class="govuk-hint">A hint</div>' in html
        assert f'aria-describedby="id_r{n}-text_helptext"' in html
    assert html.count(" selected>") == 2  # each row's blank choice, nothing else


def test_it_shows_a_fields_error_at_the_field() -> None:
    form = Row({"r-number": "lots"}, prefix="r")
    assert not form.is_valid()
    html = str(govuk_field(form["number"]))
    assert 'aria-invalid="true"' in html and "govuk-form-group--error" in html
    assert 'value="lots"' in html
