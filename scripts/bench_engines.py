"""Which engine counts a filter fastest at a million incidents: the measurements behind the choice (issue 14).

Usage: .venv/bin/python scripts/bench_engines.py --db /path/store.sqlite [--repeat 5] [--extra-site DIR]

A filter change on the pages needs, for the filtered incidents: the count per unit (choropleth, unit
table), per month (series) and per 250 m cell (the hot-spot layers). Each candidate computes those
three from the same store, for the same filters, and the script prints the CPU seconds per filter
(median of ``--repeat``; CPU, not wall, so a busy machine still compares fairly) and checks that
every candidate found the same totals:

- **NumPy on prepared arrays** (what the pages use: `geo.aggregate.prepare` once per store version,
  then `select` → positions, ``np.bincount`` per key; the 250 m cell of each incident is computed
  once with the arrays);
- **pandas** on the frame (`geo.filters.apply_filter` then ``value_counts``/``groupby``), what the
  pages did before;
- **SQLite on the prepared aggregates** (`geo.store.counts`: whole months from ``unit_counts`` /
  ``pixel_counts``, the months covered in part from the incidents);
- **DuckDB** and **Polars** over the same in-memory frame, when importable (they are not project
  dependencies: ``--extra-site`` adds a folder where they are installed, after the project's own
  packages, e.g. a throwaway venv's site-packages).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import settings  # noqa: E402
from geo.filters import IncidentFilter, apply_filter  # noqa: E402
from geo.prepared import prepare, select  # noqa: E402
from geo.store.counts import Window  # noqa: E402
from geo.store.store import Store  # noqa: E402
from geo.taxonomy import groups  # noqa: E402

Counts = tuple[int, int, int]
"""What each candidate returns: incidents counted per unit, per month and per cell (their sums, compared)."""


def cpu() -> float:
    return time.process_time()  # every thread of this process, at a finer resolution than os.times


def measure(repeat: int, work: Callable[[], Counts]) -> tuple[float, Counts]:
    times, result = [], (0, 0, 0)
    for _ in range(repeat):
        started = cpu()
        result = work()
        times.append(cpu() - started)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--extra-site", type=Path, help="a site-packages folder with duckdb / polars")
    args = parser.parse_args()
    if args.extra_site:
        sys.path.append(str(args.extra_site))
    store = Store.open(f"sqlite:///{args.db}", create=False)
    frame = store.incidents()
    grid = store.aggregate_grid()
    assert grid is not None
    cell_m = settings.GRID_CELL_M
    print(f"{len(frame):,} incidents; load average {os.getloadavg()[0]:.1f}; {date.today():%d/%m/%Y}")

    started = cpu()
    prepared = prepare(frame)
    gx, gy = grid.pixels(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    per = round(cell_m / grid.pixel_m)
    cx, cy = gx // per, gy // per
    located = gx >= 0
    rows = cy[located].max() - cy[located].min() + 1
    cell = np.where(located, (cx - cx[located].min()) * rows + cy - cy[located].min(), -1)
    print(f"prepare once per store version (arrays + cells): {cpu() - started:.2f} s CPU")

    last = frame["occurred_at"].max().date()
    first_group = next(iter(groups()))
    filters = {
        "last 12 months": IncidentFilter(
            date(last.year - 1, last.month % 12 + 1, 1) if last.month < 12 else date(last.year, 1, 1), last
        ),
        "12 months, one group": IncidentFilter(
            date(last.year - 1, last.month, 1), last, groups=(first_group,)
        ),
        "whole period": IncidentFilter(frame["occurred_at"].min().date(), last),
        "28 days": IncidentFilter(last.replace(day=1), last),
    }

    def numpy_counts(flt: IncidentFilter) -> Counts:
        pos = select(
            prepared,
            start=flt.start,
            end=flt.end,
            groups=flt.groups,
            offences=flt.offences,
            communes=flt.communes,
        )
        per_unit = np.bincount(prepared.unit[pos], minlength=len(prepared.units))
        per_month = np.bincount(prepared.month[pos] - prepared.month.min())
        cells = cell[pos]
        per_cell = np.bincount(cells[cells >= 0])
        return int(per_unit.sum()), int(per_month.sum()), int(per_cell.sum())

    def pandas_counts(flt: IncidentFilter) -> Counts:
        matched = apply_filter(frame, flt)
        per_unit = matched["commune_code"].value_counts()
        per_month = matched.groupby(matched["occurred_at"].dt.to_period("M")).size()
        x, y = grid.pixels(matched["lon"].to_numpy(), matched["lat"].to_numpy())
        ok = x >= 0
        per_cell = pd.Series(x[ok] // per * 100_000 + y[ok] // per).value_counts()
        return int(per_unit.sum()), int(per_month.sum()), int(per_cell.sum())

    def window(flt: IncidentFilter) -> Window:
        wanted = set(flt.groups)
        offences = (
            tuple(sorted(set(frame.loc[frame["offence_group"].isin(wanted), "offence_code"])))
            if wanted
            else ()
        )
        return Window(flt.start, flt.end, offences=offences, communes=flt.communes)

    def sqlite_counts(flt: IncidentFilter) -> Counts:
        w = window(flt)
        per_unit = store.unit_counts(w, by=("commune_code",))
        per_month = store.unit_counts(w, by=("month",))
        pixels = store.pixel_counts(w)
        per_cell = pixels.groupby([pixels["gx"] // per, pixels["gy"] // per])["n"].sum()
        return int(per_unit["n"].sum()), int(per_month["n"].sum()), int(per_cell.sum())

    candidates: dict[str, Callable[[IncidentFilter], Counts]] = {
        "NumPy on prepared arrays": numpy_counts,
        "pandas on the frame": pandas_counts,
        "SQLite on the prepared aggregates": sqlite_counts,
    }
    try:
        import duckdb

        con = duckdb.connect()
        table = frame[["occurred_at", "commune_code", "offence_group", "offence_code"]].assign(cell=cell)
        con.register("incidents", table)

        def duckdb_counts(flt: IncidentFilter) -> Counts:
            where = "occurred_at >= ? AND occurred_at < ?"
            params: list[object] = [pd.Timestamp(flt.start), pd.Timestamp(flt.end) + pd.Timedelta(days=1)]
            if flt.groups:
                where += f" AND offence_group IN ({', '.join('?' for _ in flt.groups)})"
                params += list(flt.groups)
            q = f"SELECT {{k}}, count(*) FROM incidents WHERE {where} GROUP BY {{k}}"  # noqa: S608
            units = con.execute(q.format(k="commune_code"), params).fetchall()
            months = con.execute(q.format(k="date_trunc('month', occurred_at)"), params).fetchall()
            cells = con.execute(
                q.format(k="cell").replace("GROUP BY", "AND cell >= 0 GROUP BY"), params
            ).fetchall()
            return sum(n for _, n in units), sum(n for _, n in months), sum(n for _, n in cells)

        candidates[f"DuckDB {duckdb.__version__} over the frame"] = duckdb_counts
    except ImportError:
        print("DuckDB: not installed (give --extra-site)")
    try:
        import polars as pl

        lazy = pl.from_pandas(frame[["occurred_at", "commune_code", "offence_group"]].assign(cell=cell))

        def polars_counts(flt: IncidentFilter) -> Counts:
            lo = pd.Timestamp(flt.start).to_pydatetime()
            hi = (pd.Timestamp(flt.end) + pd.Timedelta(days=1)).to_pydatetime()
            part = lazy.filter((pl.col("occurred_at") >= lo) & (pl.col("occurred_at") < hi))
            if flt.groups:
                part = part.filter(pl.col("offence_group").is_in(list(flt.groups)))
            units = part.group_by("commune_code").len()
            months = part.group_by(pl.col("occurred_at").dt.truncate("1mo")).len()
            cells = part.filter(pl.col("cell") >= 0).group_by("cell").len()
            return int(units["len"].sum()), int(months["len"].sum()), int(cells["len"].sum())

        candidates[f"Polars {pl.__version__} over the frame"] = polars_counts
    except ImportError:
        print("Polars: not installed (give --extra-site)")

    print()
    print("| engine | " + " | ".join(filters) + " |")
    print("|---|" + "---|" * len(filters))
    reference: dict[str, Counts] = {}
    for name, work in candidates.items():
        cells_text = []
        for label, flt in filters.items():
            seconds, result = measure(args.repeat, lambda f=flt, w=work: w(f))
            expected = reference.setdefault(label, result)
            assert result == expected, (name, label, result, expected)
            cells_text.append(f"{seconds * 1000:.1f} ms")
        print(f"| {name} | " + " | ".join(cells_text) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
