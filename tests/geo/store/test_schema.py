"""Schema versions and migrations, PostGIS geometry columns, and opening errors, on SQLite and PostGIS."""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from geo import settings
from geo._errors import ConfigError
from geo.demo import demo_plan
from geo.io.layers import load_communes
from geo.store.schema import SCHEMA_VERSION
from geo.store.store import Store


def _version_1(url: str) -> None:
    """Create a store in the first layout (schema version 1) holding one incident."""
    md = sa.MetaData()
    meta = sa.Table(
        "meta", md, sa.Column("key", sa.String(64), primary_key=True), sa.Column("value", sa.Text)
    )
    communes = sa.Table(
        "communes",
        md,
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("population", sa.Integer, nullable=False),
        sa.Column("population_year", sa.Integer, nullable=False),
        sa.Column("approximate", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("geom_wkt", sa.Text, nullable=False),
    )
    sa.Table(
        "offences",
        md,
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("offence_group", sa.String(16), nullable=False),
        sa.Column("name_vi", sa.Text, nullable=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("article", sa.String(16), nullable=False),
    )
    batches = sa.Table(
        "batches",
        md,
        sa.Column("batch_id", sa.String(64), primary_key=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("accepted", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("user_name", sa.Text, nullable=False),
    )
    incidents = sa.Table(
        "incidents",
        md,
        sa.Column("incident_id", sa.String(128), primary_key=True),
        sa.Column("occurred_at", sa.DateTime, nullable=False, index=True),
        sa.Column("offence_code", sa.String(64), nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("commune_code", sa.String(16), nullable=False, index=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
    )
    engine = sa.create_engine(url)
    now = datetime(2025, 1, 1)
    with engine.begin() as conn:
        md.create_all(conn)
        conn.execute(
            meta.insert(),
            [
                {"key": "schema_version", "value": "1"},
                {"key": "revision", "value": "7"},
                {"key": "is_demo", "value": "0"},
                {"key": "plan", "value": json.dumps(demo_plan().to_dict())},
            ],
        )
        rows = load_communes(settings.DEMO_COMMUNES_PATH)
        conn.execute(
            communes.insert(),
            [
                {
                    **{k: r[k] for k in ("code", "name", "kind", "note")},
                    "population": int(r["population"]),
                    "population_year": int(r["population_year"]),
                    "approximate": True,
                    "geom_wkt": r["geometry"].wkt,
                }
                for _, r in rows.iterrows()
            ],
        )
        conn.execute(
            batches.insert(),
            {
                **{"batch_id": "b1", "file_name": "a.csv", "sha256": "x", "user_name": ""},
                **{"accepted": 1, "updated": 0, "rejected": 0, "created_at": now},
            },
        )
        conn.execute(
            incidents.insert(),
            {
                **{
                    "incident_id": "A",
                    "occurred_at": now,
                    "offence_code": "danh_bac",
                    "lon": 105.6163,
                    "lat": 20.06,
                },
                **{
                    "commune_code": "15349",
                    "description": "",
                    "status": "",
                    "batch_id": "b1",
                    "imported_at": now,
                },
            },
        )
    engine.dispose()


def test_a_version_1_store_is_migrated_and_keeps_its_data(store_url: str) -> None:
    _version_1(store_url)
    store = Store.open(store_url)
    assert store.schema_version() == SCHEMA_VERSION == 8
    assert store.version().endswith("#8")
    details = store.incidents(details=True)
    assert details[["incident_id", "commune_code", "address"]].to_dict("records") == [
        {"incident_id": "A", "commune_code": "15349", "address": ""}
    ]
    batch = store.batches().iloc[0]
    assert (batch["kind"], batch["unchanged"], batch["replaced_demo"]) == ("incidents", 0, 0)
    assert pd.isna(batch["undone_at"])
    # Version 5: a record may have no coordinates; the rebuilt tables keep their indexes.
    with store.engine.connect() as conn:
        columns = {c["name"]: c for c in sa.inspect(conn).get_columns("incidents")}
        indexes = {tuple(i["column_names"]) for i in sa.inspect(conn).get_indexes("incidents")}
        history = {c["name"]: c for c in sa.inspect(conn).get_columns("incident_history")}
    assert columns["lon"]["nullable"]
    assert columns["lat"]["nullable"]
    assert history["lat"]["nullable"]
    assert {
        ("commune_code", "occurred_at"),
        ("occurred_at", "commune_code", "offence_code"),
        ("batch_id",),
    } <= indexes
    # Version 7: the prepared aggregates are counted from the incidents already there.
    with store.engine.connect() as conn:
        counted = conn.execute(
            sa.select(store.tables.unit_counts.c.commune_code, store.tables.unit_counts.c.n)
        )
        assert [tuple(r) for r in counted] == [("15349", 1)]
    undone = store.undo("b1")
    assert (undone.removed, undone.restored) == (1, 0)
    assert Store.open(store_url).schema_version() == SCHEMA_VERSION


def test_a_store_from_a_newer_version_is_refused(store_url: str) -> None:
    store = Store.open(store_url, demo=False)
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE meta SET value = '99' WHERE key = 'schema_version'"))
    with pytest.raises(ConfigError, match="phiên bản cấu trúc 99"):
        Store.open(store_url)


@pytest.mark.postgres
def test_postgis_stores_geometry_with_gist_indexes(postgres_url: str) -> None:
    store = Store.open(postgres_url, demo=True)
    with store.engine.connect() as conn:
        indexes = (
            conn.execute(
                sa.text(
                    "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%USING gist%' ORDER BY indexname"
                )
            )
            .scalars()
            .all()
        )
        inside = conn.execute(
            sa.text(
                "SELECT count(*) FROM incidents i JOIN communes c ON ST_Contains(c.geom, i.geom) "
                "WHERE c.code = i.commune_code"
            )
        ).scalar_one()
    assert indexes == ["idx_communes_geom", "idx_incidents_geom"]
    assert inside >= len(store.incidents()) - 5


def test_bad_urls_are_reported_in_vietnamese() -> None:
    with pytest.raises(ConfigError, match="Địa chỉ kho dữ liệu «nosuchdb://x» không hợp lệ"):
        Store.open("nosuchdb://x")
    with pytest.raises(ConfigError, match=r"postgresql\+psycopg://u:\*\*\*@127.0.0.1:1/x"):
        Store.open("postgresql+psycopg://u:secret@127.0.0.1:1/x")
    with pytest.raises(ConfigError, match=r"postgresql\+psycopg://u:\*\*\*@127.0.0.1:1/x"):
        Store.open("postgres://u:secret@127.0.0.1:1/x")
