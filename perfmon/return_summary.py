"""A return read as a whole: its sections' progress (the task list), every value entered
with what changed since last quarter (the check page, the read-only return), and what a
director should look at first.

Built from the sections' forms the page has loaded already (their rows' stored and last
quarter's updates), so it adds no query per item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from perfmon.item_sections import ItemSectionForm, Row
from perfmon.sections import SectionForm


@dataclass(frozen=True)
class Task:
    """One section on the return's task list."""

    key: str
    title: str
    done: int
    total: int
    problems: int

    @property
    def status(self) -> str:
        if self.problems:
            return "There is a problem"
        if self.total and self.done == self.total:
            return "Completed"
        if self.done:
            return "In progress"
        return "Not started"

    @property
    def colour(self) -> str:
        """The GOV.UK task list's tag colour ("" for Completed, shown as plain text)."""
        return {"There is a problem": "red", "In progress": "light-blue", "Completed": ""}.get(
            self.status, "blue"
        )


@dataclass(frozen=True)
class Answer:
    """One value entered, with last quarter's, and the id of its field on the return."""

    label: str
    value: str
    previous: str
    anchor: str

    @property
    def changed(self) -> bool:
        return self.value != self.previous


@dataclass
class ItemSummary:
    label: str
    anchor: str  # the row's id on the return page
    missing_anchor: str  # the id of the field an unanswered item needs first
    complete: bool
    rating: tuple[str, str] | None
    previous_rating: tuple[str, str] | None
    answers: list[Answer] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    change: tuple[str, float] | None = None
    has_commentary: bool = True

    @property
    def turned_red(self) -> bool:
        was_red = self.previous_rating is not None and self.previous_rating[1] == "red"
        return self.rating is not None and self.rating[1] == "red" and not was_red


@dataclass
class SectionSummary:
    key: str
    title: str
    items: list[ItemSummary]


@dataclass
class DirectorSummary:
    """What a director should look at first."""

    counts: list[tuple[str, str, int]]  # (rating, tag colour, how many items)
    red: list[ItemSummary]
    turned_red: list[ItemSummary]
    flagged: list[tuple[ItemSummary, str]]
    biggest_changes: list[ItemSummary]
    no_commentary: list[ItemSummary]


def _item_forms(forms: Sequence[SectionForm]) -> list[ItemSectionForm]:
    return [form for form in forms if isinstance(form, ItemSectionForm)]


def _has_problem(row: Row, anchors: Collection[str]) -> bool:
    own = f"id_{row.anchor}-"
    return bool(row.missing) or any(a == row.anchor or a.startswith(own) for a in anchors)


def tasks(forms: Sequence[SectionForm], *, problems: Collection[str] = ()) -> list[Task]:
    """Each section's progress. `problems` are the anchors of the page's errors."""
    found = []
    for form in _item_forms(forms):
        section = form.section
        found.append(
            Task(
                key=section.key,
                title=section.title,
                done=sum(1 for row in form.rows if section.is_complete(row)),
                total=len(form.rows),
                problems=sum(1 for row in form.rows if _has_problem(row, problems)),
            )
        )
    return found


EMPTY = (None, "", False)


def _answers(form: ItemSectionForm, row: Row) -> list[Answer]:
    section = form.section
    now = section.values_of(row.stored, item=row.item)
    then = section.values_of(row.previous, item=row.item) if row.previous else {}
    answers = []
    for name in section.summary_fields(row):
        value = section.show(name, now.get(name), item=row.item, context=form.context)
        previous = (
            section.show(name, then.get(name), item=row.item, context=form.context)
            if row.previous
            else ""
        )
        unused = now.get(name) in EMPTY and then.get(name) in EMPTY
        if unused and name != section.missing_field_for(row.item):
            continue  # an unused optional field (an unticked box) says nothing
        answers.append(
            Answer(
                label=section.field_label(name).capitalize(),
                value=value,
                previous=previous,
                anchor=section.field_anchor(row.item, name),
            )
        )
    return answers


def summarise(forms: Sequence[SectionForm]) -> list[SectionSummary]:
    """Every item of every section: its answers, rating and flags."""
    summaries = []
    for form in _item_forms(forms):
        section, context = form.section, form.context
        items = []
        for row in form.rows:
            commentary = "commentary" in section.value_fields
            items.append(
                ItemSummary(
                    label=section.item_label(row.item),
                    anchor=row.anchor,
                    missing_anchor=section.missing_anchor(row.item),
                    complete=section.is_complete(row),
                    rating=section.rating(row.stored, context=context) if row.stored else None,
                    previous_rating=(
                        section.rating(row.previous, context=context) if row.previous else None
                    ),
                    answers=_answers(form, row),
                    flags=section.flags(row, context=context),
                    change=section.change_since_last(row),
                    has_commentary=not commentary
                    or bool(row.stored and str(row.stored.commentary).strip()),
                )
            )
        summaries.append(SectionSummary(key=section.key, title=section.title, items=items))
    return summaries


BIGGEST_CHANGES = 5


def for_director(summaries: Sequence[SectionSummary]) -> DirectorSummary:
    items = [item for summary in summaries for item in summary.items]
    counted: Counter[tuple[str, str]] = Counter(
        item.rating for item in items if item.rating is not None
    )
    counts = [(label, colour, n) for (label, colour), n in sorted(counted.items())]
    if unrated := sum(1 for item in items if item.rating is None):
        counts.append(("Not rated", "grey", unrated))
    changed: list[Any] = sorted(
        (item for item in items if item.change is not None),
        key=lambda item: -item.change[1],
    )
    return DirectorSummary(
        counts=counts,
        red=[item for item in items if item.rating is not None and item.rating[1] == "red"],
        turned_red=[item for item in items if item.turned_red],
        flagged=[(item, flag) for item in items for flag in item.flags],
        biggest_changes=changed[:BIGGEST_CHANGES],
        no_commentary=[item for item in items if not item.has_commentary],
    )
