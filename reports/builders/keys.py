"""The key printed with every report: the legend of each rating scheme it uses, worded
from the scheme's data (so a council's own thresholds print as they are)."""

from __future__ import annotations

from decimal import Decimal

from measures import rules
from measures.models import ActionScheme, ActionUpdate
from projects.rules import DCA_MEANINGS, Rating
from reports.builders.common import ACTION_MEANINGS, Key, KeyEntry, Loaded, Status, Table, text_cell
from risks.models import RiskMatrix


def measure_key(loaded: Loaded) -> Key | None:
    if loaded.scheme is None:
        return None
    scheme = loaded.scheme.as_rules()
    entries = []
    for band, stored in zip(scheme.bands, loaded.scheme.bands.all(), strict=True):
        meaning = stored.description or "Performance " + rules.describe_band(
            band, target=Decimal(50), unit=rules.Unit.COUNT, scheme=scheme
        ).removeprefix(f"{band.label} is ").replace("above", "above the target", 1).replace(
            "below", "below the target", 1
        )
        entries.append(KeyEntry(Status(band.label, band.colour), meaning))
    entries += [
        KeyEntry(Status("No target", "grey"), "No target is set for the year."),
        KeyEntry(Status("N/A", "grey"), "No result, or a contextual measure (not rated)."),
    ]
    return Key(title=f"Measures ({scheme.name})", entries=tuple(entries))


def action_key() -> Key:
    scheme = ActionScheme.objects.prefetch_related("labels").filter(in_use=True).first()
    labels = list(scheme.labels.all()) if scheme else []
    if scheme and any(label.key not in ActionUpdate.COLOURS for label in labels):
        # A council's own scheme, in its own words and colours.
        entries = [KeyEntry(Status(x.label, x.colour), x.description) for x in labels]
        if scheme.completion_apart:
            entries.append(
                KeyEntry(Status("Completed", "grey"), "Completion is shown with its date.")
            )
        return Key(title=f"Actions ({scheme.name})", entries=tuple(entries))
    return Key(
        title="Actions",
        entries=tuple(
            KeyEntry(
                Status(
                    f"{ActionUpdate.COLOURS[value][0]}: {value.label}",
                    ActionUpdate.COLOURS[value][1],
                ),
                ACTION_MEANINGS[value],
            )
            for value in ACTION_MEANINGS
        ),
    )


def project_key() -> Key:
    return Key(
        title="Priority projects (delivery confidence)",
        entries=tuple(
            KeyEntry(Status(rating.label, rating.colour), DCA_MEANINGS[rating]) for rating in Rating
        ),
    )


def risk_keys() -> list[Key]:
    """The levels of each risk matrix, with the scores in each (likelihood x impact)."""
    keys = []
    for matrix in RiskMatrix.objects.complete():
        entries = []
        for level in matrix.levels.all():
            scores = sorted(
                {c.likelihood * c.impact for c in matrix.cells.all() if c.level_id == level.pk}
            )
            span = (
                f"{scores[0]} to {scores[-1]}" if len(scores) > 1 else ", ".join(map(str, scores))
            )
            meaning = level.description or f"Risk score {span or 'not used'}."
            entries.append(KeyEntry(Status(level.label, level.colour), meaning))
        entries.append(
            KeyEntry(
                Status("Risk score", "grey"),
                "Likelihood (1 to 4) × impact (1 to 4): 1 to 16, higher is more serious.",
            )
        )
        keys.append(Key(title=f"Strategic risks: {matrix.title}", entries=tuple(entries)))
    return keys


def keys_for(loaded: Loaded) -> list[Key]:
    keys = [measure_key(loaded), action_key(), project_key(), *risk_keys()]
    return [key for key in keys if key is not None]


def key_table(keys: list[Key]) -> Table:
    table = Table(slug="key", title="Key", columns=["Scheme", "Status", "Meaning"])
    for key in keys:
        for entry in key.entries:
            table.rows.append(
                [
                    text_cell(key.title),
                    text_cell(entry.status.label, entry.status.colour),
                    text_cell(entry.meaning),
                ]
            )
    return table
