"""Saving one section of a return: a three-way merge, field by field.

For each item it compares what the person loaded (the stored update at the version their
page was loaded with, read back from its history), what they sent, and what is stored
now. A field only they changed is written; a field only someone else changed is kept and
reported as merged; a field both changed to different values keeps the stored value and
is reported as a clash, so nothing anyone saved is lost and nobody is overwritten unseen.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from perfmon.models import Return, User
from perfmon.models.items import Item, ItemUpdate
from perfmon.sections import Change, Clash, Merged, SectionSave, StaleForm

if TYPE_CHECKING:
    from perfmon.item_sections import ItemSection


@dataclass(frozen=True)
class RowEdit:
    """What one person sent for one item, as parsed by the row's form."""

    item: Item
    previous: ItemUpdate | None  # last quarter's approved update, for what carries over
    version: int  # the version of the item's update the page was loaded with (0: none)
    values: Mapping[str, Any]  # the section's value fields, cleaned
    field_ids: Mapping[str, str]  # each value field's id on the page, for the clash links


@dataclass
class _Merge:
    write: dict[str, Any] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)  # fields only someone else changed
    clashes: list[str] = field(default_factory=list)  # fields both changed, differently


def save_section(
    *,
    section: ItemSection,
    ret: Return,
    user: User,
    edits: Sequence[RowEdit],
    context: Mapping[str, Any],
) -> SectionSave:
    """Merge `edits` into `ret`'s stored updates (`ret` locked by the caller) and write the
    changed rows in bulk, with history attributed to `user`. `context` is what the
    section's derive() needs (a rating scheme, the risk matrices).

    Raises StaleForm, having written nothing, when an edit's version was never stored."""
    if not edits:
        return SectionSave()
    # What is stored now of the items this person changed (the rest are not written).
    current = section.updates_by_item(ret, select_user=True, items=[edit.item for edit in edits])
    for edit in edits:
        stored = current.get(edit.item.pk)
        if edit.version > (stored.version if stored else 0):
            raise StaleForm(f"No version {edit.version} of {section.item_label(edit.item)}.")
    history = section.history_since(
        {
            stored.pk: edit.version
            for edit in edits
            if (stored := current.get(edit.item.pk)) is not None and edit.version != stored.version
        }
    )
    result = SectionSave()
    now = timezone.now()
    created: list[ItemUpdate] = []
    updated: list[ItemUpdate] = []
    written: set[str] = set()  # the value fields written to any updated row
    for edit in edits:
        stored = current.get(edit.item.pk)
        records = history.get(stored.pk, []) if stored else []
        merge = _merge(section, edit, stored, records)
        result.merged += [_merged(section, edit, name, records) for name in merge.merged]
        result.clashes += [_clash(section, edit, name, stored, records) for name in merge.clashes]
        if not merge.write:
            continue
        update = stored or section.update_model(
            **{section.item_field: edit.item}, ret=ret, version=0
        )
        before = section.values_of(stored, item=edit.item)
        for name, value in merge.write.items():
            setattr(update, name, value)
        section.derive(update, item=edit.item, ret=ret, context=context)
        update.version += 1
        update.updated_by = user
        update.updated_at = now
        (updated if stored else created).append(update)
        written |= set(merge.write) if stored else set()
        result.changes += [
            Change(
                item=edit.item.reference,
                field=section.field_label(name),
                before=section.show(name, before[name], item=edit.item, context=context),
                after=section.show(name, value, item=edit.item, context=context),
            )
            for name, value in merge.write.items()
        ]
    if created:
        bulk_create_with_history(created, section.update_model, default_user=user)
    if updated:
        # Only the fields this save wrote: each one more is a CASE over every row.
        fields = [name for name in section.value_fields if name in written]
        fields += [*section.derived_fields, "version", "updated_by", "updated_at"]
        _update_with_history(updated, section.update_model, fields=fields, user=user)
    return result


# Django's bulk_update writes every field as a CASE over every row, which costs more to
# build than it saves below this many rows (a typical save changes a handful).
ROW_BY_ROW_BELOW = 10


def _update_with_history(
    updates: Sequence[ItemUpdate], model: type[ItemUpdate], *, fields: list[str], user: User
) -> None:
    """Write `fields` of `updates` and a history record of each, in the caller's
    transaction: row by row when there are few, else in bulk."""
    if len(updates) >= ROW_BY_ROW_BELOW:
        bulk_update_with_history(updates, model, fields=fields, default_user=user)
        return
    rows = model._default_manager
    for update in updates:
        rows.filter(pk=update.pk).update(**{name: getattr(update, name) for name in fields})
    model.history.bulk_history_create(updates, update=True, default_user=user)


def _loaded(
    section: ItemSection, edit: RowEdit, stored: ItemUpdate, history: Sequence[Any]
) -> dict[str, Any]:
    """The values the person's page showed: the stored update at the version it was loaded
    with, or, for an item nobody had saved then, the blank values with what carries over
    from last quarter."""
    if edit.version == stored.version:
        return section.values_of(stored, item=edit.item)
    if edit.version == 0:
        blank = section.values_of(None, item=edit.item)
        return blank | section.initial_from_previous(edit.previous)
    for record in history:
        if record.version == edit.version:
            return section.values_of(record, item=edit.item)
    raise StaleForm(f"No version {edit.version} of {section.item_label(edit.item)}.")


def _merge(
    section: ItemSection, edit: RowEdit, stored: ItemUpdate | None, history: Sequence[Any]
) -> _Merge:
    now = section.values_of(stored, item=edit.item)
    if stored is None:  # nobody has saved this item: all that differs is this person's
        return _Merge(write={n: v for n, v in edit.values.items() if v != now[n]})
    loaded = _loaded(section, edit, stored, history)
    merge = _Merge()
    for name, value in edit.values.items():
        theirs_changed = now[name] != loaded[name]
        if value == loaded[name]:
            if theirs_changed:
                merge.merged.append(name)
        elif not theirs_changed or now[name] == value:
            if now[name] != value:
                merge.write[name] = value
        else:
            merge.clashes.append(name)
    return merge


def _changed_by(name: str, records: Sequence[Any]) -> str:
    """Who last changed field `name` in `records` (oldest first, from the loaded version)."""
    who = None
    for before, after in itertools.pairwise(records):
        if getattr(before, name) != getattr(after, name):
            who = after.history_user
    who = who or (records[-1].history_user if records else None)
    return who.display_name if who is not None else "Someone"


def _merged(section: ItemSection, edit: RowEdit, name: str, records: Sequence[Any]) -> Merged:
    return Merged(
        item=edit.item.reference,
        field=section.field_label(name),
        changed_by=_changed_by(name, records),
        value=section.show(name, getattr(records[-1], name), item=edit.item),
    )


def _clash(
    section: ItemSection, edit: RowEdit, name: str, stored: Any, records: Sequence[Any]
) -> Clash:
    return Clash(
        item=edit.item.reference,
        field=section.field_label(name),
        anchor=edit.field_ids[name],
        changed_by=_changed_by(name, records),
        theirs=section.show(name, getattr(stored, name), item=edit.item),
        yours=section.show(name, edit.values[name], item=edit.item),
    )
