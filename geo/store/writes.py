"""Bulk reads and writes of incident rows inside an import's transaction (the import's hot path)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo import incidents as incident_schema

_READ_CHUNK = 5000
_INSERT_CHUNK = 50_000
_COMPARED = incident_schema.COMPARED
_WRITTEN = incident_schema.STORED


def existing_rows(conn: Connection, table: sa.Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of ``table`` whose id is in ``frame`` (columns `_WRITTEN`)."""
    t = table
    parts = [
        pd.read_sql(sa.select(*(t.c[c] for c in _WRITTEN)).where(t.c.incident_id.in_(chunk)), conn)
        for chunk in _chunks(frame["incident_id"].tolist(), size=_READ_CHUNK)
    ]
    if not parts:
        return pd.DataFrame(columns=list(_WRITTEN))
    existing = pd.concat(parts, ignore_index=True)
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


def _columns(frame: pd.DataFrame, *, batch_id: str, now: Any) -> dict[str, list[Any]]:
    """Return the values to insert, column by column (`_WRITTEN`, then the batch and import time)."""
    columns: dict[str, list[Any]] = {c: frame[c].tolist() for c in _WRITTEN}
    columns["occurred_at"] = pd.to_datetime(frame["occurred_at"]).astype(object).tolist()
    # NULL, never NaN, for a record without coordinates (PostgreSQL would store NaN as a number).
    for axis in ("lon", "lat"):
        values = pd.to_numeric(frame[axis], errors="coerce").to_numpy(dtype=float)
        columns[axis] = [
            None if missing else float(v) for v, missing in zip(values, np.isnan(values), strict=True)
        ]
    columns["batch_id"] = [batch_id] * len(frame)
    columns["imported_at"] = [now] * len(frame)
    return columns


def insert_incidents(
    conn: Connection, table: sa.Table, frame: pd.DataFrame, *, batch_id: str, now: Any
) -> None:
    """Insert ``frame``'s rows into ``table`` in bulk, inside the caller's transaction.

    The driver's own bulk path: ``COPY … FROM STDIN`` on PostgreSQL, one ``executemany`` of plain
    tuples on SQLite (values converted by the columns' own SQLAlchemy types, so they read back
    exactly as the ORM path writes them). SQLAlchemy's per-row parameter handling cost more than
    the insert itself on large imports.
    """
    columns = _columns(frame, batch_id=batch_id, now=now)
    names = list(columns)
    dialect = conn.dialect
    if dialect.name == "postgresql":
        quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
                for values in zip(*columns.values(), strict=True):
                    copy.write_row(values)
        finally:
            cursor.close()
        return
    for name in names:
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            columns[name] = [None if v is None else process(v) for v in columns[name]]
    marks = ", ".join("?" for _ in names)
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    statement = f"INSERT INTO {table.name} ({quoted}) VALUES ({marks})"  # noqa: S608 (our own table and columns)
    rows = zip(*columns.values(), strict=True)
    # In slices, same transaction: the tuples of a million rows are never all in memory at once.
    while chunk := list(itertools.islice(rows, _INSERT_CHUNK)):
        conn.exec_driver_sql(statement, chunk)


def _chunks(values: Sequence[Any], *, size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])
