"""The incident store behind one interface: SQLite by default, PostgreSQL + PostGIS by ``DATABASE_URL``."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo import incidents as incident_schema
from geo import settings
from geo._errors import DataError, StoreError
from geo.area import DEMO_AREA, Area
from geo.communes import COLUMNS as COMMUNE_COLUMNS
from geo.demo import demo_plan, read_incidents_csv
from geo.history import UnitHistory
from geo.io.layers import load_communes
from geo.plan import Plan
from geo.store import aggregates, audit, counts, rows, schema, span
from geo.store.counts import Window
from geo.store.schema import DEMO_BATCH, SCHEMA_VERSION, Tables, utc_now
from geo.store.span import Span
from geo.store.taxonomy import save_taxonomy, taxonomy_in
from geo.taxonomy import Taxonomy, activate, base, group_of

if TYPE_CHECKING:
    from geo.io.boundary_import import BoundaryImport
    from geo.io.incident_import import Validation
    from geo.io.taxonomy_file import TaxonomyImport
    from geo.store.batches import BoundaryOutcome, ImportOutcome, UndoOutcome

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

INCIDENT_COLUMNS = list(incident_schema.FRAME)
"""Columns of the incidents frame returned by `Store.incidents`."""

DETAIL_COLUMNS = list(incident_schema.DETAILS)
"""Columns of `Store.incidents` with ``details=True`` (exports)."""


class Store:
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
        url = _driver(url or settings.database_url())
        shown = _safe_url(url)
        path = _sqlite_path(url)
        existed = path is not None and path.is_file()
        if path is not None and existed and path.stat().st_size == 0 and not _made_meanwhile(path):
            raise StoreError("empty", shown)
        if path is not None and not existed and not create:
            raise StoreError("missing", shown)
        if path is not None and create and not path.parent.is_dir():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError("cannot_open", shown, str(exc)) from exc
        try:
            store = cls(_engine(url), url)
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
                raise StoreError("foreign", _safe_url(self.url))
            return "create"
        version = int(self._meta_in(conn, "schema_version") or "1")
        if version > SCHEMA_VERSION:
            schema.migrate(conn, self.tables, from_version=version)  # raises: made by a newer version
        return "migrate" if version < SCHEMA_VERSION else ""

    def close(self) -> None:
        """Close the connections to this store's database (every `Store` at the same URL shares them)."""
        with _ENGINES_LOCK:
            engine = _ENGINES.pop(self.url, None)
        if engine is not None:
            engine.dispose()

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
        commits = (_COMMITS.get(self.url, 0), *self._file_stamp())
        now = time.monotonic()
        seen = self._seen_version
        if seen is not None and seen[0] == commits and now - seen[1] < VERSION_TTL_S:
            return seen[2]
        token = f"{self.url}#{self._meta('revision')}"
        self._seen_version = (commits, now, token)
        return token

    def _file_stamp(self) -> tuple[int, ...]:
        """Return when a SQLite store's files last changed (a write by another process changes them)."""
        path = _sqlite_path(self.url)
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

    def incidents(self, *, details: bool = False) -> pd.DataFrame:
        """Return every incident, sorted by time then id, with `INCIDENT_COLUMNS` (or `DETAIL_COLUMNS`)."""
        t = self.tables.incidents
        columns = DETAIL_COLUMNS if details else INCIDENT_COLUMNS
        names = [c for c in columns if c in t.c]  # only what is returned (not the address, unless asked)
        with self.engine.connect() as conn:
            result = conn.execute(sa.select(*(t.c[n] for n in names)))
            # The driver's plain tuples: building a million SQLAlchemy rows, then a frame from them, cost
            # most of a cold start at a province's scale.
            rows = result.cursor.fetchall() if result.cursor is not None else []
            result.close()
        table = np.array(rows, dtype=object).reshape(len(rows), len(names))
        frame = pd.DataFrame({n: table[:, i] for i, n in enumerate(names)})
        del table
        frame["occurred_at"] = _timestamps(frame["occurred_at"])
        if "imported_at" in frame:
            frame["imported_at"] = _timestamps(frame["imported_at"])
        frame["offence_group"] = frame["offence_code"].map(group_of()).fillna("")
        for col in incident_schema.TEXT:
            frame[col] = frame[col].astype(str)
        frame["lon"] = frame["lon"].astype(float)
        frame["lat"] = frame["lat"].astype(float)
        # Sorted by time then id here rather than by the database (half the time at a million rows).
        ordered = frame.sort_values(["occurred_at", "incident_id"], kind="stable", ignore_index=True)
        return ordered[columns]

    def addresses(self, ids: Sequence[str]) -> pd.Series:
        """Return the address of each of the incidents ``ids`` (a Series indexed by id; unknown ids absent).

        For the few incidents a page shows one by one, without reading every incident's details.
        """
        t = self.tables.incidents
        wanted = list(dict.fromkeys(str(i) for i in ids))
        parts: list[tuple[str, str]] = []
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), _ID_CHUNK):
                chunk = wanted[start : start + _ID_CHUNK]
                rows = conn.execute(sa.select(t.c.incident_id, t.c.address).where(t.c.incident_id.in_(chunk)))
                parts.extend((str(i), str(a)) for i, a in rows)
        found = dict(parts)
        return pd.Series(
            [found[i] for i in wanted if i in found],
            index=pd.Index([i for i in wanted if i in found], name="incident_id", dtype=object),
            name="address",
            dtype=object,
        )

    def unit_counts(self, window: Window, *, by: Sequence[str] = aggregates.UNIT_KEYS) -> pd.DataFrame:
        """Return the incidents of ``window`` per unit × month × offence (or ``by`` some of them), from the aggregates."""
        with self.engine.connect() as conn:
            return counts.unit_counts(conn, self.tables, window, by=by)

    def pixel_counts(self, window: Window, *, by_month: bool = False, block: int = 1) -> pd.DataFrame:
        """Return the located incidents of ``window`` per pixel or ``block`` × ``block`` pixels (and month), from the aggregates."""
        with self.engine.connect() as conn:
            return counts.pixel_counts(conn, self.tables, window, by_month=by_month, block=block)

    def located_counts(self, window: Window) -> pd.DataFrame:
        """Return the located incidents of ``window`` per unit (``commune_code``, ``n``), from the aggregates."""
        with self.engine.connect() as conn:
            return counts.located_counts(conn, self.tables, window)

    def span(self) -> Span:
        """Return the stored incidents' first and last time, the last day they cover and how many there are."""
        with self.engine.connect() as conn:
            return span.span(conn, self.tables)

    def window_span(self, window: Window) -> tuple[datetime, datetime] | None:
        """Return the time of the first and of the last incident ``window`` matches (None when none does)."""
        with self.engine.connect() as conn:
            return span.window_span(conn, self.tables, window)

    def status_counts(self, window: Window) -> pd.DataFrame:
        """Return ``with_status, solved`` per unit code of the window's incidents, counted in the database."""
        with self.engine.connect() as conn:
            return rows.status_counts(conn, self.tables, window)

    def page(
        self, selection: rows.Selection, *, offset: int = 0, limit: int = 50, order: rows.Order = "newest"
    ) -> pd.DataFrame:
        """Return one page of the incidents of ``selection`` (`geo.store.rows.page`), as `incidents` has them."""
        with self.engine.connect() as conn:
            return rows.page(conn, self.tables, selection, offset=offset, limit=limit, order=order)

    def unit_codes(self) -> list[str]:
        """Return the unit codes the stored incidents carry ("" for those outside every unit), sorted."""
        with self.engine.connect() as conn:
            return span.unit_codes(conn, self.tables)

    def aggregate_grid(self) -> aggregates.Grid | None:
        """Return the CRS and size of the aggregates' pixels (None before they are built)."""
        with self.engine.connect() as conn:
            return aggregates.stored_grid(conn, self.tables)

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
        from geo.store.batches import latest_batch

        with self.engine.connect() as conn:
            latest = latest_batch(self, conn)
        return day if latest == batch else None

    def replace_communes(self, boundaries: BoundaryImport, *, user: str = "") -> BoundaryOutcome:
        """Replace the boundaries, re-assign incidents, as one batch (see `geo.store.batches.replace_communes`)."""
        from geo.store.batches import replace_communes

        return replace_communes(self, boundaries, user=user)

    def undo(self, batch_id: str, *, user: str = "") -> UndoOutcome:
        """Undo one batch (see `geo.store.batches.undo`)."""
        from geo.store.batches import undo

        return undo(self, batch_id, user=user)


def _timestamps(values: pd.Series) -> pd.Series:
    """Return naive timestamps (``datetime64[ns]``) from what the driver gave: datetimes or SQLite's text."""
    if len(values) and isinstance(values.iloc[0], str):
        return pd.to_datetime(values, format="ISO8601").astype("datetime64[ns]")
    return pd.to_datetime(values).astype("datetime64[ns]")


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _engine(url: str) -> Engine:
    """Return the process-wide engine (connection pool) of ``url``."""
    with _ENGINES_LOCK:
        if url not in _ENGINES:
            engine = sa.create_engine(url, future=True, connect_args=_connect_args(url))
            sa.event.listen(engine, "handle_error", partial(_reraise, _safe_url(url)))
            sa.event.listen(engine, "commit", partial(_count_commit, url))
            engine.begin = partial(_locked_begin, engine.begin)  # type: ignore[method-assign]
            _ENGINES[url] = engine
        return _ENGINES[url]


_ID_CHUNK = 900
"""Ids per ``IN (…)`` list (SQLite allows 999 variables in a statement)."""

_COMMITS: dict[str, int] = {}
"""Transactions committed by this process, per URL (`Store.version` reads the store again after one)."""


def _count_commit(url: str, conn: Connection) -> None:
    _COMMITS[url] = _COMMITS.get(url, 0) + 1


VERSION_TTL_S = 0.5
"""How long `Store.version` trusts the revision it read, while this process commits nothing.

A page's run asks for it dozens of times (every cached loader's key); a write by this process, or to
a SQLite file by any process, is seen at once; one by another process to PostgreSQL (the command
line, another dashboard instance) within this time."""


CONNECT_TIMEOUT_S = 10
"""How long to wait for a PostgreSQL server before saying it cannot be reached (a firewall that drops
packets would otherwise hold the page for the system's TCP timeout, minutes); ``?connect_timeout=``
in the URL overrides it."""


def _connect_args(url: str) -> dict[str, Any]:
    if url.startswith("postgresql") and "connect_timeout" not in url:
        return {"connect_timeout": CONNECT_TIMEOUT_S}
    return {}


def _reraise(shown: str, context: sa.engine.ExceptionContext) -> None:
    """The engine's error hook: a store fault becomes our `StoreError` (the transaction rolls back)."""
    error = fault(context.original_exception, shown)
    if error is not None:
        raise error from context.original_exception


# SQLite's primary result codes (https://www.sqlite.org/rescode.html) → our kinds of fault.
_SQLITE_FAULTS = {
    3: "readonly",  # SQLITE_PERM
    5: "locked",  # SQLITE_BUSY
    6: "locked",  # SQLITE_LOCKED
    8: "readonly",  # SQLITE_READONLY
    10: "io",  # SQLITE_IOERR
    11: "corrupt",  # SQLITE_CORRUPT
    13: "full",  # SQLITE_FULL
    14: "cannot_open",  # SQLITE_CANTOPEN
    26: "corrupt",  # SQLITE_NOTADB
}

# PostgreSQL's SQLSTATE codes (classes or whole codes) → our kinds of fault.
_POSTGRES_FAULTS = {
    "08": "unreachable",  # connection exception
    "28": "credentials",  # invalid authorization
    "3D000": "no_database",
    "25006": "readonly",  # read_only_sql_transaction
    "42501": "readonly",  # insufficient_privilege
    "53": "full",  # insufficient resources (disk full, out of memory, too many connections)
    "55P03": "locked",  # lock_not_available
    "57P01": "unreachable",  # admin_shutdown
    "57P02": "unreachable",  # crash_shutdown
    "57P03": "unreachable",  # cannot_connect_now
    "58": "io",  # system error (I/O)
    "XX001": "corrupt",  # data_corrupted
    "XX002": "corrupt",  # index_corrupted
}


def fault(error: BaseException | None, shown: str) -> StoreError | None:
    """Return the `StoreError` a database driver's ``error`` means, or None (a bug, not the store's fault).

    SQLite errors are read by their result code; PostgreSQL errors by their SQLSTATE, or — for a
    connection that never reached the server, which has none — by psycopg's own words.
    """
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        kind = _SQLITE_FAULTS.get(code & 0xFF) if isinstance(code, int) else None
        return StoreError(kind, shown, str(error)) if kind else None
    sqlstate = getattr(error, "sqlstate", None)
    if error is None or type(error).__module__.split(".")[0] != "psycopg":
        return None
    if isinstance(sqlstate, str):
        kind = _POSTGRES_FAULTS.get(sqlstate) or _POSTGRES_FAULTS.get(sqlstate[:2])
        return StoreError(kind, shown, str(error)) if kind else None
    if _is_operational(error):  # no SQLSTATE: the connection itself failed (refused, timed out…)
        text = str(error).lower()
        if "password" in text or "authentication" in text:
            return StoreError("credentials", shown, str(error))
        if "does not exist" in text and "database" in text:
            return StoreError("no_database", shown, str(error))
        return StoreError("unreachable", shown, str(error))
    return None


def close_url(url: str) -> None:
    """Close the connections of the store at ``url`` (before removing its file)."""
    with _ENGINES_LOCK:
        engine = _ENGINES.pop(url, None)
    if engine is not None:
        engine.dispose()


def _made_meanwhile(path: Path) -> bool:
    """Return whether an empty SQLite file was only being created by another process (now done).

    SQLite makes the file before the creating process writes into it under the write lock: wait for
    that lock, then look again. A file still empty (or one we cannot lock) is an empty file.
    """
    try:
        with closing(sqlite3.connect(path, timeout=120)) as probe:
            probe.execute("BEGIN IMMEDIATE")
            probe.rollback()
    except sqlite3.Error:
        return False
    return path.stat().st_size > 0


@contextmanager
def _locked_begin(begin: Callable[[], AbstractContextManager[Connection]]) -> Iterator[Connection]:
    """``engine.begin()`` of every store: a write transaction that holds the write lock from its start."""
    with begin() as conn:
        write_lock(conn)
        yield conn


def write_lock(conn: Connection) -> None:
    """Take the store's write lock at the start of ``conn``'s transaction (SQLite: DDL inside it too).

    Every ``store.engine.begin()`` calls it first (a write reads before it writes, and pysqlite begins
    SQLite's transaction only at the first INSERT, UPDATE or DELETE, so those reads were not isolated
    from a second writer: two imports of one file at once ended in a UNIQUE constraint error); with
    the lock the second writer waits for the first to commit, then reads what it wrote.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7351)"))


def close_all() -> None:
    """Close every store connection of this process (tests; before deleting a database)."""
    with _ENGINES_LOCK:
        engines = list(_ENGINES.values())
        _ENGINES.clear()
    for engine in engines:
        engine.dispose()


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _driver(url: str) -> str:
    """Return ``url`` with PostgreSQL's driver spelled out (psycopg 3 is the one installed)."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url.removeprefix(scheme)
    return url


def _is_operational(error: BaseException) -> bool:
    import psycopg

    return isinstance(error, psycopg.OperationalError)


def _sqlite_path(url: str) -> Path | None:
    """Return the file of a SQLite URL (``sqlite:///path``, ``sqlite:///file:path?mode=ro&uri=true``), or None."""
    if not url.startswith("sqlite:///"):
        return None
    database = sa.engine.make_url(url).database or ""
    if not database or database == ":memory:":
        return None
    return Path(database.removeprefix("file:"))


def _safe_url(url: str) -> str:
    """Return ``url`` with any password hidden (for messages)."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url
