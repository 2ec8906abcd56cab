"""A return section for any item kind whose quarterly update is one row per item per
return. Measures, actions, projects and risks all fit: each subclasses ItemSection with
its models, its row form and its rules; this module never names them.

Items and updates are perfmon.models.items' Item and ItemUpdate; the update model keeps
simple-history records, which a save's merge reads back (perfmon.merge).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import operator
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.forms.utils import ErrorDict
from django.template.loader import render_to_string
from markupsafe import Markup

from perfmon.cached import Immutable
from perfmon.merge import RowEdit, save_section
from perfmon.models import Portfolio, ReportingYear, Return, User
from perfmon.models.items import Item, ItemUpdate
from perfmon.sections import (
    Clash,
    Missing,
    ReturnSection,
    SectionForm,
    SectionSave,
    sections,
)

ItemT = TypeVar("ItemT", bound=Item)
UpdateT = TypeVar("UpdateT", bound=ItemUpdate)


class RowForm(forms.Form, Generic[ItemT, UpdateT]):
    """Base of a section's per-item form. `version` is the version of the item's update
    the page was loaded with: what this person changed is measured against it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(
        self,
        *args: Any,
        item: ItemT,
        previous: UpdateT | None,
        stored: UpdateT | None = None,
        fields: Mapping[str, forms.Field] | None = None,
        **kwargs: Any,
    ) -> None:
        self.item = item
        self.previous = previous
        self.stored = stored
        if fields is not None:
            # Django deep-copies a form's fields for every instance; a section's rows
            # share the fields it prepared once (see ItemSection.build_rows).
            # (An instance attribute: BaseForm reads self.base_fields, which the stubs
            # declare a class variable.)
            self.base_fields = _SharedFields(fields)  # type: ignore[misc]
        super().__init__(*args, **kwargs)

    _errors: ErrorDict | None  # Django's own, undeclared in its stubs

    def show_missing(self, name: str, problem: str) -> None:
        """Give an unbound form one error: what the return still needs in field `name`."""
        self._errors = ErrorDict({name: self.error_class([problem])})


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
    make_form: Callable[..., RowForm[Any, Any]]  # given the initial values
    shown_as: _Shown  # what the row's controls show
    clashes: list[Clash] = field(default_factory=list)
    anchor: str = ""
    # Posted back exactly as the page showed what is stored: nothing to validate or write.
    untouched: bool = False
    # Why the return could not be submitted, shown on the row's empty field.
    missing: str = ""

    @cached_property
    def form(self) -> RowForm[Any, Any]:
        """The row's form, made when first needed: a save makes none for untouched rows."""
        return self.make_form(initial=self.shown_as.initial)

    @property
    def shown(self) -> str:
        """The digest of what the row shows as stored, which its page posts back in a
        hidden `<prefix>-shown` field (see ItemSection.changed_rows), or "" for a row a
        save must write even if it comes back as shown."""
        return self.shown_as.digest


class _Shown:
    """What a row's controls show (its form's initial values), worked out when first
    asked for."""

    def __init__(
        self,
        section: ItemSection,
        item: Any,
        stored: Any,
        previous: Any,
        kept: Mapping[str, Any],
        fields: Mapping[str, forms.Field],
    ):
        self.section, self.item, self.stored, self.previous = section, item, stored, previous
        self.kept, self.fields = kept, fields

    @cached_property
    def _worked_out(self) -> tuple[dict[str, Any], bool]:
        section, item, stored = self.section, self.item, self.stored
        initial = section.values_of(stored, item=item)
        carried = False
        if stored is None:
            from_previous = section.initial_from_previous(self.previous)
            carried = any(from_previous.get(name) for name in section.value_fields)
            initial.update(from_previous)
        initial.update(self.kept)
        initial = {name: section.shown_initial(name, v, item=item) for name, v in initial.items()}
        initial["version"] = stored.version if stored else 0
        return initial, carried

    @property
    def initial(self) -> dict[str, Any]:
        return self._worked_out[0]

    @property
    def carried(self) -> bool:
        """Whether the row shows what carries over from last quarter (nothing stored)."""
        return self._worked_out[1]

    @cached_property
    def values(self) -> list[str]:
        """Each field as the page shows it, as text (see _shown_values)."""
        return _shown_values(self.initial, self.fields)

    @property
    def digest(self) -> str:
        """The digest of `values`, or "" when a save must write the row even if it comes
        back as shown: what carries over from last quarter, or a value kept from a clash."""
        if self.carried or self.kept:
            return ""
        return _shown_digest(self.values)


@dataclass
class ItemSectionForm(SectionForm):
    section: ItemSection
    ret: Return
    editable: bool
    data: Mapping[str, Any] | None
    rows: list[Row] = field(default_factory=list)
    context: Mapping[str, Any] = field(default_factory=dict)  # the section's form_kwargs
    digest: str = ""  # of what every row of the section shows alike (see build_rows)
    # A posted form holds only the rows the save looks at (see ItemSection.build_rows).
    partial: bool = False

    def for_display(self) -> ItemSectionForm:
        """This form with every row of the section, to show the page again: the rows
        that were posted as they are, the others as stored."""
        if not self.partial:
            return self
        rows, context, digest = self.section.build_rows(self.ret, None, editable=self.editable)
        sent = {row.item.pk: row for row in self.rows}
        for row in rows:
            row.untouched = True  # posted back as shown, or not posted at all
        return ItemSectionForm(
            section=self.section,
            ret=self.ret,
            editable=self.editable,
            data=self.data,
            rows=[sent.get(row.item.pk, row) for row in rows],
            context=context,
            digest=digest,
        )

    def rows_html(self) -> list[Markup]:
        """Each row's markup. A row as stored (no posted values, no clash) is kept in the
        cache under a key made of everything it shows, so a page mostly reads rows back
        instead of making their forms and rendering them."""
        if self.data is not None:
            return [self._row_html(row) for row in self.rows]
        keys = {row.item.pk: self.section.row_key(row, self.digest) for row in self.rows}
        kept = ROWS.get_many(keys.values())
        made: dict[str, str] = {}
        html = []
        for row in self.rows:
            key = keys[row.item.pk]
            if row.clashes or row.missing or key not in kept:
                markup = self._row_html(row)
                if not (row.clashes or row.missing):
                    made[key] = str(markup)
                html.append(markup)
            else:
                html.append(Markup(kept[key]))  # rendered, and escaped, by Jinja2
        if made:
            ROWS.set_many(made)
        return html

    def show_missing(self, missing: Sequence[Missing]) -> None:
        problems = {m.anchor: m.problem for m in missing}
        for row in self.rows:
            row.missing = problems.get(self.section.missing_anchor(row.item), "")

    def _row_html(self, row: Row) -> Markup:
        if row.missing:
            # An unbound form has no errors of its own: the missing answer is its error.
            row.form.show_missing(self.section.missing_field_for(row.item), row.missing)
        rendered = render_to_string(self.section.row_template_name, {"row": row}, using="jinja2")
        return Markup(rendered)  # autoescaped by Jinja2

    def is_valid(self) -> bool:
        self.section.before_validating(self.sent_rows, context=self.context)
        # Every row validates, so every row's errors can be shown at once.
        return all([row.form.is_valid() for row in self.sent_rows])

    @cached_property
    def sent_rows(self) -> list[Row]:
        """The rows to validate and merge: all but those posted back exactly as stored,
        which have nothing to write (most rows of most saves)."""
        return [row for row in self.rows if not row.untouched]

    def error_list(self) -> list[Missing]:
        if self.data is None:
            return []  # an unbound form has no errors, so no row's form need be made
        return [
            Missing(
                anchor=self._anchor(row, name),
                item=self.section.item_label(row.item),
                problem=str(error),
            )
            for row in self.sent_rows
            for name, errors in row.form.errors.items()
            for error in errors
        ]

    def _anchor(self, row: Row, name: str) -> str:
        if name == "__all__":
            return row.anchor
        return f"id_{row.anchor}-{name}"

    def edits(self) -> list[RowEdit]:
        """What was sent, row by row, once the rows are valid."""
        value_fields = self.section.value_fields
        return [
            RowEdit(
                item=row.item,
                previous=row.previous,
                version=row.form.cleaned_data.get("version") or 0,
                values=self.section.cleaned_values(row.form.cleaned_data),
                field_ids={name: self._anchor(row, name) for name in value_fields},
            )
            for row in self.sent_rows
        ]

    def save(self, *, ret: Return, user: User) -> SectionSave:
        return save_section(
            section=self.section, ret=ret, user=user, edits=self.edits(), context=self.context
        )

    def after_clash(self, *, ret: Return, clashes: Sequence[Clash]) -> ItemSectionForm:
        keep: dict[int, dict[str, Any]] = {}
        anchors = {clash.anchor: clash for clash in clashes}
        for row in self.sent_rows:
            for name in self.section.value_fields:
                if self._anchor(row, name) in anchors:
                    value = self.section.cleaned_values(row.form.cleaned_data)[name]
                    keep.setdefault(row.item.pk, {})[name] = value
        rows, context, digest = self.section.build_rows(
            ret, None, editable=self.editable, keep=keep
        )
        for row in rows:
            row.clashes = [
                anchors[anchor]
                for name in keep.get(row.item.pk, {})
                if (anchor := self._anchor(row, name)) in anchors
            ]
        return ItemSectionForm(
            section=self.section,
            ret=ret,
            editable=self.editable,
            data=None,
            rows=rows,
            context=context,
            digest=digest,
        )


class ItemSection(ReturnSection):
    item_model: type[Item]
    update_model: type[ItemUpdate]
    row_form: type[RowForm[Any, Any]]
    prefix: str
    value_fields: Sequence[str]  # what officers type, in the update model and the row form
    derived_fields: Sequence[str] = ()  # what derive() works out
    complete_when: Q  # an update that satisfies this needs nothing more
    missing_problem: str
    missing_field: str  # the field a missing answer's error links to

    def missing_field_for(self, item: Any) -> str:
        return self.missing_field

    def field_anchor(self, item: Any, name: str) -> str:
        """The id of an item's control for `name` (the first radio of radios)."""
        anchor = f"id_{self.prefix}{item.pk}-{name}"
        form_field = self.row_form.base_fields.get(name)
        if form_field is not None and isinstance(form_field.widget, forms.RadioSelect):
            return f"{anchor}_0"
        return anchor

    def missing_anchor(self, item: Any) -> str:
        return self.field_anchor(item, self.missing_field_for(item))

    @property
    def item_field(self) -> str:
        """The update's foreign key to its item."""
        return self.update_model.ITEM_FIELD

    # Hooks a kind may override ------------------------------------------------------

    def items(self, *, portfolio: Portfolio, year: ReportingYear) -> models.QuerySet[Any]:
        return self.item_model.objects.for_portfolio_year(portfolio, year).order_by("reference")

    def load_items(self, ret: Return, *, only: Collection[int] | None = None) -> list[Any]:
        """The items of `ret`'s rows (those of `only`, ids, if given), with what the rows
        show of them."""
        items = self.items(portfolio=ret.portfolio, year=ret.quarter.year)
        return list(items if only is None else items.filter(pk__in=list(only)))

    def item_label(self, item: Any) -> str:
        return f"{item.reference} {item.description}"

    def field_label(self, name: str) -> str:
        return str(self.row_form.base_fields[name].label or name.replace("_", " ")).lower()

    def show(
        self, name: str, value: Any, *, item: Any, context: Mapping[str, Any] | None = None
    ) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return "" if value is None else str(value)

    def derive(self, update: Any, *, item: Any, ret: Return, context: Mapping[str, Any]) -> None:
        """Work out stored values (a status, a score) from what was entered: the update's
        own derive(), given `context` (form_kwargs(ret))."""
        update.derive(**context)

    def form_kwargs(self, ret: Return) -> dict[str, Any]:
        """Extra keyword arguments for every row form, loaded once per return."""
        return {}

    def prepare_fields(self, fields: dict[str, forms.Field], *, ret: Return, **extra: Any) -> None:
        """Set up the row form's fields once for every row of `ret` (choices from the
        council's data, say). `extra` is form_kwargs(ret)."""

    def initial_from_previous(self, previous: Any) -> dict[str, Any]:
        return {}

    def before_validating(self, rows: Sequence[Row], *, context: Mapping[str, Any]) -> None:
        """Called with the rows about to be validated (those a save changed), and
        form_kwargs(ret), before any is: to load what their checks need at once."""

    def values_of(self, update: Any, *, item: Any) -> dict[str, Any]:
        """The stored values of an update (blank ones for an item with none yet)."""
        if update is None:
            return dict(self.blank_values)
        return {name: getattr(update, name) for name in self.value_fields}

    @cached_property
    def blank_values(self) -> dict[str, Any]:
        """The value fields' defaults: what an item nobody has saved holds."""
        fields = {f.name: f for f in self.update_model._meta.concrete_fields}
        return {name: fields[name].get_default() for name in self.value_fields}

    def cleaned_values(self, cleaned: Mapping[str, Any]) -> dict[str, Any]:
        return {name: cleaned.get(name) for name in self.value_fields}

    # Summaries: the task list, the check page and the director's view (return_summary)

    def is_complete(self, row: Row) -> bool:
        """Whether the row's stored update satisfies complete_when, worked out in Python
        from what the page has loaded (no query per row)."""
        return row.stored is not None and _holds(
            self.complete_when, row.stored, item=row.item, item_field=self.item_field
        )

    def rating(self, update: Any, *, context: Mapping[str, Any]) -> tuple[str, str] | None:
        """An update's rating as (label, GOV.UK tag colour), or None if it has none."""
        return None

    def flags(self, row: Row, *, context: Mapping[str, Any]) -> list[str]:
        """What a director should notice about a row: an override and why, a confirmed
        data-quality warning."""
        return []

    def change_since_last(self, row: Row) -> tuple[str, float] | None:
        """How the row's main value moved since last quarter, in words, and how big the
        move was (for putting the biggest first); None if it cannot be said."""
        return None

    def summary_fields(self, row: Row) -> list[str]:
        """The value fields the check page and the director's view list for a row."""
        return list(self.value_fields)

    # Loading -------------------------------------------------------------------------

    def updates_by_item(
        self, ret: Return, *, select_user: bool = False, items: Sequence[Any] | None = None
    ) -> dict[int, Any]:
        """`ret`'s stored updates by item id: all of them, or those of `items`."""
        if ret.pk is None:
            return {}
        updates = self.update_model.objects.filter(ret=ret)
        if items is not None:
            updates = updates.filter(**{f"{self.item_field}__in": [item.pk for item in items]})
        if select_user:
            updates = updates.select_related("updated_by")
        return {u.item_id: u for u in updates}

    def history_since(self, versions: Mapping[int, int]) -> dict[int, list[Any]]:
        """History records of updates (by update id), oldest first, from the given version
        on: what changed since each was loaded. One query."""
        if not versions:
            return {}
        wanted = Q()
        for pk, version in versions.items():
            wanted |= Q(id=pk, version__gte=version)
        records = (
            self.update_model.history.model.objects.filter(wanted)
            .select_related("history_user")
            .order_by("id", "version", "history_id")
        )
        found: dict[int, list[Any]] = {}
        for record in records:
            found.setdefault(record.id, []).append(record)
        return found

    def stored_and_previous(
        self, ret: Return, items: Sequence[Any], *, whole: bool = True
    ) -> tuple[dict[int, Any], dict[int, Any]]:
        """`ret`'s stored updates, and last quarter's approved update of each item (for
        quarter 1, last year's quarter 4 of the item it continues, `previous`), both by
        item id, from one query (a UNION of two, each of which an index answers).
        `whole`: `items` are every item of the section in the return's portfolio and year,
        found by a join rather than by a list of their ids."""
        quarter = ret.quarter
        on = self.item_field
        if quarter.number > 1:
            continued = {item.pk: item.pk for item in items}
            last = Q(ret__quarter__year=quarter.year, ret__quarter__number=quarter.number - 1)
            of_items = f"{on}__"
        else:
            continued = {item.previous_id: item.pk for item in items if item.previous_id}
            last = Q(
                ret__quarter__year__start_year=quarter.year.start_year - 1,
                ret__quarter__number=4,
            )
            of_items = f"{on}__next__"
        if whole:
            # A list of 150 ids costs Django more to build than the join costs PostgreSQL.
            last &= Q(
                **{
                    f"{of_items}portfolio_id": ret.portfolio_id,
                    f"{of_items}year_id": quarter.year_id,
                }
            )
        else:
            last &= Q(**{f"{on}__in": list(continued)})
        updates = self.update_model.objects.order_by()
        found = updates.filter(last, ret__state=Return.State.APPROVED)
        if ret.pk is not None:
            mine = updates.filter(ret_id=ret.pk)
            if not whole:
                mine = mine.filter(**{f"{on}__in": [item.pk for item in items]})
            found = mine.union(found, all=True)
        stored: dict[int, Any] = {}
        previous: dict[int, Any] = {}
        for update in found:
            if update.ret_id == ret.pk:
                stored[update.item_id] = update
            elif update.item_id in continued:
                previous[continued[update.item_id]] = update
        return stored, previous

    def posted_rows(self, data: Mapping[str, Any]) -> dict[int, str]:
        """The items whose fields were posted, as {item id: form prefix}."""
        found: dict[int, str] = {}
        prefix = self.prefix
        for key in data:
            if key[:1] != prefix[:1] or not key.startswith(prefix):
                continue
            head, sep, _ = key.partition("-")
            number = head[len(prefix) :]
            if sep and number.isdigit() and str(int(number)) == number:
                found[int(number)] = head
        return found

    def changed_rows(
        self,
        ret: Return,
        data: Mapping[str, Any],
        posted: Mapping[int, str],
        *,
        fields: Mapping[str, forms.Field],
    ) -> list[int]:
        """The posted items a save must look at: all but those posted back exactly as the
        page showed them (the row's `-shown` digest of its values matches what was posted)
        at the version still stored. Someone else's save since the page was loaded brings
        a row back in, so the merge can say what they changed. A wrong digest only makes
        a row be looked at."""
        as_shown: dict[int, int] = {}
        for pk, head in posted.items():
            shown = data.get(f"{head}-shown")
            version = data.get(f"{head}-version") or ""
            if (
                shown
                and version.isdigit()
                and shown == _shown_digest(_posted_values(data, head, fields))
            ):
                as_shown[pk] = int(version)
        if as_shown and ret.pk is not None:
            stored = dict(
                self.update_model.objects.filter(
                    ret=ret, **{f"{self.item_field}__in": list(as_shown)}
                ).values_list(self.item_field, "version")
            )
        else:
            stored = {}
        return [pk for pk in posted if pk not in as_shown or stored.get(pk, 0) != as_shown[pk]]

    def build_rows(
        self,
        ret: Return,
        data: Mapping[str, Any] | None,
        *,
        editable: bool,
        keep: Mapping[int, Mapping[str, Any]] | None = None,
    ) -> tuple[list[Row], dict[str, Any], str]:
        """A row form for each item, the form_kwargs they were made with, and a digest of
        what all the rows show alike (the fields' labels and choices, the kwargs); unbound
        forms show what is stored, with `keep`'s values (by item id) in place of it."""
        # A save loads only the rows it may change: those posted otherwise than the page
        # showed them, or saved by someone else since (see changed_rows).
        posted = self.posted_rows(data) if data is not None and keep is None else None
        items: list[Any] = []
        if posted is None:
            items = self.load_items(ret)
            if not items:  # nothing to show: no forms, so nothing else to load
                return [], {}, ""
        elif not posted:
            return [], {}, ""  # nothing of this section was posted: nothing to save
        extra = self.form_kwargs(ret)
        fields = copy.deepcopy(self.row_form.base_fields)
        self.prepare_fields(fields, ret=ret, **extra)
        if not editable:
            for form_field in fields.values():
                form_field.disabled = True
        if posted is not None:
            assert data is not None
            changed = self.changed_rows(ret, data, posted, fields=fields)
            items = self.load_items(ret, only=changed) if changed else []
        stored, previous = (
            self.stored_and_previous(ret, items, whole=posted is None) if items else ({}, {})
        )
        rows = []
        for item in items:
            update = stored.get(item.pk)
            prior = previous.get(item.pk)
            kept = (keep or {}).get(item.pk, {})
            prefix = f"{self.prefix}{item.pk}"
            # What the row's controls show is worked out only for a row that is drawn or
            # posted: most rows of a page come from the cache as markup.
            shown = _Shown(self, item, update, prior, kept, fields)
            untouched = data is not None and self._posted_as_shown(data, prefix=prefix, shown=shown)
            rows.append(
                Row(
                    item=item,
                    stored=update,
                    previous=prior,
                    # An untouched row's form is unbound: it shows what is stored, which is
                    # what was posted.
                    make_form=functools.partial(
                        self.row_form,
                        None if untouched else data,
                        prefix=prefix,
                        item=item,
                        previous=prior,
                        stored=update,
                        fields=fields,
                        **extra,
                    ),
                    anchor=prefix,
                    untouched=untouched,
                    shown_as=shown,
                )
            )
        alike = repr(
            (
                sorted(extra.items()),
                [
                    (name, f.label, f.help_text, f.disabled, getattr(f, "choices", None))
                    for name, f in fields.items()
                ],
            )
        )
        # Hashed once, with the code that draws rows: every row's key includes it.
        digest = hashlib.blake2b(f"{_code_digest()}{alike}".encode(), digest_size=16).hexdigest()
        return rows, extra, digest

    # Keeping rows' markup ---------------------------------------------------------------

    row_template_name: str

    def row_key(self, row: Row, digest: str) -> str:
        """The cache key of a row's markup: a hash of everything the row shows (the item,
        this quarter's update and last quarter's, field by field, what the kind adds in
        row_state) and of `digest`, build_rows' hash of what every row shows alike and of
        the code and templates that draw them."""
        shown = repr(
            (
                self.key,
                digest,
                _fields_of(row.item),
                _fields_of(row.stored),
                _fields_of(row.previous),
                self.row_state(row),
            )
        )
        hashed = hashlib.blake2b(shown.encode(), digest_size=20)
        return f"perfmon:row:{hashed.hexdigest()}"

    def row_state(self, row: Row) -> tuple[Any, ...]:
        """What a row shows beyond the fields of its item and updates (a theme's name,
        an owner's): part of its cache key."""
        return ()

    def _posted_as_shown(self, data: Mapping[str, Any], *, prefix: str, shown: _Shown) -> bool:
        """Whether the row was posted back just as the page showed what is stored (at the
        stored version), comparing the posted text with the shown text, field by field,
        without making the form. Anything else, even a difference only in spacing, goes
        through the form and the merge, as does what carries over from last quarter
        (saved with the row)."""
        return not shown.carried and _posted_values(data, prefix, shown.fields) == shown.values

    def shown_initial(self, name: str, value: Any, *, item: Any) -> Any:
        """A stored value as its control shows it (a measure's actual with its unit): the
        row form's initial data."""
        return value

    # ReturnSection --------------------------------------------------------------------

    def form(
        self, *, ret: Return, data: Mapping[str, Any] | None = None, editable: bool = True
    ) -> ItemSectionForm:
        rows, context, digest = self.build_rows(ret, data, editable=editable)
        return ItemSectionForm(
            section=self,
            ret=ret,
            editable=editable,
            data=data,
            rows=rows,
            context=context,
            digest=digest,
            partial=data is not None,
        )

    def missing(self, *, ret: Return) -> list[Missing]:
        items = self.items(portfolio=ret.portfolio, year=ret.quarter.year)
        complete = (
            set(
                self.update_model.objects.filter(self.complete_when, ret=ret).values_list(
                    self.item_field, flat=True
                )
            )
            if ret.pk is not None
            else set()  # a return nobody has started has nothing answered
        )
        return [
            Missing(
                anchor=self.missing_anchor(item),
                item=self.item_label(item),
                problem=self.missing_problem,
            )
            for item in items
            if item.pk not in complete
        ]

    def item_count_query(
        self, *, portfolios: Sequence[Portfolio], year: ReportingYear
    ) -> models.QuerySet[Any]:
        return (
            self.item_model.objects.filter(portfolio__in=portfolios, year=year)
            .values_list("portfolio_id")
            .annotate(n=Count("pk"))
            .order_by()
        )

    def answered_count_query(self, *, returns: Sequence[Return]) -> models.QuerySet[Any]:
        return (
            self.update_model.objects.filter(self.complete_when, ret__in=returns)
            .values_list("ret_id")
            .annotate(n=Count("pk"))
            .order_by()
        )


# Rows' markup, by a hash of everything each shows: in the shared cache for a day, and the
# latest 32 million characters (some 10,000 rows) in each process's memory too.
ROWS = Immutable(max_chars=32_000_000, timeout=24 * 60 * 60)
_CODE = [
    Path(__file__).parent / "item_sections.py",
    Path(__file__).parent / "jinja2.py",
    Path(__file__).parent / "templatetags" / "govuk.py",
]


def _holds(condition: Q, record: Any, *, item: Any, item_field: str) -> bool:
    """Whether `record` satisfies `condition`, a Q of exact and isnull lookups on the
    record's fields (or its item's, as <item_field>__<name>)."""
    results = []
    for child in cast(list[Any], condition.children):
        if isinstance(child, Q):
            results.append(_holds(child, record, item=item, item_field=item_field))
            continue
        lookup, wanted = child
        parts = lookup.split("__")
        source = record
        if parts[0] == item_field:
            source, parts = item, parts[1:]
        name, op = parts[0], (parts[1] if len(parts) > 1 else "exact")
        value = getattr(source, name)
        if op == "isnull":
            results.append((value is None) == bool(wanted))
        elif op == "exact":
            results.append(value == wanted)
        else:
            raise ValueError(f"complete_when cannot use the lookup {lookup!r}")
    held = all(results) if condition.connector == Q.AND else any(results)
    return not held if condition.negated else held


def _fields_of(record: models.Model | None) -> tuple[Any, ...] | None:
    if record is None:
        return None
    values: tuple[Any, ...] = _field_getter(type(record))(record)
    return values


@functools.cache
def _field_getter(model: type[models.Model]) -> Callable[[models.Model], tuple[Any, ...]]:
    """Reads every concrete field of a `model` row at once (a page of rows reads
    hundreds)."""
    return operator.attrgetter(*(f.attname for f in model._meta.concrete_fields))


def _code_digest() -> str:
    """A hash of the templates and code that draw rows: kept rows are not reused by a new
    release (nor, in development, after a template is edited)."""
    if settings.DEBUG:
        return _digest_of_code()
    return _release_code_digest()


@functools.cache
def _release_code_digest() -> str:
    return _digest_of_code()


def _digest_of_code() -> str:
    hashed = hashlib.blake2b(digest_size=16)
    jinja = Path(settings.BASE_DIR) / "templates" / "jinja2"
    kinds = {Path(sys.modules[type(s).__module__].__file__ or "").parent for s in sections}
    files = [*_CODE, *sorted(jinja.rglob("*.jinja"))]
    files += sorted(path for kind in kinds for path in kind.glob("*.py"))
    for path in files:
        hashed.update(path.read_bytes())
    return hashed.hexdigest()


def _shown_values(initial: Mapping[str, Any], fields: Mapping[str, forms.Field]) -> list[str]:
    """A row's fields as its page shows them: a ticked box as "1", text as posted back
    (browsers send a textarea's line breaks as CRLF, whatever they were)."""
    values = []
    for name, form_field in fields.items():
        value = initial.get(name)
        if isinstance(form_field.widget, forms.CheckboxInput):
            values.append("1" if value else "0")
        else:
            values.append(("" if value is None else str(value)).replace("\r\n", "\n"))
    return values


def _posted_values(
    data: Mapping[str, Any], head: str, fields: Mapping[str, forms.Field]
) -> list[str]:
    """A row's fields as posted, in the form of _shown_values."""
    values = []
    for name, form_field in fields.items():
        key = f"{head}-{name}"
        if isinstance(form_field.widget, forms.CheckboxInput):
            values.append("1" if key in data else "0")
        else:
            values.append((data.get(key) or "").replace("\r\n", "\n"))
    return values


def _shown_digest(values: Sequence[str]) -> str:
    """The digest a row's page carries of what it showed (a `-shown` hidden input): a
    save compares it with what was posted to skip the rows nobody touched, without
    loading them."""
    return hashlib.blake2b("\x1f".join(values).encode(), digest_size=16).hexdigest()
