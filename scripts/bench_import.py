"""Benchmark of the incident import: read, validate and commit N rows (SQLite, or any DATABASE URL).

Usage: .venv/bin/python scripts/bench_import.py [N ...] [--db URL] [--file CSV]

Writes a synthetic Vietnamese CSV (dd/mm/yyyy dates, decimal commas, offence names with and without
diacritics, semicolons) or reads ``--file``, then times each stage as the command line runs it (read
with the command line's limits, validate, plan, commit): wall and CPU seconds, and the process's peak
resident memory after each stage. CPU seconds are the figure to compare on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.demo import synthetic_incidents
from geo.io.incident_import import validate_incidents
from geo.io.safety import Limits
from geo.io.tables import read_table
from geo.store.batches import plan_import
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


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(n: int, *, url: str | None, folder: Path, source: Path | None = None) -> dict[str, float]:
    """Read, validate, plan and commit ``n`` rows (or ``source``); return wall and CPU seconds and peak MB per stage."""
    if source is None:
        source = folder / f"vu_viec_{n}.csv"
        write_csv(n, source)
    store = Store.open(url or f"sqlite:///{folder / f'bench_{n}.sqlite'}", demo=False)
    out: dict[str, float] = {}
    wall, cpu = time.perf_counter(), time.process_time()

    def lap(stage: str) -> None:
        nonlocal wall, cpu
        out[f"{stage}_s"], out[f"{stage}_cpu"] = time.perf_counter() - wall, time.process_time() - cpu
        out[f"{stage}_mb"] = _peak_mb()
        wall, cpu = time.perf_counter(), time.process_time()

    table = read_table(source, limits=Limits.command_line())
    lap("read")
    checked = validate_incidents(table, store.communes())
    del table
    lap("validate")
    plan_import(store, checked)
    lap("plan")
    outcome = store.import_incidents(checked)
    lap("commit")
    assert outcome.accepted == len(checked.incidents), outcome
    out["accepted"] = float(outcome.accepted)
    return out


def main() -> None:
    """Run the benchmark for each N and print a table (seconds wall / CPU, peak MB after each stage)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--db", help="store URL (default: a new SQLite file per size)")
    parser.add_argument("--file", type=Path, help="a CSV to import instead of a generated one (one size)")
    args = parser.parse_args()
    stages = ("read", "validate", "plan", "commit")
    print(f"load average {os.getloadavg()[0]:.2f}; per stage: wall s / CPU s / peak MB")
    print(f"{'rows':>9} " + " ".join(f"{s:>20}" for s in stages) + f" {'total CPU s':>12} {'rows/CPU s':>11}")
    with tempfile.TemporaryDirectory() as folder:
        for n in args.sizes[:1] if args.file else args.sizes:
            t = bench(n, url=args.db, folder=Path(folder), source=args.file)
            cpu = sum(t[f"{s}_cpu"] for s in stages)
            cells = " ".join(
                f"{t[f'{s}_s']:>6.2f}/{t[f'{s}_cpu']:>6.2f}/{t[f'{s}_mb']:>6.0f}" for s in stages
            )
            print(f"{int(t['accepted']):>9} {cells} {cpu:>12.2f} {t['accepted'] / cpu:>11.0f}")


if __name__ == "__main__":
    main()
