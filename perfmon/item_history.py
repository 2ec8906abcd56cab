"""Change history in the words officers use, for any model django-simple-history tracks.

simple-history keeps a record of every save. Here consecutive records of one object are
compared with `diff_against` and each difference written as people read it: "Actual: 54% →
56%", by whom and when. Each app that has history to show says which fields count, how
each reads and which records to read (selecting the people and related objects with them,
so a page costs a fixed number of queries); this module turns those records into entries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from perfmon.access import ItemAccess
from perfmon.models.items import Item

DEFINITION = "Definition"
"""The subject of an entry that changed the object itself rather than one of its quarters."""

Show = Callable[[Any, Any], str]
"""Writes a field's value for people, given the value and the record it came from."""


@dataclass(frozen=True)
class Field:
    """How one field reads in the history."""

    label: str
    show: Show
    is_text: bool = False  # free text: too long to repeat inline, shown in full on request
    # Free text neither repeated nor shown in full: the change in a word ("changed"), given
    # the old value (None when the object was created) and the new one.
    in_a_word: Callable[[Any, Any], str] | None = None
    # A yes/no whose "no" is worth saying when the object is created (on track: no).
    false_is_a_value: bool = False


@dataclass(frozen=True)
class Change:
    """One field's change. `before` is None when the object was created (or the change is
    told in a word), `after` None when it was deleted."""

    label: str
    before: str | None
    after: str | None
    is_text: bool = False

    def __str__(self) -> str:
        if self.is_text:
            if self.before is None or (not self.before and self.after):
                return f"{self.label} added"
            return f"{self.label} removed" if not self.after else f"{self.label} changed"
        if self.before is None:
            return f"{self.label}: {self.after}"
        if self.after is None:
            return f"{self.label} was {self.before}"
        return f"{self.label}: {self.before} → {self.after}"


@dataclass(frozen=True)
class Entry:
    """One save: what it changed, of what (`subject`: "Definition", "Q2 2026/27"), by whom
    and when."""

    at: datetime
    by: str
    subject: str
    changes: tuple[Change, ...]
    kind: str = "changed"  # or "created", "deleted"
    reason: str = ""

    @property
    def summary(self) -> str:
        return "; ".join(str(change) for change in self.changes)

    @property
    def texts(self) -> tuple[Change, ...]:
        """The free-text changes, whose before and after are shown in full."""
        return tuple(change for change in self.changes if change.is_text)


def entries(
    records: Iterable[Any],
    fields: dict[str, Field],
    *,
    subject: Callable[[Any], str],
    deletions: bool = True,
) -> list[Entry]:
    """An entry per record that changed something a person would notice, oldest first.
    Records are paired with the one before them for the same object (several objects may
    share one query). With `deletions` False a deletion makes no entry."""
    found = []
    last_seen: dict[Any, Any] = {}
    for record in sorted(records, key=lambda r: r.history_id):
        before = last_seen.get(record.id)
        last_seen[record.id] = record
        kind = _kind(record, before)
        if kind == "deleted" and not deletions:
            continue
        changes = _changes(record, before, fields, kind=kind)
        if changes:
            user = record.history_user
            found.append(
                Entry(
                    at=record.history_date,
                    by=user.display_name if user is not None else "an unrecorded user",
                    subject=subject(record),
                    changes=changes,
                    kind=kind,
                    reason=record.history_change_reason or "",
                )
            )
    return found


def quarters_seen(
    records: QuerySet[Any], item: Item, access: ItemAccess[Any] | None
) -> QuerySet[Any]:
    """The history records of `item`'s quarterly updates narrowed to the returns the reader
    may see, by the rule of its quarter table (ItemAccess.visible): an item moved to another
    portfolio keeps its old portfolio's unapproved quarters hidden from its new one. With no
    `access`, the reader is taken to be an officer of the item's portfolio."""
    reader = access if access is not None else ItemAccess.of_member(item)
    return reader.visible(records)


def newest_first(found: list[Entry]) -> list[Entry]:
    # A stable sort: saves at the same moment (a bulk save) keep each source's own order.
    return sorted(found, key=lambda entry: entry.at, reverse=True)


def definition(record: Any) -> str:
    return DEFINITION


def quarter_of(record: Any) -> str:
    """The quarter of a quarterly record (one with `ret`, its return)."""
    return str(record.ret.quarter) if record.ret is not None else "A deleted return"


def _kind(record: Any, before: Any) -> str:
    if record.history_type == "-":
        return "deleted"
    # A first record that is not a creation means history began after the object did.
    return "created" if before is None or record.history_type == "+" else "changed"


def _changes(
    record: Any, before: Any, fields: dict[str, Field], *, kind: str
) -> tuple[Change, ...]:
    if kind == "deleted":
        return tuple(
            Change(spec.label, spec.show(_value(record, name), record), None, spec.is_text)
            for name, spec in fields.items()
            if not _blank(_value(record, name), spec)
        )
    if kind == "created":
        return tuple(
            _change(spec, None, _value(record, name), None, record)
            for name, spec in fields.items()
            if not _blank(_value(record, name), spec)
        )
    delta = record.diff_against(before, included_fields=list(fields), foreign_keys_are_objs=True)
    changed = {change.field: change for change in delta.changes}
    return tuple(
        _change(spec, changed[name].old, changed[name].new, before, record)
        for name, spec in fields.items()
        if name in changed
    )


def _change(spec: Field, old: Any, new: Any, before: Any, record: Any) -> Change:
    """`before` is the record `old` came from, None when the object was created."""
    if spec.in_a_word is not None:
        return Change(spec.label, None, spec.in_a_word(old, new))
    shown_before = None if before is None else spec.show(old, before)
    return Change(spec.label, shown_before, spec.show(new, record), spec.is_text)


def _value(record: Any, name: str) -> Any:
    # For a foreign key this is the related object, selected with the record.
    return getattr(record, name)


def _blank(value: Any, spec: Field) -> bool:
    if spec.false_is_a_value:
        return value is None or value == ""
    return value is None or value == "" or value is False


# How common values read ----------------------------------------------------------------


def text(value: Any, record: Any) -> str:
    return str(value) if value not in (None, "") else "none"


def free_text(value: Any, record: Any) -> str:
    return str(value or "")


def yes_no(value: Any, record: Any) -> str:
    return "yes" if value else "no"


def reference(value: Any, record: Any) -> str:
    """A related item by its reference (a deleted one comes as simple-history's
    DeletedObject, which has none)."""
    return str(getattr(value, "reference", value)) if value is not None else "none"
