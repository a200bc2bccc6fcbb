"""Time the evaluation on the demo data: counts and effect sizes, the trend models, the panel model.

Usage: ``.venv/bin/python scripts/bench_evaluation.py`` (prints one line per step, best of 3 runs).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from geo.demo import synthetic_incidents
from geo.evaluation.assess import evaluate
from geo.evaluation.models import panel_model
from geo.evaluation.periods import monthly_counts, windows_for
from geo.store.store import Store


def best(step: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
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


if __name__ == "__main__":
    main()
