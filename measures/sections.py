"""The measures and actions sections of a portfolio's quarterly return."""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

from django.db.models import OuterRef, Q, Subquery
from django.forms import ChoiceField, Field

from measures import action_schemes, quality, rules
from measures.action_schemes import ActionRating, ActionScheme
from measures.forms import ActionUpdateForm, MeasureUpdateForm, override_choices
from measures.models import (
    Action,
    ActionUpdate,
    Measure,
    MeasureUpdate,
    QuarterTarget,
    rules_in_use,
)
from perfmon.item_sections import ItemSection, Row
from perfmon.models import Return

# Shown in a row's flags instead.
HIDDEN_IN_SUMMARY = {"quality_warning", "value_confirmed", "override_reason"}


def approved_actuals(ret: Return, measure_ids: Collection[int]) -> list[tuple[int, Decimal]]:
    """(measure id, actual) of every approved result of these measures of the return's
    portfolio this year and last: each measure's own history, for the data-quality
    warnings."""
    rows = MeasureUpdate.objects.filter(
        ret__state=Return.State.APPROVED,
        actual__isnull=False,
        measure_id__in=list(measure_ids),
        measure__portfolio=ret.portfolio_id,
        measure__year__start_year__gte=ret.quarter.year.start_year - 1,
    ).values_list("measure_id", "actual")
    return [(measure_id, actual) for measure_id, actual in rows if actual is not None]


class MeasureSection(ItemSection):
    key = "measures"
    title = "Performance measures"
    order = 20
    template_name = "measures/_section_measures.jinja"
    row_template_name = "measures/_row_measure.jinja"
    item_model = Measure
    update_model = MeasureUpdate
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
        "quality_warning",
        "value_confirmed",
    )
    derived_fields = ("target", "status", "status_colour", "status_explained")
    complete_when = Q(actual__isnull=False) | ~Q(missing_reason="")
    missing_problem = "Enter the actual, or say why there is none"
    missing_field = "actual"

    def load_items(self, ret: Return, *, only: Collection[int] | None = None) -> list[Any]:
        # The rows show no theme, and each measure's target for the quarter.
        number = ret.quarter.number
        # One target per measure and quarter: no ordering (its Meta ordering joins three
        # tables in every row's subquery).
        own = QuarterTarget.objects.filter(measure=OuterRef("pk"), quarter_number=number).order_by()
        measures = (
            Measure.objects.filter(portfolio_id=ret.portfolio_id, year_id=ret.quarter.year_id)
            .annotate(quarter_target=Subquery(own.values("value")[:1]))
            .order_by("reference")
        )
        if only is not None:
            measures = measures.filter(pk__in=list(only))
        for measure in measures:
            target = measure.quarter_target
            measure.own_targets = {} if target is None else {number: target}
        return list(measures)

    def form_kwargs(self, ret: Return) -> dict[str, Any]:
        return {
            "scheme": rules_in_use.get(),
            "quarter_number": ret.quarter.number,
            "history": quality.History(
                functools.partial(approved_actuals, ret), key=f"{ret.portfolio_id}:{ret.quarter_id}"
            ),
        }

    def before_validating(self, rows: Sequence[Row], *, context: Mapping[str, Any]) -> None:
        # The data-quality warnings read the history of the measures being saved, at once.
        if rows:
            context["history"].expect(row.item for row in rows)

    def rating(self, update: Any, *, context: Mapping[str, Any]) -> tuple[str, str] | None:
        if not update.shown_status:
            return None
        if update.status_override:
            # An override is drawn in its own band's colour, not the computed one's.
            bands = {band.label: band.colour for band in context["scheme"].bands}
            return update.status_override, bands.get(update.status_override, "grey")
        return update.status, update.status_colour or "grey"

    def flags(self, row: Row, *, context: Mapping[str, Any]) -> list[str]:
        update, found = row.stored, list[str]()
        if update is None:
            return found
        if update.status_override:
            found.append(
                f"Status overridden from {update.status or 'none'} to "
                f"{update.status_override}: {update.override_reason}"
            )
        if update.quality_warning:
            found.append(f"Data-quality warning confirmed: {update.quality_warning}")
        return found

    def change_since_last(self, row: Row) -> tuple[str, float] | None:
        now = row.stored.actual if row.stored else None
        then = row.previous.actual if row.previous else None
        if now is None or then is None or now == then:
            return None
        unit = rules.Unit(row.item.unit)
        size = abs(float(now - then) / float(then)) if then else float("inf")
        words = f"{rules.format_value(then, unit)} to {rules.format_value(now, unit)}"
        return words, size

    def summary_fields(self, row: Row) -> list[str]:
        return [name for name in self.value_fields if name not in HIDDEN_IN_SUMMARY]

    def field_label(self, name: str) -> str:
        if name == "quality_warning":
            return "data-quality warning confirmed"
        return super().field_label(name)

    def prepare_fields(self, fields: dict[str, Field], *, ret: Return, **extra: Any) -> None:
        cast(ChoiceField, fields["status_override"]).choices = override_choices(extra["scheme"])

    def row_state(self, row: Row) -> tuple[Any, ...]:
        return (sorted(getattr(row.item, "own_targets", {}).items()),)

    def shown_initial(self, name: str, value: Any, *, item: Any) -> Any:
        if name == "actual" and value is not None:
            return rules.format_value(value, rules.Unit(item.unit))
        return value

    def derive(self, update: Any, *, item: Any, ret: Return, context: Mapping[str, Any]) -> None:
        target = item.target_for(context["quarter_number"])
        update.rate(measure=item, target=target, scheme=context["scheme"])

    def show(
        self, name: str, value: Any, *, item: Any, context: Mapping[str, Any] | None = None
    ) -> str:
        if name == "actual" and value is not None:
            return rules.format_value(value, rules.Unit(item.unit))
        if name == "missing_reason" and value:
            return str(MeasureUpdate.MissingReason(value).label)
        return super().show(name, value, item=item, context=context)


class ActionSection(ItemSection):
    key = "actions"
    title = "Council Plan actions"
    order = 10
    template_name = "measures/_section_actions.jinja"
    row_template_name = "measures/_row_action.jinja"
    item_model = Action
    update_model = ActionUpdate
    row_form = ActionUpdateForm
    prefix = "a"
    value_fields = ("status", "completed_on", "commentary", "reopen_reason")
    derived_fields = ("rating",)
    complete_when = ~Q(status="")
    missing_problem = "Choose a status"
    missing_field = "status"

    def row_state(self, row: Row) -> tuple[Any, ...]:
        return (row.item.theme.name,)

    def form_kwargs(self, ret: Return) -> dict[str, Any]:
        scheme = action_scheme_in_use()
        labels = {label.key: label for label in scheme.labels.all()} if scheme else {}
        return {"labels": labels, "completion_apart": bool(scheme and scheme.completion_apart)}

    def prepare_fields(self, fields: dict[str, Field], *, ret: Return, **extra: Any) -> None:
        if extra["labels"]:
            choices = [(key, label.label) for key, label in extra["labels"].items()]
            field = cast(ChoiceField, fields["status"])
            if not set(extra["labels"]) <= set(ActionUpdate.Status.values):
                field.label = "Rating"  # a council's own scheme: Strong, Good...
            field.choices = [("", "Choose a rating"), *choices]

    def initial_from_previous(self, previous: Any) -> dict[str, Any]:
        # A completed action stays completed unless someone says otherwise.
        if previous is not None and previous.status == ActionUpdate.Status.COMPLETED:
            return {"status": ActionUpdate.Status.COMPLETED}
        if previous is not None and previous.completed_on is not None:
            return {"status": previous.status, "completed_on": previous.completed_on}
        return {}

    def rating(self, update: Any, *, context: Mapping[str, Any]) -> tuple[str, str] | None:
        if not update.status:
            return None
        return str(update.get_status_display()), update.colour[1]

    def show(
        self, name: str, value: Any, *, item: Any, context: Mapping[str, Any] | None = None
    ) -> str:
        if name == "status" and value:
            # The section's context has the scheme's labels already: a page of many rows
            # looks them up once.
            labels = context["labels"] if context and "labels" in context else action_labels()
            label = labels.get(value)
            return label.label if label else str(value)
        return super().show(name, value, item=item, context=context)


def action_scheme_in_use() -> ActionScheme | None:
    return action_schemes.scheme_in_use.get()


def action_labels() -> dict[str, ActionRating]:
    """The labels of the scheme in use, by key ({} with none in use)."""
    scheme = action_scheme_in_use()
    return {label.key: label for label in scheme.labels.all()} if scheme else {}
