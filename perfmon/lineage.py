"""An item's lineage: the same item in earlier and later reporting years.

Each year's item points at last year's through `previous`; this module follows that chain
both ways for any model that has one.
"""

from __future__ import annotations

from django.db import models
from django.db.models.expressions import RawSQL


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
