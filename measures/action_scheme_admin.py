"""The admin of action rating schemes: a scheme and its labels on one page."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from measures.action_schemes import ActionRating, ActionScheme


class ActionLabelsFormSet(forms.BaseInlineFormSet):
    """A scheme needs an on-track label and, unless completion is kept apart, a completed
    one; two labels cannot share a name."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        names = [str(data.get("label", "")).strip().casefold() for data in kept]
        if len(names) != len(set(names)):
            raise ValidationError("Two labels of one scheme cannot have the same name.")
        if not any(data.get("on_track") for data in kept):
            raise ValidationError("Mark at least one label as counting as on track.")
        completion_apart = bool(getattr(self.instance, "completion_apart", False))
        if not completion_apart and not any(data.get("completed") for data in kept):
            raise ValidationError(
                "Mark a label as meaning completed, or record completion apart from the rating."
            )


class ActionRatingInline(admin.TabularInline):
    model = ActionRating
    formset = ActionLabelsFormSet
    fields = [
        "position",
        "key",
        "label",
        "colour",
        "on_track",
        "completed",
        "rated",
        "description",
    ]
    extra = 0


@admin.register(ActionScheme)
class ActionSchemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "in_use", "completion_apart"]
    inlines = [ActionRatingInline]
