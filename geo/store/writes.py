"""Bulk reads and writes of incident rows inside an import's transaction (the import's hot path)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo import incidents as incident_schema

_READ_CHUNK = 5000
_INSERT_CHUNK = 50_000
_REBUILD_FROM = 10_000
"""A SQLite insert of at least this many rows (and more than are stored) rebuilds the indexes once (`_drop_indexes`)."""
_SCAN_RATIO = 4
"""The whole table is scanned once (no parameters) when it holds at most this many times the file's rows."""
_COMPARED = incident_schema.COMPARED
_WRITTEN = incident_schema.STORED


def existing_rows(conn: Connection, table: sa.Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of ``table`` whose id is in ``frame`` (columns `_WRITTEN`).

    One query in the common cases: none when the table is empty (a first import), one scan of the
    table when it is not much larger than the file (a new month, a file imported again); ids in
    chunks only for a small file against a large store.
    """
    t = table
    columns = [t.c[c] for c in _WRITTEN]
    if not len(frame) or conn.execute(sa.select(t.c.incident_id).limit(1)).first() is None:
        return _typed(pd.DataFrame(columns=list(_WRITTEN)))
    stored = int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
    wanted = pd.Index(frame["incident_id"].astype(object).unique())
    if stored <= _SCAN_RATIO * len(frame):
        parts = [
            part[part["incident_id"].isin(wanted)]
            for part in pd.read_sql(sa.select(*columns), conn, chunksize=_INSERT_CHUNK)
        ]
    else:
        parts = [
            pd.read_sql(sa.select(*columns).where(t.c.incident_id.in_(chunk)), conn)
            for chunk in _chunks(wanted.tolist(), size=_READ_CHUNK)
        ]
    found = [part for part in parts if len(part)]
    if not found:
        return _typed(pd.DataFrame(columns=list(_WRITTEN)))
    return _typed(pd.concat(found, ignore_index=True))


def _typed(existing: pd.DataFrame) -> pd.DataFrame:
    existing["occurred_at"] = pd.to_datetime(existing["occurred_at"])
    return existing


def classify(frame: pd.DataFrame, existing: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return masks over ``frame``: new ids, changed rows, identical rows."""
    known = frame["incident_id"].isin(existing["incident_id"]).to_numpy()
    if not known.any():
        return ~known, known, known
    old = existing.set_index("incident_id").reindex(frame["incident_id"])
    same = np.ones(len(frame), dtype=bool)
    for column in _COMPARED:
        left = frame[column].to_numpy()
        right = old[column].to_numpy()
        equal = np.asarray(left == right, dtype=bool)
        if column in ("lon", "lat"):  # a record without coordinates: empty on both sides is the same
            equal |= pd.isna(frame[column]).to_numpy() & pd.isna(old[column]).to_numpy()
        same &= equal
    same &= known
    return ~known, known & ~same, same


def _slices(
    frame: pd.DataFrame, *, batch_id: str, now: Any, dialect: Any, table: sa.Table
) -> Iterator[list[Any]]:
    """Yield the rows to insert as lists of tuples, `_INSERT_CHUNK` at a time.

    Columns `_WRITTEN`, then the batch and import time. Values are what the driver takes: on SQLite
    the columns' own bind processors (a `DateTime` becomes its text, formatted for a whole slice at
    once with the same layout); NULL, never NaN, for a record without coordinates (PostgreSQL
    would store NaN as a number).
    """
    names = [*_WRITTEN, "batch_id", "imported_at"]
    sqlite = dialect.name != "postgresql"
    process = {
        name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) if sqlite else None
        for name in names
    }
    stamp = process["imported_at"](now) if process["imported_at"] is not None else now
    arrays: dict[str, np.ndarray] = {}
    for name in _WRITTEN:
        if name == "occurred_at":
            arrays[name] = pd.to_datetime(frame[name]).to_numpy(dtype="datetime64[us]")
        elif name in ("lon", "lat"):
            arrays[name] = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        else:
            arrays[name] = frame[name].to_numpy(dtype=object)
    for start in range(0, len(frame), _INSERT_CHUNK):
        end = start + _INSERT_CHUNK
        columns: list[Any] = []
        for name in _WRITTEN:
            values = arrays[name][start:end]
            if name == "occurred_at":
                columns.append(_stamps(values, text=process[name] is not None))
            elif name in ("lon", "lat"):
                column = values.astype(object)
                column[np.isnan(values)] = None
                columns.append(column.tolist())
            elif (convert := process[name]) is not None:
                columns.append([None if v is None else convert(v) for v in values.tolist()])
            else:
                columns.append(values.tolist())
        size = len(columns[0])
        columns += [[batch_id] * size, [stamp] * size]
        yield list(zip(*columns, strict=True))


def _stamps(values: np.ndarray, *, text: bool) -> list[Any]:
    """Return datetime64 values as the driver takes them: SQLite's text ``YYYY-MM-DD HH:MM:SS.ffffff``, or datetimes."""
    missing = np.isnat(values)
    if not text:
        out = values.astype(object)
        out[missing] = None
        return list(out.tolist())
    shown = np.char.replace(np.datetime_as_string(values, unit="us"), "T", " ").astype(object)
    shown[missing] = None
    return list(shown.tolist())


def insert_incidents(
    conn: Connection, table: sa.Table, frame: pd.DataFrame, *, batch_id: str, now: Any
) -> None:
    """Insert ``frame``'s rows into ``table`` in bulk, inside the caller's transaction.

    The driver's own bulk path: ``COPY … FROM STDIN`` on PostgreSQL, ``executemany`` of plain
    tuples on SQLite (values converted as the columns' own SQLAlchemy types do, so they read back
    exactly as the ORM path writes them), in slices of `_INSERT_CHUNK` rows in the same
    transaction: the tuples of a million rows are never all in memory at once. SQLAlchemy's
    per-row parameter handling cost more than the insert itself on large imports.
    """
    names = [*_WRITTEN, "batch_id", "imported_at"]
    slices = _slices(frame, batch_id=batch_id, now=now, dialect=conn.dialect, table=table)
    rebuilt = [] if conn.dialect.name == "postgresql" else _drop_indexes(conn, table, adding=len(frame))
    bulk_write(conn, table.name, names, slices)
    for sql in rebuilt:
        conn.exec_driver_sql(sql)


def bulk_write(
    conn: Connection, table: str, names: Sequence[str], slices: Iterable[Sequence[tuple[Any, ...]]]
) -> None:
    """Write rows (``slices`` of tuples in the order of ``names``) into ``table`` inside the caller's transaction.

    ``COPY … FROM STDIN`` on PostgreSQL; one ``executemany`` of plain tuples per slice on SQLite (the
    values must already be what the driver stores). Our own table and column names only.
    """
    dialect = conn.dialect
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    if dialect.name == "postgresql":
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for rows in slices:
                    for values in rows:
                        copy.write_row(values)
        finally:
            cursor.close()
        return
    marks = ", ".join("?" for _ in names)
    statement = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608 (our own table and columns)
    for rows in slices:
        conn.exec_driver_sql(statement, rows)


def _drop_indexes(conn: Connection, table: sa.Table, *, adding: int) -> list[str]:
    """Drop the secondary indexes of ``table`` before a large SQLite insert; return the SQL that makes them again.

    Building an index once over the rows is several times cheaper than growing it row by row in
    random order (a million incidents: about 4 s instead of 12 s). Only when the rows added are at
    least `_REBUILD_FROM` and outnumber the rows already stored, and only inside the caller's
    transaction (`geo.store.store.write_lock` begins it explicitly: SQLite's DDL is transactional,
    so a failed import leaves the indexes as they were).
    """
    raw = conn.connection.dbapi_connection
    if adding < _REBUILD_FROM or not getattr(raw, "in_transaction", False):
        return []
    stored = int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
    if stored > adding:
        return []
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table.name,),
    ).all()
    for name, _ in found:
        conn.exec_driver_sql(f"DROP INDEX {conn.dialect.identifier_preparer.quote(name)}")
    return [str(sql) for _, sql in found]


def _chunks(values: Sequence[Any], *, size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])
