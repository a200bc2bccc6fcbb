"""Prepared aggregates the store keeps beside the incidents, written in the same transaction as them.

Two tables (schema version 7, issue 14):

- ``unit_counts``: incidents per unit × calendar month × offence (``commune_code``, ``month`` as
  ``YYYY-MM``, ``offence_code``, ``n``). Every incident counts, placed by coordinates or by its
  commune only; a record kept at the level of a newer unit counts under its group key.
- ``pixel_counts``: the same per pixel of the hot-spot grid as well (``gx``, ``gy``: the pixel's
  column and row, ``floor(x / pixel_m)``, in the area's metric CRS; `Grid` meta below). The pixel is
  the kernel density's (`settings.GRID_CELL_M` / `settings.KDE_SUBCELLS`, 62.5 m): a grid cell of
  the analyses is a block of whole pixels (grids are snapped to multiples of their cell), so both
  the cell counts of Gi* and the binned points of the density are exact sums of pixels. Incidents
  without coordinates are not in it.

They are kept right at every write: an import adds the counts of the rows it writes and takes away
those of the rows it replaces (`apply_delta`); undoing an import does the reverse; a change of
boundaries (which re-assigns every incident, and may change the metric CRS) and the demo data
rebuild them from the incidents (`rebuild`, read in slices so memory stays bounded). A filter over
whole months then sums a table of at most units × months × offences rows instead of scanning every
incident (`geo.store.counts`). ``tests/geo/store/test_aggregates.py`` checks on SQLite and PostGIS
that they equal a direct count of the incidents after import, update, undo and boundary
replacement.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo import settings
from geo._errors import BoundaryError
from geo.communes import metric_crs
from geo.store.schema import Tables, is_postgres
from geo.store.writes import bulk_write, drop_indexes

PIXEL_M = settings.GRID_CELL_M / settings.KDE_SUBCELLS
"""Side of an aggregate pixel in metres (the kernel density's pixel)."""

META_KEY = "aggregate_grid"
"""Meta key of the pixels' CRS and size (`Grid`, as JSON)."""

UNIT_KEYS = ("commune_code", "month", "offence_code")
PIXEL_KEYS = ("commune_code", "month", "offence_code", "gx", "gy")

_READ_SLICE = 500_000
_WRITE_SLICE = 50_000


@dataclass(frozen=True)
class Grid:
    """Where the pixels of ``pixel_counts`` are: a metric CRS and a pixel side in metres."""

    crs: str
    pixel_m: float = PIXEL_M

    def to_json(self) -> str:
        """Return the grid as the JSON object stored in meta."""
        return json.dumps({"crs": self.crs, "pixel_m": self.pixel_m})

    @classmethod
    def from_json(cls, raw: str | None) -> Grid | None:
        """Return the grid stored in meta, or None (no aggregates built yet)."""
        if not raw:
            return None
        try:
            value = json.loads(raw)
            return cls(str(value["crs"]), float(value["pixel_m"]))
        except (ValueError, KeyError, TypeError):
            return None

    def pixels(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the pixel column and row of each WGS 84 point (int64; points without coordinates: -1, -1)."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        x, y = _transformer(self.crs).transform(lon, lat)
        ok = np.isfinite(x) & np.isfinite(y)
        gx = np.where(ok, np.floor(np.where(ok, x, 0.0) / self.pixel_m), -1).astype(np.int64)
        gy = np.where(ok, np.floor(np.where(ok, y, 0.0) / self.pixel_m), -1).astype(np.int64)
        return gx, gy


def _transformer(crs: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(settings.CRS_WGS84, crs, always_xy=True)


def grid_for(communes: gpd.GeoDataFrame) -> Grid:
    """Return the pixels' grid for an area's units: its metric CRS (`geo.communes.metric_crs`)."""
    if communes.empty or communes.crs is None:
        return Grid(settings.CRS_METRIC)
    try:
        return Grid(metric_crs(communes).to_string())
    except BoundaryError:
        return Grid(settings.CRS_METRIC)


def stored_grid(conn: Connection, tables: Tables) -> Grid | None:
    """Return the grid the stored ``pixel_counts`` use (None before they are first built)."""
    meta = tables.meta
    raw = conn.execute(sa.select(meta.c.value).where(meta.c.key == META_KEY)).scalar_one_or_none()
    return Grid.from_json(raw)


# -- counting (pure) --------------------------------------------------------------------------------
def unit_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the incidents of ``frame`` counted per unit × month × offence (columns `UNIT_KEYS` + ``n``).

    Sorted on the keys. Examples
    --------
    >>> frame = pd.DataFrame({"commune_code": ["a", "a", "b"], "offence_code": ["x", "x", "x"],
    ...     "occurred_at": pd.to_datetime(["2024-01-02", "2024-01-30", "2024-01-05"])})
    >>> unit_counts(frame).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'commune_code': 'a', 'month': '2024-01', 'offence_code': 'x', 'n': 2},
     {'commune_code': 'b', 'month': '2024-01', 'offence_code': 'x', 'n': 1}]
    """
    return _count(
        {
            "commune_code": _texts(frame["commune_code"]),
            "month": _month_numbers(frame["occurred_at"]),
            "offence_code": _texts(frame["offence_code"]),
        }
    )


def pixel_counts(frame: pd.DataFrame, grid: Grid) -> pd.DataFrame:
    """Return the located incidents of ``frame`` counted per unit × month × offence × pixel (`PIXEL_KEYS` + ``n``).

    Only the five columns counted are read, as arrays (no copy of the frame's other columns: at a
    million rows an import's frame is several hundred megabytes).
    """
    lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float)
    located = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    gx, gy = grid.pixels(lon[located], lat[located])
    kept = gx >= 0
    rows = located[kept]
    return _count(
        {
            "commune_code": _texts(frame["commune_code"])[rows],
            "month": _month_numbers(frame["occurred_at"])[rows],
            "offence_code": _texts(frame["offence_code"])[rows],
            "gx": gx[kept],
            "gy": gy[kept],
        }
    )


def _texts(values: pd.Series) -> np.ndarray:
    """The values as text (an object array); a column that holds only text already is not converted again."""
    array = values.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(array, skipna=False) == "string":
        return array
    return values.astype(str).to_numpy(dtype=object)


def _month_numbers(times: pd.Series) -> np.ndarray:
    """Months since 1970-01 of each time (int64): cheaper to group on than their text."""
    values = pd.to_datetime(times).to_numpy(dtype="datetime64[ns]")
    return values.astype("datetime64[M]").astype(np.int64)


def _count(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """Count the distinct combinations of ``columns`` (sorted on them; ``month`` given as month numbers).

    Each column is factorised (sorted), the codes combined into one integer per row and counted with
    ``np.unique``: several times faster than a ``groupby`` on text keys at a million rows.
    """
    keys = list(columns)
    n = len(next(iter(columns.values()))) if columns else 0
    if n == 0:
        out = {k: pd.Series(dtype=np.int64 if k in ("gx", "gy") else object) for k in keys}
        return pd.DataFrame({**out, "n": pd.Series(dtype="int64")})
    codes, uniques = [], []
    for key in keys:
        code, unique = pd.factorize(columns[key], sort=True)
        codes.append(code)
        uniques.append(np.asarray(unique))
    dims = tuple(max(1, len(u)) for u in uniques)
    if float(np.prod(dims, dtype=float)) >= 2.0**62:  # too many combinations for one integer key
        frame = pd.DataFrame(dict(zip(keys, codes, strict=True)))
        grouped = frame.groupby(keys, sort=True).size()
        found_codes = [grouped.index.get_level_values(k).to_numpy() for k in keys]
        flat = None
    else:
        flat = np.ravel_multi_index(codes, dims)
    counted: np.ndarray
    if flat is not None:
        found, counted = np.unique(flat, return_counts=True)
        index: tuple[np.ndarray, ...] = np.unravel_index(found, dims)
    else:
        index, counted = tuple(found_codes), grouped.to_numpy()
    out = {}
    for key, found_values, at in zip(keys, uniques, index, strict=True):
        shown = found_values
        if key == "month":  # the text of each distinct month once, shared by its rows
            shown = np.datetime_as_string(found_values.astype("datetime64[M]"), unit="M").astype(object)
        out[key] = shown[at]
    return pd.DataFrame({**out, "n": counted.astype(np.int64)})


def difference(added: pd.DataFrame, removed: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Return the counts of ``added`` minus those of ``removed``, keyed on ``keys``, without zero rows.

    Examples
    --------
    >>> a = pd.DataFrame({"k": ["x", "y"], "n": [2, 1]})
    >>> r = pd.DataFrame({"k": ["x", "z"], "n": [2, 4]})
    >>> difference(a, r, ["k"]).to_dict("records")
    [{'k': 'y', 'n': 1}, {'k': 'z', 'n': -4}]
    """
    if removed.empty:
        kept = added["n"].to_numpy() != 0
        return added if kept.all() else added[kept].reset_index(drop=True)
    both = pd.concat([added, removed.assign(n=-removed["n"])], ignore_index=True)
    if both.empty:
        return both
    summed = both.groupby(list(keys), sort=True, observed=True)["n"].sum().reset_index()
    return summed[summed["n"] != 0].reset_index(drop=True)


# -- keeping the tables -----------------------------------------------------------------------------
def apply_delta(
    conn: Connection,
    tables: Tables,
    *,
    added: pd.DataFrame | None = None,
    removed: pd.DataFrame | None = None,
) -> None:
    """Add the counts of the incident rows ``added`` and take away those of ``removed`` (caller's transaction).

    The rows need ``commune_code``, ``occurred_at``, ``offence_code``, ``lon`` and ``lat``. A store
    whose aggregates were never built (made before schema version 7 and not yet migrated) is left alone.
    """
    grid = stored_grid(conn, tables)
    if grid is None:
        return
    empty = pd.DataFrame(columns=["commune_code", "occurred_at", "offence_code", "lon", "lat"])
    plus = added if added is not None else empty
    minus = removed if removed is not None else empty
    units = difference(unit_counts(plus), unit_counts(minus), UNIT_KEYS)
    _add(conn, tables.unit_counts, units, UNIT_KEYS, reindex=True)
    del units
    pixels = difference(pixel_counts(plus, grid), pixel_counts(minus, grid), PIXEL_KEYS)
    _add(conn, tables.pixel_counts, pixels, PIXEL_KEYS, reindex=True)


def rebuild(conn: Connection, tables: Tables, communes: gpd.GeoDataFrame) -> Grid:
    """Count every stored incident again into both tables, on the pixels of ``communes``' metric CRS.

    The incidents are read in slices of `_READ_SLICE` rows; each slice's counts are added to the
    tables as it is read, so memory holds one slice and its counts, never a province's ten million
    incidents or all their counts at once.
    """
    grid = grid_for(communes)
    conn.execute(tables.unit_counts.delete())
    conn.execute(tables.pixel_counts.delete())
    t = tables.incidents
    query = sa.select(t.c.commune_code, t.c.occurred_at, t.c.offence_code, t.c.lon, t.c.lat)  # any order
    result = conn.execute(query.execution_options(stream_results=True, yield_per=_READ_SLICE))
    for part in result.partitions(_READ_SLICE):
        frame = pd.DataFrame(part, columns=["commune_code", "occurred_at", "offence_code", "lon", "lat"])
        frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
        _add(conn, tables.unit_counts, unit_counts(frame), UNIT_KEYS)
        _add(conn, tables.pixel_counts, pixel_counts(frame, grid), PIXEL_KEYS)
    _set_grid(conn, tables, grid)
    return grid


def _set_grid(conn: Connection, tables: Tables, grid: Grid) -> None:
    meta = tables.meta
    done = conn.execute(meta.update().where(meta.c.key == META_KEY).values(value=grid.to_json()))
    if done.rowcount == 0:
        conn.execute(meta.insert().values(key=META_KEY, value=grid.to_json()))


def _rows(frame: pd.DataFrame, columns: Sequence[str]) -> Iterable[tuple[Any, ...]]:
    values = [frame[c].to_numpy() for c in columns]
    converted = [v.tolist() for v in values]
    return zip(*converted, strict=True)


def _slices(frame: pd.DataFrame, columns: Sequence[str]) -> Iterator[list[tuple[Any, ...]]]:
    """Yield ``frame``'s rows as plain tuples, `_WRITE_SLICE` at a time (never all of them at once)."""
    values = [frame[c].to_numpy() for c in columns]
    for start in range(0, len(frame), _WRITE_SLICE):
        part = [v[start : start + _WRITE_SLICE].tolist() for v in values]
        yield list(zip(*part, strict=True))


def _insert(conn: Connection, table: sa.Table, frame: pd.DataFrame, *, reindex: bool = False) -> None:
    """Insert ``frame``'s rows into ``table`` in bulk (COPY on PostgreSQL, executemany on SQLite).

    ``reindex`` (SQLite, an empty table, no statement of the connection still reading): the
    secondary indexes are dropped and built once after the rows (`geo.store.writes.drop_indexes`).
    """
    columns = list(frame.columns)
    rebuilt = drop_indexes(conn, table, adding=len(frame)) if reindex and not is_postgres(conn) else []
    bulk_write(conn, table.name, columns, _slices(frame, columns))
    for sql in rebuilt:
        conn.exec_driver_sql(sql)


def _add(
    conn: Connection, table: sa.Table, delta: pd.DataFrame, keys: Sequence[str], *, reindex: bool = False
) -> None:
    """Add ``delta``'s counts to ``table`` (an upsert), then drop the rows that fell to 0.

    PostgreSQL: the counts are copied into a temporary table and merged in one statement. SQLite: one
    ``executemany`` of the upsert (no DDL, so it also runs while `rebuild` is still reading incidents
    on the same connection). Into an empty table, a plain bulk insert; ``reindex`` (not while
    `rebuild` reads) builds its secondary indexes once after the rows instead of row by row.
    """
    if delta.empty:
        return
    rows = delta if list(delta.columns) == [*keys, "n"] else delta[[*keys, "n"]]
    if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is None:
        _insert(conn, table, rows, reindex=reindex)  # nothing to add to: a plain bulk insert
        return
    key_list = ", ".join(keys)
    merge = f"ON CONFLICT ({key_list}) DO UPDATE SET n = {table.name}.n + excluded.n"
    if is_postgres(conn):
        stage = f"{table.name}_delta"
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {stage}")
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {stage} AS SELECT {key_list}, n FROM {table.name} WHERE 1 = 0"  # noqa: S608
        )
        _insert(conn, sa.Table(stage, sa.MetaData(), *(sa.Column(c) for c in (*keys, "n"))), rows)
        conn.exec_driver_sql(
            f"INSERT INTO {table.name} ({key_list}, n) SELECT {key_list}, n FROM {stage} {merge}"  # noqa: S608
        )
        conn.exec_driver_sql(f"DROP TABLE {stage}")
    else:
        marks = ", ".join("?" for _ in (*keys, "n"))
        statement = f"INSERT INTO {table.name} ({key_list}, n) VALUES ({marks}) {merge}"  # noqa: S608
        values = list(_rows(rows, [*keys, "n"]))
        for start in range(0, len(values), _WRITE_SLICE):
            conn.exec_driver_sql(statement, values[start : start + _WRITE_SLICE])
    conn.exec_driver_sql(f"DELETE FROM {table.name} WHERE n = 0")  # noqa: S608 (our own table)
