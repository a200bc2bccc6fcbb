"""Bulk reads and writes of incident rows inside an import's transaction (the import's hot path)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo import incidents as incident_schema

_READ_CHUNK = 5000
_INSERT_CHUNK = 50_000
_REBUILD_FROM = 10_000
"""A SQLite insert of at least this many rows (and more than are stored) rebuilds the indexes once (`drop_indexes`)."""
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
    frame: pd.DataFrame, *, tail: Sequence[Any], dialect: Any, table: sa.Table
) -> Iterator[list[Any]]:
    """Yield the rows to insert as lists of tuples, `_INSERT_CHUNK` at a time.

    Columns `_WRITTEN`, then the values of ``tail`` (the same in every row; none when the statement
    writes them itself). Values are what the driver takes: on SQLite the columns' own bind
    processors (a `DateTime` becomes its text, formatted for a whole slice at once with the same
    layout); NULL, never NaN, for a record without coordinates (PostgreSQL would store NaN as a
    number).
    """
    sqlite = dialect.name != "postgresql"
    process = {
        name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) if sqlite else None
        for name in _WRITTEN
    }
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
                column = values.tolist()
                for index in np.flatnonzero(np.isnan(values)).tolist():
                    column[index] = None
                columns.append(column)
            elif (convert := process[name]) is not None:
                columns.append([None if v is None else convert(v) for v in values.tolist()])
            else:
                columns.append(values.tolist())
        size = len(columns[0])
        columns += [[value] * size for value in tail]
        yield list(zip(*columns, strict=True))


def _stamps(values: np.ndarray, *, text: bool) -> list[Any]:
    """Return datetime64 values as the driver takes them: SQLite's text ``YYYY-MM-DD HH:MM:SS.ffffff``, or datetimes."""
    missing = np.isnat(values)
    if not text:
        out = values.astype(object)
        out[missing] = None
        return list(out.tolist())
    shown_us = np.datetime_as_string(values, unit="us")  # YYYY-MM-DDTHH:MM:SS.ffffff (NaT: "NaT")
    if len(shown_us) and shown_us.dtype.itemsize == 26 * 4 and not missing.any():
        # The "T" becomes a space in place (one code point per character): no string per value made twice.
        shown_us.view(np.uint32).reshape(len(shown_us), 26)[:, 10] = ord(" ")
        return list(shown_us.tolist())
    shown = np.char.replace(shown_us, "T", " ").astype(object)
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
    dialect = conn.dialect
    if dialect.name == "postgresql":
        slices = _slices(frame, tail=(batch_id, now), dialect=dialect, table=table)
        bulk_write(conn, table.name, [*_WRITTEN, "batch_id", "imported_at"], slices)
        return
    # SQLite: the batch and the import time are the same in every row, written once in the statement
    # (two parameters fewer to bind per row: about a quarter of the insert's time at a million rows).
    stamp = table.c["imported_at"].type.dialect_impl(dialect).bind_processor(dialect)
    fixed = {"batch_id": batch_id, "imported_at": stamp(now) if stamp is not None else now}
    slices = _slices(frame, tail=(), dialect=dialect, table=table)
    rebuilt = drop_indexes(conn, table, adding=len(frame))
    bulk_write(conn, table.name, list(_WRITTEN), slices, fixed=fixed)
    for sql in rebuilt:
        conn.exec_driver_sql(sql)


def bulk_write(
    conn: Connection,
    table: str,
    names: Sequence[str],
    slices: Iterable[Sequence[tuple[Any, ...]]],
    *,
    fixed: Mapping[str, str] | None = None,
) -> None:
    """Write rows (``slices`` of tuples in the order of ``names``) into ``table`` inside the caller's transaction.

    ``COPY … FROM STDIN`` on PostgreSQL; one ``executemany`` of plain tuples per slice on SQLite (the
    values must already be what the driver stores). ``fixed``: columns with the same text in every
    row, written as literals of the statement (SQLite only). Our own table and column names only.
    """
    dialect = conn.dialect
    fixed = fixed or {}
    if fixed and dialect.name == "postgresql":
        raise ValueError("fixed columns are for SQLite only")
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in [*names, *fixed])
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
    marks = ", ".join([*("?" for _ in names), *(_literal(v) for v in fixed.values())])
    statement = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608 (our own table and columns)
    for rows in slices:
        conn.exec_driver_sql(statement, rows)


def _literal(value: str) -> str:
    """Return text as an SQL string literal (quotes doubled).

    Examples
    --------
    >>> _literal("20240105-101500-ab12cd"), _literal("it's")
    ("'20240105-101500-ab12cd'", "'it''s'")
    """
    if not isinstance(value, str):
        raise TypeError(f"not text: {value!r}")
    return "'" + value.replace("'", "''") + "'"


def drop_indexes(conn: Connection, table: sa.Table, *, adding: int) -> list[str]:
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
