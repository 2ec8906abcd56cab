"""Council-wide settings every page reads (the council's identity, the rating schemes in
use), and each person's standing (perfmon.access), kept in the cache instead of read from
the database by every request.

A `Cached` value is forgotten whenever a row of one of its models is saved or deleted,
through Django's signals, and again once that transaction commits (so a read made while
the change was still uncommitted is not kept). Code that changes those rows with a
queryset's update(), which sends no signal, calls `forget()` itself. Values also expire
after `TIMEOUT`, so a process whose cache is its own (no REDIS_URL: one development
server) is never stale for long.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
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


class CachedFor(Generic[T]):
    """A value for each key (a person, on a day), cached until `forget_all()`
    is called, by anything that may change any of the values (rarely: who holds which role,
    say). Every value is stored with the generation it was loaded in; forgetting starts a
    new generation, in every process sharing the cache, and a value of an older one is
    loaded afresh. One cache round trip reads the generation and the value together."""

    def __init__(self, name: str):
        self.prefix = f"perfmon:cached:{name}"
        self.generation_key = f"{self.prefix}:generation"
        _PER_KEY.append(self)

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        """The value cached under `key`, or `load()`'s, cached."""
        value_key = f"{self.prefix}:{key}"
        found = cache.get_many([self.generation_key, value_key])
        generation = found.get(self.generation_key)
        if generation is None:
            generation = uuid.uuid4().hex
            cache.add(self.generation_key, generation, None)  # another process may be first
            generation = cache.get(self.generation_key, generation)
        stored = found.get(value_key)
        if stored is not None and stored[0] == generation:
            return stored[1]
        value = load()
        cache.set(value_key, (generation, value), TIMEOUT)
        return value

    def forget_all(self) -> None:
        """Start a new generation now, and again once the change that called this
        commits (so a value read meanwhile, from before the commit, is not kept)."""
        self.new_generation()
        transaction.on_commit(self.new_generation)

    def new_generation(self) -> None:
        cache.set(self.generation_key, uuid.uuid4().hex, None)


_PER_KEY: list[CachedFor[Any]] = []


def forget_all() -> None:
    """Forget every cached value (the test suite does this before each test, as each
    test's database changes are rolled back but the cache's are not)."""
    cache.delete_many([value.key for value in _ALL])
    for per_key in _PER_KEY:
        per_key.new_generation()


class Immutable:
    """Text kept under keys that name their content (a hash of everything it was made
    from), so a key's value never changes: the shared cache holds it for every process,
    and each process keeps the most recently used in its own memory as well, up to
    `max_chars`, which saves reading them back over the network again and again.

    Nothing here is ever stale, so nothing need be forgotten: a change makes a new key."""

    def __init__(self, *, max_chars: int, timeout: int):
        self.max_chars = max_chars
        self.timeout = timeout
        self._kept: OrderedDict[str, str] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()  # a threaded server shares one process's memory

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        wanted: list[str] = []
        with self._lock:
            for key in keys:
                text = self._kept.get(key)
                if text is None:
                    wanted.append(key)
                else:
                    self._kept.move_to_end(key)
                    found[key] = text
        if wanted:
            shared = cache.get_many(wanted)
            self._keep(shared)
            found.update(shared)
        return found

    def set_many(self, values: Mapping[str, str]) -> None:
        cache.set_many(dict(values), timeout=self.timeout)
        self._keep(values)

    def _keep(self, values: Mapping[str, str]) -> None:
        with self._lock:
            for key, text in values.items():
                if key in self._kept:
                    continue
                self._kept[key] = text
                self._chars += len(text)
            while self._chars > self.max_chars and self._kept:
                _, dropped = self._kept.popitem(last=False)
                self._chars -= len(dropped)
