"""Boundary replacement and population figures, each one audited, undoable batch: the units rewritten, every incident re-assigned.

The previous units are kept in ``commune_history`` for `geo.store.undo`; the plan's targets follow
a unit renamed to a new code or leave the plan when the new boundaries no longer hold them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo._errors import DataError
from geo.communes import assign_commune
from geo.history import GROUP_MARK
from geo.io.boundary_import import BoundaryImport, Reassignment, reassign
from geo.io.population_import import PopulationImport
from geo.plan import Plan
from geo.store import aggregates, audit
from geo.store.batch_log import chunks, new_batch_id
from geo.store.schema import bump_revision, utc_now

if TYPE_CHECKING:
    from geo.store.store import Store

UNIT_KINDS = ("boundaries", "population")
"""Batch kinds that change the units (their previous rows are kept in commune_history)."""


@dataclass(frozen=True)
class BoundaryOutcome:
    """What a boundary replacement changed.

    ``renamed_targets`` are plan targets that follow their unit to a new code (matched by name);
    ``cleared_targets`` are targets the new boundaries no longer hold: they leave the plan (with a
    warning to the user) rather than block the replacement.
    """

    batch_id: str
    communes: int
    changed: int
    outside: int
    renamed_targets: tuple[str, ...] = ()
    cleared_targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class PopulationOutcome:
    """What a population table changed."""

    batch_id: str
    updated: int
    unchanged: int


def preview_communes(store: Store, boundaries: BoundaryImport) -> Reassignment:
    """Return how the stored incidents would be re-assigned under the new boundaries, without writing."""
    return reassign(store.incidents(), boundaries.communes)


def replace_communes(store: Store, boundaries: BoundaryImport, *, user: str = "") -> BoundaryOutcome:
    """Replace the commune boundaries and re-assign every incident, in one transaction.

    The previous boundaries are kept for undo.

    The plan's targets follow units matched by name to a new code (`BoundaryImport.renamed`);
    targets the new boundaries do not hold are removed from the plan, in the same transaction.

    Raises
    ------
    DataError
        The boundary file has errors.
    """
    if not boundaries.ok:
        raise DataError("Tệp ranh giới còn lỗi: không thay ranh giới.", file=boundaries.file_name)
    communes = boundaries.communes
    plan = store.plan()
    renamed = {old: new for old, new in boundaries.renamed.items() if old in plan.targets}
    targets = tuple(renamed.get(code, code) for code in plan.targets)
    kept = tuple(code for code in targets if code in set(communes["code"]))
    cleared = tuple(code for code in targets if code not in kept)
    t = store.tables
    batch_id = new_batch_id()
    now = utc_now()
    with store.engine.begin() as conn:
        old = pd.read_sql(sa.select(*(c for c in t.communes.c if c.name != "geom")), conn)
        if len(old):
            conn.execute(
                t.commune_history.insert(),
                [{**{str(k): v for k, v in r.items()}, "batch_id": batch_id} for r in old.to_dict("records")],
            )
        store.write_communes(conn, communes)
        if renamed or cleared:
            save_targets(store, conn, plan, kept)
        changed, outside = reassign_all(store, conn, communes)
        aggregates.rebuild(conn, t, communes)
        conn.execute(
            t.batches.insert(),
            {
                "batch_id": batch_id,
                "kind": "boundaries",
                "file_name": boundaries.file_name,
                "sha256": boundaries.sha256,
                "accepted": len(communes),
                "updated": changed,
                "rejected": 0,
                "created_at": now,
                "user_name": user,
            },
        )
        audit.write(
            conn, t, user=user, action="boundaries", detail={"batch": batch_id, "units": len(communes)}
        )
        bump_revision(conn, store.tables)
    return BoundaryOutcome(
        batch_id, len(communes), changed, outside, tuple(f"{o}→{n}" for o, n in renamed.items()), cleared
    )


def update_population(store: Store, population: PopulationImport, *, user: str = "") -> PopulationOutcome:
    """Write the checked population figures of the stored units as one batch (undoable).

    Raises
    ------
    DataError
        The table has errors or matches no unit.
    """
    if not population.ok:
        raise DataError("Bảng dân số còn lỗi: không ghi gì.", file=population.file_name)
    if population.table.empty:
        raise DataError("Bảng dân số không khớp đơn vị nào đã nhập.", file=population.file_name)
    t = store.tables
    batch_id = new_batch_id()
    with store.engine.begin() as conn:
        old = pd.read_sql(sa.select(*(c for c in t.communes.c if c.name != "geom")), conn)
        current = {
            str(r["code"]): (int(r["population"]), int(r["population_year"])) for r in old.to_dict("records")
        }
        figures = {
            str(r["code"]): (int(r["population"]), int(r["population_year"] or 0))
            for r in population.table.to_dict("records")
        }
        changed = {
            code: (pop, year or current[code][1])
            for code, (pop, year) in figures.items()
            if code in current and (pop, year or current[code][1]) != current[code]
        }
        conn.execute(
            t.commune_history.insert(),
            [{**{str(k): v for k, v in r.items()}, "batch_id": batch_id} for r in old.to_dict("records")],
        )
        for code, (pop, year) in changed.items():
            conn.execute(
                t.communes.update()
                .where(t.communes.c.code == code)
                .values(population=pop, population_year=year)
            )
        conn.execute(
            t.batches.insert(),
            {
                "batch_id": batch_id,
                "kind": "population",
                "file_name": population.file_name,
                "sha256": population.sha256,
                "accepted": len(figures),
                "updated": len(changed),
                "rejected": len(population.errors),
                "created_at": utc_now(),
                "user_name": user,
            },
        )
        audit.write(
            conn, t, user=user, action="population", detail={"batch": batch_id, "units": len(changed)}
        )
        bump_revision(conn, store.tables)
    return PopulationOutcome(batch_id, len(changed), len(figures) - len(changed))


def save_targets(store: Store, conn: Connection, plan: Plan, targets: tuple[str, ...]) -> None:
    """Write the plan with new targets inside the caller's transaction (history kept by the plan itself)."""
    updated = replace(plan, targets=targets)
    conn.execute(
        store.tables.meta.update()
        .where(store.tables.meta.c.key == "plan")
        .values(value=json.dumps(updated.to_dict(), ensure_ascii=False))
    )


def reassign_all(
    store: Store, conn: Connection, communes: Any, *, ids: Sequence[str] | None = None
) -> tuple[int, int]:
    """Re-assign incidents (all, or ``ids``) to ``communes``; return (changed, now outside every commune)."""
    t = store.tables.incidents
    query = sa.select(t.c.incident_id, t.c.lon, t.c.lat, t.c.commune_code)
    if ids is None:
        frame = pd.read_sql(query, conn)
    else:
        parts = [pd.read_sql(query.where(t.c.incident_id.in_(chunk)), conn) for chunk in chunks(list(ids))]
        frame = (
            pd.concat(parts, ignore_index=True)
            if parts
            else pd.DataFrame(columns=["incident_id", "lon", "lat"])
        )
    if frame.empty:
        return 0, 0
    lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float)
    codes = assign_commune(communes, lon, lat).to_numpy()
    # A record placed by its commune only keeps that commune while the new layer has it; one kept at
    # the level of a newer unit (a group key, read with the unit history) keeps it whatever the layer.
    placed = np.isnan(lon) | np.isnan(lat)
    current = frame["commune_code"].astype(str).to_numpy()
    grouped = frame["commune_code"].astype(str).str.contains(GROUP_MARK, regex=False).to_numpy()
    kept = np.isin(current, communes["code"].astype(str).to_numpy()) | grouped
    codes = np.where(placed, np.where(kept, current, ""), codes)
    moved = codes != current
    if moved.any():
        statement = (
            t.update().where(t.c.incident_id == sa.bindparam("key")).values(commune_code=sa.bindparam("code"))
        )
        conn.execute(
            statement,
            [{"key": i, "code": c} for i, c in zip(frame["incident_id"][moved], codes[moved], strict=True)],
        )
    return int(moved.sum()), int((codes == "").sum())
