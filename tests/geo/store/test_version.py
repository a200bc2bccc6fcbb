"""The store's version token: read once for many calls, new at once after any write."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

import geo.store.reads as reads_module
import geo.store.store as store_module
from geo.io.incident_import import validate_incidents
from geo.io.tables import read_table
from geo.store.store import Store


def queries(store: Store) -> list[str]:
    seen: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_many_calls_read_the_store_once(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite'}", demo=False)
    seen = queries(store)
    tokens = {store.version() for _ in range(50)}
    assert len(tokens) == 1
    assert len([q for q in seen if "meta" in q]) == 1


def test_a_write_by_this_process_is_seen_at_once(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite'}", demo=False)
    before = store.version()
    store.save_plan(store.plan())
    assert store.version() != before


def test_a_write_by_another_process_to_sqlite_is_seen_at_once(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = Store.open(f"sqlite:///{path}", demo=False)
    before = store.version()
    time.sleep(0.01)  # a file time that differs even on coarse clocks
    with sqlite3.connect(path) as other:
        other.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
    assert store.version() != before


def test_on_a_server_another_process_write_is_seen_within_the_ttl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.sqlite"
    store = Store.open(f"sqlite:///{path}", demo=False)
    monkeypatch.setattr(store, "_file_stamp", lambda: ())  # as on PostgreSQL: no file to look at
    before = store.version()
    with sqlite3.connect(path) as other:
        other.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
    assert store.version() == before  # trusted for VERSION_TTL_S
    monkeypatch.setattr(store_module, "VERSION_TTL_S", 0.0)
    assert store.version() != before


def test_addresses_of_a_few_incidents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite'}", demo=False)
    data = Path(__file__).resolve().parents[2] / "data" / "vu_viec_lon_xon.csv"
    store.import_incidents(validate_incidents(read_table(data), store.communes(), now=datetime(2026, 11, 27)))
    monkeypatch.setattr(reads_module, "_ID_CHUNK", 2)  # several IN lists
    found = store.addresses(["VL-002", "no-such-id", "VL-001", "VL-003", "VL-002"])
    assert found.to_dict() == {"VL-002": "Thôn 3", "VL-001": "Chợ thị trấn", "VL-003": ""}
    assert found.index.tolist() == ["VL-002", "VL-001", "VL-003"]
    assert store.addresses([]).empty
