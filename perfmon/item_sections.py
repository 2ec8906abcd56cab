"""A return section for any item kind whose quarterly update is one row per item per
return. Measures, actions, projects and risks all fit: each subclasses ItemSection with
its models, its row form and its rules; this module never names them.

The update model must have: a foreign key to the item (`item_field`), `ret` (the
Return), `version`, `updated_by` and `updated_at`, and simple-history records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from perfmon.models import Portfolio, ReportingYear, Return, User
from perfmon.sections import Change, Conflict, Missing, ReturnSection, SectionForm


class RowForm(forms.Form):
    """Base of a section's per-item form. `version` detects lost updates."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(
        self, *args: Any, item: models.Model, previous: models.Model | None, **kwargs: Any
    ) -> None:
        self.item = item
        self.previous = previous
        self.stored: models.Model | None = kwargs.pop("stored", None)
        super().__init__(*args, **kwargs)


@dataclass
class Row:
    item: Any
    stored: Any  # this return's update, or None
    previous: Any  # last quarter's update, or None
    form: RowForm
    conflict: Conflict | None = None
    anchor: str = ""


@dataclass
class ItemSectionForm(SectionForm):
    section: ItemSection
    ret: Return
    editable: bool
    data: Mapping[str, Any] | None
    rows: list[Row] = field(default_factory=list)
    _current: dict[int, Any] | None = None

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

    def _stored_now(self) -> dict[int, Any]:
        if self._current is None:
            self._current = self.section.updates_by_item(self.ret, select_user=True)
        return self._current

    def _changed_fields(self, row: Row, stored: Any) -> dict[str, tuple[Any, Any]]:
        before = self.section.values_of(stored, item=row.item)
        after = self.section.cleaned_values(row.form.cleaned_data)
        return {
            name: (before[name], value) for name, value in after.items() if before[name] != value
        }

    def conflicts(self, *, ret: Return) -> list[Conflict]:
        self.ret = ret
        found = []
        current = self._stored_now()
        for row in self.rows:
            stored = current.get(row.item.pk)
            loaded_version = row.form.cleaned_data.get("version") or 0
            stored_version = stored.version if stored else 0
            if loaded_version == stored_version or not self._changed_fields(row, stored):
                continue
            row.conflict = Conflict(
                item=self.section.item_label(row.item),
                changed_by=str(stored.updated_by) if stored.updated_by else "Someone",
                changed_at=stored.updated_at,
                anchor=row.anchor,
            )
            row.stored = stored
            found.append(row.conflict)
        return found

    def save(self, *, ret: Return, user: User) -> list[Change]:
        self.ret = ret
        current = self._stored_now()
        now = timezone.now()
        created, updated, changes = [], [], []
        for row in self.rows:
            stored = current.get(row.item.pk)
            changed = self._changed_fields(row, stored)
            if not changed:
                continue
            update = stored or self.section.update_model(
                **{self.section.item_field: row.item}, ret=ret, version=0
            )
            for name, (_, value) in changed.items():
                setattr(update, name, value)
            self.section.derive(update, item=row.item, ret=ret, form=row.form)
            update.version += 1
            update.updated_by = user
            update.updated_at = now
            (updated if stored else created).append(update)
            changes += [
                Change(
                    item=row.item.reference,
                    field=self.section.field_label(name),
                    before=self.section.show(name, before, item=row.item),
                    after=self.section.show(name, after, item=row.item),
                )
                for name, (before, after) in changed.items()
            ]
        model = self.section.update_model
        if created:
            bulk_create_with_history(created, model, default_user=user)
        if updated:
            fields = [*self.section.value_fields, *self.section.derived_fields]
            fields += ["version", "updated_by", "updated_at"]
            bulk_update_with_history(updated, model, fields=fields, default_user=user)
        return changes

    def refresh_versions(self) -> None:
        assert self.data is not None
        data = self.data.copy()  # type: ignore[attr-defined]
        current = self._stored_now()
        for row in self.rows:
            stored = current.get(row.item.pk)
            data[f"{row.form.prefix}-version"] = stored.version if stored else 0
        self.data = data
        conflicts = {row.item.pk: (row.conflict, row.stored) for row in self.rows}
        self.rows = self.section.build_rows(self.ret, data, editable=self.editable)
        for row in self.rows:
            row.conflict, stored = conflicts[row.item.pk]
            if row.conflict:
                row.stored = stored
        for row in self.rows:
            row.form.is_valid()


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

    def initial_from_previous(self, previous: Any) -> dict[str, Any]:
        return {}

    def values_of(self, update: Any, *, item: Any) -> dict[str, Any]:
        """The stored values of an update (blank ones for an item with none yet)."""
        blank = self.update_model()
        return {name: getattr(update or blank, name) for name in self.value_fields}

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
        self, ret: Return, data: Mapping[str, Any] | None, *, editable: bool
    ) -> list[Row]:
        items = list(self.items(portfolio=ret.portfolio, year=ret.quarter.year))
        stored = self.updates_by_item(ret)
        previous = self.previous_updates(ret, items)
        extra = self.form_kwargs(ret)
        rows = []
        for item in items:
            update = stored.get(item.pk)
            initial = self.values_of(update, item=item)
            if update is None:
                initial.update(self.initial_from_previous(previous.get(item.pk)))
            initial["version"] = update.version if update else 0
            form = self.row_form(
                data,
                prefix=f"{self.prefix}{item.pk}",
                initial=initial,
                item=item,
                previous=previous.get(item.pk),
                stored=update,
                **extra,
            )
            if not editable:
                for form_field in form.fields.values():
                    form_field.disabled = True
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
