"""Council-wide settings every page reads (the council's identity, the rating schemes in
use), kept in the cache instead of read from the database by every request.

A `Cached` value is forgotten whenever a row of one of its models is saved or deleted,
through Django's signals, and again once that transaction commits (so a read made while
the change was still uncommitted is not kept). Code that changes those rows with a
queryset's update(), which sends no signal, calls `forget()` itself. Values also expire
after `TIMEOUT`, so a process whose cache is its own (no REDIS_URL: one development
server) is never stale for long.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

TIMEOUT = 300  # seconds
_MISSING = object()
_ALL: list[Cached[Any]] = []


class Cached(Generic[T]):
    """`load()`'s value, cached under `key` until a row of `models` changes."""

    def __init__(self, key: str, load: Callable[[], T], *, depends_on: list[type[models.Model]]):
        self.key = f"perfmon:cached:{key}"
        self.load = load
        for model in depends_on:
            post_save.connect(self._changed, sender=model, weak=False)
            post_delete.connect(self._changed, sender=model, weak=False)
        _ALL.append(self)

    def get(self) -> T:
        value = cache.get(self.key, _MISSING)
        if value is _MISSING:
            value = self.load()
            cache.set(self.key, value, TIMEOUT)
        return value  # what load() returned, or its copy

    def forget(self) -> None:
        cache.delete(self.key)
        transaction.on_commit(lambda: cache.delete(self.key))

    def _changed(self, **kwargs: Any) -> None:
        self.forget()


def forget_all() -> None:
    """Forget every cached value (the test suite does this before each test, as each
    test's database changes are rolled back but the cache's are not)."""
    cache.delete_many([value.key for value in _ALL])
