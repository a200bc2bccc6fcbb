"""Audited writes to the store, each one transaction: incident imports, boundary replacement, undo."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo import incidents as incident_schema
from geo._errors import ConfigError, DataError
from geo.communes import assign_commune
from geo.dates import now_local
from geo.history import GROUP_MARK
from geo.io.boundary_import import BoundaryImport, Reassignment, reassign
from geo.io.incident_import import Validation
from geo.io.population_import import PopulationImport
from geo.plan import Plan
from geo.store import aggregates, audit
from geo.store.schema import DEMO_BATCH, bump_revision, json_object, meta_value, utc_now
from geo.store.writes import classify, existing_rows, insert_incidents
from geo.taxonomy import fold, load_offences

if TYPE_CHECKING:
    from geo.store.store import Store

_CHUNK = 500
_COMPARED = incident_schema.COMPARED


@dataclass(frozen=True)
class ImportPlan:
    """What committing a checked file would do, before anything is written.

    Attributes
    ----------
    new, updated, unchanged
        Accepted rows whose id is new, exists with other values, exists with the same values.
    rejected
        Rows refused by validation.
    replaces_demo
        The store holds demo incidents, which the import removes (real data never mixes with them).
    same_file
        Active batches that imported a file with the same content (their ids), if any.
    """

    new: int
    updated: int
    unchanged: int
    rejected: int
    replaces_demo: bool
    same_file: tuple[str, ...]


@dataclass(frozen=True)
class ImportOutcome:
    """What an import wrote (the command line prints it as JSON)."""

    batch_id: str
    accepted: int
    updated: int
    unchanged: int
    rejected: int
    replaced_demo: bool


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
class UndoOutcome:
    """What undoing a batch changed."""

    batch_id: str
    kind: str
    removed: int
    restored: int


def new_batch_id() -> str:
    """Return a new batch id: the Vietnam wall-clock time and a random suffix (readable, unique)."""
    return f"{now_local():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def plan_import(store: Store, validation: Validation) -> ImportPlan:
    """Return what importing ``validation`` would do, without writing."""
    with store.engine.connect() as conn:
        existing = existing_rows(conn, store.tables.incidents, validation.incidents)
        same = _same_file(store, conn, validation.sha256)
        replaces_demo = meta_value(conn, store.tables, "is_demo") == "1"
    new, changed, same_rows = classify(validation.incidents, existing)
    return ImportPlan(
        int(new.sum()), int(changed.sum()), int(same_rows.sum()), validation.rejected, replaces_demo, same
    )


def check_complete_to(day: date | None, validation: Validation) -> None:
    """Refuse a declared end of the data that cannot be right: in the future, or before the file's first incident."""
    if day is None:
        return
    today = now_local().date()
    if day > today:
        raise ConfigError(
            f"Ngày dữ liệu đầy đủ {day:%d/%m/%Y} nằm trong tương lai (hôm nay {today:%d/%m/%Y}): "
            "chỉ khai ngày mà sổ đã ghi đủ mọi vụ việc."
        )
    times = pd.to_datetime(validation.incidents["occurred_at"]) if len(validation.incidents) else None
    if times is not None and times.notna().any() and day < times.min().date():
        raise ConfigError(
            f"Ngày dữ liệu đầy đủ {day:%d/%m/%Y} trước vụ việc sớm nhất của tệp "
            f"({times.min():%d/%m/%Y}): hãy kiểm tra lại ngày.",
            file=validation.file_name,
        )


def _declare_complete_to(store: Store, conn: Connection, day: date | None, batch_id: str) -> None:
    """Record (or clear) the declared end of the data, tied to the batch it came with (see `Store.declared_end`)."""
    value = json.dumps({"day": day.isoformat(), "batch": batch_id}) if day and batch_id else ""
    store.set_meta(conn, "complete_to", value)


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


def merged_offence_map(saved: Mapping[str, str], given: Mapping[str, str]) -> dict[str, str]:
    """Return ``saved`` updated with ``given``: a name given again (in any spelling) takes its new code.

    Raises
    ------
    ConfigError
        A given code is not in the taxonomy (nothing is saved).

    Examples
    --------
    >>> merged_offence_map({"Trộm xe": "trom_cap_tai_san"}, {"TROM XE": "cuop_giat_tai_san"})
    {'TROM XE': 'cuop_giat_tai_san'}
    """
    codes = {offence.code for offence in load_offences()}
    bad = sorted({code for code in given.values() if code not in codes})
    if bad:
        raise ConfigError(
            f"Mã tội danh không có trong danh mục: {', '.join(bad)} (ánh xạ tội danh không được lưu)."
        )
    out = {name: code for name, code in saved.items() if fold(name) not in {fold(n) for n in given}}
    return out | {str(name): str(code) for name, code in given.items() if str(name).strip()}


def _save_offence_map(store: Store, conn: Connection, given: Mapping[str, str] | None) -> int:
    """Merge ``given`` into the saved offence mapping inside the import's transaction; return the entries new or changed."""
    if not given:
        return 0
    saved = json_object(meta_value(conn, store.tables, "offence_map"))
    merged = merged_offence_map({str(k): str(v) for k, v in saved.items()}, given)
    changed = sum(1 for name, code in given.items() if saved.get(name) != code)
    if changed:
        store.set_meta(conn, "offence_map", json.dumps(merged, ensure_ascii=False, sort_keys=True))
    return changed


def import_incidents(
    store: Store,
    validation: Validation,
    *,
    user: str = "",
    complete_to: date | None = None,
    offence_map: Mapping[str, str] | None = None,
) -> ImportOutcome:
    """Write the accepted rows of ``validation`` as one batch, in one transaction.

    An id already in the store is updated (its previous version is kept for undo); identical rows
    are left alone. Importing into the demo store first removes the demo incidents.

    ``complete_to`` declares the last day the ledger records in full (``--complete-to``): the data's
    coverage and the evaluation windows then end there instead of at the last complete month of the
    incidents. The declaration belongs to this import: a later import without one, or undoing this
    one, returns to the coverage the incidents themselves show.

    ``offence_map`` (offence name as written → taxonomy code, as given on this import) is merged
    into the store's saved mapping in the same transaction (`Store.offence_map`), for next imports.

    When every accepted row is already stored unchanged, nothing is written and the outcome has an
    empty ``batch_id`` (a declared ``complete_to`` is still recorded, for the latest batch).

    Raises
    ------
    DataError
        The file has no accepted row: nothing is written.
    ConfigError
        ``complete_to`` is in the future or before the file's first incident.
    """
    frame = validation.incidents
    if frame.empty:
        raise DataError("Không có dòng hợp lệ nào để nhập: không ghi gì vào kho.", file=validation.file_name)
    check_complete_to(complete_to, validation)
    merged_offence_map({}, offence_map or {})  # a bad code is refused before anything is written
    t = store.tables
    batch_id = new_batch_id()
    now = utc_now()
    with store.engine.begin() as conn:
        replaced_demo = meta_value(conn, store.tables, "is_demo") == "1"
        if replaced_demo:
            conn.execute(t.incidents.delete().where(t.incidents.c.batch_id == DEMO_BATCH))
            conn.execute(t.batches.update().where(t.batches.c.batch_id == DEMO_BATCH).values(undone_at=now))
            conn.execute(t.meta.update().where(t.meta.c.key == "is_demo").values(value="0"))
        existing = existing_rows(conn, store.tables.incidents, frame)
        new, changed, _ = classify(frame, existing)
        if not (new.any() or changed.any() or replaced_demo):
            # Every row is already stored as it is: no batch, no new revision (unless a declared end).
            if complete_to is not None:
                _declare_complete_to(store, conn, complete_to, latest_batch(store, conn))
            _save_offence_map(store, conn, offence_map)
            return ImportOutcome("", 0, 0, len(frame), validation.rejected, replaced_demo=False)
        write = frame[new | changed]
        replaced = write.loc[changed[new | changed], "incident_id"].tolist()
        for chunk in _chunks(replaced):
            old = sa.select(
                sa.literal(batch_id),
                t.incidents.c.incident_id,
                *(t.incidents.c[c] for c in _COMPARED),
                t.incidents.c.batch_id,
                t.incidents.c.imported_at,
            ).where(t.incidents.c.incident_id.in_(chunk))
            conn.execute(
                t.incident_history.insert().from_select(
                    ["batch_id", "incident_id", *_COMPARED, "old_batch_id", "imported_at"], old
                )
            )
            conn.execute(t.incidents.delete().where(t.incidents.c.incident_id.in_(chunk)))
        if len(write):
            insert_incidents(conn, t.incidents, write, batch_id=batch_id, now=now)
        if replaced_demo:  # the demo rows are gone: what is stored now is this file's rows
            aggregates.rebuild(conn, t, store.communes_in(conn))
        else:
            removed = existing[existing["incident_id"].isin(replaced)]
            aggregates.apply_delta(conn, t, added=write, removed=removed)
        conn.execute(
            t.batches.insert(),
            {
                "batch_id": batch_id,
                "kind": "incidents",
                "file_name": validation.file_name,
                "sha256": validation.sha256,
                "accepted": int(new.sum()),
                "updated": int(changed.sum()),
                "unchanged": int(len(frame) - len(write)),
                "rejected": validation.rejected,
                "replaced_demo": int(replaced_demo),
                "created_at": now,
                "user_name": user,
            },
        )
        detail: dict[str, Any] = {"batch": batch_id, "file": validation.file_name}
        if complete_to is not None:
            detail["complete_to"] = complete_to.isoformat()
        mapped = _save_offence_map(store, conn, offence_map)
        if mapped:
            detail["offence_map"] = mapped
        audit.write(conn, t, user=user, action="import", detail=detail)
        _declare_complete_to(store, conn, complete_to, batch_id)
        bump_revision(conn, store.tables)
    return ImportOutcome(
        batch_id,
        int(new.sum()),
        int(changed.sum()),
        len(frame) - len(write),
        validation.rejected,
        replaced_demo,
    )


def _same_file(store: Store, conn: Connection, sha256: str) -> tuple[str, ...]:
    t = store.tables.batches
    rows = conn.execute(
        sa.select(t.c.batch_id).where(t.c.sha256 == sha256, t.c.undone_at.is_(None), t.c.sha256 != "")
    )
    return tuple(r[0] for r in rows)


def _chunks(values: Sequence[Any], *, size: int = _CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


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
            _save_targets(store, conn, plan, kept)
        changed, outside = _reassign_all(store, conn, communes)
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


@dataclass(frozen=True)
class PopulationOutcome:
    """What a population table changed."""

    batch_id: str
    updated: int
    unchanged: int


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


def _save_targets(store: Store, conn: Connection, plan: Plan, targets: tuple[str, ...]) -> None:
    """Write the plan with new targets inside the caller's transaction (history kept by the plan itself)."""
    updated = replace(plan, targets=targets)
    conn.execute(
        store.tables.meta.update()
        .where(store.tables.meta.c.key == "plan")
        .values(value=json.dumps(updated.to_dict(), ensure_ascii=False))
    )


def _reassign_all(
    store: Store, conn: Connection, communes: Any, *, ids: Sequence[str] | None = None
) -> tuple[int, int]:
    """Re-assign incidents (all, or ``ids``) to ``communes``; return (changed, now outside every commune)."""
    t = store.tables.incidents
    query = sa.select(t.c.incident_id, t.c.lon, t.c.lat, t.c.commune_code)
    if ids is None:
        frame = pd.read_sql(query, conn)
    else:
        parts = [pd.read_sql(query.where(t.c.incident_id.in_(chunk)), conn) for chunk in _chunks(list(ids))]
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
        if batch["kind"] in _UNIT_KINDS:
            outcome = _undo_boundaries(store, conn, batch)
        else:
            outcome = _undo_incidents(store, conn, batch)
        conn.execute(t.batches.update().where(t.batches.c.batch_id == batch_id).values(undone_at=utc_now()))
        audit.write(conn, t, user=user, action="undo", detail={"batch": batch_id, "kind": batch["kind"]})
        bump_revision(conn, store.tables)
    return outcome


_UNIT_KINDS = ("boundaries", "population")
"""Batch kinds that change the units (their previous rows are kept in commune_history)."""


def _later_active(store: Store, conn: Connection, batch: Any, *, kind: str | tuple[str, ...]) -> list[str]:
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


def _undo_incidents(store: Store, conn: Connection, batch: Any) -> UndoOutcome:
    t = store.tables
    later = set(_later_active(store, conn, batch, kind="incidents"))
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
    _reassign_all(store, conn, store.communes_in(conn), ids=back_ids)
    back = pd.concat(
        [
            _counted_rows(conn, t.incidents, t.incidents.c.incident_id.in_(chunk))
            for chunk in _chunks(back_ids)
        ]
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
            _reassign_all(store, conn, store.communes_in(conn))
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
    later = _later_active(store, conn, batch, kind=_UNIT_KINDS)
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
        _save_targets(store, conn, plan, tuple(c for c in plan.targets if c in set(old["code"])))
    conn.execute(t.communes.delete())
    conn.execute(t.communes.insert(), [{str(k): v for k, v in r.items()} for r in old.to_dict("records")])
    communes = store.communes_in(conn)
    changed, _ = _reassign_all(store, conn, communes)
    aggregates.rebuild(conn, t, communes)
    return UndoOutcome(batch["batch_id"], str(batch["kind"]), 0, changed)
