"""An officer's quarterly update of one project (a row of the return), and the dashboard's
filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.forms import BoundField

from perfmon.forms import long_text_field
from perfmon.item_sections import RowForm
from perfmon.models import Portfolio, Quarter, Theme
from projects import rules
from projects.models import CRITERION_FIELDS, Project, ProjectUpdate, Rating

ON_TRACK_CHOICES = [("True", "On track"), ("False", "Not on track")]


def _yes(value: str) -> bool:
    return value == "True"


def _on_track_field(criterion: rules.Criterion) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=f"{criterion.value.capitalize()}",
        choices=ON_TRACK_CHOICES,
        coerce=_yes,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def _reason_field(criterion: rules.Criterion) -> forms.CharField:
    return forms.CharField(
        label=f"{criterion.value.capitalize()}: why not on track",
        required=False,
        max_length=300,
    )


@dataclass(frozen=True)
class CriterionRow:
    """One criterion as the template lays it out, with last quarter's answer beside it."""

    label: str
    on_track: BoundField
    reason: BoundField
    previous: str


def previous_answer(update: ProjectUpdate | None, criterion: rules.Criterion) -> str:
    """Last quarter's answer in words: "On track", "Not on track: land costs rising"."""
    if update is None:
        return "none"
    on, why = CRITERION_FIELDS[criterion]
    value = getattr(update, on)
    if value is None:
        return "not given"
    text = "On track" if value else "Not on track"
    reason = getattr(update, why)
    return f"{text}: {reason}" if reason else text


class ProjectUpdateForm(RowForm[Project, ProjectUpdate]):
    time_on_track = _on_track_field(rules.Criterion.TIME)
    time_reason = _reason_field(rules.Criterion.TIME)
    cost_on_track = _on_track_field(rules.Criterion.COST)
    cost_reason = _reason_field(rules.Criterion.COST)
    scope_on_track = _on_track_field(rules.Criterion.SCOPE)
    scope_reason = _reason_field(rules.Criterion.SCOPE)
    benefits_on_track = _on_track_field(rules.Criterion.BENEFITS)
    benefits_reason = _reason_field(rules.Criterion.BENEFITS)
    dca = forms.ChoiceField(
        label="Delivery confidence assessment (DCA)",
        choices=[("", "Choose the DCA"), *Rating.choices],
        required=False,
        help_text="How likely the project is to deliver successfully.",
    )
    commentary = long_text_field(
        "Supporting information", help_text="Required when the RAG or the DCA is Red."
    )

    def criteria_rows(self) -> list[CriterionRow]:
        return [
            CriterionRow(
                label=criterion.value.capitalize(),
                on_track=self[on],
                reason=self[why],
                previous=previous_answer(self.previous, criterion),
            )
            for criterion, (on, why) in CRITERION_FIELDS.items()
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        on_track = {c: cleaned.get(on) for c, (on, _) in CRITERION_FIELDS.items()}
        for criterion, (_, why) in CRITERION_FIELDS.items():
            if on_track[criterion] is False and not cleaned.get(why, "").strip():
                self.add_error(why, f"Say why {criterion.value} is not on track")
        started = any(v is not None for v in on_track.values()) or cleaned.get("commentary")
        dca = cleaned.get("dca")
        if started and not dca:
            self.add_error("dca", "Choose the delivery confidence assessment (DCA)")
        rag = rules.rag_for(on_track)
        red = (rag is not None and rag.rating is rules.Rating.RED) or dca == Rating.RED
        if red and not cleaned.get("commentary", "").strip():
            which = "RAG" if rag is not None and rag.rating is rules.Rating.RED else "DCA"
            self.add_error(
                "commentary", f"The {which} is Red: say what is happening and what is being done"
            )
        return cleaned


class DashboardForm(forms.Form):
    """The dashboard's filters, from the query string. Every field is optional. Choices
    come from lists the view has loaded, so the form runs no queries of its own."""

    ANY_RED = "red_or_amber_red"

    quarter = forms.ChoiceField(label="Quarter", required=False)
    theme = forms.ChoiceField(label="Theme", required=False)
    portfolio = forms.ChoiceField(label="Portfolio", required=False)
    rating = forms.ChoiceField(
        label="Rating (RAG or DCA)",
        required=False,
        choices=[("", "Any rating"), (ANY_RED, "Red or Amber/Red"), *Rating.choices],
    )

    def __init__(
        self,
        *args: Any,
        quarters: list[Quarter],
        themes: list[Theme],
        portfolios: list[Portfolio],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = {
            "quarter": [(str(q.pk), str(q)) for q in quarters],
            "theme": [("", "All themes")] + [(str(t.pk), t.name) for t in themes],
            "portfolio": [("", "All portfolios")] + [(str(p.pk), p.name) for p in portfolios],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options
        self._known: dict[str, dict[str, Any]] = {
            "quarter": {str(q.pk): q for q in quarters},
            "theme": {str(t.pk): t for t in themes},
            "portfolio": {str(p.pk): p for p in portfolios},
        }

    def _pick(self, name: str) -> Any:
        return self._known[name].get(self.cleaned_data.get(name) or "")

    def clean_quarter(self) -> Quarter | None:
        return self._pick("quarter")

    def clean_theme(self) -> Theme | None:
        return self._pick("theme")

    def clean_portfolio(self) -> Portfolio | None:
        return self._pick("portfolio")
