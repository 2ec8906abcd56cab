"""Django's SQLite backend, set up as a real embedded database for the site, a Celery
worker and the tests sharing one file.

Django 5.2 assumes SQLite's old compile-time default of 999 variables a query and splits
bulk inserts, updates and `IN` lists into batches to stay under it, so a page or an import
makes more queries the more rows it has. The SQLite a connection runs says its own limit
(250,000 on Debian's); this backend asks it, so a bulk operation is one query as on
PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from functools import cached_property

from django.db.backends.sqlite3 import base, features


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self) -> int:  # type: ignore[override]
        with self.connection.cursor():  # opens the connection if need be
            limit = self.connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return int(limit)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
