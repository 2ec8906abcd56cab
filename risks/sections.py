"""The strategic risks section of a portfolio's quarterly return."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.forms import Field

from perfmon import quarters
from perfmon.item_sections import ItemSection, Row
from perfmon.models import Portfolio, ReportingYear, Return
from risks import rules
from risks.forms import RiskAssessmentForm
from risks.models import Risk, RiskAssessment
from risks.services import matrices_in_use, rate_side


def since_words(start_year: int, number: int) -> str:
    """The end of the quarter before (start_year, number): "the end of March 2021"."""
    ends = quarters.quarter_bounds(*quarters.previous_quarter(start_year, number))[1]
    return rules.quarter_end_words(ends.month, ends.year)


class RiskSection(ItemSection):
    key = "risks"
    title = "Strategic risks"
    order = 50
    template_name = "risks/_section_risks.jinja"
    row_template_name = "risks/_row_risk.jinja"
    item_model = Risk
    update_model = RiskAssessment
    row_form = RiskAssessmentForm
    prefix = "r"
    value_fields = (
        "threat_likelihood",
        "threat_impact",
        "opportunity_likelihood",
        "opportunity_impact",
        "target_score",
        "controls",
        "further_actions",
        "commentary",
    )
    derived_fields = (
        "threat_score",
        "threat_level",
        "threat_level_colour",
        "opportunity_score",
        "opportunity_level",
        "opportunity_level_colour",
        "score_only",
    )
    # Every side the risk is assessed on has a score.
    complete_when = (
        Q(risk__assessed=Risk.Assessed.THREAT, threat_score__isnull=False)
        | Q(risk__assessed=Risk.Assessed.OPPORTUNITY, opportunity_score__isnull=False)
        | Q(
            risk__assessed=Risk.Assessed.BOTH,
            threat_score__isnull=False,
            opportunity_score__isnull=False,
        )
    )
    missing_problem = "Choose the likelihood and impact"
    missing_field = "threat_likelihood"

    def missing_field_for(self, item: Any) -> str:
        if item.assessed == Risk.Assessed.OPPORTUNITY:
            return "opportunity_likelihood"
        return self.missing_field

    def items(self, *, portfolio: Portfolio, year: ReportingYear) -> QuerySet[Risk]:
        return super().items(portfolio=portfolio, year=year).select_related("owner")

    def row_state(self, row: Row) -> tuple[Any, ...]:
        return (row.item.owner_text,)

    def item_label(self, item: Any) -> str:
        return f"{item.reference} {item.title}"

    def form_kwargs(self, ret: Return) -> dict[str, Any]:
        quarter = ret.quarter
        return {
            "matrices": matrices_in_use(),
            "since": since_words(quarter.year.start_year, quarter.number),
        }

    def prepare_fields(self, fields: dict[str, Field], *, ret: Return, **extra: Any) -> None:
        RiskAssessmentForm.prepare_scales(fields, extra["matrices"])

    def initial_from_previous(self, previous: Any) -> dict[str, Any]:
        # Controls and the target usually stand from one quarter to the next; the scores
        # are the officer's judgement each quarter, so they start blank.
        if previous is None:
            return {}
        return {"target_score": previous.target_score, "controls": previous.controls}

    def cleaned_values(self, cleaned: Any) -> dict[str, Any]:
        # A text field the form leaves out stays blank, not None.
        values = super().cleaned_values(cleaned)
        for name in ("controls", "further_actions", "commentary"):
            values[name] = values[name] or ""
        return values

    def derive(self, update: Any, *, item: Any, ret: Return, context: Mapping[str, Any]) -> None:
        matrices = context["matrices"]
        if any(getattr(update, f"{side.value}_likelihood") is not None for side in rules.Side):
            update.score_only = False  # likelihood and impact now replace a published score
        for side in rules.Side:
            rate_side(update, side, matrices=matrices)

    def rating(self, update: Any, *, context: Mapping[str, Any]) -> tuple[str, str] | None:
        # The threat side where there is one: what a director watches.
        for side in rules.Side:
            level = getattr(update, f"{side.value}_level")
            if level:
                colour = getattr(update, f"{side.value}_level_colour") or "grey"
                return f"{side.value.title()}: {level}", colour
        return None

    def change_since_last(self, row: Row) -> tuple[str, float] | None:
        now = row.stored.threat_score if row.stored else None
        then = row.previous.threat_score if row.previous else None
        if now is None or then is None or now == then:
            return None
        return f"threat score {then} to {now}", abs(now - then) / then

    def show(
        self, name: str, value: Any, *, item: Any, context: Mapping[str, Any] | None = None
    ) -> str:
        if value is None and name.endswith(("likelihood", "impact", "score")):
            return ""
        return super().show(name, value, item=item, context=context)
