"""scripts/bench_postgis.py makes a store of its own province: its area and unit words, no plan (a small store)."""

from __future__ import annotations

from pathlib import Path

from geo.plan import Plan
from tests.scripts._scripts import load_script


def test_the_bench_store_has_its_own_area_and_no_plan(tmp_path: Path) -> None:
    bench = load_script("bench_postgis")
    store, cols, rows = bench.make_store(f"sqlite:///{tmp_path / 'bench.sqlite'}", 12)
    communes = store.communes()
    assert len(communes) == cols * rows >= 12
    assert store.area() == bench.AREA
    assert "Vĩnh Lộc" not in store.area().name
    assert communes["name"].str.startswith("Khu ").all()
    assert store.plan() == Plan.unset()
    assert not store.is_demo()
    assert store.incidents().empty
