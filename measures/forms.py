"""Officers' quarterly update forms for one measure and one action (a row of the return)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from measures import quality, rules
from measures.action_schemes import ActionRating
from measures.models import Action, ActionUpdate, Measure, MeasureUpdate
from measures.values import ValueParseError, bounded, parse_actual
from perfmon.forms import long_text_field
from perfmon.item_sections import RowForm


class ActualField(forms.CharField):
    """What the officer typed ("£38,140,000", "12.8 days", "74% (Provisional)"), kept as
    text until the form cleans it into a number and flags."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, max_length=60, **kwargs)


class ValueFormField(forms.DecimalField):
    """A plain number the database can keep (the admin's targets and quarter targets),
    refused in words at 10^14 or more either way."""

    def __init__(self, **kwargs: Any) -> None:
        # The bound replaces Django's digit counts, whose messages count digits.
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Decimal | None:
        number = super().clean(value)
        if number is None:
            return None
        try:
            return bounded(number)
        except ValueParseError as error:
            raise forms.ValidationError(str(error), code="too_big") from error


class MeasureUpdateForm(RowForm[Measure, MeasureUpdate]):
    actual = ActualField(label="Actual")
    missing_reason = forms.ChoiceField(
        label="Or why there is no actual",
        choices=[("", "There is an actual"), *MeasureUpdate.MissingReason.choices],
        required=False,
    )
    provisional = forms.BooleanField(label="Provisional", required=False)
    forecast = forms.BooleanField(label="Forecast", required=False)
    period_label = forms.CharField(
        label="Data for an earlier period",
        required=False,
        max_length=40,
        help_text='For example "Q3 data".',
    )
    commentary = long_text_field("Supporting information")
    # Its choices are the bands of the scheme in use: see override_choices().
    status_override = forms.ChoiceField(label="Override the status", required=False)
    override_reason = long_text_field("Reason for the override", rows=2)
    # Shown only beside a data-quality warning (measures.quality).
    value_confirmed = forms.BooleanField(
        label="I have checked this actual: it is right", required=False
    )

    def __init__(
        self,
        *args: Any,
        scheme: rules.Scheme,
        quarter_number: int,
        history: quality.History | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        self.history = history
        self.warnings: list[str] = []
        self.unit = rules.Unit(self.item.unit)
        self.target = self.item.target_for(quarter_number)

    @property
    def target_text(self) -> str:
        return rules.format_value(self.target, self.unit) if self.target is not None else ""

    @property
    def previous_text(self) -> str:
        """Last quarter's approved result in words: "56% (Green)"."""
        previous = self.previous
        if previous is None:
            return ""
        if previous.actual is None:
            return previous.get_missing_reason_display() or "no actual"
        value = rules.format_value(previous.actual, self.unit)
        return f"{value} ({previous.shown_status})" if previous.shown_status else value

    @property
    def override_colour(self) -> str:
        """The tag colour of the stored override: its own band's ("Amber" is amber)."""
        override = self.stored.status_override if self.stored else ""
        colours = {band.label: band.colour for band in self.scheme.bands}
        return colours.get(override, "grey")

    def clean_actual(self) -> Decimal | None:
        text = self.cleaned_data.get("actual", "")
        if not text.strip():
            return None
        try:
            parsed = parse_actual(text)
        except ValueParseError as error:
            raise forms.ValidationError(str(error)) from error
        # Flags typed inside the value ("76% (Provisional)") count as ticked boxes.
        self._parsed = parsed
        return parsed.value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        parsed = getattr(self, "_parsed", None)
        if parsed is not None:
            cleaned["provisional"] = cleaned.get("provisional") or parsed.provisional
            cleaned["forecast"] = cleaned.get("forecast") or parsed.forecast
            cleaned["period_label"] = cleaned.get("period_label") or parsed.period_label
            if parsed.missing_reason and not cleaned.get("missing_reason"):
                cleaned["missing_reason"] = parsed.missing_reason.value
        if cleaned.get("actual") is not None and cleaned.get("missing_reason"):
            self.add_error(
                "missing_reason", "Give either an actual or a reason there is none, not both"
            )
        if cleaned.get("status_override") and not cleaned.get("override_reason", "").strip():
            self.add_error("override_reason", "Say why the status is overridden")
        if not cleaned.get("status_override"):
            cleaned["override_reason"] = ""
        self._check_quality(cleaned)
        return cleaned

    def _check_quality(self, cleaned: dict[str, Any]) -> None:
        """Warn about an actual that is probably a typing mistake, unless the officer has
        confirmed it; a confirmed warning is kept with the update."""
        actual = cleaned.get("actual")
        if actual is not None and "actual" not in self.errors:
            self.warnings = quality.quality_warnings(
                actual=actual,
                unit=self.unit,
                last_quarter=self.previous.actual if self.previous else None,
                history=self.history.of(self.item) if self.history else (),
            )
        if self.warnings and not cleaned.get("value_confirmed"):
            self.add_error(
                "actual",
                f"Check the actual: {'; '.join(self.warnings)}. Correct it, or tick "
                "“I have checked this actual” if it is right",
            )
        cleaned["quality_warning"] = "; ".join(self.warnings)[:500]
        cleaned["value_confirmed"] = bool(self.warnings and cleaned.get("value_confirmed"))


def override_choices(scheme: rules.Scheme) -> list[tuple[str, str]]:
    return [("", "No override")] + [(band.label, band.label) for band in scheme.bands]


class ActionUpdateForm(RowForm[Action, ActionUpdate]):
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Choose a status"), *ActionUpdate.Status.choices],
        required=False,
    )
    completed_on = forms.DateField(
        label="Date completed",
        required=False,
        help_text="For example, 30 9 2021 or 2021-09-30",
        input_formats=["%d %m %Y", "%Y-%m-%d", "%d/%m/%Y"],
    )
    commentary = long_text_field("Supporting information")
    reopen_reason = long_text_field("Why is it no longer completed?", rows=2)

    def __init__(
        self,
        *args: Any,
        labels: dict[str, ActionRating] | None = None,
        completion_apart: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.labels = labels or {}
        self.completion_apart = completion_apart

    def _completed(self, status: str | None) -> bool:
        label = self.labels.get(status or "")
        if label is not None:
            return label.completed
        return status == ActionUpdate.Status.COMPLETED

    def was_completed(self) -> bool:
        return any(
            update is not None
            and (self._completed(update.status) or update.completed_on is not None)
            for update in (self.stored, self.previous)
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        status = cleaned.get("status")
        completed = self._completed(status) or cleaned.get("completed_on") is not None
        going_back = self.was_completed() and status and not completed
        if going_back and not cleaned.get("reopen_reason", "").strip():
            self.add_error(
                "reopen_reason",
                "This action was reported completed: say why it is no longer completed",
            )
        if not going_back:
            cleaned["reopen_reason"] = ""
        return cleaned
