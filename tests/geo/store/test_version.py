"""The store's version token: read once for many calls, new at once after any write."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

import geo.store.store as store_module
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
