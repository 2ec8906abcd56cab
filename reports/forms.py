"""The filters every report page takes from its query string."""

from __future__ import annotations

from typing import Any

from django import forms

from perfmon.models import Portfolio, ReportingYear, Return, Theme
from reports.builders.common import Filters

FORMATS = ("html", "xlsx", "pdf", "csv")


def default_year_and_quarter() -> tuple[ReportingYear | None, int]:
    """The latest quarter with an approved return, else the latest year's Q4."""
    latest = (
        Return.objects.filter(state=Return.State.APPROVED)
        .select_related("quarter__year")
        .order_by("-quarter__year__start_year", "-quarter__number")
        .first()
    )
    if latest is not None:
        return latest.quarter.year, latest.quarter.number
    return ReportingYear.objects.order_by("-start_year").first(), 4


class ThemeChoiceField(forms.ModelChoiceField):
    """Themes of every plan, each named with its plan's years (plans reuse names)."""

    def label_from_instance(self, obj: Theme) -> str:
        return f"{obj.name} ({obj.plan.years_label})"


class ReportFilterForm(forms.Form):
    year = forms.ModelChoiceField(
        queryset=ReportingYear.objects.order_by("-start_year"),
        to_field_name="start_year",
        required=False,
        empty_label=None,
        label="Reporting year",
    )
    quarter = forms.TypedChoiceField(
        choices=[(n, f"Quarter {n}") for n in range(1, 5)],
        coerce=int,
        required=False,
        label="Quarter",
    )
    theme = ThemeChoiceField(
        queryset=Theme.objects.select_related("plan").order_by(
            "-plan__first_year", "position", "name"
        ),
        required=False,
        empty_label="All themes",
        label="Council Plan theme",
    )
    portfolio = forms.ModelChoiceField(
        queryset=Portfolio.objects.order_by("name"),
        required=False,
        empty_label="All portfolios",
        label="Cabinet portfolio",
    )
    draft = forms.BooleanField(
        required=False,
        label="Draft preview: include returns not yet approved",
        help_text="Performance team only. Every page is marked Draft.",
    )
    format = forms.ChoiceField(choices=[(f, f) for f in FORMATS], required=False)
    table = forms.SlugField(required=False)

    def __init__(self, *args: Any, may_preview: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.may_preview = may_preview
        if not may_preview:
            del self.fields["draft"]
        self.fields["format"].widget = forms.HiddenInput()
        self.fields["table"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        year = data.get("year")
        theme = data.get("theme")
        if year is not None and theme is not None:
            plan = theme.plan
            if not plan.first_year <= year.start_year <= plan.last_year:
                self.add_error("theme", f"“{theme.name}” is not a theme of {year.label}.")
        return data

    def filters(self) -> Filters | None:
        """The filters asked for, with defaults; None when there is no reporting year."""
        data = self.cleaned_data
        year, quarter = data.get("year"), data.get("quarter")
        if year is None:
            default_year, default_quarter = default_year_and_quarter()
            year, quarter = default_year, quarter or default_quarter
        if year is None:
            return None
        return Filters(
            year=year,
            quarter=quarter or 4,
            theme=data.get("theme"),
            portfolio=data.get("portfolio"),
            draft=bool(data.get("draft")),
        )
