"""The two rating schemes perfmon ships with; Derby City's is in use to begin with."""

from decimal import Decimal

from django.db import migrations

SCHEMES = {
    "Derby City Council": (
        True,
        [
            (
                "blue",
                "Blue",
                "blue",
                Decimal(10),
                True,
                None,
                None,
                "Exceeds target by 10% or more",
            ),
            (
                "green",
                "Green",
                "green",
                Decimal(-2),
                True,
                None,
                None,
                "From 2% below target to less than 10% above it",
            ),
            (
                "amber",
                "Amber",
                "yellow",
                Decimal(-10),
                True,
                None,
                None,
                "Between 2% and 10% below target",
            ),
            ("red", "Red", "red", None, True, None, None, "More than 10% below target"),
        ],
    ),
    "Derbyshire County Council": (
        False,
        [
            (
                "strong",
                "Strong",
                "blue",
                Decimal(5),
                False,
                Decimal(95),
                Decimal(2),
                "More than 5% better than target (2% where the target is above 95%)",
            ),
            (
                "good",
                "Good",
                "green",
                Decimal(-2),
                True,
                None,
                None,
                "Between 5% better and 2% worse than target",
            ),
            (
                "review",
                "Review",
                "yellow",
                Decimal(-10),
                True,
                None,
                None,
                "More than 2% worse than target",
            ),
            ("action", "Action", "red", None, True, None, None, "More than 10% worse than target"),
        ],
    ),
}


def create_schemes(apps, schema_editor):
    RatingScheme = apps.get_model("measures", "RatingScheme")
    RatingBand = apps.get_model("measures", "RatingBand")
    for name, (in_use, bands) in SCHEMES.items():
        scheme, created = RatingScheme.objects.get_or_create(name=name, defaults={"in_use": in_use})
        if not created:
            continue
        for position, (key, label, colour, floor, inclusive, above, high_floor, text) in enumerate(
            bands, start=1
        ):
            RatingBand.objects.create(
                scheme=scheme,
                position=position,
                key=key,
                label=label,
                colour=colour,
                floor=floor,
                floor_inclusive=inclusive,
                high_target_above=above,
                high_target_floor=high_floor,
                high_target_unit="percentage" if above is not None else "",
                description=text,
            )


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_measures_and_actions")]
    operations = [migrations.RunPython(create_schemes, migrations.RunPython.noop)]
