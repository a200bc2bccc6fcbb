"""Time the grid analytics (density, Gi*, emerging hot spots) on the demo data and on 1,000,000 incidents.

Run: ``.venv/bin/python scripts/bench_hotspots.py [--n 1000000] [--repeat 3]``. Prints the best time of
each stage over ``--repeat`` runs, for the demo store and for synthetic incidents from
`geo.demo.synthetic_incidents` (points around the demo clusters, times uniform over 2021–2026).
Targets (issue 5): all grid analytics under 2 s for the demo, under 20 s for 1M incidents.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.demo import synthetic_incidents
from geo.hotspots import grid as gridmod
from geo.hotspots.emerging import choose_steps, emerging_hotspots
from geo.hotspots.gistar import gi_star, hot_cells
from geo.store.store import Store


def _best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def bench(label: str, incidents: pd.DataFrame, communes: object, repeat: int) -> float:
    """Time every stage once per repeat; print and return the total of the best times."""
    stages: dict[str, float] = {}
    lon, lat = incidents["lon"].to_numpy(), incidents["lat"].to_numpy()
    times = incidents["occurred_at"].to_numpy()
    stages["grid (make_grid)"], grid = _best(lambda: gridmod.make_grid(communes), repeat)
    stages["project to EPSG:32648"], xy = _best(lambda: gridmod.project(lon, lat), repeat)
    x, y = xy
    stages["cell counts"], counts = _best(lambda: gridmod.cell_counts(grid, x, y), repeat)
    stages["kernel density (whole period, edge-corrected)"], _ = _best(
        lambda: gridmod.density(grid, x, y), repeat
    )
    stages["kernel density (whole period, uncorrected)"], _ = _best(
        lambda: gridmod.density(grid, x, y, edge_correction=False), repeat
    )
    steps = choose_steps(times, max_monthly=10**6)

    def monthly() -> np.ndarray:
        return gridmod.density(grid, x, y, steps=steps.step_of(times), n_steps=steps.count)

    stages[f"kernel density per month ({steps.count} layers)"], _ = _best(monthly, repeat)
    stages["Gi* (9,999 permutations, FDR)"], gi = _best(lambda: gi_star(counts, grid.inside), repeat)
    stages["Gi* (normal approximation, FDR)"], gi_normal = _best(
        lambda: gi_star(counts, grid.inside, inference="normal"), repeat
    )
    stages["cell → commune"], cells = _best(lambda: gridmod.cell_communes(grid, communes), repeat)
    stages["hot-cell table"], _ = _best(lambda: hot_cells(grid, counts, gi, cells), repeat)
    stages["emerging hot spots, per step (cube, Gi*, Mann–Kendall)"], em = _best(
        lambda: emerging_hotspots(grid, x, y, times), repeat
    )
    stages["emerging hot spots, whole cube (ArcGIS)"], em_cube = _best(
        lambda: emerging_hotspots(grid, x, y, times, standardise="cube"), repeat
    )
    total = sum(stages.values())
    print(
        f"\n{label}: {len(incidents):,} incidents, grid {grid.ny}×{grid.nx} ({grid.n_inside:,} cells inside)"
    )
    print(f"  emerging steps: {em.steps.count} × {em.steps.months_per_step} month(s)")
    hot_perm, hot_normal = int((gi.bins > 0).sum()), int((gi_normal.bins > 0).sum())
    print(f"  Gi* hot cells: {hot_perm} (permutations, FDR), {hot_normal} (normal approximation, FDR)")
    for kind, result in (("per step", em), ("whole cube", em_cube)):
        growing = np.isin(result.category, ["new_hot", "consecutive_hot", "intensifying_hot"]).sum()
        print(f"  emerging, {kind}: {int(growing)} new / consecutive / intensifying hot cells")
    for name, seconds in stages.items():
        print(f"  {name:<48} {seconds * 1000:9.1f} ms")
    print(f"  {'total':<48} {total * 1000:9.1f} ms")
    return total


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000, help="synthetic incidents (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per stage; the best is kept")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {platform.machine()}, {platform.processor() or 'cpu ?'}")
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{folder}/bench.sqlite", demo=True)
        communes, incidents = store.communes(), store.incidents()
        demo_total = bench("demo", incidents, communes, args.repeat)
        # The generator drops points outside the communes (about a third): draw more, keep n.
        big = synthetic_incidents(int(args.n * 1.6), communes, seed=1)
        big = big.sample(n=min(args.n, len(big)), random_state=1).sort_values("occurred_at", kind="stable")
        big_total = bench("synthetic", big, communes, args.repeat)
    print(f"\ndemo {demo_total:.2f} s (target < 2 s); {args.n:,} incidents {big_total:.2f} s (target < 20 s)")


if __name__ == "__main__":
    main()
