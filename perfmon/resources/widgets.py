"""Widgets that find the frame by what people call it: a year written 2024/25, a
portfolio or Council Plan by name, a person by username or email address, a theme among
the themes of the plan covering the row's year, an item by its reference in a year.

Lookups are in memory (one query per scope per import, see LookupWidget), and a cell
naming something missing raises NotFound, a ValueError with a sentence for the person
who wrote the cell.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any, cast

from django.db import models
from django.db.models import QuerySet
from import_export import fields, widgets

from perfmon import quarters
from perfmon.models import CouncilPlan, Portfolio, ReportingYear, Theme
from perfmon.models import User as UserModel


def cell_text(value: Any) -> str:
    """A cell as text, with spaces tidied and a spreadsheet's 2024.0 read as 2024."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's 2024.0
    return "" if value is None else " ".join(str(value).split())


def parse_year(value: Any) -> int | None:
    """The start year of a cell written 2024/25 (or 2024); None when empty.
    Raises ValueError with a sentence."""
    text = cell_text(value)
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

    def remember(self, obj: Any) -> None:
        """Make `obj`, just saved, findable by later rows of the same import."""
        index = self._index.get(self.scope_of(obj))
        if index is not None:
            for name in self.names_of(obj):
                if name and obj not in index.setdefault(name.casefold(), []):
                    index[name.casefold()].append(obj)

    def scope_of_row(self, row: dict[str, Any] | None) -> Hashable:
        return None

    def scope_of(self, obj: Any) -> Hashable:
        return None

    def candidates(self, scope: Hashable) -> QuerySet[Any]:
        return self.model.objects.select_related(*self.select_related)

    def names_of(self, obj: Any) -> list[str]:
        return [cell_text(getattr(obj, self.field))]

    def missing(self, text: str, scope: Hashable) -> str:
        return f"No {self.noun} called “{text}”."

    def already_used(self, obj: Any, *, owner: str) -> str:
        """Why `obj` cannot be linked again, where each may be linked once."""
        return f"Another {owner} is already linked to the {self.noun} “{self.names_of(obj)[0]}”."

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
        text = cell_text(value)
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
        label = quarters.year_label(int(cast(int, scope)))
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

    def already_used(self, obj: Any, *, owner: str) -> str:
        if self.years_back:
            label = obj.year.label
            return f"Another {owner} already continues from “{obj.reference}” in {label}."
        return super().already_used(obj, owner=owner)

    def missing(self, text: str, scope: Hashable) -> str:
        label = quarters.year_label(int(cast(int, scope)))
        if self.years_back:
            return f"No {self.noun} “{text}” in {label} to continue from."
        return f"No {self.noun} “{text}” in {label}."


def year_field(attribute: str = "year", column_name: str = "year", **kwargs: Any) -> fields.Field:
    """A reporting year as 2024/25."""
    return fields.Field(attribute=attribute, column_name=column_name, widget=YearWidget(), **kwargs)


def portfolio_field() -> fields.Field:
    return fields.Field(attribute="portfolio", column_name="portfolio", widget=PortfolioWidget())


def theme_field() -> fields.Field:
    return fields.Field(attribute="theme", column_name="theme", widget=ThemeWidget())
