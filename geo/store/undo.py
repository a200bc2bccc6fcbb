"""Undoing a batch in one transaction: what it added removed, what it replaced restored, the counts kept in step.

An incident batch whose rows a later batch changed waits until that batch is undone; so does a
boundary or population batch followed by another. Undoing the import that replaced the demo data
brings the demo data back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo import incidents as incident_schema
from geo._errors import ConfigError
from geo.store import aggregates, audit
from geo.store.batch_log import chunks, later_active
from geo.store.boundaries import UNIT_KINDS, reassign_all, save_targets
from geo.store.schema import DEMO_BATCH, bump_revision, utc_now

if TYPE_CHECKING:
    from geo.store.store import Store

_COMPARED = incident_schema.COMPARED


@dataclass(frozen=True)
class UndoOutcome:
    """What undoing a batch changed."""

    batch_id: str
    kind: str
    removed: int
    restored: int


def undo(store: Store, batch_id: str, *, user: str = "") -> UndoOutcome:
    """Undo one batch in one transaction: remove what it added, restore what it replaced.

    An incident batch whose rows a later batch changed must wait until that batch is undone; the
    same holds for boundary batches. Undoing the import that removed the demo data brings it back.

    Raises
    ------
    ConfigError
        The batch does not exist, is the demo batch, is already undone, or a later batch depends on it.
    """
    t = store.tables
    with store.engine.begin() as conn:
        batch = conn.execute(sa.select(t.batches).where(t.batches.c.batch_id == batch_id)).mappings().first()
        if batch is None:
            raise ConfigError(f"Không có lô nhập «{batch_id}».")
        if batch["batch_id"] == DEMO_BATCH:
            raise ConfigError("Lô dữ liệu minh họa không hoàn tác được: nhập dữ liệu thật sẽ thay nó.")
        if batch["undone_at"] is not None:
            raise ConfigError(f"Lô «{batch_id}» đã được hoàn tác lúc {batch['undone_at']:%d/%m/%Y %H:%M}.")
        if batch["kind"] in UNIT_KINDS:
            outcome = _undo_boundaries(store, conn, batch)
        else:
            outcome = _undo_incidents(store, conn, batch)
        conn.execute(t.batches.update().where(t.batches.c.batch_id == batch_id).values(undone_at=utc_now()))
        audit.write(conn, t, user=user, action="undo", detail={"batch": batch_id, "kind": batch["kind"]})
        bump_revision(conn, store.tables)
    return outcome


def _undo_incidents(store: Store, conn: Connection, batch: Any) -> UndoOutcome:
    t = store.tables
    later = set(later_active(store, conn, batch, kind="incidents"))
    history = t.incident_history
    blockers = conn.execute(
        sa.select(history.c.batch_id).distinct().where(history.c.old_batch_id == batch["batch_id"])
    ).scalars()
    blocking = sorted(set(blockers) & later)
    if batch["replaced_demo"] and later:
        raise ConfigError(
            f"Lô này đã thay dữ liệu minh họa; các lô sau ({', '.join(sorted(later))}) phải được hoàn tác "
            "trước để dữ liệu minh họa không lẫn với dữ liệu thật."
        )
    if blocking:
        raise ConfigError(
            f"Lô sau ({', '.join(blocking)}) đã sửa các vụ việc của lô này: hãy hoàn tác lô đó trước."
        )
    gone = _counted_rows(conn, t.incidents, t.incidents.c.batch_id == batch["batch_id"])
    removed = conn.execute(t.incidents.delete().where(t.incidents.c.batch_id == batch["batch_id"])).rowcount
    columns = ["incident_id", *_COMPARED, "imported_at"]
    restore = sa.select(*(history.c[c] for c in columns), history.c.old_batch_id).where(
        history.c.batch_id == batch["batch_id"]
    )
    conn.execute(t.incidents.insert().from_select([*columns, "batch_id"], restore))
    count = sa.select(sa.func.count()).select_from(history).where(history.c.batch_id == batch["batch_id"])
    restored = int(conn.execute(count).scalar_one())
    ids = conn.execute(
        sa.select(history.c.incident_id).where(history.c.batch_id == batch["batch_id"])
    ).scalars()
    back_ids = list(ids)
    reassign_all(store, conn, store.communes_in(conn), ids=back_ids)
    back = pd.concat(
        [_counted_rows(conn, t.incidents, t.incidents.c.incident_id.in_(chunk)) for chunk in chunks(back_ids)]
        or [gone.iloc[:0]],
        ignore_index=True,
    )
    aggregates.apply_delta(conn, t, added=back, removed=gone)
    if batch["replaced_demo"]:
        restored += store.insert_demo_incidents(conn)
        conn.execute(t.meta.update().where(t.meta.c.key == "is_demo").values(value="1"))
        boundaries = sa.select(t.batches.c.batch_id).where(
            t.batches.c.kind == "boundaries", t.batches.c.undone_at.is_(None)
        )
        if conn.execute(boundaries).first() is not None:
            # The demo codes fit the demo boundaries; official ones replaced them since.
            reassign_all(store, conn, store.communes_in(conn))
        aggregates.rebuild(conn, t, store.communes_in(conn))
    return UndoOutcome(batch["batch_id"], "incidents", int(removed), int(restored))


def _counted_rows(conn: Connection, table: sa.Table, where: Any) -> pd.DataFrame:
    """Return the fields the aggregates count (`geo.store.aggregates`) of the rows of ``table`` matching ``where``."""
    query = sa.select(
        table.c.commune_code, table.c.occurred_at, table.c.offence_code, table.c.lon, table.c.lat
    )
    frame = pd.read_sql(query.where(where), conn)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    return frame


def _undo_boundaries(store: Store, conn: Connection, batch: Any) -> UndoOutcome:
    t = store.tables
    later = later_active(store, conn, batch, kind=UNIT_KINDS)
    if later:
        raise ConfigError(
            f"Ranh giới hoặc dân số đã được thay lần nữa sau lô này ({', '.join(later)}): hãy hoàn tác lô đó "
            "trước."
        )
    old = pd.read_sql(
        sa.select(*(c for c in t.commune_history.c if c.name != "batch_id")).where(
            t.commune_history.c.batch_id == batch["batch_id"]
        ),
        conn,
    )
    plan = store.plan()
    if plan.is_set and set(plan.targets) - set(old["code"]):
        # The earlier boundaries lack some of today's targets: they leave the plan, never a deadlock.
        save_targets(store, conn, plan, tuple(c for c in plan.targets if c in set(old["code"])))
    conn.execute(t.communes.delete())
    conn.execute(t.communes.insert(), [{str(k): v for k, v in r.items()} for r in old.to_dict("records")])
    communes = store.communes_in(conn)
    changed, _ = reassign_all(store, conn, communes)
    aggregates.rebuild(conn, t, communes)
    return UndoOutcome(batch["batch_id"], str(batch["kind"]), 0, changed)
