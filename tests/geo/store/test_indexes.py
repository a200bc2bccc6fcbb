"""The incidents' indexes (schema version 8): migrated from version 7, used by the pages' queries, on both stores."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from geo.clearance import has_status
from geo.demo import read_outline
from geo.io.boundary_import import import_boundaries
from geo.io.incident_import import validate_incidents
from geo.io.tables import read_table
from geo.store import buckets, rows, span
from geo.store.counts import Window
from geo.store.rows import Selection
from geo.store.schema import SCHEMA_VERSION
from geo.store.store import Store

NOW = datetime(2026, 11, 27, 12, 0)
DATA = Path(__file__).resolve().parents[2] / "data"
NEW = {
    ("commune_code", "occurred_at"): "ix_incidents_unit_time",
    ("occurred_at", "commune_code", "offence_code"): "ix_incidents_time_unit_offence",
    ("status",): "ix_incidents_status",
}


def _indexes(store: Store) -> dict[tuple[str, ...], str]:
    with store.engine.connect() as conn:
        found = sa.inspect(conn).get_indexes("incidents")
    return {tuple(str(c) for c in i["column_names"]): str(i["name"]) for i in found}


def test_a_version_7_store_gets_the_new_indexes_instead_of_the_old_ones(store_url: str) -> None:
    store = Store.open(store_url, demo=True)
    before = store.incidents(details=True)
    with store.engine.begin() as conn:  # the version-7 layout: one index on each of the two columns
        for name in NEW.values():
            conn.execute(sa.text(f"DROP INDEX {name}"))
        conn.execute(sa.text("CREATE INDEX ix_incidents_occurred_at ON incidents (occurred_at)"))
        conn.execute(sa.text("CREATE INDEX ix_incidents_commune_code ON incidents (commune_code)"))
        conn.execute(sa.text("UPDATE meta SET value = '7' WHERE key = 'schema_version'"))
    assert ("occurred_at",) in _indexes(store)
    assert ("status",) not in _indexes(store)
    store.close()
    reopened = Store.open(store_url)
    assert reopened.schema_version() == SCHEMA_VERSION == 8
    indexes = _indexes(reopened)
    assert {key: indexes.get(key) for key in NEW} == NEW
    assert ("occurred_at",) not in indexes
    assert ("commune_code",) not in indexes
    assert ("batch_id",) in indexes
    pd.testing.assert_frame_equal(reopened.incidents(details=True), before)
    assert reopened.has_status() == has_status(before) is True


@contextmanager
def _statements(store: Store) -> Iterator[list[tuple[str, Any]]]:
    """Collect the statements run on the store's engine that read ``incidents``."""
    seen: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "FROM incidents" in statement and not statement.startswith("EXPLAIN"):
            seen.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", grab)
    try:
        yield seen
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", grab)


def _plans(store: Store, work: Callable[[Any], object]) -> list[str]:
    """The query plan of every statement ``work`` runs on ``incidents`` (PostgreSQL: sequential scans off).

    With the demo's few thousand rows PostgreSQL would read the table whatever the indexes; with
    sequential scans priced out it shows which index each statement can use (none: a scan all the same).
    """
    postgres = store.engine.dialect.name == "postgresql"
    with _statements(store) as seen, store.engine.connect() as conn:
        work(conn)
    plans = []
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if postgres:
            cursor.execute("SET enable_seqscan = off")
        for statement, parameters in seen:
            cursor.execute(("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + statement, parameters)
            plans.append(" | ".join(str(row[0] if postgres else row[-1]) for row in cursor.fetchall()))
        cursor.close()
    finally:
        raw.close()
    return plans


def test_the_pages_queries_on_incidents_use_the_indexes(store_url: str) -> None:
    store = Store.open(store_url, demo=True)
    t = store.tables
    year = Window(date(2025, 11, 1), date(2026, 10, 31))
    unit = Selection(year, units=("15361",))
    edges = [pd.Timestamp(datetime(2023, 5, 26)) + pd.DateOffset(months=i) for i in range(13)]
    cases: dict[str, tuple[Callable[[Any], object], str]] = {
        "a unit's list: its count": (lambda c: rows.count(c, t, unit), "ix_incidents_unit_time"),
        "a unit's list: a page": (lambda c: rows.page(c, t, unit), "ix_incidents_unit_time"),
        "a window's page": (lambda c: rows.page(c, t, Selection(year)), "ix_incidents_time_unit_offence"),
        "the months a filter cuts": (
            lambda c: store.unit_counts(Window(date(2025, 11, 15), date(2026, 10, 14))),
            "ix_incidents_time_unit_offence",
        ),
        "the data's span": (lambda c: span.span(c, t), "ix_incidents_time_unit_offence"),
        "a window's span": (lambda c: span.window_span(c, t, year), "ix_incidents_time_unit_offence"),
        "the evaluation's buckets": (
            lambda c: buckets.bucket_counts(c, t, [e.to_pydatetime() for e in edges]),
            "ix_incidents_time_unit_offence",
        ),
    }
    for name, (work, index) in cases.items():
        plans = _plans(store, work)
        assert plans, name
        assert all(index in plan for plan in plans), (name, plans)


def test_whether_any_incident_has_a_status_is_one_look_into_its_index(store_url: str) -> None:
    """Asked as the pages ask it, planned as the database plans it (no setting changed), with and without statuses."""
    store = Store.open(store_url, demo=True)
    for statuses in (True, False):
        if not statuses:
            with store.engine.begin() as conn:
                conn.execute(store.tables.incidents.update().values(status=""))
        if store.engine.dialect.name == "postgresql":
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE incidents"))
        with _statements(store) as seen, store.engine.connect() as conn:
            assert span.has_status(conn, store.tables) is statuses
        postgres = store.engine.dialect.name == "postgresql"
        with store.engine.connect() as conn:
            (statement, parameters), *_ = seen
            prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            plan = str(conn.exec_driver_sql(prefix + statement, parameters).all())
        assert "ix_incidents_status" in plan, plan
        assert "Seq Scan" not in plan, plan


def _import(store: Store, text: str) -> str:
    checked = validate_incidents(read_table(text.encode(), name="t.csv"), store.communes(), now=NOW)
    return store.import_incidents(checked).batch_id


def test_has_status_follows_imports_undo_and_boundary_replacement(store_url: str) -> None:
    store = Store.open(store_url, demo=False)
    assert not store.has_status()
    header = "Mã vụ,Ngày xảy ra,Tội danh,Kinh độ,Vĩ độ,Trạng thái\n"
    blank = _import(store, header + "A,15/01/2024,Đánh bạc,105.6163,20.06,\n")
    assert not store.has_status()
    solved = _import(store, header + "B,16/01/2024,Đánh bạc,105.6163,20.06,Đã giải quyết\n")
    assert store.has_status()
    assert has_status(store.incidents(details=True))
    boundaries = import_boundaries(
        DATA / "ranh_gioi_vn2000.geojson", outline=read_outline(), previous=store.communes()
    )
    replaced = store.replace_communes(boundaries)
    assert store.has_status()
    store.undo(replaced.batch_id)
    store.undo(solved)
    assert not store.has_status()
    assert not has_status(store.incidents(details=True))
    # An update that clears a status takes the row out of the index; undoing it puts it back.
    again = _import(store, header + "A,15/01/2024,Đánh bạc,105.6163,20.06,Đang điều tra\n")
    assert store.has_status()
    cleared = _import(store, header + "A,15/01/2024,Đánh bạc,105.6163,20.06,\n")
    assert not store.has_status()
    store.undo(cleared)
    assert store.has_status()
    store.undo(again)
    store.undo(blank)
    assert not store.has_status()
