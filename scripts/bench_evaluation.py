"""Time the evaluation: on the demo data, and on simulated provinces of N units.

Usage::

    .venv/bin/python scripts/bench_evaluation.py                 # the demo store (best of 3 per step)
    .venv/bin/python scripts/bench_evaluation.py --units 13,50,100,250,504 [--runs 3] [--no-demo]

``--units``: `geo.evaluation.assess.evaluate` with its models on simulated bucket counts
(`geo.evaluation.simulated.province`: Poisson counts per unit × offence group × plan month, 24 plan
months before the start and 12 after, three targets, the first falling by 40%), without a database.
One line per size: wall and CPU seconds of this process (best of ``--runs``), the load average, and
each target's verdict, calibrated rate ratio and synthetic-control ratio.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.demo import synthetic_incidents
from geo.evaluation.assess import Evaluation, evaluate
from geo.evaluation.models import panel_model
from geo.evaluation.periods import monthly_counts, windows_for
from geo.evaluation.simulated import province
from geo.store.store import Store


def best(step: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def timed(step: Callable[[], Evaluation], runs: int) -> tuple[float, float, Evaluation]:
    """Return the best wall and CPU seconds of ``runs`` runs of ``step`` and its last result."""
    walls, cpus, results = [], [], []
    for _ in range(max(runs, 1)):
        wall, cpu = time.perf_counter(), time.process_time()
        results.append(step())
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus), results[-1]


def demo() -> None:
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"
    store = Store.open(url, demo=True)
    incidents, communes, plan = store.incidents(), store.communes(), store.plan()
    print(f"{len(incidents)} incidents, {len(communes)} communes, targets {', '.join(plan.targets)}")
    print(f"evaluate(models=False): {best(lambda: evaluate(incidents, communes, plan, models=False)):.3f} s")
    print(f"evaluate(models=True):  {best(lambda: evaluate(incidents, communes, plan)):.3f} s")
    windows = windows_for(incidents, plan)
    monthly = monthly_counts(incidents, windows, codes=communes["code"].tolist())
    population = dict(zip(communes["code"], communes["population"].astype(float), strict=True))
    result = panel_model(monthly, targets=plan.targets, population=population)
    seconds = best(lambda: panel_model(monthly, targets=plan.targets, population=population))
    print(f"panel_model ({len(monthly)} commune-months): {seconds:.3f} s -> {result}")
    large = synthetic_incidents(1_000_000, communes, seed=3)
    print(
        f"1,000,000 synthetic incidents: evaluate(models=True) {best(lambda: evaluate(large, communes, plan), 1):.2f} s"
    )


def provinces(sizes: list[int], runs: int) -> None:
    for units in sizes:
        simulated = province(units)
        step = functools.partial(evaluate, simulated.counts, simulated.communes, simulated.plan)
        wall, cpu, result = timed(step, runs)
        data = result.to_dict()
        targets = "; ".join(
            f"{t['code']} {t['verdict']} {t['rate_ratio']} sc {t['synthetic']['ratio'] if t['synthetic'] else None}"
            for t in data["targets"]
        )
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"{units} units: evaluate {wall:.2f} s wall, {cpu:.2f} s CPU (load {load}) | {targets}"
            f" | together {data['combined']['verdict']} {data['combined']['rate_ratio']}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--units", default="", help="comma-separated numbers of simulated units (e.g. 13,50,504)"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per size (the best is shown)")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo store's steps")
    args = parser.parse_args()
    if not args.no_demo:
        demo()
    if args.units:
        provinces([int(x) for x in args.units.split(",") if x.strip()], args.runs)


if __name__ == "__main__":
    main()
