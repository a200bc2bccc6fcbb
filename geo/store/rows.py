"""The filtered incidents read from the database a page at a time, and the counts no aggregate table keeps.

With push-down (`geo.settings.pushdown`) a dashboard process never reads every incident: a list
(a unit's or a map cell's incidents, /data's) reads its total (`count`) and the page it shows
(`page`); an export reads its rows in slices (`slices`); the weekday × hour table and the clearance
counts are summed by the database over the window (``GROUP BY`` on the ``occurred_at`` index's
range), on SQLite and PostgreSQL alike.

The rows are the ones `geo.filters.apply_filter` keeps of `Store.incidents` — same columns, dtypes
and ``offence_group`` mapping — in the store's order (time, then id) or newest first
(`geo.drilldown.newest_first`); ``tests/geo/store/test_rows.py`` checks both on both stores.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyproj
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo import incidents as incident_schema
from geo.clearance import solved
from geo.store.counts import Window
from geo.store.schema import Tables
from geo.taxonomy import group_of

Order = Literal["oldest", "newest"]
"""``oldest``: by time then id (`Store.incidents`); ``newest``: newest first, ties by id (drill-down lists)."""

NO_UNIT = "\u2205"
"""A unit code no incident has (∅; PostgreSQL text cannot hold NUL): the units of a row no stored code counts in."""

SLICE_ROWS = 20_000
"""Rows per read of `slices` (an export holds one slice of incidents at a time besides what it wrote)."""


@dataclass(frozen=True)
class Cell:
    """One square cell of a grid in a metric CRS: ``x0 + col·size <= x < x0 + (col+1)·size``, the same for y.

    The same test as `geo.hotspots.grid.Grid.cell_index` (``floor((x - x0) / size) == col``), so a
    cell's incidents are the ones `geo.hotspots.cells.in_cell` finds. The database narrows them by a
    longitude/latitude box around the cell (`bbox`); the exact test runs on those few rows.
    """

    crs: str
    x0: float
    y0: float
    size: float
    col: int
    row: int

    @classmethod
    def of(cls, grid: Any, index: int) -> Cell:
        """Return the cell of flat index ``index`` (``row * nx + col``) of a hot-spot ``grid`` (`Grid`)."""
        row, col = divmod(int(index), int(grid.nx))
        return cls(str(grid.crs), float(grid.x0), float(grid.y0), float(grid.cell_m), col, row)

    def bbox(self) -> tuple[float, float, float, float]:
        """Return west, south, east, north (degrees) of a box holding the cell with a tenth of a side to spare."""
        margin = self.size / 10
        left, bottom = self.x0 + self.col * self.size - margin, self.y0 + self.row * self.size - margin
        side = self.size + 2 * margin
        steps = np.linspace(0.0, side, 5)
        xs = np.concatenate([left + steps, left + steps, np.full(5, left), np.full(5, left + side)])
        ys = np.concatenate([np.full(5, bottom), np.full(5, bottom + side), bottom + steps, bottom + steps])
        lon, lat = _transformer(self.crs, "EPSG:4326").transform(xs, ys)
        return float(np.min(lon)), float(np.min(lat)), float(np.max(lon)), float(np.max(lat))

    def holds(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Return which points (degrees) lie in the cell."""
        x, y = _transformer("EPSG:4326", self.crs).transform(
            np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        )
        col = np.floor((np.asarray(x) - self.x0) / self.size)
        row = np.floor((np.asarray(y) - self.y0) / self.size)
        return np.asarray((col == self.col) & (row == self.row))


@lru_cache(maxsize=8)
def _transformer(source: str, target: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


@dataclass(frozen=True)
class Selection:
    """The incidents of a `Window`, narrowed to some unit codes and/or the inside of a grid cell.

    ``units`` (empty: all) narrows the window's own units further (a unit row clicked in a table,
    several stored codes when the table counts them under a newer unit); ``cell`` keeps the located
    incidents in that cell only.
    """

    window: Window
    units: tuple[str, ...] = ()
    cell: Cell | None = None


def count(conn: Connection, tables: Tables, selection: Selection) -> int:
    """Return how many incidents ``selection`` holds."""
    if selection.cell is not None:
        return len(_in_cell(conn, tables, selection, details=False))
    query = sa.select(sa.func.count()).select_from(tables.incidents)
    return int(conn.execute(_where(query, tables.incidents, selection)).scalar_one())


def page(
    conn: Connection,
    tables: Tables,
    selection: Selection,
    *,
    offset: int = 0,
    limit: int = 50,
    order: Order = "newest",
    details: bool = False,
) -> pd.DataFrame:
    """Return rows ``offset`` … ``offset + limit - 1`` of ``selection`` in ``order``, as `Store.incidents` has them.

    The columns are `geo.incidents.FRAME` (with ``details``: `geo.incidents.DETAILS`); the database
    sorts and skips (``ORDER BY … LIMIT … OFFSET``), so a page of a million matched rows reads 50.
    """
    offset, limit = max(0, int(offset)), max(0, int(limit))
    if selection.cell is not None:
        found = _in_cell(conn, tables, selection, details=details)
        return _sorted(found, order).iloc[offset : offset + limit].reset_index(drop=True)
    t = tables.incidents
    query = sa.select(*_columns(t, details))
    query = _where(query, t, selection).order_by(*_order(conn, t, order)).limit(limit).offset(offset)
    return _frame(conn, query, details)


def slices(
    conn: Connection, tables: Tables, selection: Selection, *, details: bool = True, size: int | None = None
) -> Iterator[pd.DataFrame]:
    """Yield every row of ``selection`` by time then id, ``size`` rows (default `SLICE_ROWS`) at a time (exports).

    Each slice starts after the last row of the one before (time, id), so reading the ten thousandth
    slice costs what the first did.
    """
    if selection.cell is not None:
        yield _sorted(_in_cell(conn, tables, selection, details=details), "oldest")
        return
    size = size or SLICE_ROWS
    t = tables.incidents
    after: tuple[Any, str] | None = None
    while True:
        query = _where(sa.select(*_columns(t, details)), t, selection)
        if after is not None:
            when, ident = after
            key = _id(conn, t)
            query = query.where(sa.or_(t.c.occurred_at > when, sa.and_(t.c.occurred_at == when, key > ident)))
        query = query.order_by(*_order(conn, t, "oldest")).limit(size)
        raw = _raw(conn, query)
        if raw.empty:
            return
        last = _timestamps(raw["occurred_at"].iloc[-1:]).iloc[0]
        after = (last.to_pydatetime(), str(raw["incident_id"].iloc[-1]))
        yield typed(raw, details)
        if len(raw) < size:
            return


def weekday_hour(conn: Connection, tables: Tables, window: Window) -> pd.DataFrame:
    """Return the window's incidents timed to the minute per weekday (0 = Monday) × hour, summed in the database.

    The table of `geo.trends.weekday_hour`: 7 rows (``weekday``) × 24 columns (``hour``), zeros
    included. The database counts per hour of the calendar (at most 24 a day of the window; on
    SQLite the first 13 characters of the stored time, cheaper than its date functions); each hour's
    weekday is read here.
    """
    t = tables.incidents
    if conn.dialect.name == "sqlite":
        hour: Any = sa.func.substr(t.c.occurred_at, 1, 13)
    else:
        hour = sa.func.date_trunc("hour", t.c.occurred_at)
    hour = hour.label("hour")
    query = sa.select(hour, sa.func.count().label("n")).where(t.c.precision == "minute")
    found = conn.execute(_where(query, t, Selection(window)).group_by(hour)).all()
    table = np.zeros((7, 24), dtype=np.int64)
    if found:
        keys = pd.Series([k for k, _ in found], dtype=object)
        stamps = pd.DatetimeIndex(
            pd.to_datetime(keys, format="%Y-%m-%d %H")
            if isinstance(keys.iloc[0], str)
            else pd.to_datetime(keys)
        )
        n = np.asarray([int(v) for _, v in found], dtype=np.int64)
        np.add.at(table, (stamps.weekday.to_numpy(), stamps.hour.to_numpy()), n)
    return pd.DataFrame(
        table.astype(int), index=pd.RangeIndex(7, name="weekday"), columns=pd.RangeIndex(24, name="hour")
    )


def status_counts(conn: Connection, tables: Tables, window: Window) -> pd.DataFrame:
    """Return `geo.clearance.clearance_counts` of the window's incidents (``with_status, solved`` per unit code).

    The database counts each unit's incidents per status text; each distinct text is read as solved
    or not once (`geo.clearance.solved`), so a ledger's few dozen ways of writing a status cost a
    few dozen verdicts, not one per incident. Units of the window without an incident are absent.
    """
    t = tables.incidents
    query = sa.select(t.c.commune_code, t.c.status, sa.func.count().label("n"))
    query = _where(query, t, Selection(window)).group_by(t.c.commune_code, t.c.status)
    found = pd.DataFrame(conn.execute(query).all(), columns=["commune_code", "status", "n"])
    text = found["status"].fillna("").astype(str)
    n = found["n"].astype(np.int64)
    frame = pd.DataFrame(
        {
            "commune_code": found["commune_code"].astype(str),
            "with_status": n * (text.str.strip() != "").to_numpy(),
            "solved": n * solved(text),
        }
    )
    return frame.groupby("commune_code")[["with_status", "solved"]].sum().astype(int)


def has_seconds(conn: Connection, tables: Tables, selection: Selection) -> bool:
    """Return whether any incident of ``selection`` has a time with seconds (an export then writes them)."""
    t = tables.incidents
    if conn.dialect.name == "sqlite":
        second: Any = sa.func.strftime("%S", t.c.occurred_at) != "00"
    else:
        second = sa.func.floor(sa.extract("second", t.c.occurred_at)) != 0
    query = _where(sa.select(t.c.incident_id), t, selection).where(second).limit(1)
    return conn.execute(query).first() is not None


def coverage_frame(conn: Connection, tables: Tables) -> pd.DataFrame:
    """Return at most three incidents' ``occurred_at, precision`` that span what every incident covers.

    The first incident, the latest one and the latest month-only record of the latest one's month or
    after (a month-only record covers its whole month): `geo.incidents.covered_until` and the first
    time of this frame are those of every incident (what an export's description states), read on
    the ``occurred_at`` index without reading the incidents.
    """
    t = tables.incidents
    # Two statements: SQLite reads a min() or a max() alone off the index, both together by a scan.
    first = conn.execute(sa.select(sa.func.min(t.c.occurred_at))).scalar_one()
    last = conn.execute(sa.select(sa.func.max(t.c.occurred_at))).scalar_one()
    found: list[tuple[Any, str]] = []
    if first is not None:
        latest = _timestamps(pd.Series([last], dtype=object)).iloc[0]
        since = latest.replace(day=1, hour=0, minute=0, second=0, microsecond=0).to_pydatetime()
        month = conn.execute(
            sa.select(sa.func.max(t.c.occurred_at)).where(t.c.occurred_at >= since, t.c.precision == "month")
        ).scalar_one()
        found = [(first, "minute"), (last, "minute")] + ([(month, "month")] if month is not None else [])
    frame = pd.DataFrame(found, columns=["occurred_at", "precision"], dtype=object)
    frame["occurred_at"] = _timestamps(frame["occurred_at"])
    return frame


def _where(query: sa.Select, t: sa.Table, selection: Selection) -> sa.Select:
    window = selection.window
    lo = pd.Timestamp(window.start).to_pydatetime()
    hi = pd.Timestamp(window.end + timedelta(days=1)).to_pydatetime()
    query = query.where(t.c.occurred_at >= lo, t.c.occurred_at < hi)
    if window.offences:
        query = query.where(t.c.offence_code.in_(window.offences))
    if window.communes:
        query = query.where(t.c.commune_code.in_(window.communes))
    if selection.units:
        query = query.where(t.c.commune_code.in_(selection.units))
    if selection.cell is not None:
        west, south, east, north = selection.cell.bbox()
        query = query.where(t.c.lon >= west, t.c.lon <= east, t.c.lat >= south, t.c.lat <= north)
        if "geom" in t.c:  # PostGIS: the same box on the points' GiST index (a cell's few rows of millions)
            box = sa.func.ST_MakeEnvelope(west, south, east, north, 4326)
            query = query.where(t.c.geom.op("&&")(box))
    return query


def _id(conn: Connection, t: sa.Table) -> Any:
    """The incident id compared as Python compares text (PostgreSQL's default collation may not)."""
    return sa.collate(t.c.incident_id, "C") if conn.dialect.name == "postgresql" else t.c.incident_id


def _order(conn: Connection, t: sa.Table, order: Order) -> tuple[Any, Any]:
    when = t.c.occurred_at.desc() if order == "newest" else t.c.occurred_at.asc()
    return when, _id(conn, t).asc()


def _sorted(frame: pd.DataFrame, order: Order) -> pd.DataFrame:
    ordered = frame.sort_values(
        ["occurred_at", "incident_id"], ascending=[order == "oldest", True], kind="stable"
    )
    return ordered.reset_index(drop=True)


def _names(t: sa.Table, details: bool) -> list[str]:
    wanted = incident_schema.DETAILS if details else incident_schema.FRAME
    return [c for c in wanted if c in t.c]


def _columns(t: sa.Table, details: bool) -> list[sa.Column[Any]]:
    return [t.c[n] for n in _names(t, details)]


def _raw(conn: Connection, query: sa.Select) -> pd.DataFrame:
    """The rows as the driver gives them (SQLite's times as text), as `Store.incidents` reads them.

    The driver's plain tuples: SQLAlchemy's rows and their type processing cost most of a slice's read.
    """
    result = conn.execute(query)
    names = list(result.keys())
    found = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    table = np.array(found, dtype=object).reshape(len(found), len(names))
    return pd.DataFrame({n: table[:, i] for i, n in enumerate(names)}, dtype=object)


def _frame(conn: Connection, query: sa.Select, details: bool) -> pd.DataFrame:
    return typed(_raw(conn, query), details)


def typed(raw: pd.DataFrame, details: bool) -> pd.DataFrame:
    """Return the rows with `Store.incidents`' columns and dtypes (``offence_group`` from the taxonomy)."""
    frame = raw  # read for this call only: typed in place
    frame["occurred_at"] = _timestamps(frame["occurred_at"])
    if "imported_at" in frame:
        frame["imported_at"] = _timestamps(frame["imported_at"])
    frame["offence_group"] = frame["offence_code"].map(group_of()).fillna("")
    for col in incident_schema.TEXT:
        frame[col] = frame[col].astype(str)
    frame["lon"] = frame["lon"].astype(float)
    frame["lat"] = frame["lat"].astype(float)
    columns = list(incident_schema.DETAILS if details else incident_schema.FRAME)
    if "batch_id" in frame:
        frame["batch_id"] = frame["batch_id"].astype(object)
    return frame[columns].reset_index(drop=True)


def _timestamps(values: pd.Series) -> pd.Series:
    """Naive ``datetime64[ns]`` from the driver's datetimes or SQLite's text (as `Store.incidents` reads them)."""
    if len(values) and isinstance(values.iloc[0], str):
        return pd.to_datetime(values, format="ISO8601").astype("datetime64[ns]")
    return pd.to_datetime(values).astype("datetime64[ns]")


def _in_cell(conn: Connection, tables: Tables, selection: Selection, *, details: bool) -> pd.DataFrame:
    """Return the rows of ``selection`` inside its cell (the box's rows read, the cell's kept)."""
    assert selection.cell is not None
    t = tables.incidents
    query = _where(sa.select(*_columns(t, details)), t, selection)
    frame = _frame(conn, query.where(t.c.lon.is_not(None), t.c.lat.is_not(None)), details)
    inside = selection.cell.holds(frame["lon"].to_numpy(dtype=float), frame["lat"].to_numpy(dtype=float))
    return frame[inside].reset_index(drop=True)


def units_of(code: str, recode: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """Return the stored unit codes a table row of unit ``code`` counts (``recode``: pairs stored → shown).

    Examples
    --------
    >>> units_of("B", ()), units_of("N", (("A", "N"), ("B", "N"), ("C", "M")))
    (('B',), ('A', 'B'))
    """
    if not recode:
        return (str(code),)
    return tuple(sorted({str(old) for old, new in recode if str(new) == str(code)})) or (NO_UNIT,)
