"""The measures and actions sections of a portfolio's quarterly return."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.forms import Field

from measures import rules
from measures.forms import ActionUpdateForm, MeasureUpdateForm, override_choices
from measures.models import Action, ActionUpdate, Measure, MeasureUpdate, RatingScheme
from perfmon.item_sections import ItemSection
from perfmon.models import Return


def scheme_in_use() -> RatingScheme:
    return RatingScheme.objects.prefetch_related("bands").get(in_use=True)


def rate(update: MeasureUpdate, *, measure: Measure, target: Any, scheme: rules.Scheme) -> None:
    """Set the update's computed status, colour and the sentence explaining them."""
    unit = rules.Unit(measure.unit)
    if update.actual is None and update.missing_reason:
        label = MeasureUpdate.MissingReason(update.missing_reason).label
        update.status, update.status_colour, update.status_explained = "N/A", "grey", label
        return
    rating = rules.rate_measure(
        actual=update.actual,
        target=target,
        polarity=rules.Polarity(measure.polarity),
        scheme=scheme,
        unit=unit,
    )
    explained = rules.explain_rating(rating, target=target, unit=unit, scheme=scheme)
    if rating.band is not None:
        update.status, update.status_colour = rating.band.label, rating.band.colour
    elif rating.outcome == rules.Outcome.NO_TARGET:
        update.status, update.status_colour = "No target", "grey"
    else:
        update.status, update.status_colour = "N/A", "grey"
    update.status_explained = explained[:300]


class MeasureSection(ItemSection):
    key = "measures"
    title = "Performance measures"
    order = 20
    template_name = "measures/_section_measures.jinja"
    item_model = Measure
    update_model = MeasureUpdate
    item_field = "measure"
    row_form = MeasureUpdateForm
    prefix = "m"
    value_fields = (
        "actual",
        "missing_reason",
        "provisional",
        "forecast",
        "period_label",
        "commentary",
        "status_override",
        "override_reason",
    )
    derived_fields = ("target", "status", "status_colour", "status_explained")
    complete_when = Q(actual__isnull=False) | ~Q(missing_reason="")
    missing_problem = "Enter the actual, or say why there is none"

    def items_of(self, ret: Return) -> QuerySet[Measure]:
        return super().items_of(ret).with_target_for(ret.quarter.number)  # type: ignore[attr-defined]

    def form_kwargs(self, ret: Return) -> dict[str, Any]:
        return {"scheme": scheme_in_use().as_rules(), "quarter_number": ret.quarter.number}

    def prepare_fields(self, fields: dict[str, Field], *, ret: Return, **extra: Any) -> None:
        fields["status_override"].choices = override_choices(extra["scheme"])  # type: ignore[attr-defined]

    def derive(self, update: Any, *, item: Any, ret: Return, form: Any) -> None:
        update.target = form.target
        rate(update, measure=item, target=form.target, scheme=form.scheme)

    def show(self, name: str, value: Any, *, item: Any) -> str:
        if name == "actual" and value is not None:
            return rules.format_value(value, rules.Unit(item.unit))
        if name == "missing_reason" and value:
            return str(MeasureUpdate.MissingReason(value).label)
        return super().show(name, value, item=item)


class ActionSection(ItemSection):
    key = "actions"
    title = "Council Plan actions"
    order = 10
    template_name = "measures/_section_actions.jinja"
    item_model = Action
    update_model = ActionUpdate
    item_field = "action"
    row_form = ActionUpdateForm
    prefix = "a"
    value_fields = ("status", "commentary", "reopen_reason")
    complete_when = ~Q(status="")
    missing_problem = "Choose a status"

    def initial_from_previous(self, previous: Any) -> dict[str, Any]:
        # A completed action stays completed unless someone says otherwise.
        if previous is not None and previous.status == ActionUpdate.Status.COMPLETED:
            return {"status": ActionUpdate.Status.COMPLETED}
        return {}

    def show(self, name: str, value: Any, *, item: Any) -> str:
        if name == "status" and value:
            return str(ActionUpdate.Status(value).label)
        return super().show(name, value, item=item)
