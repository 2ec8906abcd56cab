"""The return's plug-in point. Item kinds register a section from AppConfig.ready();
the return page and its services work with whatever sections are registered, and never
import an item kind.

A section says which items a portfolio has in a quarter, builds the form for their
updates (with last quarter's values beside each field), saves it, and says what is
still missing before the return can be submitted.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from perfmon.models import Portfolio, ReportingYear, Return, User


@dataclass(frozen=True)
class Missing:
    """Something that stops a return being submitted."""

    anchor: str  # the id of the field to jump to
    item: str  # "EHCS PM21 Care leavers in EET"
    problem: str  # "Enter the actual, or say why there is none"


@dataclass(frozen=True)
class Change:
    """One value an officer changed, in words for the trail and for conflict messages."""

    item: str
    field: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.item} {self.field}: {self.before or '(blank)'} → {self.after or '(blank)'}"


@dataclass(frozen=True)
class Conflict:
    """An item someone else saved after this person loaded the page."""

    item: str
    changed_by: str
    changed_at: datetime
    anchor: str


class SectionForm(ABC):
    """The bound (or unbound) form of one section of a return."""

    section: ReturnSection

    @abstractmethod
    def is_valid(self) -> bool: ...

    @abstractmethod
    def error_list(self) -> list[Missing]:
        """Field errors, for the error summary at the top of the page."""

    @abstractmethod
    def conflicts(self, *, ret: Return) -> list[Conflict]:
        """Rows of `ret` (the stored return, locked) that someone else saved since the
        page was loaded. Called before save()."""

    @abstractmethod
    def save(self, *, ret: Return, user: User) -> list[Change]:
        """Write the changed rows, with history attributed to `user`."""

    @abstractmethod
    def refresh_versions(self) -> None:
        """After a conflict: keep what was typed, but take the stored versions, so the
        next save (once the person has checked) goes through."""

    @property
    def template_name(self) -> str:
        return self.section.template_name


class ReturnSection(ABC):
    key: str
    title: str
    order: int = 100
    template_name: str

    @abstractmethod
    def item_counts(
        self, *, portfolios: Sequence[Portfolio], year: ReportingYear
    ) -> dict[int, int]:
        """Items each portfolio has in `year`, by portfolio id (absent: none)."""

    @abstractmethod
    def form(
        self, *, ret: Return, data: Mapping[str, Any] | None = None, editable: bool = True
    ) -> SectionForm: ...

    @abstractmethod
    def missing(self, *, ret: Return) -> list[Missing]: ...

    @abstractmethod
    def missing_counts(self, *, returns: Sequence[Return]) -> dict[int, int]:
        """How many things each return still lacks, by return id, in a fixed number of
        queries however many returns."""


class SectionRegistry:
    def __init__(self) -> None:
        self._sections: dict[str, ReturnSection] = {}

    def register(self, section: ReturnSection) -> None:
        if section.key in self._sections:
            raise ValueError(f"A return section called {section.key!r} is registered already.")
        self._sections[section.key] = section

    def __iter__(self) -> Any:
        return iter(sorted(self._sections.values(), key=lambda s: (s.order, s.key)))


sections = SectionRegistry()
