"""Action (deliverable) rating schemes as data: Derby City's Completed / On track / Some
slippage / Major slippage, Derbyshire's Strong / Good / Review / Action, or a council's own.

A quarter's rating is stored with its update as a link to the label it was given, so a
council that changes scheme never re-rates a quarter already reported; a label that past
quarters use cannot be deleted.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from perfmon.cached import Cached


class ActionScheme(models.Model):
    """How a council rates its actions. One scheme is in use at a time."""

    name = models.CharField(max_length=100, unique=True)
    in_use = models.BooleanField(default=False)
    completion_apart = models.BooleanField(
        "Completion is recorded apart from the rating",
        default=False,
        help_text="Derbyshire: a completed deliverable keeps its rating (Strong, Good...) and "
        "records its completion date. Off: completion is one of the labels (Derby City).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["in_use"],
                condition=Q(in_use=True),
                name="action_scheme_one_in_use",
                violation_error_message="Only one action rating scheme can be in use.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ActionRating(models.Model):
    """One label of an action scheme, with what it counts as."""

    scheme = models.ForeignKey(ActionScheme, on_delete=models.CASCADE, related_name="labels")
    position = models.PositiveSmallIntegerField(help_text="1 for the best label.")
    key = models.SlugField(
        max_length=30, help_text="Stored with each update: on_track, strong, good..."
    )
    label = models.CharField(max_length=50)
    colour = models.CharField(
        max_length=20, help_text="A GOV.UK tag colour: blue, green, yellow, orange, red, grey."
    )
    on_track = models.BooleanField(
        "Counts as delivered or on track", default=False, help_text="Counted in '% on track'."
    )
    completed = models.BooleanField(
        "Means completed", default=False, help_text="A completed action stays completed."
    )
    rated = models.BooleanField(
        default=True, help_text="Off for a label that is not a rating (N/A): not counted."
    )
    description = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "key"], name="action_rating_key_unique"),
            models.UniqueConstraint(
                fields=["scheme", "label"],
                name="action_rating_label_unique",
                violation_error_message="Two labels of one scheme cannot have the same name.",
            ),
            models.UniqueConstraint(
                fields=["scheme", "position"], name="action_rating_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(rated=True) | Q(on_track=False, completed=False),
                name="action_rating_unrated_counts_nothing",
                violation_error_message="A label that is not a rating cannot count as on track "
                "or completed.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme}: {self.label}"


def _scheme_in_use() -> ActionScheme | None:
    return ActionScheme.objects.prefetch_related("labels").filter(in_use=True).first()


# Every return page and report reads the scheme in use: see perfmon/cached.py.
scheme_in_use = Cached("action-scheme", _scheme_in_use, depends_on=[ActionScheme, ActionRating])
