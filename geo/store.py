"""The incident store behind one interface: SQLite by default, any SQLAlchemy URL by ``DATABASE_URL``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo import settings
from geo.boundaries import COLUMNS as COMMUNE_COLUMNS
from geo.boundaries import load_communes
from geo.plan import Plan
from geo.taxonomy import group_of, load_offences

SCHEMA_VERSION = 1
"""Version of the table layout; `Store.open` migrates older stores up to it."""

INCIDENT_COLUMNS = [
    "incident_id",
    "occurred_at",
    "offence_code",
    "offence_group",
    "lon",
    "lat",
    "commune_code",
    "description",
    "status",
    "batch_id",
]
"""Columns of the incidents frame returned by `Store.incidents`."""

metadata = sa.MetaData()
meta_table = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
communes_table = sa.Table(
    "communes",
    metadata,
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("population", sa.Integer, nullable=False),
    sa.Column("population_year", sa.Integer, nullable=False),
    sa.Column("approximate", sa.Boolean, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("geom_wkt", sa.Text, nullable=False),
)
offences_table = sa.Table(
    "offences",
    metadata,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("offence_group", sa.String(16), nullable=False),
    sa.Column("name_vi", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("article", sa.String(16), nullable=False),
)
batches_table = sa.Table(
    "batches",
    metadata,
    sa.Column("batch_id", sa.String(64), primary_key=True),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("accepted", sa.Integer, nullable=False),
    sa.Column("updated", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("user_name", sa.Text, nullable=False),
)
incidents_table = sa.Table(
    "incidents",
    metadata,
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


class Store:
    """An incident store at a SQLAlchemy URL.

    Use `Store.open`: it creates a missing store with the district's boundaries, the taxonomy and
    the plan (and, for the default store only, the demo incidents).
    """

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str | None = None, *, demo: bool | None = None) -> Store:
        """Open (creating if needed) the store at ``url`` (default: `settings.database_url`).

        Parameters
        ----------
        url
            A SQLAlchemy URL such as ``sqlite:///data/antt.sqlite``.
        demo
            Fill a new store with the demo incidents; by default only the default store is.
        """
        url = url or settings.database_url()
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, future=True)
        store = cls(engine, url)
        if not sa.inspect(engine).has_table("meta"):
            with_demo = demo if demo is not None else url == f"sqlite:///{settings.DEFAULT_DB_PATH}"
            store._create(with_demo=with_demo)
        return store

    def _create(self, *, with_demo: bool) -> None:
        from geo.demo import demo_plan

        communes = load_communes(settings.DEMO_COMMUNES_PATH)
        with self.engine.begin() as conn:
            metadata.create_all(conn)
            conn.execute(
                meta_table.insert(),
                [
                    {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                    {"key": "revision", "value": "1"},
                    {"key": "is_demo", "value": "1" if with_demo else "0"},
                    {"key": "plan", "value": json.dumps(demo_plan().to_dict(), ensure_ascii=False)},
                ],
            )
            conn.execute(
                offences_table.insert(),
                [
                    {
                        "code": o.code,
                        "offence_group": o.group,
                        "name_vi": o.name_vi,
                        "name_en": o.name_en,
                        "article": o.article,
                    }
                    for o in load_offences()
                ],
            )
            self._write_communes(conn, communes)
            if with_demo:
                self._insert_demo_incidents(conn)

    def _insert_demo_incidents(self, conn: Connection) -> None:
        frame = pd.read_csv(settings.DEMO_INCIDENTS_PATH, dtype=str, keep_default_na=False)
        now = datetime.now(UTC).replace(tzinfo=None)
        batch_id = "demo"
        conn.execute(
            batches_table.insert(),
            {
                "batch_id": batch_id,
                "file_name": settings.DEMO_INCIDENTS_PATH.name,
                "sha256": "",
                "accepted": len(frame),
                "updated": 0,
                "rejected": 0,
                "created_at": now,
                "user_name": "demo",
            },
        )
        records = frame.assign(
            occurred_at=pd.to_datetime(frame["occurred_at"], format="%Y-%m-%d %H:%M").astype(object),
            lon=frame["lon"].astype(float),
            lat=frame["lat"].astype(float),
            batch_id=batch_id,
            imported_at=now,
        ).to_dict("records")
        conn.execute(incidents_table.insert(), [{str(k): v for k, v in r.items()} for r in records])

    @staticmethod
    def _write_communes(conn: Connection, communes: gpd.GeoDataFrame) -> None:
        conn.execute(communes_table.delete())
        rows = [
            {
                "code": r.code,
                "name": r.name,
                "kind": r.kind,
                "population": int(r.population),
                "population_year": int(r.population_year),
                "approximate": bool(r.approximate),
                "note": str(r.note),
                "geom_wkt": shapely.to_wkt(r.geometry, rounding_precision=6),
            }
            for r in communes.itertuples(index=False)
        ]
        conn.execute(communes_table.insert(), rows)

    def _bump(self, conn: Connection) -> None:
        current = int(
            conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "revision")).scalar_one()
        )
        conn.execute(meta_table.update().where(meta_table.c.key == "revision").values(value=str(current + 1)))

    def _meta(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(meta_table.c.value).where(meta_table.c.key == key)
            ).scalar_one_or_none()

    # -- reading ---------------------------------------------------------------------------
    def version(self) -> str:
        """Return a token that changes on every write (the loaders' cache key)."""
        return f"{self.url}#{self._meta('revision')}"

    def is_demo(self) -> bool:
        """Return True while the store holds the generated demo incidents."""
        return self._meta("is_demo") == "1"

    def communes(self) -> gpd.GeoDataFrame:
        """Return the commune boundaries (EPSG:4326) with the standard columns."""
        with self.engine.connect() as conn:
            frame = pd.read_sql(sa.select(communes_table).order_by(communes_table.c.code), conn)
        geometry = shapely.from_wkt(frame.pop("geom_wkt").to_numpy())
        frame["approximate"] = frame["approximate"].astype(bool)
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=settings.CRS_WGS84)[COMMUNE_COLUMNS]

    def incidents(self) -> pd.DataFrame:
        """Return every incident, sorted by time, with the columns of `INCIDENT_COLUMNS`."""
        cols = [c for c in incidents_table.c if c.name != "imported_at"]
        with self.engine.connect() as conn:
            frame = pd.read_sql(sa.select(*cols).order_by(incidents_table.c.occurred_at), conn)
        frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
        groups = group_of()
        frame["offence_group"] = frame["offence_code"].map(groups).fillna("")
        for col in ("offence_code", "offence_group", "commune_code"):
            frame[col] = frame[col].astype(str)
        return frame[INCIDENT_COLUMNS].reset_index(drop=True)

    def plan(self) -> Plan:
        """Return the stored plan."""
        raw = self._meta("plan")
        if raw is None:
            from geo.demo import demo_plan

            return demo_plan()
        return Plan.from_dict(json.loads(raw))

    # -- writing ---------------------------------------------------------------------------
    def save_plan(self, plan: Plan) -> None:
        """Validate ``plan`` against the stored communes and save it (one transaction)."""
        plan.validate(set(self.communes()["code"]))
        value = json.dumps(plan.to_dict(), ensure_ascii=False)
        with self.engine.begin() as conn:
            updated = conn.execute(meta_table.update().where(meta_table.c.key == "plan").values(value=value))
            if updated.rowcount == 0:
                conn.execute(meta_table.insert().values(key="plan", value=value))
            self._bump(conn)

    def stats(self) -> dict[str, Any]:
        """Return counts for the status line: incidents, communes, first and last incident time."""
        with self.engine.connect() as conn:
            n, first, last = conn.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.min(incidents_table.c.occurred_at),
                    sa.func.max(incidents_table.c.occurred_at),
                )
            ).one()
            communes = conn.execute(sa.select(sa.func.count()).select_from(communes_table)).scalar_one()
        return {"incidents": int(n), "communes": int(communes), "first": first, "last": last}
