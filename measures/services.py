"""State changes of the measures app."""

from __future__ import annotations

from django.db import transaction

from measures import action_schemes, rules
from measures.models import ActionRating, ActionScheme, RatingBand, RatingScheme, rules_in_use

# What each band means, as printed in the key of a report.
BAND_DESCRIPTIONS = {
    ("Derby City Council", "blue"): "Performance above the target by 10% or more",
    ("Derby City Council", "green"): "From 2% below the target to less than 10% above it",
    ("Derby City Council", "amber"): "Between 2% and 10% below the target",
    ("Derby City Council", "red"): "More than 10% below the target",
    ("Derbyshire County Council", "strong"): (
        "More than 5% better than target (2% where the target is above 95%)"
    ),
    ("Derbyshire County Council", "good"): "Between 5% better and 2% worse than target",
    ("Derbyshire County Council", "review"): "More than 2% worse than target",
    ("Derbyshire County Council", "action"): "More than 10% worse than target",
}


@transaction.atomic
def ensure_rating_schemes() -> None:
    """The schemes perfmon ships with (Derby City's in use), where a council has none yet.

    Idempotent, and run after every migrate and flush, as Django does for permissions: a
    council that has set up its own schemes is left alone.
    """
    if RatingScheme.objects.exists():
        return
    for scheme in (rules.DERBY_CITY, rules.DERBYSHIRE):
        row = RatingScheme.objects.create(name=scheme.name, in_use=scheme is rules.DERBY_CITY)
        RatingBand.objects.bulk_create(
            RatingBand(
                scheme=row,
                position=position,
                key=band.key,
                label=band.label,
                colour=band.colour,
                floor=band.floor,
                floor_inclusive=band.floor_inclusive,
                high_target_above=band.high_target_above,
                high_target_floor=band.high_target_floor,
                high_target_unit=band.high_target_unit.value if band.high_target_unit else "",
                description=BAND_DESCRIPTIONS.get((scheme.name, band.key), ""),
            )
            for position, band in enumerate(scheme.bands, start=1)
        )


# (key, label, colour, on track, completed, rated, description) of the schemes perfmon ships.
ACTION_SCHEMES: dict[str, tuple[bool, list[tuple[str, str, str, bool, bool, bool, str]]]] = {
    "Derby City Council": (
        False,
        [
            ("completed", "Completed", "blue", True, True, True, "The action has been delivered."),
            (
                "on_track",
                "On track",
                "green",
                True,
                False,
                True,
                "On track within the agreed deadlines.",
            ),
            (
                "some_slippage",
                "Some slippage",
                "yellow",
                False,
                False,
                True,
                "Some slippage against the agreed deadlines.",
            ),
            (
                "major_slippage",
                "Major slippage",
                "red",
                False,
                False,
                True,
                "Major slippage against the agreed deadlines.",
            ),
            ("n/a", "N/A", "grey", False, False, False, "Not rated this quarter."),
        ],
    ),
    "Derbyshire County Council": (
        True,
        [
            (
                "strong",
                "Strong",
                "blue",
                True,
                False,
                True,
                "On track or complete with outcomes exceeding expectations.",
            ),
            (
                "good",
                "Good",
                "green",
                True,
                False,
                True,
                "On track or complete with outcomes in line with expectations.",
            ),
            (
                "review",
                "Review",
                "yellow",
                False,
                False,
                True,
                "Some risk to achieving timetable and/or outcomes.",
            ),
            (
                "action",
                "Action",
                "red",
                False,
                False,
                True,
                "Unlikely to achieve timetable and/or to deliver required outcome.",
            ),
        ],
    ),
}


@transaction.atomic
def ensure_action_schemes() -> None:
    """The action schemes perfmon ships with, each where no scheme has its name (Derby
    City's in use where none is); run after every migrate and flush, like
    `ensure_rating_schemes`."""
    have = set(ActionScheme.objects.values_list("name", flat=True))
    any_in_use = ActionScheme.objects.filter(in_use=True).exists()
    for name, (completion_apart, labels) in ACTION_SCHEMES.items():
        if name in have:
            continue
        in_use = name == "Derby City Council" and not any_in_use
        scheme = ActionScheme.objects.create(
            name=name, in_use=in_use, completion_apart=completion_apart
        )
        ActionRating.objects.bulk_create(
            ActionRating(
                scheme=scheme,
                position=position,
                key=key,
                label=label,
                colour=colour,
                on_track=on_track,
                completed=completed,
                rated=rated,
                description=description,
            )
            for position, (
                key,
                label,
                colour,
                on_track,
                completed,
                rated,
                description,
            ) in enumerate(labels, start=1)
        )


@transaction.atomic
def use_council_schemes(*, name: str) -> None:
    """Put the measure and action schemes called `name` in use (one of each at a time)."""
    for model in (RatingScheme, ActionScheme):
        model.objects.filter(in_use=True).exclude(name=name).update(in_use=False)
        model.objects.filter(name=name).update(in_use=True)
    # update() sends no signals: the cached schemes are forgotten here.
    rules_in_use.forget()
    action_schemes.scheme_in_use.forget()
