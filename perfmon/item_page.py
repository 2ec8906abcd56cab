"""The shape every item's page shares (a measure's, an action's, a project's, a risk's):
the item's definition, each quarter of each year of its lineage, oldest first, and the
change history for those who may see it.

A kind's view loads its page here and adds what only it shows (a measure's chart, a
risk's sides); its template extends `includes/_item_page.html`. The page runs a fixed
number of queries whatever the number of years: the lineage comes in one recursive query
and its updates in one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet

from perfmon.access import ItemAccess
from perfmon.item_history import Entry
from perfmon.lineage import lineage_ids
from perfmon.models import Return
from perfmon.models.items import Item, ItemUpdate

I = TypeVar("I", bound=Item)  # noqa: E741 (the item, as in ItemAccess)
U = TypeVar("U", bound=ItemUpdate)


@dataclass(frozen=True)
class QuarterRow(Generic[U]):
    """One quarter of one year of the lineage. `update` is None when there is none this
    person may see."""

    item: Any  # that year's item, of the page's kind
    number: int
    update: U | None

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.item.year.label}"

    @property
    def state(self) -> str:
        return self.update.ret.get_state_display() if self.update else ""

    @property
    def approved(self) -> bool:
        return self.update is not None and self.update.ret.state == Return.State.APPROVED


R = TypeVar("R", bound=QuarterRow[Any])


@dataclass(frozen=True)
class ItemPage(Generic[I, U]):
    """What every item page shows: `years` is the lineage oldest first (year loaded),
    `updates` the quarters this person may see, `history` None when they may not see it."""

    access: ItemAccess[I]
    kind: str  # what the item is, in the council's words: "Performance measure"
    url_name: str  # the URL name of this kind's pages, for the other years' links
    name: str  # what the item is called
    years: list[I]
    other_years: list[tuple[I, str]]  # the lineage's other items, each with its name
    updates: list[U]
    history: list[Entry] | None

    @property
    def item(self) -> I:
        return self.access.item

    def quarters(self, row: type[R] = QuarterRow) -> list[R]:  # type: ignore[assignment]
        """A row per quarter of each year, oldest first, as `row` (a QuarterRow subclass
        that adds what the kind shows of a quarter)."""
        found = {(update.item_id, update.ret.quarter.number): update for update in self.updates}
        return [
            row(item=item, number=number, update=found.get((item.pk, number)))
            for item in self.years
            for number in range(1, 5)
        ]

    def context(self, **extra: Any) -> dict[str, Any]:
        """The template context `includes/_item_page.html` expects, with the kind's own."""
        return {
            "access": self.access,
            "item": self.item,
            "kind": self.kind,
            "url_name": self.url_name,
            "name": self.name,
            "other_years": self.other_years,
            "years": self.years,
            "history": self.history,
            **extra,
        }


def load_item_page(
    access: ItemAccess[I],
    *,
    kind: str,
    url_name: str,
    name: Callable[[I], str],
    update_model: type[U],
    history: Callable[..., list[Entry]],
    years: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda items: items,
    updates: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda found: found,
) -> ItemPage[I, U]:
    """The page of `access.item`, called `name(item)`. `years` and `updates` may add to
    the two queries (a measure's quarter targets); `history(item, access=...)` is the
    kind's change history."""
    item = access.item
    lineage: Sequence[I] = list(
        years(
            type(item)
            .objects.filter(pk__in=lineage_ids(item))
            .select_related("year")
            .order_by("year__start_year", "pk")
        )
    )
    visible = access.visible(
        update_model.objects.filter(**{f"{update_model.ITEM_FIELD}__in": lineage})
    )
    return ItemPage(
        access=access,
        kind=kind,
        url_name=url_name,
        name=name(item),
        years=list(lineage),
        other_years=[(other, name(other)) for other in lineage if other.pk != item.pk],
        updates=list(updates(visible.select_related("ret__quarter"))),
        history=history(item, access=access) if access.sees_unapproved else None,
    )
