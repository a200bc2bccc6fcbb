"""Benchmark of the incident import: read, validate and commit N rows (SQLite, or any DATABASE URL).

Usage: .venv/bin/python scripts/bench_import.py [N ...] [--db URL] [--keep FILE]

Writes a synthetic Vietnamese CSV (dd/mm/yyyy dates, decimal commas, offence names with and without
diacritics, semicolons), then times each stage and prints rows per second.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.demo import synthetic_incidents
from geo.io.incident_import import validate_incidents
from geo.io.tables import read_table
from geo.store.store import Store
from geo.taxonomy import fold, offence_name


def write_csv(n: int, path: Path, *, seed: int = 7) -> None:
    """Write ``n`` synthetic incidents as a Vietnamese-style CSV file."""
    store = Store.open(f"sqlite:///{path.parent / 'communes.sqlite'}", demo=False)
    frame = synthetic_incidents(n, store.communes(), seed=seed)
    rng = np.random.default_rng(seed)
    names = {code: offence_name(code) for code in frame["offence_code"].unique()}
    plain = rng.random(n) < 0.3
    lines = ["Mã vụ;Ngày xảy ra;Tội danh / Loại vụ việc;Kinh độ;Vĩ độ;Mô tả"]
    for i, row in enumerate(frame.itertuples(index=False)):
        name = names[row.offence_code]
        lines.append(
            f"B-{i:07d};{row.occurred_at:%d/%m/%Y %H:%M};{fold(name) if plain[i] else name};"
            f"{row.lon:.6f};{row.lat:.6f};Vụ việc số {i}".replace(".", ",")
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def bench(n: int, *, url: str | None, folder: Path) -> dict[str, float]:
    """Time read, validate and commit of ``n`` rows; return seconds per stage."""
    source = folder / f"vu_viec_{n}.csv"
    write_csv(n, source)
    store = Store.open(url or f"sqlite:///{folder / f'bench_{n}.sqlite'}", demo=False)
    t0 = time.perf_counter()
    table = read_table(source)
    t1 = time.perf_counter()
    checked = validate_incidents(table, store.communes())
    t2 = time.perf_counter()
    outcome = store.import_incidents(checked)
    t3 = time.perf_counter()
    assert outcome.accepted == len(checked.incidents), outcome
    return {"read": t1 - t0, "validate": t2 - t1, "commit": t3 - t2, "accepted": float(outcome.accepted)}


def main() -> None:
    """Run the benchmark for each N and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--db", help="store URL (default: a new SQLite file per size)")
    args = parser.parse_args()
    print(f"{'rows':>9} {'read s':>8} {'validate s':>11} {'commit s':>9} {'total s':>8} {'rows/s':>9}")
    with tempfile.TemporaryDirectory() as folder:
        for n in args.sizes:
            t = bench(n, url=args.db, folder=Path(folder))
            total = t["read"] + t["validate"] + t["commit"]
            print(
                f"{n:>9} {t['read']:>8.2f} {t['validate']:>11.2f} {t['commit']:>9.2f} {total:>8.2f} {n / total:>9.0f}"
            )


if __name__ == "__main__":
    main()
