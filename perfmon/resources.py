"""Spreadsheet import and export for the performance team's admin: the base every app's
resources inherit (`HistoryResource`), the widgets that find the frame by name, and the
frame's own resources.

What every resource does (see HistoryResource):

- Export is safe to open: a cell a spreadsheet would run as a formula (=, +, -, @, tab or
  carriage return at the start) is written with a leading apostrophe, and read back
  without it. django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only
  strips a leading "=", so this does not depend on it.
- Import is previewed, then all or nothing, in bulk: rows are checked one by one (every
  problem is reported against its row and cell, in words), then written with one
  INSERT and one UPDATE per model, each with its history rows carrying the importing
  person and the reason "import of <file name>". Unchanged rows are skipped.
- Related rows are found by what people call them (a portfolio by name, a year as
  2024/25), looked up in memory: the import's query count does not grow with its rows.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import QuerySet
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import ModelInstanceLoader
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from perfmon import quarters
from perfmon.models import CouncilPlan, Portfolio, PortfolioRole, Quarter, ReportingYear, Theme
from perfmon.models import User as UserModel

# Spreadsheet formats only: the formats people open, where formula escaping matters.
SPREADSHEET_FORMATS = [
    fmt for fmt in (base_formats.CSV, base_formats.XLSX, base_formats.TSV) if fmt.is_available()
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(?:\.[0-9]+)?")


def escape_formula(value: Any) -> Any:
    """`value` made safe to open in a spreadsheet; plain numbers such as -5 are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return f"'{value}"
    return value


def unescape_formula(value: Any) -> Any:
    """The text `escape_formula` was given."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's 2024.0
    return "" if value is None else " ".join(str(value).split())


def parse_year(value: Any) -> int | None:
    """The start year of a cell written 2024/25 (or 2024); None when empty.
    Raises ValueError with a sentence."""
    text = _text(value)
    return quarters.parse_year_label(text) if text else None


def row_year(row: dict[str, Any] | None, column: str = "year") -> int:
    """The start year in the row's year column, for lookups scoped to the row's year."""
    try:
        start_year = parse_year((row or {}).get(column))
    except ValueError:
        start_year = None
    if start_year is None:
        raise ValueError(f"Cannot be looked up until the {column} is a year such as 2024/25.")
    return start_year


# Widgets -----------------------------------------------------------------------------------


class YearLabelWidget(widgets.Widget):
    """A start year written as 2024/25 (2024 is read too)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        return parse_year(value)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return quarters.year_label(value) if value is not None else ""


class NotFound(ValueError):
    """A cell naming something that does not exist. `matches(obj)` tells whether `obj` is
    what the cell names, so an import can say when the row refers to a row of its own file."""

    def __init__(self, message: str, *, model: type[models.Model], matches: Callable) -> None:
        super().__init__(message)
        self.model = model
        self.matches = matches


class LookupWidget(widgets.ForeignKeyWidget):
    """A related row by what people call it (its name, by default), ignoring case and
    extra spaces, looked up in memory.

    The candidates load in one query per scope the first time an import asks, so an
    import's query count does not grow with its rows. Subclasses scope a lookup to the
    row (a theme among the themes of the plan covering the row's year) by overriding
    `scope_of_row`, `scope_of` and `candidates`, and word the error with `missing`.
    HistoryResource calls `reset()` before every import.
    """

    def __init__(
        self,
        model: type[models.Model],
        field: str = "name",
        *,
        noun: str = "",
        select_related: Iterable[str] = (),
    ) -> None:
        super().__init__(model, field=field)
        self.noun = noun or str(model._meta.verbose_name)
        self.select_related = tuple(select_related)
        self._index: dict[Hashable, dict[str, list[Any]]] = {}

    def reset(self) -> None:
        self._index = {}

    def scope_of_row(self, row: dict[str, Any] | None) -> Hashable:
        return None

    def scope_of(self, obj: Any) -> Hashable:
        return None

    def candidates(self, scope: Hashable) -> QuerySet[Any]:
        return self.model.objects.select_related(*self.select_related)

    def names_of(self, obj: Any) -> list[str]:
        return [_text(getattr(obj, self.field))]

    def missing(self, text: str, scope: Hashable) -> str:
        return f"No {self.noun} called “{text}”."

    def _lookup(self, scope: Hashable) -> dict[str, list[Any]]:
        if scope not in self._index:
            index: dict[str, list[Any]] = {}
            for obj in self.candidates(scope):
                for name in self.names_of(obj):
                    if name:
                        index.setdefault(name.casefold(), []).append(obj)
            self._index[scope] = index
        return self._index[scope]

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        text = _text(value)
        if not text:
            return None
        scope = self.scope_of_row(row)
        found = self._lookup(scope).get(text.casefold(), [])
        if not found:
            raise NotFound(
                self.missing(text, scope),
                model=self.model,
                matches=lambda obj: (
                    self.scope_of(obj) == scope
                    and text.casefold() in [n.casefold() for n in self.names_of(obj)]
                ),
            )
        if len(found) > 1:
            raise ValueError(f"More than one {self.noun} is called “{text}”.")
        return found[0]


class YearWidget(LookupWidget):
    """A reporting year written as 2024/25."""

    def __init__(self) -> None:
        super().__init__(ReportingYear, field="start_year", noun="reporting year")

    def names_of(self, obj: Any) -> list[str]:
        return [str(obj.start_year)]

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        start_year = parse_year(value)
        return None if start_year is None else super().clean(start_year, row, **kwargs)

    def missing(self, text: str, scope: Hashable) -> str:
        return f"No reporting year {quarters.year_label(int(text))}: add the year first."

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.label if value is not None else ""


class PortfolioWidget(LookupWidget):
    def __init__(self) -> None:
        super().__init__(Portfolio, noun="portfolio")


class PlanWidget(LookupWidget):
    def __init__(self) -> None:
        super().__init__(CouncilPlan, noun="Council Plan")


class UserWidget(LookupWidget):
    """A person by username or email address; written as the username."""

    def __init__(self) -> None:
        super().__init__(UserModel, field="username", noun="person")

    def names_of(self, obj: Any) -> list[str]:
        return [obj.username, obj.email]

    def missing(self, text: str, scope: Hashable) -> str:
        return f"No person with the username or email address “{text}”."


class ThemeWidget(LookupWidget):
    """A theme by name among the themes of the Council Plan covering the row's year (two
    plans may both have "A Green City")."""

    def __init__(self, year_column: str = "year") -> None:
        super().__init__(Theme, noun="theme", select_related=["plan"])
        self.year_column = year_column

    def scope_of_row(self, row: dict[str, Any] | None) -> Hashable:
        return row_year(row, self.year_column)

    def scope_of(self, obj: Any) -> Hashable:
        return None  # themes are not imported beside items

    def candidates(self, scope: Hashable) -> QuerySet[Any]:
        return Theme.objects.filter(plan__first_year__lte=scope, plan__last_year__gte=scope)

    def missing(self, text: str, scope: Hashable) -> str:
        label = quarters.year_label(int(scope))  # type: ignore[call-overload]
        return f"No theme “{text}” in the Council Plan covering {label}."


class ItemWidget(LookupWidget):
    """An item (measure, action, project, risk) by its reference in a year: the row's own
    year, or with `years_back=1`, the year before it (the item it continues from)."""

    def __init__(
        self, model: type[models.Model], *, years_back: int = 0, year_column: str = "year"
    ) -> None:
        super().__init__(model, field="reference", select_related=["year"])
        self.years_back = years_back
        self.year_column = year_column

    def scope_of_row(self, row: dict[str, Any] | None) -> Hashable:
        return row_year(row, self.year_column) - self.years_back

    def scope_of(self, obj: Any) -> Hashable:
        return obj.year.start_year

    def candidates(self, scope: Hashable) -> QuerySet[Any]:
        return self.model.objects.filter(year__start_year=scope).select_related("year")

    def missing(self, text: str, scope: Hashable) -> str:
        label = quarters.year_label(int(scope))  # type: ignore[call-overload]
        if self.years_back:
            return f"No {self.noun} “{text}” in {label} to continue from."
        return f"No {self.noun} “{text}” in {label}."


# The base resource --------------------------------------------------------------------------


class KeyedInstanceLoader(ModelInstanceLoader):
    """The existing rows an import may update, loaded in one query and found by the
    resource's import id fields (any number of them). A row whose key cells cannot be read
    counts as new; reading its cells again reports the problem against the row."""

    def __init__(self, resource: Any, dataset: Any = None) -> None:
        super().__init__(resource, dataset)
        self.key_fields = [resource.fields[name] for name in resource.get_import_id_fields()]
        self._instances: dict[tuple[Any, ...], Any] | None = None

    def get_instance(self, row: dict[str, Any]) -> Any:
        if self._instances is None:
            self._instances = {
                tuple(field.get_value(obj) for field in self.key_fields): obj
                for obj in self.get_queryset()
            }
        try:
            key = tuple(field.clean(row) for field in self.key_fields)
        except (ValueError, ValidationError):
            return None
        return self._instances.get(key)


class HistoryResource(resources.ModelResource):
    """The base of every resource in perfmon's admin.

    Import, with the admin's `import_data(dataset, user=..., file_name=...)`:

    - Bulk: rows are checked one by one, then written with simple-history's
      `bulk_create_with_history` / `bulk_update_with_history`, every history row carrying
      the importing user and the reason "import of <file name>" (rows imported without an
      admin request have no user and the reason "import").
    - All or nothing: one transaction, rolled back if any row is invalid.
    - Unchanged rows are skipped; the model's own validation (`full_clean`) runs on every
      row, without a query per row: related rows come from the lookup widgets, and the
      import key's uniqueness is checked in the file and by the instance loader.
    - Errors are per row and per cell, in words. Widgets raise ValueError with a
      sentence; a cell naming something missing says what is missing.
    - Because rows are written together at the end, **a row cannot refer to an item
      created earlier in the same file** (last year's measure, say, when both years are in
      one file): the row is refused with a message naming the row that creates it. Import
      that row first, then the rest. `MyResource(bulk=False)` imports row by row instead.
    - A key (year and reference, say) may appear only once in a file.

    Export: every cell formula-safe (`escape_formula`), and read back by `unescape_formula`.

    Subclasses set Meta.model, import_id_fields, fields; `after_create(instances)` is
    called with the rows just created (to create what comes with them).
    """

    class Meta:
        use_bulk = True
        batch_size = 1000
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        instance_loader_class = KeyedInstanceLoader

    def __init__(self, *, bulk: bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if bulk is not None and bulk != self._meta.use_bulk:
            self._meta = copy.copy(self._meta)
            self._meta.use_bulk = bulk
        self.import_user: UserModel | None = None
        self.change_reason = "import"
        self._created_rows: list[tuple[int, Any]] = []
        self._keys_seen: dict[tuple[Any, ...], int] = {}

    # Export --------------------------------------------------------------------------------

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        return escape_formula(super().export_field(field, instance, **kwargs))

    # Import --------------------------------------------------------------------------------

    def import_data(self, dataset: Any, *args: Any, **kwargs: Any) -> Any:
        # All or nothing: an invalid row rolls back the valid ones too.
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(dataset, *args, **kwargs)

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        user = kwargs.get("user")
        self.import_user = user if getattr(user, "is_authenticated", False) else None
        file_name = kwargs.get("file_name")
        self.change_reason = f"import of {file_name}" if file_name else "import"
        self._created_rows = []
        self._keys_seen = {}
        for field in self.fields.values():
            if isinstance(field.widget, LookupWidget):
                field.widget.reset()

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        for name, value in row.items():
            row[name] = unescape_formula(value)

    def import_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        for field in self.get_import_fields():
            try:
                self.import_field(field, instance, row, **kwargs)
            except (ValueError, ArithmeticError) as error:
                message = self._explain(field, row, error)
                errors[field.attribute] = ValidationError(message, code="invalid")
        if not errors:
            errors = self._repeated_key(instance, kwargs.get("row_number", 0))
        if errors:
            raise ValidationError(errors)

    def _explain(self, field: fields.Field, row: dict[str, Any], error: Exception) -> str:
        """The error as a sentence about the cell."""
        value = _text(row.get(field.column_name))
        if isinstance(field.widget, (widgets.DateWidget, widgets.DateTimeWidget)):
            return f"“{value}” is not a date: write it like 2025-07-21."
        if isinstance(field.widget, widgets.NumberWidget):
            return f"“{value}” is not a number."
        if isinstance(field.widget, widgets.BooleanWidget):
            return f"“{value}” is not yes or no: write 1 or 0."
        if isinstance(error, NotFound) and error.model is self._meta.model:
            for number, created in self._created_rows:
                if error.matches(created):
                    return (
                        f"{error} It is created by row {number} of this file, and a row "
                        "cannot refer to an item created in the same import: import "
                        f"row {number} first, then this row."
                    )
        return str(error)

    def _repeated_key(self, instance: Any, number: int) -> dict[str, Any]:
        key_fields = [self.fields[name] for name in self.get_import_id_fields()]
        key = tuple(field.get_value(instance) for field in key_fields)
        first = self._keys_seen.setdefault(key, number)
        if first == number:
            return {}
        cells = " and ".join(
            f"{field.column_name} “{field.export(instance)}”" for field in key_fields
        )
        message = f"Row {first} has the same {cells}: each may appear once in a file."
        return {key_fields[0].attribute: ValidationError(message, code="unique")}

    def validate_instance(
        self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        if self._meta.clean_model_instances:
            errors = self._full_clean(instance, errors)
        if errors:
            # Named by the file's column, not the model's field: the cell to correct.
            columns = {field.attribute: field.column_name for field in self._written_fields()}
            raise ValidationError({columns.get(name, name): e for name, e in errors.items()})

    def _full_clean(self, instance: Any, errors: dict[str, Any]) -> dict[str, Any]:
        """Model.full_clean without its queries per row: foreign keys the lookup widgets
        found exist, and the import key is checked by the loader and `_repeated_key`."""
        looked_up = {
            field.attribute
            for field in self._written_fields()
            if isinstance(field.widget, LookupWidget)
        }
        exclude = set(errors)
        steps: list[Callable[[], None]] = [
            lambda: instance.clean_fields(exclude=exclude | looked_up),
            lambda: self._required(instance, looked_up - exclude),
            instance.clean,
        ]
        for step in steps:
            try:
                step()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        key = {self.fields[name].attribute for name in self.get_import_id_fields()}
        exclude = {*errors, *key} - {NON_FIELD_ERRORS}
        for step in (instance.validate_unique, instance.validate_constraints):
            try:
                step(exclude=exclude)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        return errors

    @staticmethod
    def _required(instance: Any, names: set[str]) -> None:
        missing = {}
        for name in names:
            field = instance._meta.get_field(name)
            if not field.blank and getattr(instance, field.attname) is None:
                missing[name] = ValidationError(field.error_messages["blank"], code="blank")
        if missing:
            raise ValidationError(missing)

    def save_instance(self, instance: Any, is_create: bool, row: Any, **kwargs: Any) -> None:
        super().save_instance(instance, is_create, row, **kwargs)
        if is_create:
            self._created_rows.append((kwargs.get("row_number", 0), instance))

    def do_instance_save(self, instance: Any, is_create: bool) -> None:
        instance._history_user = self.import_user  # row by row (bulk=False)
        instance._change_reason = self.change_reason
        super().do_instance_save(instance, is_create)
        if is_create:
            self.after_create([instance])

    def after_create(self, instances: list[Any]) -> None:
        """Called with the rows an import has just created."""

    def _written_fields(self) -> list[fields.Field]:
        return [field for field in self.get_import_fields() if not field.readonly]

    def get_bulk_update_fields(self) -> list[str]:
        names = {f.name for f in self._meta.model._meta.concrete_fields if not f.primary_key}
        return sorted(
            {field.attribute for field in self._written_fields()}
            & names - {self.fields[name].attribute for name in self.get_import_id_fields()}
        )

    def bulk_create(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Any = None,
    ) -> None:
        if self.create_instances and (using_transactions or not dry_run):
            try:
                created = bulk_create_with_history(
                    self.create_instances,
                    self._meta.model,
                    batch_size=batch_size,
                    default_user=self.import_user,
                    default_change_reason=self.change_reason,
                )
                self.after_create(created)
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()

    def bulk_update(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Any = None,
    ) -> None:
        if self.update_instances and (using_transactions or not dry_run):
            try:
                bulk_update_with_history(
                    self.update_instances,
                    self._meta.model,
                    self.get_bulk_update_fields(),
                    batch_size=batch_size,
                    default_user=self.import_user,
                    default_change_reason=self.change_reason,
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.update_instances.clear()


# The frame -----------------------------------------------------------------------------------


def year_field(attribute: str = "year", column_name: str = "year", **kwargs: Any) -> fields.Field:
    """A reporting year as 2024/25."""
    return fields.Field(attribute=attribute, column_name=column_name, widget=YearWidget(), **kwargs)


def portfolio_field() -> fields.Field:
    return fields.Field(attribute="portfolio", column_name="portfolio", widget=PortfolioWidget())


def theme_field() -> fields.Field:
    return fields.Field(attribute="theme", column_name="theme", widget=ThemeWidget())


class ReportingYearResource(HistoryResource):
    """Reporting years, written 2024/25. A new year comes with its four quarters."""

    year = fields.Field(attribute="start_year", column_name="year", widget=YearLabelWidget())

    class Meta:
        model = ReportingYear
        import_id_fields = ("year",)
        fields = ("year",)

    def after_create(self, instances: list[Any]) -> None:
        new_quarters = []
        for year in instances:
            for number in Quarter.Number.values:
                starts_on, ends_on = quarters.quarter_bounds(year.start_year, number)
                new_quarters.append(
                    Quarter(year=year, number=number, starts_on=starts_on, ends_on=ends_on)
                )
        bulk_create_with_history(
            new_quarters,
            Quarter,
            default_user=self.import_user,
            default_change_reason=self.change_reason,
        )


class QuarterResource(HistoryResource):
    """Each quarter's deadlines. Quarters come with their year: a row for a quarter that
    does not exist is refused."""

    year = year_field()
    quarter = fields.Field(
        attribute="number", column_name="quarter", widget=widgets.IntegerWidget()
    )
    starts_on = fields.Field(
        attribute="starts_on", column_name="starts_on", widget=widgets.DateWidget(), readonly=True
    )
    ends_on = fields.Field(
        attribute="ends_on", column_name="ends_on", widget=widgets.DateWidget(), readonly=True
    )

    class Meta:
        model = Quarter
        import_id_fields = ("year", "quarter")
        fields = (
            "year",
            "quarter",
            "starts_on",
            "ends_on",
            "submission_deadline",
            "approval_deadline",
        )
        export_order = fields

    def get_queryset(self) -> QuerySet[Quarter]:
        return super().get_queryset().select_related("year")

    def import_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        if instance._state.adding:
            message = "No such quarter: quarters are numbered 1 to 4 and come with their year."
            raise ValidationError({"number": message})


class CouncilPlanResource(HistoryResource):
    first_year = fields.Field(
        attribute="first_year", column_name="first_year", widget=YearLabelWidget()
    )
    last_year = fields.Field(
        attribute="last_year", column_name="last_year", widget=YearLabelWidget()
    )

    class Meta:
        model = CouncilPlan
        import_id_fields = ("name",)
        fields = ("name", "first_year", "last_year")
        export_order = fields


class ThemeResource(HistoryResource):
    """Themes, each in its Council Plan (by the plan's name)."""

    plan = fields.Field(attribute="plan", column_name="plan", widget=PlanWidget())

    class Meta:
        model = Theme
        import_id_fields = ("plan", "name")
        fields = ("plan", "name", "position", "description")
        export_order = fields

    def get_queryset(self) -> QuerySet[Theme]:
        return super().get_queryset().select_related("plan")


class PortfolioResource(HistoryResource):
    class Meta:
        model = Portfolio
        import_id_fields = ("name",)
        fields = ("name", "is_active")
        export_order = fields


class PortfolioRoleResource(HistoryResource):
    """Who holds which role on which portfolio: the person by username or email address
    (written as the username), the portfolio by name, the role as officer or director."""

    user = fields.Field(attribute="user", column_name="user", widget=UserWidget())
    portfolio = portfolio_field()

    class Meta:
        model = PortfolioRole
        import_id_fields = ("user", "portfolio", "role")
        fields = ("user", "portfolio", "role")
        export_order = fields

    def get_queryset(self) -> QuerySet[PortfolioRole]:
        return super().get_queryset().select_related("user", "portfolio")
