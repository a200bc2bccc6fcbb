"""Audited writes to the store, each one transaction: incident imports here; boundaries and population in `geo.store.boundaries`, undo in `geo.store.undo`.

An import is planned first (`plan_import`: new, updated, unchanged, the same file imported before),
then written as one batch (`import_incidents`): the previous version of every updated incident kept
for undo, the prepared counts updated, the declared end of the data and the offence mapping saved
in the same transaction. The names of the other writes are importable from here too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo import incidents as incident_schema
from geo._errors import ConfigError, DataError
from geo.dates import now_local
from geo.io.incident_import import Validation
from geo.store import aggregates, audit
from geo.store.batch_log import chunks, latest_batch, new_batch_id, same_file
from geo.store.boundaries import (
    BoundaryOutcome,
    PopulationOutcome,
    preview_communes,
    replace_communes,
    update_population,
)
from geo.store.schema import DEMO_BATCH, bump_revision, json_object, meta_value, utc_now
from geo.store.undo import UndoOutcome, undo
from geo.store.writes import classify, existing_rows, insert_incidents
from geo.taxonomy import fold, load_offences

if TYPE_CHECKING:
    from geo.store.store import Store

__all__ = [
    "BoundaryOutcome",
    "ImportOutcome",
    "ImportPlan",
    "PopulationOutcome",
    "UndoOutcome",
    "check_complete_to",
    "import_incidents",
    "latest_batch",
    "merged_offence_map",
    "new_batch_id",
    "plan_import",
    "preview_communes",
    "replace_communes",
    "undo",
    "update_population",
]

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


def plan_import(store: Store, validation: Validation) -> ImportPlan:
    """Return what importing ``validation`` would do, without writing."""
    with store.engine.connect() as conn:
        existing = existing_rows(conn, store.tables.incidents, validation.incidents)
        same = same_file(store, conn, validation.sha256)
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
        for chunk in chunks(replaced):
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
