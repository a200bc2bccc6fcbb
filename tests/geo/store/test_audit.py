"""The audit trail on SQLite and PostGIS: append-only (the database refuses changes), read back, migrated."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from geo.store import audit
from geo.store.schema import SCHEMA_VERSION
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
    old = Store.open(store_url, demo=True)
    incidents, revision = len(old.incidents()), old.version()
    _as_version_2(old)
    close_all()
    engine = sa.create_engine(store_url)
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("users")
    engine.dispose()
    store = Store.open(store_url)
    assert store.schema_version() == SCHEMA_VERSION == 3
    assert len(store.incidents()) == incidents
    assert store.version() != revision
    with store.engine.connect() as conn:
        assert {"users", "audit"} <= set(sa.inspect(conn).get_table_names())
    audit.record(store, user="lan", action="login")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit"))
    assert Store.open(store_url).schema_version() == SCHEMA_VERSION
