"""Forms for steering the quarter: they parse and validate, the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from perfmon.forms import long_text_field
from perfmon.models import Portfolio
from perfmon.steering import STATE_CHOICES


class DateInput(forms.DateInput):
    input_type = "date"


def date_field(label: str, *, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        widget=DateInput(format="%Y-%m-%d"),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a real date, like 2027-01-31",
        },
    )


class OverviewFilterForm(forms.Form):
    """Which quarter, and which of its returns, the overview shows."""

    q = forms.RegexField(regex=r"^\d{4}-[1-4]$", required=False)  # the quarter menu: 2026-2
    year = forms.IntegerField(required=False, min_value=2000, max_value=2099)
    quarter = forms.IntegerField(required=False, min_value=1, max_value=4)
    state = forms.ChoiceField(
        label="State", required=False, choices=[("", "Any state"), *STATE_CHOICES]
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)


class ChaseForm(forms.Form):
    audience = forms.ChoiceField(
        label="Whom to remind",
        choices=[("officers", "Its officers"), ("directors", "Its directors")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whom to remind"},
    )
    note = long_text_field("Note (optional)", rows=2)
    # The latest chase id on the page: a second post of the same page sends nothing more.
    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class ExtendForm(forms.Form):
    until = date_field("New submission deadline")
    reason = long_text_field(
        "Reason", rows=3, required=True, error_messages={"required": "Give the reason"}
    )


class DeputyForm(forms.Form):
    portfolio = forms.ModelChoiceField(
        label="Portfolio",
        queryset=Portfolio.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the portfolio", "invalid_choice": "Choose a portfolio"},
    )
    director = forms.CharField(
        label="Director (username or email address)",
        required=False,
        max_length=254,
        help_text="Leave blank to name your own deputy.",
    )
    deputy = forms.CharField(
        label="Deputy (username or email address)",
        max_length=254,
        error_messages={"required": "Enter the deputy's username or email address"},
    )
    starts_on = date_field("First day of cover")
    ends_on = date_field("Last day of cover")

    def __init__(self, *args: Any, portfolios: QuerySet[Portfolio], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["portfolio"]).queryset = portfolios
