"""The one registry of in-process caches of things derived from the database.

Every cached value is keyed by ``(name, database file, taxonomy import, configuration)``:

* the **database file** (``None`` for ``shared`` entries, which depend on the taxonomy import
  alone and may be used by copies of one file, e.g. the matching model);
* the **taxonomy import**: ``(import_id, imported_at, source, esco_version)`` of the latest
  row of ``taxonomy.imports`` (``None`` before any import), so a re-import never meets an
  entry of the previous one;
* the **configuration**: any hashable value the caller derives from its settings.

The first two are read once per connection (:meth:`CacheRegistry.where`, one query) and the
import again only after an :data:`IMPORT` invalidation in this process: DuckDB lets one
process write a file, so no other process can import into it while this connection is open.
A request's cursor can share its process-wide connection's reading (:meth:`CacheRegistry.adopt`),
so a warm look-up asks the database nothing.

:meth:`CacheRegistry.memo` holds values keyed by their inputs' content alone.

Each entry names the events it depends on (:data:`IMPORT`, :data:`INDEX`,
:data:`REQUIREMENTS`, :data:`VACANCIES`, :data:`ACCOUNTS`); the code that causes an event calls
:func:`invalidate` after its commit, which drops every entry of that database depending on it. An optional ``stamp``
(a cheap query result such as a row count) rebuilds an entry when data changes by paths that
raise no event. Each name keeps at most ``maxsize`` entries, least recently used first out.

Files shipped with werkbrug (instruments, postcodes, default requirements, encoder models,
catalogues) never change while a process runs: they stay plain ``functools.cache`` loaders.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import duckdb

Event = Literal["import", "index", "requirements", "vacancies", "accounts"]
IMPORT: Event = "import"            # a taxonomy (ESCO) import
INDEX: Event = "index"              # label vectors or related-skill lists stored
REQUIREMENTS: Event = "requirements"  # a Dutch language requirement edited
VACANCIES: Event = "vacancies"      # a vacancy confirmed, edited or closed
ACCOUNTS: Event = "accounts"        # a token revoked, sessions ended, an account switched off
EVENTS: tuple[Event, ...] = (IMPORT, INDEX, REQUIREMENTS, VACANCIES, ACCOUNTS)

T = TypeVar("T")


def database_file(con: duckdb.DuckDBPyConnection) -> str:
    """The file behind ``con`` (``memory:<id>`` for an in-memory database)."""
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return str(row[0]) if row and row[0] else f"memory:{id(con)}"


_LATEST_IMPORT = """SELECT import_id, imported_at::VARCHAR, source, esco_version FROM taxonomy.imports
                    ORDER BY import_id DESC LIMIT 1"""


def taxonomy_import(con: duckdb.DuckDBPyConnection) -> tuple | None:
    """``(import_id, imported_at, source, esco_version)`` of the latest import, or ``None``."""
    try:
        row = con.execute(_LATEST_IMPORT).fetchone()
    except duckdb.CatalogException:
        return None
    return tuple(row) if row else None


def _file_and_import(con: duckdb.DuckDBPyConnection) -> tuple[str, tuple | None]:
    """:func:`database_file` and :func:`taxonomy_import`, never failing inside a transaction (a failed
    statement would abort it): the import table is read only where it exists."""
    path, has_imports = con.execute(
        """SELECT path, EXISTS (SELECT 1 FROM duckdb_tables() WHERE database_name = current_database()
                                AND schema_name = 'taxonomy' AND table_name = 'imports')
           FROM duckdb_databases() WHERE database_name = current_database()"""
    ).fetchone()
    db = str(path) if path else f"memory:{id(con)}"
    return db, (taxonomy_import(con) if has_imports else None)


@dataclass
class _Where:
    """A connection's database file and the taxonomy import read for it."""

    db: str
    imported: tuple | None
    seen: int           # the process's import count when ``imported`` was read


@dataclass
class _Entry:
    value: Any
    on: frozenset[str]
    stamp: Hashable
    databases: set[str] = field(default_factory=set)


class CacheRegistry:
    """Named LRU caches with one key shape and event-driven invalidation (see module docstring)."""

    def __init__(self) -> None:
        self._entries: dict[str, OrderedDict[tuple, _Entry]] = {}
        self._lock = threading.Lock()
        self._building: dict[tuple, threading.Lock] = {}
        self._generation: dict[tuple[str, str], int] = {}   # (database, event) → invalidations
        self._where: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # connection → _Where
        self._imports = 0                                     # IMPORT invalidations of any file

    def where(self, con: duckdb.DuckDBPyConnection) -> tuple[str, tuple | None]:
        """``(database file, taxonomy import)`` of ``con``: one query on first use, the import read
        again after any :data:`IMPORT` invalidation in this process (see module docstring)."""
        with self._lock:
            w = self._where.get(con)
        imports = self._imports           # read before the query: an import meanwhile reads it again
        if w is None:
            db, imported = _file_and_import(con)
            with self._lock:
                w = self._where.setdefault(con, _Where(db, imported, imports))
        elif w.seen != imports:
            w.imported, w.seen = taxonomy_import(con), imports
        return w.db, w.imported

    def adopt(self, cursor: duckdb.DuckDBPyConnection, parent: duckdb.DuckDBPyConnection) -> None:
        """Let ``cursor`` (made by ``parent.cursor()``) share ``parent``'s :meth:`where` reading."""
        self.where(parent)
        with self._lock:
            self._where[cursor] = self._where[parent]

    def get(
        self, con: duckdb.DuckDBPyConnection, name: str, build: Callable[[], T], *,
        config: Hashable = None, on: Iterable[Event] = (IMPORT,), shared: bool = False,
        stamp: Hashable = None, maxsize: int = 8,
    ) -> T:
        """The cached value of ``build()`` for this connection's database, built once."""
        db, imported = self.where(con)
        key = (None if shared else db, imported, config)
        hit = self._lookup(name, key, db, stamp)
        if hit is not None:
            return hit.value
        with self._lock:
            building = self._building.setdefault((name, key), threading.Lock())
        with building:                   # one build per key; other keys build in parallel
            hit = self._lookup(name, key, db, stamp)
            if hit is not None:
                return hit.value
            events = frozenset(on)
            before = self._generations(db, events)
            value = build()
            with self._lock:
                self._building.pop((name, key), None)
                if self._generations(db, events) == before:   # not invalidated while building
                    entries = self._entries.setdefault(name, OrderedDict())
                    entries[key] = _Entry(value, events, stamp, {db})
                    while len(entries) > maxsize:
                        entries.popitem(last=False)
            return value

    def memo(self, name: str, key: Hashable, build: Callable[[], T], *, maxsize: int = 32) -> T:
        """A value keyed by its inputs' content alone (nothing to invalidate), e.g. a pure function's result."""
        with self._lock:
            entries = self._entries.setdefault(name, OrderedDict())
            hit = entries.get(("memo", key))
            if hit is not None:
                entries.move_to_end(("memo", key))
                return hit.value
        value = build()
        with self._lock:
            entries[("memo", key)] = _Entry(value, frozenset(), None)
            while len(entries) > maxsize:
                entries.popitem(last=False)
        return value

    def _generations(self, db: str, events: frozenset[str]) -> tuple[int, ...]:
        return tuple(self._generation.get((db, e), 0) for e in sorted(events))

    def _lookup(self, name: str, key: tuple, db: str, stamp: Hashable) -> _Entry | None:
        with self._lock:
            entries = self._entries.get(name)
            hit = entries.get(key) if entries else None
            if hit is None or hit.stamp != stamp:
                return None
            entries.move_to_end(key)
            hit.databases.add(db)
            return hit

    def invalidate(self, con: duckdb.DuckDBPyConnection, event: Event) -> int:
        """Drop every entry of this database that depends on ``event``; how many were dropped."""
        if event not in EVENTS:
            raise ValueError(f"unknown cache event {event!r}")
        db = self.where(con)[0]
        dropped = 0
        with self._lock:
            self._generation[db, event] = self._generation.get((db, event), 0) + 1
            self._imports += event == IMPORT
            for entries in self._entries.values():
                for key in [k for k, e in entries.items() if event in e.on and db in e.databases]:
                    del entries[key]
                    dropped += 1
        return dropped

    def names(self) -> dict[str, int]:
        """Number of entries per cache name (for tests and diagnostics)."""
        with self._lock:
            return {n: len(e) for n, e in self._entries.items() if e}

    def clear(self) -> None:
        """Forget everything (a process that switches databases wholesale)."""
        with self._lock:
            self._entries.clear()
            self._where.clear()


#: The process-wide registry.
caches = CacheRegistry()


def cached(
    con: duckdb.DuckDBPyConnection, name: str, build: Callable[[], T], **options: Any,
) -> T:
    """Shorthand for ``caches.get(con, name, build, ...)``."""
    return caches.get(con, name, build, **options)


def invalidate(con: duckdb.DuckDBPyConnection, *events: Event) -> int:
    """Shorthand for :meth:`CacheRegistry.invalidate` over several events."""
    return sum(caches.invalidate(con, e) for e in events)
