"""The store's database connections: one engine per URL and process, its write lock, and its faults in our words.

Every `geo.store.store.Store` of a URL shares one SQLAlchemy engine (connection pool) in a process
(`engine_for`); its ``begin()`` takes the store's write lock first (`write_lock`), its commits are
counted (`COMMITS`, so `Store.version` knows to read the revision again) and a driver's error that is
the store's fault — a locked, read-only, full or damaged SQLite file, a PostgreSQL server out of
reach or refusing the credentials — becomes a `StoreError` with the URL shown without its password
(`fault`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo._errors import StoreError

_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(url: str) -> Engine:
    """Return the process-wide engine (connection pool) of ``url``."""
    with _ENGINES_LOCK:
        if url not in _ENGINES:
            engine = sa.create_engine(url, future=True, connect_args=_connect_args(url))
            sa.event.listen(engine, "handle_error", partial(_reraise, safe_url(url)))
            sa.event.listen(engine, "commit", partial(_count_commit, url))
            engine.begin = partial(_locked_begin, engine.begin)  # type: ignore[method-assign]
            _ENGINES[url] = engine
        return _ENGINES[url]


COMMITS: dict[str, int] = {}
"""Transactions committed by this process, per URL (`Store.version` reads the store again after one)."""


def _count_commit(url: str, conn: Connection) -> None:
    COMMITS[url] = COMMITS.get(url, 0) + 1


CONNECT_TIMEOUT_S = 10
"""How long to wait for a PostgreSQL server before saying it cannot be reached (a firewall that drops
packets would otherwise hold the page for the system's TCP timeout, minutes); ``?connect_timeout=``
in the URL overrides it."""


def _connect_args(url: str) -> dict[str, Any]:
    if url.startswith("postgresql") and "connect_timeout" not in url:
        return {"connect_timeout": CONNECT_TIMEOUT_S}
    return {}


def _reraise(shown: str, context: sa.engine.ExceptionContext) -> None:
    """The engine's error hook: a store fault becomes our `StoreError` (the transaction rolls back)."""
    error = fault(context.original_exception, shown)
    if error is not None:
        raise error from context.original_exception


# SQLite's primary result codes (https://www.sqlite.org/rescode.html) → our kinds of fault.
_SQLITE_FAULTS = {
    3: "readonly",  # SQLITE_PERM
    5: "locked",  # SQLITE_BUSY
    6: "locked",  # SQLITE_LOCKED
    8: "readonly",  # SQLITE_READONLY
    10: "io",  # SQLITE_IOERR
    11: "corrupt",  # SQLITE_CORRUPT
    13: "full",  # SQLITE_FULL
    14: "cannot_open",  # SQLITE_CANTOPEN
    26: "corrupt",  # SQLITE_NOTADB
}

# PostgreSQL's SQLSTATE codes (classes or whole codes) → our kinds of fault.
_POSTGRES_FAULTS = {
    "08": "unreachable",  # connection exception
    "28": "credentials",  # invalid authorization
    "3D000": "no_database",
    "25006": "readonly",  # read_only_sql_transaction
    "42501": "readonly",  # insufficient_privilege
    "53": "full",  # insufficient resources (disk full, out of memory, too many connections)
    "55P03": "locked",  # lock_not_available
    "57P01": "unreachable",  # admin_shutdown
    "57P02": "unreachable",  # crash_shutdown
    "57P03": "unreachable",  # cannot_connect_now
    "58": "io",  # system error (I/O)
    "XX001": "corrupt",  # data_corrupted
    "XX002": "corrupt",  # index_corrupted
}


def fault(error: BaseException | None, shown: str) -> StoreError | None:
    """Return the `StoreError` a database driver's ``error`` means, or None (a bug, not the store's fault).

    SQLite errors are read by their result code; PostgreSQL errors by their SQLSTATE, or — for a
    connection that never reached the server, which has none — by psycopg's own words.
    """
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        kind = _SQLITE_FAULTS.get(code & 0xFF) if isinstance(code, int) else None
        return StoreError(kind, shown, str(error)) if kind else None
    sqlstate = getattr(error, "sqlstate", None)
    if error is None or type(error).__module__.split(".")[0] != "psycopg":
        return None
    if isinstance(sqlstate, str):
        kind = _POSTGRES_FAULTS.get(sqlstate) or _POSTGRES_FAULTS.get(sqlstate[:2])
        return StoreError(kind, shown, str(error)) if kind else None
    if _is_operational(error):  # no SQLSTATE: the connection itself failed (refused, timed out…)
        text = str(error).lower()
        if "password" in text or "authentication" in text:
            return StoreError("credentials", shown, str(error))
        if "does not exist" in text and "database" in text:
            return StoreError("no_database", shown, str(error))
        return StoreError("unreachable", shown, str(error))
    return None


def close_url(url: str) -> None:
    """Close the connections of the store at ``url`` (before removing its file)."""
    with _ENGINES_LOCK:
        engine = _ENGINES.pop(url, None)
    if engine is not None:
        engine.dispose()


def made_meanwhile(path: Path) -> bool:
    """Return whether an empty SQLite file was only being created by another process (now done).

    SQLite makes the file before the creating process writes into it under the write lock: wait for
    that lock, then look again. A file still empty (or one we cannot lock) is an empty file.
    """
    try:
        with closing(sqlite3.connect(path, timeout=120)) as probe:
            probe.execute("BEGIN IMMEDIATE")
            probe.rollback()
    except sqlite3.Error:
        return False
    return path.stat().st_size > 0


@contextmanager
def _locked_begin(begin: Callable[[], AbstractContextManager[Connection]]) -> Iterator[Connection]:
    """``engine.begin()`` of every store: a write transaction that holds the write lock from its start."""
    with begin() as conn:
        write_lock(conn)
        yield conn


def write_lock(conn: Connection) -> None:
    """Take the store's write lock at the start of ``conn``'s transaction (SQLite: DDL inside it too).

    Every ``store.engine.begin()`` calls it first (a write reads before it writes, and pysqlite begins
    SQLite's transaction only at the first INSERT, UPDATE or DELETE, so those reads were not isolated
    from a second writer: two imports of one file at once ended in a UNIQUE constraint error); with
    the lock the second writer waits for the first to commit, then reads what it wrote.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7351)"))


def close_all() -> None:
    """Close every store connection of this process (tests; before deleting a database)."""
    with _ENGINES_LOCK:
        engines = list(_ENGINES.values())
        _ENGINES.clear()
    for engine in engines:
        engine.dispose()


def driver_url(url: str) -> str:
    """Return ``url`` with PostgreSQL's driver spelled out (psycopg 3 is the one installed)."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url.removeprefix(scheme)
    return url


def _is_operational(error: BaseException) -> bool:
    import psycopg

    return isinstance(error, psycopg.OperationalError)


def sqlite_path(url: str) -> Path | None:
    """Return the file of a SQLite URL (``sqlite:///path``, ``sqlite:///file:path?mode=ro&uri=true``), or None."""
    if not url.startswith("sqlite:///"):
        return None
    database = sa.engine.make_url(url).database or ""
    if not database or database == ":memory:":
        return None
    return Path(database.removeprefix("file:"))


def safe_url(url: str) -> str:
    """Return ``url`` with any password hidden (for messages)."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url
