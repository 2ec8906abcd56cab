"""HistoryResource, the base of every resource in perfmon's admin, and the XLSX format
its imports read. See perfmon.resources for what it promises."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import ModelInstanceLoader
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from perfmon.models import User as UserModel
from perfmon.resources.spreadsheets import escape_formula, unescape_formula, xlsx_rows
from perfmon.resources.widgets import LookupWidget, NotFound, cell_text

# Spreadsheet formats only: the formats people open, where formula escaping matters.
SPREADSHEET_FORMATS = [
    fmt for fmt in (base_formats.CSV, base_formats.XLSX, base_formats.TSV) if fmt.is_available()
]


class BoundedXLSX(base_formats.XLSX):
    """XLSX for import, read within perfmon.resources.spreadsheets' limits (a bomb raises
    SpreadsheetRefused before it is unzipped or its rows built). Import only: exports
    stay base_formats.XLSX, which django-import-export writes with native cell types."""

    def create_dataset(self, in_stream: bytes) -> tablib.Dataset:
        rows = xlsx_rows(in_stream, active_sheet=True)
        dataset = tablib.Dataset()
        header = next(rows, None)
        if header is None:
            return dataset
        dataset.headers = header
        skip_blank = getattr(settings, "IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES", False)
        for row in rows:
            if skip_blank and not row:
                continue
            # Rows come without their trailing empty cells; a dataset's are all as wide as
            # its header (cells beyond the header have no column to go to).
            dataset.append([*row[: len(header)], *[None] * (len(header) - len(row))])
        return dataset


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

    _meta: Any  # django-import-export's ResourceOptions, set by its metaclass

    def __init__(self, *, bulk: bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if bulk is not None and bulk != self._meta.use_bulk:
            self._meta = copy.copy(self._meta)
            self._meta.use_bulk = bulk
        self.import_user: UserModel | None = None
        self.change_reason = "import"
        self._created_rows: list[tuple[int, Any]] = []
        self._keys_seen: dict[tuple[Any, ...], int] = {}
        self._holders: dict[str, dict[Any, Any]] = {}

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
        self._holders = {}
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
        value = cell_text(row.get(field.column_name))
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
        errors: dict[str, Any] = dict(import_validation_errors or {})
        if self._meta.clean_model_instances:
            errors = self._full_clean(instance, errors)
        if errors:
            # Named by the file's column, not the model's field: the cell to correct.
            columns: dict[str, str] = {}
            for written in self._written_fields():
                if (attribute := written.attribute) is not None:
                    columns[attribute] = written.column_name or attribute
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
        unique = {n for n in looked_up - set(errors) if instance._meta.get_field(n).unique}
        exclude = {*errors, *key, *unique} - {NON_FIELD_ERRORS}
        steps = [
            lambda: self._unique_in_memory(instance, unique),
            lambda: instance.validate_unique(exclude=exclude),
            lambda: instance.validate_constraints(exclude=exclude),
        ]
        for step in steps:
            try:
                step()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        return errors

    def _unique_in_memory(self, instance: Any, names: set[str]) -> None:
        """A unique foreign key (last year's item, say) used once, checked against what the
        database holds (one query per field per import) and the rows before this one."""
        errors = {}
        for name in names:
            field = instance._meta.get_field(name)
            value = getattr(instance, field.attname)
            if value is None:
                continue
            if name not in self._holders:
                rows = self._meta.model._default_manager.filter(**{f"{name}__isnull": False})
                self._holders[name] = dict(rows.values_list(field.attname, "pk"))
            holder = self._holders[name].setdefault(value, instance.pk or id(instance))
            if holder != (instance.pk or id(instance)):
                widget = next(f.widget for f in self._written_fields() if f.attribute == name)
                owner = str(instance._meta.verbose_name)
                message = widget.already_used(getattr(instance, name), owner=owner)
                errors[name] = ValidationError(message, code="unique")
        if errors:
            raise ValidationError(errors)

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
            # Saved now, so later rows may refer to it (in bulk they cannot: see above).
            for field in self.fields.values():
                if isinstance(field.widget, LookupWidget) and field.widget.model is type(instance):
                    field.widget.remember(instance)

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
