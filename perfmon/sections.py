"""The return's plug-in point. Item kinds register a section from AppConfig.ready();
the return page and its services work with whatever sections are registered, and never
import an item kind.

A section says which items a portfolio has in a quarter, builds the form for their
updates (with last quarter's values beside each field), saves it, and says what is
still missing before the return can be submitted.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet

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
class Clash:
    """One field this person and someone else both changed since the page was loaded.
    Their value stays stored; this person's is kept on screen to confirm."""

    item: str
    field: str
    anchor: str  # the id of the field
    changed_by: str
    theirs: str
    yours: str

    def __str__(self) -> str:
        return (
            f"{self.item} {self.field}: {self.changed_by} changed it to "
            f"{self.theirs or '(blank)'}; yours is {self.yours or '(blank)'}"
        )


@dataclass(frozen=True)
class Merged:
    """A field someone else changed since the page was loaded, kept beside this person's
    own changes."""

    item: str
    field: str
    changed_by: str
    value: str

    def __str__(self) -> str:
        return f"{self.changed_by} changed {self.item} {self.field} to {self.value or '(blank)'}"


@dataclass
class SectionSave:
    """What saving one section did: the changes written, others' changes kept, and the
    fields refused because someone else changed them too."""

    changes: list[Change] = field(default_factory=list)
    merged: list[Merged] = field(default_factory=list)
    clashes: list[Clash] = field(default_factory=list)


class StaleForm(Exception):
    """The page's version fields do not match anything stored: tampered with, or from a
    page of another return. Nothing is written."""


class SectionForm(ABC):
    """The bound (or unbound) form of one section of a return."""

    section: ReturnSection

    @abstractmethod
    def is_valid(self) -> bool: ...

    @abstractmethod
    def error_list(self) -> list[Missing]:
        """Field errors, for the error summary at the top of the page."""

    @abstractmethod
    def save(self, *, ret: Return, user: User) -> SectionSave:
        """Merge what this person changed into what is stored now, field by field, with
        history attributed to `user`. `ret` is the stored return, locked.

        Raises StaleForm when a version field matches nothing stored."""

    @abstractmethod
    def after_clash(self, *, ret: Return, clashes: Sequence[Clash]) -> SectionForm:
        """The form to show after a save with clashes: what is stored now, at its
        current versions, except the clashing fields, which keep what this person
        typed, so saving again writes exactly what they changed or confirmed."""

    @abstractmethod
    def show_missing(self, missing: Sequence[Missing]) -> None:
        """Show, on each empty field, what stops the return being submitted."""

    def for_display(self) -> SectionForm:
        """This form as the page shows it again after a save (a posted form may hold
        only what the save needed)."""
        return self

    @property
    def template_name(self) -> str:
        return self.section.template_name


class ReturnSection(ABC):
    key: str
    title: str
    order: int = 100
    template_name: str

    @abstractmethod
    def item_count_query(
        self, *, portfolios: Sequence[Portfolio], year: ReportingYear
    ) -> QuerySet[Any]:
        """(portfolio id, number of items) rows: the items each portfolio has in `year`
        (absent: none). The registry adds up every section's in one query."""

    @abstractmethod
    def form(
        self, *, ret: Return, data: Mapping[str, Any] | None = None, editable: bool = True
    ) -> SectionForm: ...

    @abstractmethod
    def missing(self, *, ret: Return) -> list[Missing]: ...

    @abstractmethod
    def answered_count_query(self, *, returns: Sequence[Return]) -> QuerySet[Any]:
        """(return id, number of items answered) rows (absent: none). With the item
        counts, what each return still lacks."""


class SectionRegistry:
    def __init__(self) -> None:
        self._sections: dict[str, ReturnSection] = {}

    def register(self, section: ReturnSection) -> None:
        if section.key in self._sections:
            raise ValueError(f"A return section called {section.key!r} is registered already.")
        self._sections[section.key] = section

    def __iter__(self) -> Any:
        return iter(sorted(self._sections.values(), key=lambda s: (s.order, s.key)))

    def item_counts(
        self, *, portfolios: Sequence[Portfolio], year: ReportingYear
    ) -> dict[int, int]:
        """Items each portfolio has in `year` in all sections, by portfolio id (absent:
        none): one query however many sections and portfolios."""
        if not portfolios:
            return {}
        return _added_up([s.item_count_query(portfolios=portfolios, year=year) for s in self])

    def answered_counts(self, *, returns: Sequence[Return]) -> dict[int, int]:
        """How many of each return's items are answered in all sections, by return id
        (absent: none): one query however many sections and returns."""
        if not returns:
            return {}
        return _added_up([s.answered_count_query(returns=returns) for s in self])


def _added_up(queries: list[QuerySet[Any]]) -> dict[int, int]:
    """The (key, count) rows of `queries`, read with one UNION ALL, added up by key."""
    if not queries:
        return {}
    totals: dict[int, int] = defaultdict(int)
    first, *rest = queries
    for key, count in first.union(*rest, all=True) if rest else first:
        totals[key] += count
    return dict(totals)


sections = SectionRegistry()
