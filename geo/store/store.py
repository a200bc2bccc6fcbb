"""The incident store behind one interface: SQLite by default, PostgreSQL + PostGIS by ``DATABASE_URL``."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo import settings
from geo._errors import DataError, StoreError
from geo.area import DEMO_AREA, Area
from geo.communes import COLUMNS as COMMUNE_COLUMNS
from geo.demo import demo_plan, read_incidents_csv
from geo.history import UnitHistory
from geo.io.layers import load_communes
from geo.plan import Plan
from geo.store import aggregates, audit, schema
from geo.store.counts import Window
from geo.store.engine import (
    COMMITS,
    close_all,
    close_url,
    driver_url,
    engine_for,
    fault,
    made_meanwhile,
    safe_url,
    sqlite_path,
    write_lock,
)
from geo.store.reads import INCIDENT_COLUMNS, Reads
from geo.store.schema import DEMO_BATCH, SCHEMA_VERSION, Tables, utc_now
from geo.store.taxonomy import save_taxonomy, taxonomy_in
from geo.taxonomy import Taxonomy, activate, base

if TYPE_CHECKING:
    from geo.io.boundary_import import BoundaryImport
    from geo.io.incident_import import Validation
    from geo.io.taxonomy_file import TaxonomyImport
    from geo.store.batches import ImportOutcome
    from geo.store.boundaries import BoundaryOutcome
    from geo.store.undo import UndoOutcome

__all__ = [
    "DEMO_BATCH",
    "INCIDENT_COLUMNS",
    "SCHEMA_VERSION",
    "Store",
    "Window",
    "close_all",
    "utc_now",
    "write_lock",
]


class Store(Reads):
    """An incident store at a SQLAlchemy URL.

    Use `Store.open`: it creates a missing store with the district's boundaries, the taxonomy and
    the plan (and, for the default store only, the demo incidents), and migrates an older one.
    """

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self.tables: Tables = schema.tables(postgis=engine.dialect.name == "postgresql")
        self._seen_version: tuple[tuple[int, ...], float, str] | None = None

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str | None = None, *, demo: bool | None = None, create: bool = True) -> Store:
        """Open (creating or migrating if needed) the store at ``url`` (default: `settings.database_url`).

        Parameters
        ----------
        url
            A SQLAlchemy URL such as ``sqlite:///data/antt.sqlite`` or
            ``postgresql+psycopg://user:password@host/db``.
        demo
            What a new store starts with. ``True``: the demo district, its plan and its incidents;
            ``False``: the demo district and plan without incidents (trials and tests); ``None``
            (default): the demo for the default store, and for any other URL **no area at all** —
            the set-up path (boundaries → population → plan → incidents) fills it.
        create
            ``False``: a store that does not exist yet is an error, not a new empty store (the command
            line's ``--db``: a mistyped path must not silently become a new store; ``geo init`` creates).

        Raises
        ------
        StoreError
            The URL is not valid; the server cannot be reached or refuses the login; the file is
            empty (a truncated store is never taken for a new one), damaged, not SQLite, or another
            program's database; or (``create=False``) there is no store at the URL. Every later
            read or write of the store raises it too when the store is read-only, full, locked or
            damaged (the engine's error hook, `fault`), after the transaction was rolled back.
        ConfigError
            PostGIS cannot be enabled, or the store was made by a newer version.
        """
        url = driver_url(url or settings.database_url())
        shown = safe_url(url)
        path = sqlite_path(url)
        existed = path is not None and path.is_file()
        if path is not None and existed and path.stat().st_size == 0 and not made_meanwhile(path):
            raise StoreError("empty", shown)
        if path is not None and not existed and not create:
            raise StoreError("missing", shown)
        if path is not None and create and not path.parent.is_dir():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError("cannot_open", shown, str(exc)) from exc
        try:
            store = cls(engine_for(url), url)
            if path is not None and not existed:
                needed = "create"  # straight to the write lock: another process waits for it
            else:
                with store.engine.connect() as conn:
                    needed = store._needed(conn, existed=existed)
            if needed == "create" and not create:
                raise StoreError("missing", shown)
            if needed:
                # Creating or migrating is one transaction holding the write lock (SQLite runs DDL
                # outside any transaction unless told otherwise): a fault half-way leaves the store
                # as it was, and a second process waits, then finds the work done.
                with store.engine.begin() as conn:  # the write lock first (`_locked_begin`)
                    needed = store._needed(conn, existed=existed)
                    if needed == "create":
                        is_default = url == f"sqlite:///{settings.DEFAULT_DB_PATH}"
                        with_demo = demo if demo is not None else is_default
                        store._create(conn, with_demo=with_demo, district=demo is not None or is_default)
                    elif needed == "migrate":
                        version = int(store._meta_in(conn, "schema_version") or "1")
                        applied = schema.migrate(conn, store.tables, from_version=version)
                        if 7 in applied:
                            aggregates.rebuild(conn, store.tables, store.communes_in(conn))
                        if applied:
                            store._bump(conn)
            activate(store.taxonomy())  # the area's own offence categories, for every lookup
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
            raise StoreError("url", shown, str(exc)) from exc
        except (sa.exc.DBAPIError, StoreError) as exc:
            if path is not None and not existed and path.is_file() and path.stat().st_size == 0:
                close_url(url)  # the file SQLite made for a store it could not create: not a store
                path.unlink()
            if isinstance(exc, StoreError):
                raise
            raise fault(exc.orig, shown) or StoreError("io", shown, str(exc)) from exc
        return store

    def _needed(self, conn: Connection, *, existed: bool) -> str:
        """Return what opening must do: "create", "migrate" or "" (nothing); refuse another program's database."""
        inspector = sa.inspect(conn)
        if not inspector.has_table("meta"):
            if existed and inspector.get_table_names():
                raise StoreError("foreign", safe_url(self.url))
            return "create"
        version = int(self._meta_in(conn, "schema_version") or "1")
        if version > SCHEMA_VERSION:
            schema.migrate(conn, self.tables, from_version=version)  # raises: made by a newer version
        return "migrate" if version < SCHEMA_VERSION else ""

    def close(self) -> None:
        """Close the connections to this store's database (every `Store` at the same URL shares them)."""
        close_url(self.url)

    def _create(self, conn: Connection, *, with_demo: bool, district: bool) -> None:
        t = self.tables
        schema.create(conn, t)
        meta = [
            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
            {"key": "revision", "value": "1"},
            {"key": "is_demo", "value": "1" if with_demo else "0"},
        ]
        if district:
            meta += [
                {"key": "plan", "value": json.dumps(demo_plan().to_dict(), ensure_ascii=False)},
                {"key": "area", "value": json.dumps(DEMO_AREA.to_dict(), ensure_ascii=False)},
                {"key": "unit_history", "value": settings.DISTRICT_HISTORY_PATH.read_text(encoding="utf-8")},
            ]
        conn.execute(t.meta.insert(), meta)
        conn.execute(
            t.offences.insert(),
            [
                {
                    "code": o.code,
                    "offence_group": o.group,
                    "name_vi": o.name_vi,
                    "name_en": o.name_en,
                    "article": o.article,
                }
                for o in base().offences
            ],
        )
        if district:
            self.write_communes(conn, load_communes(settings.DEMO_COMMUNES_PATH))
        if with_demo:
            self.insert_demo_incidents(conn)
        aggregates.rebuild(conn, t, self.communes_in(conn))

    def insert_demo_incidents(self, conn: Connection) -> int:
        """Insert the generated demo incidents as batch `DEMO_BATCH` (inside the caller's transaction)."""
        t = self.tables
        frame = read_incidents_csv()
        now = utc_now()
        demo_row = {
            "batch_id": DEMO_BATCH,
            "file_name": settings.DEMO_INCIDENTS_PATH.name,
            "sha256": "",
            "accepted": len(frame),
            "updated": 0,
            "rejected": 0,
            "created_at": now,
            "user_name": "demo",
            "kind": "demo",
            "undone_at": None,
        }
        done = conn.execute(
            t.batches.update().where(t.batches.c.batch_id == DEMO_BATCH).values(undone_at=None)
        )
        if done.rowcount == 0:
            conn.execute(t.batches.insert(), demo_row)
        records = frame.assign(
            occurred_at=frame["occurred_at"].astype(object),
            address="",
            batch_id=DEMO_BATCH,
            imported_at=now,
        )
        conn.execute(t.incidents.insert(), _records(records))
        return len(frame)

    def write_communes(self, conn: Connection, communes: gpd.GeoDataFrame) -> None:
        """Replace the commune rows (inside the caller's transaction)."""
        t = self.tables
        conn.execute(t.communes.delete())
        rows = [
            {
                "code": str(r.code),
                "name": str(r.name),
                "kind": str(r.kind),
                "population": int(r.population),
                "population_year": int(r.population_year),
                "approximate": bool(r.approximate),
                "note": str(r.note),
                "geom_wkt": shapely.to_wkt(r.geometry, rounding_precision=6),
            }
            for r in communes.itertuples(index=False)
        ]
        conn.execute(t.communes.insert(), rows)

    def _bump(self, conn: Connection) -> None:
        schema.bump_revision(conn, self.tables)

    def set_meta(self, conn: Connection, key: str, value: str) -> None:
        """Set a meta value and bump the revision (inside the caller's transaction)."""
        meta = self.tables.meta
        updated = conn.execute(meta.update().where(meta.c.key == key).values(value=value))
        if updated.rowcount == 0:
            conn.execute(meta.insert().values(key=key, value=value))
        self._bump(conn)

    def _meta_in(self, conn: Connection, key: str) -> str | None:
        return schema.meta_value(conn, self.tables, key)

    def _meta(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return self._meta_in(conn, key)

    # -- reading ---------------------------------------------------------------------------
    def version(self) -> str:
        """Return a token that changes on every write (the loaders' cache key).

        Read again after `VERSION_TTL_S`, as soon as this process commits a transaction to the store, or
        (SQLite) as soon as the store's files change.
        """
        commits = (COMMITS.get(self.url, 0), *self._file_stamp())
        now = time.monotonic()
        seen = self._seen_version
        if seen is not None and seen[0] == commits and now - seen[1] < VERSION_TTL_S:
            return seen[2]
        token = f"{self.url}#{self._meta('revision')}"
        self._seen_version = (commits, now, token)
        return token

    def _file_stamp(self) -> tuple[int, ...]:
        """Return when a SQLite store's files last changed (a write by another process changes them)."""
        path = sqlite_path(self.url)
        if path is None:
            return ()
        stamps = []
        for part in (path, path.with_name(path.name + "-wal")):
            try:
                stamps.append(part.stat().st_mtime_ns)
            except OSError:
                stamps.append(0)
        return tuple(stamps)

    def schema_version(self) -> int:
        """Return the schema version of the store."""
        return int(self._meta("schema_version") or "1")

    def is_demo(self) -> bool:
        """Return True while the store holds the generated demo incidents."""
        return self._meta("is_demo") == "1"

    def communes(self) -> gpd.GeoDataFrame:
        """Return the commune boundaries (EPSG:4326) with the standard columns."""
        with self.engine.connect() as conn:
            return self.communes_in(conn)

    def communes_in(self, conn: Connection) -> gpd.GeoDataFrame:
        """Return the commune boundaries as seen inside the caller's transaction."""
        t = self.tables.communes
        cols = [c for c in t.c if c.name != "geom"]
        frame = pd.read_sql(sa.select(*cols).order_by(t.c.code), conn)
        geometry = shapely.from_wkt(frame.pop("geom_wkt").to_numpy())
        frame["approximate"] = frame["approximate"].astype(bool)
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=settings.CRS_WGS84)[COMMUNE_COLUMNS]

    def batches(self) -> pd.DataFrame:
        """Return the import history, newest first (one row per batch, the demo batch included)."""
        t = self.tables.batches
        with self.engine.connect() as conn:
            frame = pd.read_sql(sa.select(t).order_by(t.c.created_at.desc(), t.c.batch_id.desc()), conn)
        frame["created_at"] = pd.to_datetime(frame["created_at"])
        frame["undone_at"] = pd.to_datetime(frame["undone_at"])
        return frame

    def plan(self) -> Plan:
        """Return the stored plan (`Plan.unset` while the store has none)."""
        raw = self._meta("plan")
        if raw is None:
            return Plan.unset()
        return Plan.from_dict(json.loads(raw))

    def area(self) -> Area:
        """Return the study area's settings (name, unit word, metric CRS)."""
        raw = self._meta("area")
        if raw is None:  # a store made before areas had settings
            return DEMO_AREA if self.is_demo() else Area()
        return Area.from_dict(json.loads(raw))

    def save_area(self, area: Area, *, user: str = "") -> None:
        """Validate and save the study area's settings (one transaction, audited)."""
        area.validate()
        with self.engine.begin() as conn:
            self.set_meta(conn, "area", json.dumps(area.to_dict(), ensure_ascii=False))
            audit.write(conn, self.tables, user=user, action="area", detail=area.to_dict())

    def stats(self) -> dict[str, Any]:
        """Return counts for the status line: incidents, communes, first and last incident time."""
        t = self.tables
        with self.engine.connect() as conn:
            n, first, last = conn.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.min(t.incidents.c.occurred_at),
                    sa.func.max(t.incidents.c.occurred_at),
                )
            ).one()
            communes = conn.execute(sa.select(sa.func.count()).select_from(t.communes)).scalar_one()
        return {"incidents": int(n), "communes": int(communes), "first": first, "last": last}

    # -- writing (each one transaction) ------------------------------------------------------
    def save_plan(self, plan: Plan, *, user: str = "") -> None:
        """Validate ``plan`` against the stored communes and save it (one transaction, audited)."""
        plan.validate(set(self.communes()["code"]))
        with self.engine.begin() as conn:
            self.set_meta(conn, "plan", json.dumps(plan.to_dict(), ensure_ascii=False))
            audit.write(conn, self.tables, user=user, action="plan", detail=plan.to_dict())

    def import_incidents(
        self,
        validation: Validation,
        *,
        user: str = "",
        complete_to: date | None = None,
        offence_map: Mapping[str, str] | None = None,
    ) -> ImportOutcome:
        """Write the accepted rows of a checked file as one batch (see `geo.store.batches.import_incidents`)."""
        from geo.store.batches import import_incidents

        return import_incidents(self, validation, user=user, complete_to=complete_to, offence_map=offence_map)

    def unit_history(self) -> UnitHistory:
        """Return the area's unit history (empty: the stored units' own codes and names only).

        The demo district ships its own (the 2019 mergers and the 2025 communes); another area
        imports its history with ``python -m geo import history FILE``. A district store made before
        histories were kept gets the district's.
        """
        raw = self._meta("unit_history")
        if raw is None and self.area() == DEMO_AREA:
            raw = settings.DISTRICT_HISTORY_PATH.read_text(encoding="utf-8")
        if not raw:
            return UnitHistory()
        try:
            return UnitHistory.from_csv(raw.encode("utf-8"))
        except DataError:
            return UnitHistory()

    def save_unit_history(self, history: UnitHistory, *, user: str = "") -> None:
        """Replace the area's unit history (one transaction, audited)."""
        text = history.to_frame().to_csv(index=False)
        with self.engine.begin() as conn:
            self.set_meta(conn, "unit_history", text)
            audit.write(
                conn, self.tables, user=user, action="area", detail={"unit_history": len(history.changes)}
            )

    def taxonomy(self) -> Taxonomy:
        """Return the store's offence taxonomy: the base categories and the area's own."""
        with self.engine.connect() as conn:
            return taxonomy_in(conn, self.tables)

    def save_taxonomy(self, found: TaxonomyImport, *, user: str = "") -> int:
        """Add an area's own categories (see `geo.store.taxonomy.save_taxonomy`); return how many."""
        return save_taxonomy(self, found, user=user)

    def offence_map(self) -> dict[str, str]:
        """Return the offence names mapped to taxonomy codes on earlier imports (name as written → code).

        Imports reuse them, so next month's ledger with the same 352 names needs no mapping again;
        a mapping given on an import (``--offence-map`` or confirmed on /data) is saved with it.
        Entries whose code is no longer in the taxonomy are left out.
        """
        saved = schema.json_object(self._meta("offence_map"))
        codes = {offence.code for offence in self.taxonomy().offences}
        return {str(name): str(code) for name, code in saved.items() if str(code) in codes}

    def forget_offence_map(self, names: Sequence[str], *, user: str = "") -> int:
        """Drop saved offence mappings by name (audited); return how many were dropped."""
        drop = set(names)
        with self.engine.begin() as conn:
            saved = schema.json_object(self._meta_in(conn, "offence_map"))
            kept = {name: code for name, code in saved.items() if name not in drop}
            dropped = len(saved) - len(kept)
            if dropped:
                self.set_meta(conn, "offence_map", json.dumps(kept, ensure_ascii=False, sort_keys=True))
                audit.write(
                    conn,
                    self.tables,
                    user=user,
                    action="offence_map",
                    detail={"forgotten": sorted(name for name in saved if name in drop)},
                )
        return dropped

    def declared_end(self) -> date | None:
        """Return the last day the ledger was declared complete on import (``--complete-to``), or None.

        The declaration holds while the import it came with is the latest incident batch in force:
        a later import without one, or undoing that import, returns None (the coverage is then what
        the incidents themselves show, `geo.incidents.covered_until`).
        """
        raw = self._meta("complete_to")
        if not raw:
            return None
        try:
            declared = json.loads(raw)
            day, batch = date.fromisoformat(str(declared["day"])), str(declared["batch"])
        except (ValueError, KeyError, TypeError):
            return None
        from geo.store.batch_log import latest_batch

        with self.engine.connect() as conn:
            latest = latest_batch(self, conn)
        return day if latest == batch else None

    def replace_communes(self, boundaries: BoundaryImport, *, user: str = "") -> BoundaryOutcome:
        """Replace the boundaries, re-assign incidents, as one batch (see `geo.store.boundaries.replace_communes`)."""
        from geo.store.boundaries import replace_communes

        return replace_communes(self, boundaries, user=user)

    def undo(self, batch_id: str, *, user: str = "") -> UndoOutcome:
        """Undo one batch (see `geo.store.undo.undo`)."""
        from geo.store.undo import undo

        return undo(self, batch_id, user=user)


VERSION_TTL_S = 0.5
"""How long `Store.version` trusts the revision it read, while this process commits nothing.

A page's run asks for it dozens of times (every cached loader's key); a write by this process, or to
a SQLite file by any process, is seen at once; one by another process to PostgreSQL (the command
line, another dashboard instance) within this time."""


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]
