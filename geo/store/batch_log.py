"""The batches table read: new batch ids, the latest incident batch in force, batches after another.

Every audited write (`geo.store.batches`, `geo.store.boundaries`) is one row of ``batches``; an undo
(`geo.store.undo`) marks it undone. These are the reads they share, and `chunks`, which keeps an
``IN (...)`` list short enough for every database.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.dates import now_local

if TYPE_CHECKING:
    from geo.store.store import Store

CHUNK = 500
"""Ids per ``IN (...)`` list."""


def new_batch_id() -> str:
    """Return a new batch id: the Vietnam wall-clock time and a random suffix (readable, unique)."""
    return f"{now_local():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def latest_batch(store: Store, conn: Connection) -> str:
    """Return the id of the latest incident batch still in force ("" if none)."""
    b = store.tables.batches
    query = (
        sa.select(b.c.batch_id)
        .where(b.c.kind == "incidents", b.c.undone_at.is_(None))
        .order_by(b.c.created_at.desc(), b.c.batch_id.desc())
        .limit(1)
    )
    return str(conn.execute(query).scalar_one_or_none() or "")


def same_file(store: Store, conn: Connection, sha256: str) -> tuple[str, ...]:
    """Return the ids of the batches in force that imported a file of this content (``sha256``)."""
    t = store.tables.batches
    rows = conn.execute(
        sa.select(t.c.batch_id).where(t.c.sha256 == sha256, t.c.undone_at.is_(None), t.c.sha256 != "")
    )
    return tuple(r[0] for r in rows)


def chunks(values: Sequence[Any], *, size: int = CHUNK) -> Iterator[list[Any]]:
    """Yield ``values`` in lists of at most ``size``."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def later_active(store: Store, conn: Connection, batch: Any, *, kind: str | tuple[str, ...]) -> list[str]:
    """Return the ids of the batches of ``kind`` still in force that were written after ``batch`` (a batches row)."""
    t = store.tables.batches
    kinds = (kind,) if isinstance(kind, str) else kind
    rows = conn.execute(
        sa.select(t.c.batch_id).where(
            t.c.kind.in_(kinds),
            t.c.undone_at.is_(None),
            sa.or_(
                t.c.created_at > batch["created_at"],
                sa.and_(t.c.created_at == batch["created_at"], t.c.batch_id > batch["batch_id"]),
            ),
        )
    )
    return [r[0] for r in rows]
