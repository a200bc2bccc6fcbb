"""The import's bulk reads and writes (`geo.store.writes`): every lookup path finds the same rows, stamps read back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

import geo.store.writes as writes
from geo.io.incident_import import validate_incidents
from geo.io.tables import read_table
from geo.store.schema import tables
from geo.store.store import Store

NOW = datetime(2026, 11, 27, 12, 0)
HEADER = "Mã vụ,Ngày xảy ra,Tội danh,Kinh độ,Vĩ độ,Mô tả\n"


def _file(ids: range, *, changed: tuple[int, ...] = ()) -> bytes:
    lines = [
        f"V-{i},0{1 + i % 9}/03/2024 0{i % 10}:1{i % 6},Trộm cắp tài sản,105.61,20.06,{'y' if i in changed else 'x'}"
        for i in ids
    ]
    return (HEADER + "\n".join(lines) + "\n").encode()


def test_sqlite_stamps_are_the_columns_own_text() -> None:
    dialect = sqlite.dialect()
    process = tables(postgis=False).incidents.c.occurred_at.type.dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    values = [datetime(2024, 1, 5, 14, 30), datetime(1999, 12, 31, 23, 59, 59, 5), datetime(2026, 2, 28)]
    shown = writes._stamps(np.array(values, dtype="datetime64[us]"), text=True)
    assert shown == [process(v) for v in values]
    assert writes._stamps(np.array(["NaT"], dtype="datetime64[us]"), text=True) == [None]


@pytest.mark.parametrize("ratio", [0, 4])
def test_every_lookup_path_finds_the_same_stored_rows(
    store_url: str, monkeypatch: pytest.MonkeyPatch, ratio: int
) -> None:
    # ratio 0: the ids are looked up in chunks; 4: the table is scanned once.
    monkeypatch.setattr(writes, "_SCAN_RATIO", ratio)
    monkeypatch.setattr(writes, "_READ_CHUNK", 3)
    monkeypatch.setattr(writes, "_INSERT_CHUNK", 4)
    store = Store.open(store_url, demo=False)
    first = validate_incidents(read_table(_file(range(10)), name="a.csv"), store.communes(), now=NOW)
    assert store.import_incidents(first).accepted == 10
    # Rows 5–9 again (7 and 8 changed), 10–14 new.
    again = validate_incidents(
        read_table(_file(range(5, 15), changed=(7, 8)), name="b.csv"), store.communes(), now=NOW
    )
    outcome = store.import_incidents(again)
    assert (outcome.accepted, outcome.updated, outcome.unchanged) == (5, 2, 3)
    with store.engine.connect() as conn:
        found = writes.existing_rows(conn, store.tables.incidents, again.incidents)
    assert sorted(found["incident_id"]) == sorted(set(again.incidents["incident_id"]))
    assert found["occurred_at"].dtype.kind == "M"
    stored = store.incidents().set_index("incident_id")
    assert len(stored) == 15
    assert stored.loc["V-7", "description"] == "y"
    assert stored.loc["V-3", "occurred_at"] == datetime(2024, 3, 4, 3, 13)


def test_an_empty_store_is_not_searched(store_url: str) -> None:
    store = Store.open(store_url, demo=False)
    checked = validate_incidents(read_table(_file(range(3)), name="a.csv"), store.communes(), now=NOW)
    with store.engine.connect() as conn:
        found = writes.existing_rows(conn, store.tables.incidents, checked.incidents)
    assert found.empty
    assert list(found.columns) == list(writes._WRITTEN)
    new, changed, same = writes.classify(checked.incidents, found)
    assert new.all()
    assert (changed | same).sum() == 0


def _indexes(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' ORDER BY name"
        return [(str(n), str(s)) for n, s in conn.exec_driver_sql(query).all()]


def test_a_large_sqlite_insert_rebuilds_the_indexes_and_a_failed_one_keeps_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writes, "_REBUILD_FROM", 2)
    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite'}", demo=False)
    before = _indexes(store)
    assert len(before) >= 3
    checked = validate_incidents(read_table(_file(range(6)), name="a.csv"), store.communes(), now=NOW)

    def failed_import() -> None:
        with store.engine.begin() as conn:
            writes.insert_incidents(conn, store.tables.incidents, checked.incidents, batch_id="b", now=NOW)
            raise StoppedError

    with pytest.raises(StoppedError):
        failed_import()
    assert _indexes(store) == before
    assert store.incidents().empty
    assert store.import_incidents(checked).accepted == 6
    assert _indexes(store) == before
    with store.engine.connect() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT * FROM incidents WHERE occurred_at > '2024-03-05'"
        ).all()
    assert "ix_incidents_time_unit_offence" in str(plan)


class StoppedError(Exception):
    """Raised inside a transaction to roll it back."""


def test_sqlite_stamps_of_any_year_and_missing_ones_are_the_columns_own_text() -> None:
    dialect = sqlite.dialect()
    process = tables(postgis=False).incidents.c.occurred_at.type.dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    rng = np.random.default_rng(3)
    values = (np.datetime64("1990-01-01", "us") + rng.integers(0, 40 * 365 * 86400 * 10**6, 200)).astype(
        "datetime64[us]"
    )
    expected = [process(v) for v in values.tolist()]
    assert writes._stamps(values, text=True) == expected  # the in-place path
    with_missing = np.concatenate([values, np.array(["NaT"], dtype="datetime64[us]")])
    assert writes._stamps(with_missing, text=True) == [*expected, None]  # the general path


def test_the_batch_and_import_time_written_once_in_the_statement_read_back(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite'}", demo=False)
    checked = validate_incidents(read_table(_file(range(5)), name="a.csv"), store.communes(), now=NOW)
    with store.engine.begin() as conn:
        writes.insert_incidents(conn, store.tables.incidents, checked.incidents, batch_id="b-'1", now=NOW)
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(store.tables.incidents.c.batch_id, store.tables.incidents.c.imported_at)
        ).all()
    assert rows == [("b-'1", NOW)] * 5
    assert writes._literal("it's") == "'it''s'"
    with pytest.raises(TypeError):
        writes._literal(NOW)  # type: ignore[arg-type]
