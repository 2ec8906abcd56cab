"""State changes of the measures app."""

from __future__ import annotations

from django.db import transaction

from measures import rules
from measures.models import RatingBand, RatingScheme

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
