"""Benchmark the hotspot map: build time and HTML size for the demo data and for 1,000,000 incidents.

Run with `make bench` (or `.venv/bin/python scripts/bench_map.py`). Figures go into docs/performance.md.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit_folium import _get_map_string  # noqa: E402

from geo.demo import synthetic_incidents  # noqa: E402
from geo.filters import apply_filter, default_filter  # noqa: E402
from geo.maps.district import build_map, map_html_size  # noqa: E402
from geo.store.store import Store  # noqa: E402

TARGETS = ("15361", "15379", "15388")


def _measure(label: str, communes: object, incidents: object, repeat: int = 3) -> None:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        build = build_map(communes, incidents, targets=TARGETS)  # type: ignore[arg-type]
        size = map_html_size(build.map)  # rendering is part of what a page pays
        best = min(best, time.perf_counter() - start)
    script = len(_get_map_string(build.map).encode())
    print(
        f"{label:<34} n={build.n_incidents:>9,} mode={build.points_mode:<6} markers={build.n_markers:>5} "
        f"heat_cells={build.n_heat_cells:>5} build+render={best:6.3f}s html={size / 1e6:5.2f} MB script={script / 1e6:5.2f} MB"
    )


def main() -> int:
    """Print one line per scenario."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{tmp}/bench.sqlite", demo=True)
        start = time.perf_counter()
        incidents = store.incidents()
        print(f"load {len(incidents):,} incidents from SQLite: {time.perf_counter() - start:.3f}s")
        communes = store.communes()
    flt = default_filter(incidents)
    start = time.perf_counter()
    recent = apply_filter(incidents, flt)
    print(f"filter (default 12 months): {1000 * (time.perf_counter() - start):.1f} ms")
    _measure("demo, default 12 months (points)", communes, recent)
    _measure("demo, all 2021-2026 (cells)", communes, incidents)
    start = time.perf_counter()
    big = synthetic_incidents(1_000_000, communes)
    print(f"generate 1M synthetic incidents: {time.perf_counter() - start:.1f}s")
    start = time.perf_counter()
    apply_filter(big, flt)
    print(f"filter 1M (12 months, sorted): {1000 * (time.perf_counter() - start):.1f} ms")
    _measure("1,000,000 synthetic (cells)", communes, big, repeat=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
