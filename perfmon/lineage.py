"""An item's lineage: the same item in earlier and later reporting years.

Each year's item points at last year's through `previous`; this module follows that chain
both ways for any model that has one.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models.expressions import RawSQL
from simple_history.utils import bulk_create_with_history


def lineage_ids(item: models.Model) -> RawSQL:
    """The ids of `item` and every item of its model before it (through `previous`) and after
    it (through `next`), as one subquery to filter on: `Model.objects.filter(pk__in=...)`.

    A recursive query walks the chain in the database, so a page costs the same number of
    queries whatever the number of years. UNION (not UNION ALL) stops at repeated rows, so
    a chain that loops back on itself by mistake still ends.
    """
    table = item._meta.db_table
    sql = f"""
        WITH RECURSIVE earlier(id, previous_id) AS (
            SELECT id, previous_id FROM {table} WHERE id = %s
            UNION
            SELECT t.id, t.previous_id FROM {table} t JOIN earlier e ON t.id = e.previous_id
        ), later(id) AS (
            SELECT id FROM {table} WHERE id = %s
            UNION
            SELECT t.id FROM {table} t JOIN later l ON t.previous_id = l.id
        )
        SELECT id FROM earlier UNION SELECT id FROM later
    """  # The table name comes from the model; values go as parameters.
    return RawSQL(sql, (item.pk, item.pk))


@transaction.atomic
def carry_on(model: type[Any], *, from_year: Any, to: Any, reason: str) -> list[Any]:
    """Copy `from_year`'s items of `model` into the year `to`, each linked to the one it
    continues (`previous`), with history giving `reason`. Items already carried on, or whose
    reference `to` already has, are left alone, so running it twice adds nothing. Returns
    the new items."""
    taken = set(model.objects.filter(year=to).values_list("reference", flat=True))
    copied = [
        field.attname
        for field in model._meta.concrete_fields
        if field.name not in {model._meta.pk.name, "year", "previous"}
    ]
    copies = [
        model(year=to, previous=item, **{name: getattr(item, name) for name in copied})
        for item in model.objects.filter(year=from_year, next__isnull=True).order_by("pk")
        if item.reference not in taken
    ]
    if copies:
        bulk_create_with_history(copies, model, default_change_reason=reason)
    return copies
