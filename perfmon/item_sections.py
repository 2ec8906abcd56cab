"""A return section for any item kind whose quarterly update is one row per item per
return. Measures, actions, projects and risks all fit: each subclasses ItemSection with
its models, its row form and its rules; this module never names them.

The update model must have: a foreign key to the item (`item_field`), `ret` (the
Return), `version`, `updated_by` and `updated_at`, and simple-history records.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django import forms
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from perfmon.models import Portfolio, ReportingYear, Return, User
from perfmon.sections import (
    Change,
    Clash,
    Merged,
    Missing,
    ReturnSection,
    SectionForm,
    SectionSave,
    StaleForm,
)


class RowForm(forms.Form):
    """Base of a section's per-item form. `version` is the version of the item's update
    the page was loaded with: what this person changed is measured against it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(
        self,
        *args: Any,
        item: models.Model,
        previous: models.Model | None,
        fields: Mapping[str, forms.Field] | None = None,
        **kwargs: Any,
    ) -> None:
        self.item = item
        self.previous = previous
        self.stored: models.Model | None = kwargs.pop("stored", None)
        if fields is not None:
            # Django deep-copies a form's fields for every instance; a section's rows
            # share the fields it prepared once (see ItemSection.build_rows).
            self.base_fields = _SharedFields(fields)
        super().__init__(*args, **kwargs)


class _SharedFields(dict[str, forms.Field]):
    """A section's prepared fields, shared by its row forms: each row's "deep copy" is a
    new dict of the same field objects, so a row may leave fields out but never changes
    another row's. Fields are prepared per request, never kept between requests."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


@dataclass
class Row:
    item: Any
    stored: Any  # this return's update, or None
    previous: Any  # last quarter's update, or None
    form: RowForm
    clashes: list[Clash] = field(default_factory=list)
    anchor: str = ""


@dataclass
class _Merge:
    """One row's three-way merge: what the person loaded, sent, and what is stored."""

    write: dict[str, Any] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)  # fields only the other person changed
    clashes: list[str] = field(default_factory=list)  # fields both changed, differently


@dataclass
class ItemSectionForm(SectionForm):
    section: ItemSection
    ret: Return
    editable: bool
    data: Mapping[str, Any] | None
    rows: list[Row] = field(default_factory=list)

    def is_valid(self) -> bool:
        # Every row validates, so every row's errors can be shown at once.
        return all([row.form.is_valid() for row in self.rows])

    def error_list(self) -> list[Missing]:
        return [
            Missing(
                anchor=self._anchor(row, name),
                item=self.section.item_label(row.item),
                problem=error,
            )
            for row in self.rows
            for name, errors in row.form.errors.items()
            for error in errors
        ]

    def _anchor(self, row: Row, name: str) -> str:
        if name == "__all__":
            return row.anchor
        return f"id_{row.form.prefix}-{name}"

    def _loaded(self, row: Row, stored: Any, history: Sequence[Any]) -> dict[str, Any]:
        """The values this person's page showed: the stored update at the version the
        page was loaded with (from its history), or, for an item nobody had saved, the
        blank values with what is carried over from last quarter."""
        version = row.form.cleaned_data.get("version") or 0
        if stored is not None and version == stored.version:
            return self.section.values_of(stored, item=row.item)
        if version == 0:
            blank = self.section.values_of(None, item=row.item)
            return blank | self.section.initial_from_previous(row.previous)
        for record in history:
            if record.version == version:
                return self.section.values_of(record, item=row.item)
        raise StaleForm(f"No version {version} of {self.section.item_label(row.item)}.")

    def _merge(self, row: Row, stored: Any, history: Sequence[Any]) -> _Merge:
        now = self.section.values_of(stored, item=row.item)
        mine = self.section.cleaned_values(row.form.cleaned_data)
        if stored is None:  # nobody has saved this item: all that differs is this person's
            return _Merge(write={n: v for n, v in mine.items() if v != now[n]})
        loaded = self._loaded(row, stored, history)
        merge = _Merge()
        for name, value in mine.items():
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

    def save(self, *, ret: Return, user: User) -> SectionSave:
        self.ret = ret
        if not self.rows:
            return SectionSave()
        current = self.section.updates_by_item(ret, select_user=True)
        for row in self.rows:
            version = row.form.cleaned_data.get("version") or 0
            stored = current.get(row.item.pk)
            if version > (stored.version if stored else 0):
                raise StaleForm(f"No version {version} of {self.section.item_label(row.item)}.")
        history = self.section.history_since(
            {
                stored.pk: row.form.cleaned_data.get("version") or 0
                for row in self.rows
                if (stored := current.get(row.item.pk)) is not None
                and (row.form.cleaned_data.get("version") or 0) != stored.version
            }
        )
        result = SectionSave()
        now = timezone.now()
        created, updated = [], []
        for row in self.rows:
            stored = current.get(row.item.pk)
            records = history.get(stored.pk, []) if stored else []
            merge = self._merge(row, stored, records)
            result.merged += [self._merged(row, name, records) for name in merge.merged]
            result.clashes += [self._clash(row, name, stored, records) for name in merge.clashes]
            if not merge.write:
                continue
            update = stored or self.section.update_model(
                **{self.section.item_field: row.item}, ret=ret, version=0
            )
            before = self.section.values_of(stored, item=row.item)
            for name, value in merge.write.items():
                setattr(update, name, value)
            self.section.derive(update, item=row.item, ret=ret, form=row.form)
            update.version += 1
            update.updated_by = user
            update.updated_at = now
            (updated if stored else created).append(update)
            result.changes += [
                Change(
                    item=row.item.reference,
                    field=self.section.field_label(name),
                    before=self.section.show(name, before[name], item=row.item),
                    after=self.section.show(name, value, item=row.item),
                )
                for name, value in merge.write.items()
            ]
        model = self.section.update_model
        if created:
            bulk_create_with_history(created, model, default_user=user)
        if updated:
            fields = [*self.section.value_fields, *self.section.derived_fields]
            fields += ["version", "updated_by", "updated_at"]
            bulk_update_with_history(updated, model, fields=fields, default_user=user)
        return result

    def _changed_by(self, name: str, records: Sequence[Any]) -> Any:
        """Who last changed field `name` in `records` (oldest first, from the loaded
        version on)."""
        who = None
        for before, after in itertools.pairwise(records):
            if getattr(before, name) != getattr(after, name):
                who = after.history_user
        return who or (records[-1].history_user if records else None)

    def _merged(self, row: Row, name: str, records: Sequence[Any]) -> Merged:
        stored_value = getattr(records[-1], name) if records else None
        return Merged(
            item=row.item.reference,
            field=self.section.field_label(name),
            changed_by=_person(self._changed_by(name, records)),
            value=self.section.show(name, stored_value, item=row.item),
        )

    def _clash(self, row: Row, name: str, stored: Any, records: Sequence[Any]) -> Clash:
        yours = self.section.cleaned_values(row.form.cleaned_data)[name]
        return Clash(
            item=row.item.reference,
            field=self.section.field_label(name),
            anchor=self._anchor(row, name),
            changed_by=_person(self._changed_by(name, records)),
            theirs=self.section.show(name, getattr(stored, name), item=row.item),
            yours=self.section.show(name, yours, item=row.item),
        )

    def after_clash(self, *, ret: Return, clashes: Sequence[Clash]) -> ItemSectionForm:
        keep: dict[int, dict[str, Any]] = {}
        anchors = {clash.anchor: clash for clash in clashes}
        for row in self.rows:
            for name in self.section.value_fields:
                if self._anchor(row, name) in anchors:
                    value = self.section.cleaned_values(row.form.cleaned_data)[name]
                    keep.setdefault(row.item.pk, {})[name] = value
        rows = self.section.build_rows(ret, None, editable=self.editable, keep=keep)
        for row in rows:
            row.clashes = [
                anchors[anchor]
                for name in keep.get(row.item.pk, {})
                if (anchor := f"id_{row.form.prefix}-{name}") in anchors
            ]
        return ItemSectionForm(
            section=self.section, ret=ret, editable=self.editable, data=None, rows=rows
        )


def _person(user: Any) -> str:
    return str(user.display_name if hasattr(user, "display_name") else user) if user else "Someone"


class ItemSection(ReturnSection):
    item_model: type[models.Model]
    update_model: type[models.Model]
    item_field: str  # the update's foreign key to its item
    row_form: type[RowForm]
    prefix: str
    value_fields: Sequence[str]  # what officers type, in the update model and the row form
    derived_fields: Sequence[str] = ()  # what derive() works out
    complete_when: Q  # an update that satisfies this needs nothing more
    missing_problem: str

    # Hooks a kind may override ------------------------------------------------------

    def items(self, *, portfolio: Portfolio, year: ReportingYear) -> models.QuerySet[Any]:
        return (
            self.item_model.objects.filter(portfolio=portfolio, year=year)  # type: ignore[attr-defined]
            .select_related("theme")
            .order_by("reference")
        )

    def items_of(self, ret: Return) -> models.QuerySet[Any]:
        """The items of `ret`'s rows, with what the rows show of them."""
        return self.items(portfolio=ret.portfolio, year=ret.quarter.year)

    def item_label(self, item: Any) -> str:
        return f"{item.reference} {item.description}"

    def field_label(self, name: str) -> str:
        return str(self.row_form.base_fields[name].label or name.replace("_", " ")).lower()

    def show(self, name: str, value: Any, *, item: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return "" if value is None else str(value)

    def derive(self, update: Any, *, item: Any, ret: Return, form: RowForm) -> None:
        """Work out stored values (a status, a score) from what was typed."""

    def form_kwargs(self, ret: Return) -> dict[str, Any]:
        """Extra keyword arguments for every row form, loaded once per return."""
        return {}

    def prepare_fields(self, fields: dict[str, forms.Field], *, ret: Return, **extra: Any) -> None:
        """Set up the row form's fields once for every row of `ret` (choices from the
        council's data, say). `extra` is form_kwargs(ret)."""

    def initial_from_previous(self, previous: Any) -> dict[str, Any]:
        return {}

    def values_of(self, update: Any, *, item: Any) -> dict[str, Any]:
        """The stored values of an update (blank ones for an item with none yet)."""
        if update is None:
            return dict(self.blank_values)
        return {name: getattr(update, name) for name in self.value_fields}

    @cached_property
    def blank_values(self) -> dict[str, Any]:
        """The value fields' defaults: what an item nobody has saved holds."""
        meta = self.update_model._meta
        return {name: meta.get_field(name).get_default() for name in self.value_fields}

    def cleaned_values(self, cleaned: Mapping[str, Any]) -> dict[str, Any]:
        return {name: cleaned.get(name) for name in self.value_fields}

    # Loading -------------------------------------------------------------------------

    def updates_by_item(self, ret: Return, *, select_user: bool = False) -> dict[int, Any]:
        if ret.pk is None:
            return {}
        updates = self.update_model.objects.filter(ret=ret)  # type: ignore[attr-defined]
        if select_user:
            updates = updates.select_related("updated_by")
        return {getattr(u, f"{self.item_field}_id"): u for u in updates}

    def history_since(self, versions: Mapping[int, int]) -> dict[int, list[Any]]:
        """History records of updates (by update id), oldest first, from the given version
        on: what changed since each was loaded. One query."""
        if not versions:
            return {}
        wanted = Q()
        for pk, version in versions.items():
            wanted |= Q(id=pk, version__gte=version)
        records = (
            self.update_model.history.model.objects.filter(wanted)  # type: ignore[attr-defined]
            .select_related("history_user")
            .order_by("id", "version", "history_id")
        )
        found: dict[int, list[Any]] = {}
        for record in records:
            found.setdefault(record.id, []).append(record)
        return found

    def previous_updates(self, ret: Return, items: Sequence[Any]) -> dict[int, Any]:
        """Last quarter's update of each item; for quarter 1, last year's quarter 4 of the
        item it continues (`previous`)."""
        quarter = ret.quarter
        manager = self.update_model.objects  # type: ignore[attr-defined]
        state = Q(ret__state=Return.State.APPROVED)
        if quarter.number > 1:
            updates = manager.filter(
                state,
                **{f"{self.item_field}__in": items},
                ret__quarter__year=quarter.year,
                ret__quarter__number=quarter.number - 1,
            )
            return {getattr(u, f"{self.item_field}_id"): u for u in updates}
        continued = {item.previous_id: item.pk for item in items if item.previous_id}
        updates = manager.filter(
            state,
            **{f"{self.item_field}__in": list(continued)},
            ret__quarter__year__start_year=quarter.year.start_year - 1,
            ret__quarter__number=4,
        )
        return {continued[getattr(u, f"{self.item_field}_id")]: u for u in updates}

    def build_rows(
        self,
        ret: Return,
        data: Mapping[str, Any] | None,
        *,
        editable: bool,
        keep: Mapping[int, Mapping[str, Any]] | None = None,
    ) -> list[Row]:
        """A row form for each item; unbound ones show what is stored, with `keep`'s
        values (by item id) in place of the stored ones."""
        items = list(self.items_of(ret))
        if not items:  # nothing to show: no forms, so nothing else to load
            return []
        stored = self.updates_by_item(ret)
        previous = self.previous_updates(ret, items)
        extra = self.form_kwargs(ret)
        fields = copy.deepcopy(self.row_form.base_fields)
        self.prepare_fields(fields, ret=ret, **extra)
        if not editable:
            for form_field in fields.values():
                form_field.disabled = True
        rows = []
        for item in items:
            update = stored.get(item.pk)
            initial = self.values_of(update, item=item)
            if update is None:
                initial.update(self.initial_from_previous(previous.get(item.pk)))
            initial.update((keep or {}).get(item.pk, {}))
            initial["version"] = update.version if update else 0
            form = self.row_form(
                data,
                prefix=f"{self.prefix}{item.pk}",
                initial=initial,
                item=item,
                previous=previous.get(item.pk),
                stored=update,
                fields=fields,
                **extra,
            )
            rows.append(
                Row(
                    item=item,
                    stored=update,
                    previous=previous.get(item.pk),
                    form=form,
                    anchor=f"{self.prefix}{item.pk}",
                )
            )
        return rows

    # ReturnSection --------------------------------------------------------------------

    def form(
        self, *, ret: Return, data: Mapping[str, Any] | None = None, editable: bool = True
    ) -> ItemSectionForm:
        return ItemSectionForm(
            section=self,
            ret=ret,
            editable=editable,
            data=data,
            rows=self.build_rows(ret, data, editable=editable),
        )

    def missing(self, *, ret: Return) -> list[Missing]:
        items = self.items(portfolio=ret.portfolio, year=ret.quarter.year)
        complete = set(
            self.update_model.objects.filter(self.complete_when, ret=ret).values_list(  # type: ignore[attr-defined]
                self.item_field, flat=True
            )
        )
        return [
            Missing(
                anchor=f"{self.prefix}{item.pk}",
                item=self.item_label(item),
                problem=self.missing_problem,
            )
            for item in items
            if item.pk not in complete
        ]

    def item_counts(
        self, *, portfolios: Sequence[Portfolio], year: ReportingYear
    ) -> dict[int, int]:
        counts = (
            self.item_model.objects.filter(portfolio__in=portfolios, year=year)  # type: ignore[attr-defined]
            .values("portfolio_id")
            .annotate(n=Count("pk"))
        )
        return {row["portfolio_id"]: row["n"] for row in counts}

    def missing_counts(self, *, returns: Sequence[Return]) -> dict[int, int]:
        if not returns:
            return {}
        pairs = Q()
        for ret in returns:
            pairs |= Q(portfolio_id=ret.portfolio_id, year_id=ret.quarter.year_id)
        totals = {
            (row["portfolio_id"], row["year_id"]): row["n"]
            for row in self.item_model.objects.filter(pairs)  # type: ignore[attr-defined]
            .values("portfolio_id", "year_id")
            .annotate(n=Count("pk"))
        }
        done = {
            row["ret_id"]: row["n"]
            for row in self.update_model.objects.filter(self.complete_when, ret__in=returns)  # type: ignore[attr-defined]
            .values("ret_id")
            .annotate(n=Count("pk"))
        }
        return {
            ret.pk: totals.get((ret.portfolio_id, ret.quarter.year_id), 0) - done.get(ret.pk, 0)
            for ret in returns
        }
