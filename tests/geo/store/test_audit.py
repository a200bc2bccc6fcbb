"""The audit trail on SQLite and PostGIS: append-only (the database refuses changes), read back, migrated."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.store import audit, schema
from geo.store.store import Store, close_all


@pytest.fixture
def store(store_url: str) -> Store:
    return Store.open(store_url, demo=False)


def test_entries_are_written_and_read_newest_first(store: Store) -> None:
    audit.record(store, user="lan", action="login")
    audit.record(
        store, user="lan", action="export", detail={"what": "incidents", "rows": 12, "communes": ["1"]}
    )
    audit.record(store, user="", action="import", detail={"file": "vụ việc.csv"})
    newest = audit.entries(store)
    assert [(e.user, e.action) for e in newest] == [
        (audit.system_user(), "import"),
        ("lan", "export"),
        ("lan", "login"),
    ]
    assert newest[0].detail == {"file": "vụ việc.csv"}
    assert newest[1].detail == {"communes": ["1"], "rows": 12, "what": "incidents"}
    assert [e.action for e in audit.entries(store, user="lan")] == ["export", "login"]
    assert [e.action for e in audit.entries(store, action="login")] == ["login"]
    assert len(audit.entries(store, limit=2)) == 2
    assert audit.entries(store, since=datetime.now() + timedelta(days=2)) == []


def test_the_json_form_has_time_user_action_in_vietnam_time(store: Store) -> None:
    audit.record(store, user="lan", action="logout")
    entry = audit.entries(store)[0]
    data = entry.to_dict()
    assert {"time", "user", "action", "detail"} <= set(data)
    assert data["time"].endswith("+07:00")
    assert datetime.fromisoformat(data["time"]).utcoffset() == timedelta(hours=7)
    assert entry.local_time().replace(tzinfo=None) - entry.time == timedelta(hours=7)


def test_an_unknown_action_is_a_bug(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(store, user="lan", action="dance")


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit SET user_name = 'someone else'", "DELETE FROM audit", "DELETE FROM audit WHERE id = 1"],
)
def test_the_database_refuses_to_change_or_remove_entries(store: Store, statement: str) -> None:
    audit.record(store, user="lan", action="login")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(sa.text(statement))
    assert [e.user for e in audit.entries(store)] == ["lan"]


@pytest.mark.postgres
def test_postgis_refuses_truncate_too(postgres_url: str) -> None:
    store = Store.open(postgres_url, demo=False)
    audit.record(store, user="lan", action="login")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE audit"))
    assert len(audit.entries(store)) == 1


def _as_version_2(store: Store) -> None:
    """Turn a new store into what schema version 2 left: no users, no audit, version 2."""
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("DROP TABLE audit"))
            conn.execute(sa.text("DROP FUNCTION antt_audit_append_only()"))
        else:
            for trigger in ("audit_no_update", "audit_no_delete"):
                conn.execute(sa.text(f"DROP TRIGGER {trigger}"))
            conn.execute(sa.text("DROP TABLE audit"))
        conn.execute(sa.text("DROP TABLE users"))
        conn.execute(sa.text("UPDATE meta SET value = '2' WHERE key = 'schema_version'"))


def test_a_version_2_store_gets_users_and_an_append_only_audit(store_url: str) -> None:
    # The v3 step alone (later steps have their own tests; test_schema migrates a v1 store to the end).
    store = Store.open(store_url, demo=True)
    incidents = len(store.incidents())
    _as_version_2(store)
    close_all()
    store = Store(sa.create_engine(store_url), store_url)
    with store.engine.begin() as conn:
        assert not sa.inspect(conn).has_table("users")
        assert schema.migrate(conn, store.tables, from_version=2, until=3) == [3]
    with store.engine.connect() as conn:
        assert schema.meta_value(conn, store.tables, "schema_version") == "3"
        assert {"users", "audit"} <= set(sa.inspect(conn).get_table_names())
    assert len(store.incidents()) == incidents
    audit.record(store, user="lan", action="login")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit"))
    assert [e.user for e in audit.entries(store)] == ["lan"]
    store.engine.dispose()


def test_every_write_to_the_store_is_audited_in_its_own_transaction(store: Store) -> None:
    from dataclasses import replace

    from geo.demo import read_outline
    from geo.io.boundary_import import import_boundaries
    from geo.io.incident_import import validate_incidents
    from geo.io.tables import read_table

    data = Path(__file__).resolve().parents[2] / "data"
    checked = validate_incidents(
        read_table(data / "vu_viec_lon_xon.csv"), store.communes(), now=datetime(2026, 11, 27)
    )
    imported = store.import_incidents(checked, user="an")
    boundaries = import_boundaries(
        data / "ranh_gioi_vn2000.geojson", outline=read_outline(), previous=store.communes()
    )
    replaced = store.replace_communes(boundaries, user="boss")
    store.undo(replaced.batch_id, user="boss")
    store.undo(imported.batch_id, user="an")
    store.save_plan(replace(store.plan(), name="Kế hoạch mới"), user="an")
    store.save_area(replace(store.area(), name="Huyện thử"), user="boss")
    entries = list(reversed(audit.entries(store)))
    assert [(e.user, e.action) for e in entries] == [
        ("an", "import"),
        ("boss", "boundaries"),
        ("boss", "undo"),
        ("an", "undo"),
        ("an", "plan"),
        ("boss", "area"),
    ]
    assert entries[0].detail == {"batch": imported.batch_id, "file": "vu_viec_lon_xon.csv"}
    assert entries[1].detail == {"batch": replaced.batch_id, "units": 13}
    assert entries[2].detail == {"batch": replaced.batch_id, "kind": "boundaries"}
    assert entries[4].detail["name"] == "Kế hoạch mới"
    assert entries[5].detail["name"] == "Huyện thử"


def test_a_refused_write_leaves_no_entry(store: Store) -> None:
    from dataclasses import replace

    from geo._errors import ConfigError

    with pytest.raises(ConfigError):
        store.undo("no-such-batch", user="an")
    with pytest.raises(ConfigError):
        store.save_plan(replace(store.plan(), targets=("99999",)), user="an")
    assert audit.entries(store) == []


def test_an_export_from_the_command_line_is_audited(store: Store, tmp_path: Path) -> None:
    from geo.cli.main import main

    out = tmp_path / "vu_viec.csv"
    assert main(["export", "incidents", "--db", store.url, "--out", str(out), "--group", "ma_tuy"]) == 0
    entry = audit.entries(store, action="export")[0]
    assert entry.user == audit.system_user()
    assert entry.detail["what"] == "incidents"
    assert entry.detail["groups"] == ["ma_tuy"]
    assert entry.detail["rows"] == 0
    assert entry.detail["format"] == "csv"
