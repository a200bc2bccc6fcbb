"""Benchmark the store at a province's scale on PostgreSQL + PostGIS: ten million incidents, 500 units.

Usage (a throwaway cluster, as the PostGIS tests use):

    pg_virtualenv -v 15 .venv/bin/python scripts/bench_postgis.py [--n 10000000] [--units 500]

or ``--url postgresql+psycopg://user:password@host/postgres`` for a server of your own (an
administrator URL: a database ``antt_bench`` is created there, and dropped unless ``--keep``).
``make bench-postgis`` runs the first form.

What it does: creates a store (`geo.store.store.Store`) of its own synthetic province (`AREA`, no
plan) whose 500 units are rectangles over a province-sized box (≈ 170 × 150 km), loads ``n`` synthetic incidents with ``COPY`` (clustered
around hot places, seven years, the base taxonomy), builds the prepared aggregates
(`geo.store.aggregates.rebuild`), then measures what a filter change asks of the database —
`geo.store.counts.unit_counts` (the choropleth, the unit table, the monthly series) and
`pixel_counts` (the density and hot-spot layers) — for the filters an analyst uses, against the
same counts made by ``GROUP BY`` over the incidents themselves. Every figure is wall time on this
machine (median of ``--repeat``), with the rows each query returns.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from geo.area import Area  # noqa: E402
from geo.store import aggregates  # noqa: E402
from geo.store.counts import Window  # noqa: E402
from geo.store.store import Store  # noqa: E402
from geo.taxonomy import base  # noqa: E402

BOX = (104.4, 19.3, 106.0, 20.7)
"""The province's box (lon/lat): about Thanh Hóa's extent."""

AREA = Area(name="Tỉnh Mô Phỏng (dữ liệu tổng hợp)", unit_word="khu")
"""The bench store's own area: a synthetic province of rectangular "khu" (no plan: none fits these units)."""

START = datetime(2020, 1, 1)
END = datetime(2026, 11, 1)


def admin_url(given: str | None) -> str:
    if given:
        return given
    env = os.environ
    if "PGHOST" not in env:
        raise SystemExit("no server: give --url, or run under pg_virtualenv (see the module docstring)")
    return (
        f"postgresql+psycopg://{env['PGUSER']}:{env['PGPASSWORD']}@{env['PGHOST']}:{env['PGPORT']}/postgres"
    )


def fresh_database(admin: str, name: str) -> str:
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return admin.rsplit("/", 1)[0] + f"/{name}"


def units(n: int) -> tuple[gpd.GeoDataFrame, int, int]:
    cols = round(np.sqrt(n * (BOX[2] - BOX[0]) / (BOX[3] - BOX[1])))
    rows = int(np.ceil(n / cols))
    w = (BOX[2] - BOX[0]) / cols
    h = (BOX[3] - BOX[1]) / rows
    records = []
    for i in range(rows * cols):
        r, c = divmod(i, cols)
        records.append(
            {
                "code": f"U{i:04d}",
                "name": f"Khu {i:04d}",
                "kind": "xa",
                "population": 10_000,
                "population_year": 2024,
                "approximate": True,
                "note": "bench",
                "geometry": shapely.box(
                    BOX[0] + c * w, BOX[1] + r * h, BOX[0] + (c + 1) * w, BOX[1] + (r + 1) * h
                ),
            }
        )
    return gpd.GeoDataFrame(records, crs="EPSG:4326"), cols, rows


def make_store(url: str, n_units: int) -> tuple[Store, int, int]:
    """Create the bench store at ``url``: `AREA`, about ``n_units`` rectangles, no plan, no unit history."""
    store = Store.open(url)  # no demo, and not the district's area, plan or unit history
    communes, cols, rows = units(n_units)
    with store.engine.begin() as conn:
        store.write_communes(conn, communes)
    store.save_area(AREA, user="bench")
    return store, cols, rows


def incidents_csv(
    first: int, n: int, rng: np.random.Generator, centres: np.ndarray, grid: tuple[int, int]
) -> str:
    """One slice of synthetic incidents as the text COPY reads (tab-separated, NULL as \\N)."""
    cols, rows = grid
    hot = rng.random(n) < 0.7
    which = rng.integers(0, len(centres), n)
    lon = np.where(hot, centres[which, 0] + rng.normal(0, 0.01, n), rng.uniform(BOX[0], BOX[2], n))
    lat = np.where(hot, centres[which, 1] + rng.normal(0, 0.01, n), rng.uniform(BOX[1], BOX[3], n))
    lon = np.clip(lon, BOX[0] + 1e-6, BOX[2] - 1e-6)
    lat = np.clip(lat, BOX[1] + 1e-6, BOX[3] - 1e-6)
    c = ((lon - BOX[0]) / (BOX[2] - BOX[0]) * cols).astype(int)
    r = ((lat - BOX[1]) / (BOX[3] - BOX[1]) * rows).astype(int)
    codes = np.char.add("U", np.char.zfill((r * cols + c).astype(str), 4))
    span = (END - START).total_seconds()
    when = pd.to_datetime(START) + pd.to_timedelta(rng.uniform(0, span, n).astype(np.int64), unit="s")
    offences = [o.code for o in base().offences]
    weights = np.linspace(3, 1, len(offences))
    offence = rng.choice(offences, n, p=weights / weights.sum())
    frame = pd.DataFrame(
        {
            "incident_id": [f"B{i:09d}" for i in range(first, first + n)],
            "occurred_at": when.strftime("%Y-%m-%d %H:%M:%S"),
            "offence_code": offence,
            "lon": lon.round(6),
            "lat": lat.round(6),
            "commune_code": codes,
            "description": "",
            "status": "",
            "address": "",
            "precision": "minute",
            "batch_id": "bench",
            "imported_at": "2026-12-01 00:00:00",
        }
    )
    return frame.to_csv(sep="\t", header=False, index=False)


def load(store: Store, n: int, grid: tuple[int, int], *, slice_rows: int = 1_000_000) -> float:
    rng = np.random.default_rng(14)
    centres = np.column_stack([rng.uniform(BOX[0], BOX[2], 300), rng.uniform(BOX[1], BOX[3], 300)])
    columns = (
        "incident_id, occurred_at, offence_code, lon, lat, commune_code, description, status, address, "
        '"precision", batch_id, imported_at'
    )
    started = time.perf_counter()
    with store.engine.begin() as conn:
        conn.execute(
            store.tables.batches.insert(),
            {
                "batch_id": "bench",
                "kind": "incidents",
                "file_name": "bench",
                "sha256": "",
                "accepted": n,
                "updated": 0,
                "rejected": 0,
                "created_at": datetime(2026, 12, 1),
                "user_name": "bench",
            },
        )
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for first in range(0, n, slice_rows):
            text = incidents_csv(first, min(slice_rows, n - first), rng, centres, grid)
            with cursor.copy(f"COPY incidents ({columns}) FROM STDIN") as copy:
                copy.write(text)
            print(
                f"  loaded {min(first + slice_rows, n):,} rows ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
        cursor.close()
    return time.perf_counter() - started


def timed(repeat: int, work: Callable[[], pd.DataFrame]) -> tuple[float, pd.DataFrame]:
    times: list[float] = []
    result = pd.DataFrame()
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def direct_units(store: Store, window: Window) -> pd.DataFrame:
    t = store.tables.incidents
    month = sa.func.to_char(t.c.occurred_at, "YYYY-MM")
    query = (
        sa.select(t.c.commune_code, month.label("month"), t.c.offence_code, sa.func.count().label("n"))
        .where(
            t.c.occurred_at >= window.start, t.c.occurred_at < pd.Timestamp(window.end) + pd.Timedelta(days=1)
        )
        .group_by(t.c.commune_code, month, t.c.offence_code)
    )
    if window.offences:
        query = query.where(t.c.offence_code.in_(window.offences))
    if window.communes:
        query = query.where(t.c.commune_code.in_(window.communes))
    with store.engine.connect() as conn:
        return pd.read_sql(query, conn)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="administrator URL of a PostgreSQL + PostGIS server")
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database antt_bench")
    parser.add_argument(
        "--wait-for",
        type=Path,
        help="after loading, wait until this file exists before measuring (to measure on a quiet machine)",
    )
    args = parser.parse_args()
    admin = admin_url(args.url)
    url = fresh_database(admin, "antt_bench")
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; {date.today():%d/%m/%Y}")
    store, cols, rows = make_store(url, args.units)
    communes = store.communes()
    print(f"units: {len(communes)} ({cols} × {rows} rectangles)")
    print(f"load {args.n:,} incidents with COPY: {load(store, args.n, (cols, rows)):.1f} s")
    started = time.perf_counter()
    with store.engine.begin() as conn:
        conn.execute(sa.text("ANALYZE incidents"))
    print(f"ANALYZE: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with store.engine.begin() as conn:
        grid = aggregates.rebuild(conn, store.tables, store.communes_in(conn))
        conn.execute(sa.text("ANALYZE unit_counts"))
        conn.execute(sa.text("ANALYZE pixel_counts"))
    rebuild_s = time.perf_counter() - started
    with store.engine.connect() as conn:
        n_units = conn.execute(sa.text("SELECT count(*) FROM unit_counts")).scalar_one()
        n_pixels = conn.execute(sa.text("SELECT count(*) FROM pixel_counts")).scalar_one()
    print(
        f"aggregates rebuilt in {rebuild_s:.1f} s: unit_counts {n_units:,} rows, pixel_counts {n_pixels:,} rows ({grid.crs}, {grid.pixel_m} m)"
    )

    if args.wait_for is not None:
        print(f"waiting for {args.wait_for} …", flush=True)
        while not args.wait_for.exists():
            time.sleep(5)
        print(f"measuring: load average {os.getloadavg()[0]:.1f}", flush=True)
    group = tuple(o.code for o in base().offences if o.group == base().offences[0].group)
    filters = {
        "last 12 months": Window(date(2025, 11, 1), date(2026, 10, 31)),
        "12 months, one offence group": Window(date(2025, 11, 1), date(2026, 10, 31), offences=group),
        "12 months, 3 units": Window(
            date(2025, 11, 1), date(2026, 10, 31), communes=("U0100", "U0101", "U0102")
        ),
        "last 28 days": Window(date(2026, 10, 4), date(2026, 10, 31)),
        "cut mid-month (15/03/2024–14/09/2025)": Window(date(2024, 3, 15), date(2025, 9, 14)),
        "whole period": Window(date(2020, 1, 1), date(2026, 10, 31)),
    }
    print()
    print(
        "| filter | incidents | per unit (choropleth, table) | per month (series) | per pixel (density, Gi*) "
        "| filter change, store side | unit × month × offence by GROUP BY over the incidents |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, window in filters.items():
        unit_s, unit = timed(args.repeat, lambda w=window: store.unit_counts(w, by=("commune_code",)))
        month_s, month = timed(args.repeat, lambda w=window: store.unit_counts(w, by=("month",)))
        pixel_s, pixel = timed(args.repeat, lambda w=window: store.pixel_counts(w))
        direct_s, direct = timed(1, lambda w=window: direct_units(store, w))
        assert int(direct["n"].sum()) == int(unit["n"].sum()) == int(month["n"].sum()), name
        print(
            f"| {name} | {int(unit['n'].sum()):,} | {unit_s:.2f} s ({len(unit):,} rows) "
            f"| {month_s:.2f} s ({len(month):,} rows) | {pixel_s:.2f} s ({len(pixel):,} rows) "
            f"| {unit_s + month_s + pixel_s:.2f} s | {direct_s:.2f} s |",
            flush=True,
        )
    store.close()
    if not args.keep:
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("DROP DATABASE IF EXISTS antt_bench"))
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
