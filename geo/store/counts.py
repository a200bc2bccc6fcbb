"""Counts of a filter read from the prepared aggregates: what a page needs without reading every incident.

A filter's range is any span of days. Its whole calendar months are summed from the aggregate
tables (`geo.store.aggregates`: at most units × months × offences rows); the days of a month it
covers only in part (its first and last month, at most two) are counted from the incidents
themselves, a range the ``occurred_at`` index finds. The result equals a count of the filtered
incidents (`geo.filters.apply_filter`) exactly: ``tests/geo/store/test_counts.py`` checks it on
SQLite and PostGIS for ranges cut anywhere in a month.

On PostgreSQL the sums run in the database (``GROUP BY``), so a dashboard at a province's scale
(`scripts/bench_postgis.py`: ten million incidents, 500 units) reads a few thousand rows per
filter, not the incidents.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.filters import IncidentFilter
from geo.store import aggregates
from geo.store.schema import Tables, meta_value
from geo.taxonomy import group_of

NO_OFFENCE = "\u2205"
"""An offence code no incident has (∅; PostgreSQL text holds no NUL): a window of groups without offences."""


@dataclass(frozen=True)
class Window:
    """The incidents to count: days ``start`` … ``end`` (both included), offence codes, unit codes.

    Empty tuples mean "all" (as in `geo.filters.IncidentFilter`; offence groups are expanded to
    their codes by the caller).
    """

    start: date
    end: date
    offences: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()

    @classmethod
    def of(cls, flt: IncidentFilter) -> Window:
        """Return ``flt`` as a window: its days, its offence groups expanded to offence codes, its units.

        A group's codes are the taxonomy's (`geo.taxonomy.group_of`, the mapping the store gives every
        incident's ``offence_group`` on reading); offences chosen as well narrow the groups' codes; groups
        with no offence left match nothing (`NO_OFFENCE`).
        """
        offences = tuple(flt.offences)
        if flt.groups:
            chosen = set(flt.groups)
            codes = sorted(code for code, group in group_of().items() if group in chosen)
            if offences:
                wanted = set(offences)
                codes = [code for code in codes if code in wanted]
            offences = tuple(codes) or (NO_OFFENCE,)
        return cls(flt.start, flt.end, offences=offences, communes=tuple(flt.communes))

    def whole_months(self) -> tuple[str, str] | None:
        """Return the first and last whole calendar month of the range as ``YYYY-MM`` (None: there is none).

        Examples
        --------
        >>> Window(date(2024, 1, 15), date(2024, 4, 30)).whole_months()
        ('2024-02', '2024-04')
        >>> Window(date(2024, 1, 2), date(2024, 1, 31)).whole_months() is None
        True
        """
        first = self.start if self.start.day == 1 else _next_month(self.start)
        last_end = (
            self.end
            if (self.end + timedelta(days=1)).day == 1
            else self.end.replace(day=1) - timedelta(days=1)
        )
        if last_end < first:
            return None
        return f"{first:%Y-%m}", f"{last_end:%Y-%m}"

    def partial_days(self) -> list[tuple[date, date]]:
        """Return the day ranges (first, last) of the months the range covers only in part (0, 1 or 2).

        Examples
        --------
        >>> Window(date(2024, 1, 15), date(2024, 4, 10)).partial_days()
        [(datetime.date(2024, 1, 15), datetime.date(2024, 1, 31)), (datetime.date(2024, 4, 1), datetime.date(2024, 4, 10))]
        >>> Window(date(2024, 1, 2), date(2024, 1, 20)).partial_days()
        [(datetime.date(2024, 1, 2), datetime.date(2024, 1, 20))]
        >>> Window(date(2024, 1, 1), date(2024, 3, 31)).partial_days()
        []
        """
        months = self.whole_months()
        if months is None:
            return [(self.start, self.end)]
        ranges = []
        first_whole = date.fromisoformat(months[0] + "-01")
        after_whole = _next_month(date.fromisoformat(months[1] + "-01"))
        if self.start < first_whole:
            ranges.append((self.start, first_whole - timedelta(days=1)))
        if self.end >= after_whole:
            ranges.append((after_whole, self.end))
        return ranges


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def unit_counts(
    conn: Connection, tables: Tables, window: Window, *, by: Sequence[str] = aggregates.UNIT_KEYS
) -> pd.DataFrame:
    """Return the window's incidents counted per ``by`` (some of `aggregates.UNIT_KEYS`) with ``n``, sorted.

    The sums run in the database: per unit (``by=("commune_code",)``) a choropleth reads one row per
    unit, per month (``("month",)``) a series one row per month, whatever the number of incidents.
    """
    keys = [k for k in aggregates.UNIT_KEYS if k in by]
    if not keys or len(keys) != len(by):
        raise ValueError(f"unit counts are kept by {aggregates.UNIT_KEYS}, not {tuple(by)}")
    parts = []
    months = window.whole_months()
    if months is not None:
        t = tables.unit_counts
        columns = [t.c[k] for k in keys]
        query = sa.select(*columns, sa.func.sum(t.c.n).label("n")).where(
            t.c.month >= months[0], t.c.month <= months[1]
        )
        parts.append(_read(conn, _narrow(query, t, window).group_by(*columns)))
    t = tables.incidents
    for first, last in window.partial_days():
        selected: list[Any] = [
            sa.literal(f"{first:%Y-%m}", sa.String).label("month") if k == "month" else t.c[k] for k in keys
        ]
        grouped = [t.c[k] for k in keys if k != "month"]
        query = sa.select(*selected, sa.func.count().label("n")).where(*_days(t, first, last))
        parts.append(_read(conn, _narrow(query, t, window).group_by(*grouped)))
    return _sum(parts, keys)


def pixel_counts(
    conn: Connection, tables: Tables, window: Window, *, by_month: bool = False, block: int = 1
) -> pd.DataFrame:
    """Return the window's located incidents per pixel (``gx``, ``gy``, ``n``; with ``by_month`` per month too).

    The pixels are the store's (`aggregates.stored_grid`); an empty frame when the aggregates were
    never built. ``block`` > 1 sums blocks of ``block`` × ``block`` pixels (``gx``, ``gy`` are then
    the block's column and row, ``floor(pixel / block)``): 4 gives the 250 m cells of the hot-spot
    grid, a sixteenth of the rows a province's year of pixels would be. On PostgreSQL the stored
    rows of a window's whole months are read unsummed and summed here when there are at most
    `_STORED_ROWS_MAX` (`_stored_rows`), else summed in the database; the counts are the same.
    """
    if block < 1:
        raise ValueError(f"block must be at least 1 pixel, not {block}")
    keys = ("month", "gx", "gy") if by_month else ("gx", "gy")
    grid = aggregates.stored_grid(conn, tables)
    if grid is None:
        return _empty(keys)
    parts = []
    months = window.whole_months()
    if months is not None:
        t = tables.pixel_counts
        columns = [t.c.month] if by_month else []
        columns += [_floor_div(t.c.gx, block).label("gx"), _floor_div(t.c.gy, block).label("gy")]
        stored = _stored_rows(conn, tables, window, months, by_month=by_month)
        if stored is not None:
            parts.append(_blocks(stored, block))
        else:
            query = (
                sa.select(*columns, sa.func.sum(t.c.n).label("n"))
                .where(t.c.month >= months[0], t.c.month <= months[1])
                .group_by(*columns)
            )
            parts.append(_read_pixels(conn, _narrow(query, t, window), keys))
    for first, last in window.partial_days():
        counted = aggregates.pixel_counts(_incidents(conn, tables, window, first, last), grid)
        part = {
            "gx": counted["gx"].to_numpy(dtype=np.int64) // block,
            "gy": counted["gy"].to_numpy(dtype=np.int64) // block,
            "n": counted["n"].to_numpy(dtype=np.int64),
        }
        if by_month:
            part["month"] = _month_numbers(counted["month"])
        parts.append(part)
    return _sum_pixels(parts, keys)


def busiest_blocks(
    conn: Connection, tables: Tables, window: Window, *, block: int, limit: int
) -> tuple[pd.DataFrame, int]:
    """Return the ``limit`` busiest blocks of ``block`` × ``block`` pixels (``gx``, ``gy``, ``n``) and the located total.

    What a map's cells need (`geo.maps.mapcounts.cells_from_blocks` keeps the busiest, ordered by
    count, then column and row as `geo.aggregate.grid_cells` orders them). For a range of whole
    months the database sums, sorts and sends ``limit`` rows with the total of every block, not every
    block of a province's year — or, on PostgreSQL, the window's stored rows the density reads as well
    are summed here (`_stored_rows`: one read of them per filter for both); a range cut inside a
    month counts every block (`pixel_counts`).
    """
    keys = ("gx", "gy")
    months = window.whole_months()
    if months is None or window.partial_days() or aggregates.stored_grid(conn, tables) is None:
        every = pixel_counts(conn, tables, window, block=block)
        order = np.lexsort((every["gy"].to_numpy(), every["gx"].to_numpy(), -every["n"].to_numpy()))
        return every.iloc[order[: max(0, limit)]].reset_index(drop=True), int(every["n"].sum())
    if limit < 1:
        return _empty(keys), int(pixel_counts(conn, tables, window, block=block)["n"].sum())
    stored = _stored_rows(conn, tables, window, months, by_month=False)
    if stored is not None:  # the rows a density of the same window reads too: summed here by NumPy
        every = _sum_pixels([_blocks(stored, block)], keys)
        order = np.lexsort((every["gy"].to_numpy(), every["gx"].to_numpy(), -every["n"].to_numpy()))
        return every.iloc[order[:limit]].reset_index(drop=True), int(stored["n"].sum())
    t = tables.pixel_counts
    bx, by = _floor_div(t.c.gx, block), _floor_div(t.c.gy, block)
    summed = sa.func.sum(t.c.n)
    query = (
        sa.select(
            bx.label("gx"), by.label("gy"), summed.label("n"), sa.func.sum(summed).over().label("total")
        )
        .where(t.c.month >= months[0], t.c.month <= months[1])
        .group_by(bx, by)
        .order_by(summed.desc(), bx, by)
        .limit(limit)
    )
    top = _read(conn, _narrow(query, t, window))
    total = int(top["total"].iloc[0]) if len(top) else 0
    found = top[["gx", "gy", "n"]].astype(np.int64)
    return found[found["n"] != 0].reset_index(drop=True), total


def located_counts(conn: Connection, tables: Tables, window: Window) -> pd.DataFrame:
    """Return the window's located incidents (those with coordinates) per unit: ``commune_code``, ``n``.

    From the pixel aggregates (which count only located incidents) plus the months covered in part;
    with `unit_counts` by unit it tells how many of each unit's incidents a point or density layer
    cannot draw.
    """
    keys = ("commune_code",)
    parts = []
    months = window.whole_months()
    if months is not None:
        t = tables.pixel_counts
        query = (
            sa.select(t.c.commune_code, sa.func.sum(t.c.n).label("n"))
            .where(t.c.month >= months[0], t.c.month <= months[1])
            .group_by(t.c.commune_code)
        )
        parts.append(_read(conn, _narrow(query, t, window)))
    grid = aggregates.stored_grid(conn, tables)
    for first, last in window.partial_days():
        if grid is None:
            break
        counted = aggregates.pixel_counts(_incidents(conn, tables, window, first, last), grid)
        parts.append(counted.groupby("commune_code", sort=False)["n"].sum().reset_index())
    return _sum(parts, keys)


def _floor_div(column: Any, block: int) -> Any:
    """``floor(column / block)`` in integers on SQLite and PostgreSQL alike (both truncate ``/`` and ``%``).

    The difference is a multiple of ``block``, so the integer division (``//``: ``/`` between integers
    in both databases) is exact; ``/`` would divide as ``NUMERIC`` on PostgreSQL (a sixth slower to
    group on, and read back as decimals).
    """
    if block == 1:
        return column
    return (column - (column % block + block) % block) // block


def _narrow(query: sa.Select, table: sa.Table, window: Window) -> sa.Select:
    if window.offences:
        query = query.where(table.c.offence_code.in_(window.offences))
    if window.communes:
        query = query.where(table.c.commune_code.in_(window.communes))
    return query


def _days(table: sa.Table, first: date, last: date) -> tuple[Any, Any]:
    lo = pd.Timestamp(first).to_pydatetime()
    hi = pd.Timestamp(last + timedelta(days=1)).to_pydatetime()
    return table.c.occurred_at >= lo, table.c.occurred_at < hi


def _incidents(conn: Connection, tables: Tables, window: Window, first: date, last: date) -> pd.DataFrame:
    """Return the fields the aggregates count of the window's located incidents on days ``first`` … ``last``."""
    t = tables.incidents
    query = sa.select(t.c.commune_code, t.c.occurred_at, t.c.offence_code, t.c.lon, t.c.lat).where(
        *_days(t, first, last), t.c.lon.is_not(None), t.c.lat.is_not(None)
    )
    frame = _read(conn, _narrow(query, t, window))
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    return frame


def _read(conn: Connection, query: sa.Select) -> pd.DataFrame:
    """Return a query's rows as a frame from the driver's plain tuples (a sixth of ``pandas.read_sql``'s CPU).

    A province's year of pixels is a million rows; building SQLAlchemy rows, then a frame from them,
    cost 2.9 s CPU of a filter change, the tuples 0.5 s. Every column read here is a number or a text.
    """
    result = conn.execute(query)
    names = list(result.keys())
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    if not rows:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in names})
    return pd.DataFrame.from_records(rows, columns=names)


_PACKED_PARTS = 16
"""Packed values of `_read_pixels`, one per pixel column modulo 16: a province's ten million pixel rows
(200 MB) are 16 values of about 13 MB, far below the 1 GB a PostgreSQL value may hold."""

_PIXEL_TYPES = {"month": ">i4", "gx": ">i4", "gy": ">i4", "n": ">i8"}
"""How `_read_pixels` packs each column: big-endian, as ``int4send`` and ``int8send`` write them."""


def _read_pixels(conn: Connection, query: sa.Select, keys: Sequence[str]) -> dict[str, np.ndarray]:
    """Return a pixel query's columns (``keys`` and ``n``) as int64 arrays, ``month`` as `_month_numbers`.

    PostgreSQL through psycopg 3: the rows are packed by the database into a few binary values
    (``string_agg`` of ``int4send`` / ``int8send``: 20 bytes a row) that NumPy reads as they are. A
    province's year of one offence group is 650,000 pixels: as tuples, then a frame, they cost
    0.6 s CPU of a filter change; packed, 0.02 s. Elsewhere (SQLite) the driver's tuples (`_read`).
    """
    names = [*keys, "n"]
    cursor = _binary_cursor(conn)
    if cursor is None:
        frame = _read(conn, query)
        found = {k: frame[k].to_numpy(dtype=np.int64) for k in names if k != "month"}
        if "month" in names:
            found["month"] = _month_numbers(frame["month"])
        return found
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    send = {"month": "int4send", "gx": "int4send", "gy": "int4send", "n": "int8send"}
    value = {
        "month": "(substr(q.month, 1, 4)::int4 * 12 + substr(q.month, 6, 2)::int4 - 1)",
        "gx": "q.gx::int4",
        "gy": "q.gy::int4",
        "n": "q.n::int8",
    }
    packed = " || ".join(f"{send[k]}({value[k]})" for k in names)
    sql = (
        f"SELECT string_agg({packed}, ''::bytea) FROM ({compiled}) AS q "  # noqa: S608 (our own columns)
        f"GROUP BY q.gx & {_PACKED_PARTS - 1}"
    )
    dtype = np.dtype([(k, _PIXEL_TYPES[k]) for k in names])
    try:
        cursor.execute(sql, compiled.params, binary=True)
        chunks = [np.frombuffer(bytes(row[0]), dtype=dtype) for row in cursor.fetchall() if row[0]]
    finally:
        cursor.close()
    rows = np.concatenate(chunks) if chunks else np.zeros(0, dtype=dtype)
    return {k: rows[k].astype(np.int64) for k in names}


_STORED_ROWS_MAX = 2_000_000
"""Most stored pixel rows `_stored_rows` reads unsummed (and keeps): 64 MB of arrays at most."""

_STORED: OrderedDict[tuple[Any, ...], dict[str, np.ndarray]] = OrderedDict()
_STORED_ENTRIES = 2
_STORED_LOCK = threading.Lock()


def _stored_rows(
    conn: Connection, tables: Tables, window: Window, months: tuple[str, str], *, by_month: bool
) -> dict[str, np.ndarray] | None:
    """Return the ``pixel_counts`` rows of the window's whole ``months`` unsummed (``gx``, ``gy``, ``n``, ``month``).

    On PostgreSQL through psycopg 3, when the planner expects at most `_STORED_ROWS_MAX` rows; else
    None (the caller sums in the database). At 62.5 m the stored rows hardly collapse (about one row
    per incident at a province's density: a year of one offence group is 800,000 rows, 650,000
    pixels), so PostgreSQL's hash aggregate costs more than it saves; and a filter change asks for the
    same rows twice — the map's busiest cells (`busiest_blocks`, 125 m) and the density's pixels
    (`pixel_counts`) — so the latest windows' rows are kept per process (`_STORED_ENTRIES`, read-only
    arrays), keyed on the store's URL and *revision* (read in the same connection: every write
    advances it, `geo.store.schema.bump_revision`), months, offences, units and ``by_month``.
    """
    cursor = _binary_cursor(conn)
    if cursor is None:
        return None
    try:
        revision = meta_value(conn, tables, "revision")
        key = (str(conn.engine.url), revision, months, window.offences, window.communes, by_month)
        with _STORED_LOCK:
            found = _STORED.get(key)
            if found is not None:
                _STORED.move_to_end(key)
                return found
        t = tables.pixel_counts
        columns = [*([t.c.month] if by_month else []), t.c.gx, t.c.gy, t.c.n]
        query = _narrow(sa.select(*columns).where(t.c.month >= months[0], t.c.month <= months[1]), t, window)
        compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        cursor.execute(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params)
        plan = cursor.fetchone()
    finally:
        cursor.close()
    if plan is None or float(plan[0][0]["Plan"]["Plan Rows"]) > _STORED_ROWS_MAX:
        return None
    found = _read_pixels(conn, query, ("month", "gx", "gy") if by_month else ("gx", "gy"))
    for array in found.values():
        array.flags.writeable = False
    if revision is not None:
        with _STORED_LOCK:
            _STORED[key] = found
            while len(_STORED) > _STORED_ENTRIES:
                _STORED.popitem(last=False)
    return found


def _blocks(rows: dict[str, np.ndarray], block: int) -> dict[str, np.ndarray]:
    """Stored pixel rows on blocks of ``block`` × ``block`` pixels (``floor(pixel / block)``; not summed)."""
    if block == 1:
        return rows
    return {k: v // block if k in ("gx", "gy") else v for k, v in rows.items()}


def _binary_cursor(conn: Connection) -> Any:
    """A cursor of the connection's psycopg 3 connection (it reads binary results), or None (SQLite, psycopg2)."""
    if conn.dialect.name != "postgresql":
        return None
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    if type(cursor).__module__.split(".")[0] != "psycopg":
        cursor.close()
        return None
    return cursor


def _month_numbers(months: pd.Series) -> np.ndarray:
    """``YYYY-MM`` texts as ``year * 12 + month - 1`` (int64): what `_read_pixels` reads ``month`` as."""
    text = months.astype(str)
    return (text.str[:4].astype(np.int64) * 12 + text.str[5:7].astype(np.int64) - 1).to_numpy()


def _sum_pixels(parts: list[dict[str, np.ndarray]], keys: Sequence[str]) -> pd.DataFrame:
    """Sum pixel parts (int64 arrays of ``keys`` and ``n``) per key, sorted on ``keys``, without zero rows.

    The same frame as `_sum` (``month`` as ``YYYY-MM`` text), summed with NumPy on the integer keys
    (a sort and one ``np.add.reduceat``) instead of a pandas ``groupby``.
    """
    parts = [p for p in parts if len(p["n"])]
    if not parts:
        return _empty(keys)
    columns = {k: np.concatenate([p[k] for p in parts]) for k in [*keys, "n"]}
    order = np.lexsort([columns[k] for k in reversed(keys)])
    ordered = {k: v[order] for k, v in columns.items()}
    new = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        new[1:] = np.logical_or.reduce([ordered[k][1:] != ordered[k][:-1] for k in keys])
    starts = np.flatnonzero(new)
    n = np.add.reduceat(ordered["n"], starts)
    kept = starts[n != 0]
    out: dict[str, Any] = {k: ordered[k][kept] for k in keys}
    if "month" in out:
        found, at = np.unique(out["month"], return_inverse=True)
        texts = np.array([f"{m // 12:04d}-{m % 12 + 1:02d}" for m in found.tolist()], dtype=object)
        out["month"] = texts[at]
    return pd.DataFrame({**out, "n": n[n != 0]})


def _empty(keys: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({**{k: pd.Series(dtype=object) for k in keys}, "n": pd.Series(dtype="int64")})


def _sum(parts: list[pd.DataFrame], keys: Sequence[str]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty(keys)
    both = pd.concat(parts, ignore_index=True)
    both["n"] = both["n"].astype(np.int64)
    for key in ("gx", "gy"):
        if key in both:
            both[key] = both[key].astype(np.int64)
    summed = both.groupby(list(keys), sort=True)["n"].sum().reset_index()
    return summed[summed["n"] != 0].reset_index(drop=True)
