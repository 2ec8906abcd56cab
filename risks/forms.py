"""Officers' quarterly assessment of one risk (a row of the return), and the filters of
the risk register and heat map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.forms import BoundField

from perfmon.forms import long_text_field
from perfmon.item_sections import RowForm
from perfmon.models import Portfolio
from risks import rules
from risks.models import Risk, RiskAssessment, SideAssessment


def _scale_field(label: str, axis: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "Choose")] + [(n, str(n)) for n in rules.SCALE],
        error_messages={
            "invalid_choice": f"Choose {'an' if axis == 'impact' else 'a'} {axis} from 1 to 4"
        },
    )


@dataclass(frozen=True)
class SideRow:
    """What the template shows for one side of one risk: its two fields, last quarter's
    assessment beside them and the change since."""

    side: rules.Side
    likelihood: BoundField
    impact: BoundField
    previous: SideAssessment | None
    stored: SideAssessment | None
    change: str


class RiskAssessmentForm(RowForm[Risk, RiskAssessment]):
    threat_likelihood = _scale_field("Threat likelihood", "likelihood")
    threat_impact = _scale_field("Threat impact", "impact")
    opportunity_likelihood = _scale_field("Opportunity likelihood", "likelihood")
    opportunity_impact = _scale_field("Opportunity impact", "impact")
    target_score = forms.TypedChoiceField(
        label="Target score",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "No target")] + [(n, str(n)) for n in rules.POSSIBLE_SCORES],
        error_messages={"invalid_choice": "Choose a target score that likelihood × impact gives"},
    )
    controls = long_text_field("Controls in place")
    further_actions = long_text_field("Further actions")
    commentary = long_text_field("Supporting information")

    def __init__(
        self, *args: Any, matrices: dict[rules.Side, rules.Matrix], since: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.matrices = matrices
        self.since = since
        self.assessed = self.item.sides
        for side in rules.Side:
            if side not in self.assessed:
                del self.fields[f"{side.value}_likelihood"], self.fields[f"{side.value}_impact"]

    @staticmethod
    def prepare_scales(
        fields: dict[str, forms.Field], matrices: dict[rules.Side, rules.Matrix]
    ) -> None:
        """Word each side's likelihood and impact choices from the council's matrices."""
        for side, matrix in matrices.items():
            for axis, points in (("likelihood", matrix.likelihood), ("impact", matrix.impact)):
                cast(forms.ChoiceField, fields[f"{side.value}_{axis}"]).choices = [
                    ("", "Choose")
                ] + [(n, points[n].text if n in points else str(n)) for n in rules.SCALE]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for side in self.assessed:
            likelihood = cleaned.get(f"{side.value}_likelihood")
            impact = cleaned.get(f"{side.value}_impact")
            if (likelihood is None) == (impact is None):
                continue
            missing, given = (
                ("impact", "likelihood") if impact is None else ("likelihood", "impact")
            )
            name = f"{side.value}_{missing}"
            if name not in self.errors:  # not already refused as off the scale
                self.add_error(
                    name,
                    f"Choose the {side.value}'s {missing} as well as its {given}",
                )
        return cleaned

    @property
    def side_rows(self) -> list[SideRow]:
        rows = []
        for side in self.assessed:
            previous = self.previous.side(side) if self.previous else None
            stored = self.stored.side(side) if self.stored else None
            rows.append(
                SideRow(
                    side=side,
                    likelihood=self[f"{side.value}_likelihood"],
                    impact=self[f"{side.value}_impact"],
                    previous=previous if previous and previous.score is not None else None,
                    stored=stored if stored and stored.score is not None else None,
                    change=rules.change_in_words(
                        previous=previous.score if previous else None,
                        current=stored.score if stored else None,
                        since=self.since,
                    ),
                )
            )
        return rows


SIDE_CHOICES = [(side.value, side.plural.capitalize()) for side in rules.Side]


class QuarterForm(forms.Form):
    """Which quarter and side a register or heat map shows; blank means the latest
    quarter with an approved assessment, and threats."""

    year = forms.IntegerField(required=False, min_value=2000, max_value=2099)
    quarter = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "")] + [(n, f"Q{n}") for n in range(1, 5)],
    )
    side = forms.ChoiceField(required=False, choices=SIDE_CHOICES)

    def side_chosen(self) -> rules.Side:
        value = self.cleaned_data.get("side") if self.is_valid() else ""
        return rules.Side(value or rules.Side.THREAT)


class RegisterFilterForm(QuarterForm):
    likelihood = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any")] + [(n, str(n)) for n in rules.SCALE],
    )
    impact = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any")] + [(n, str(n)) for n in rules.SCALE],
    )
    portfolio = forms.ModelChoiceField(
        queryset=Portfolio.objects.all(), required=False, empty_label="All portfolios"
    )
