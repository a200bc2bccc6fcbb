"""Server-side aggregation: per-commune counts and rates, grid cells under a cap."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.aggregate import commune_counts, grid_cells, rate_class, rate_per_1000


def _communes() -> gpd.GeoDataFrame:
    """Two square communes side by side, 2,000 and 0 (unknown) residents."""
    return gpd.GeoDataFrame(
        {"code": ["A", "B"], "name": ["An", "Bình"], "population": [2000, 0]},
        geometry=[box(105.60, 20.00, 105.61, 20.01), box(105.61, 20.00, 105.62, 20.01)],
        crs="EPSG:4326",
    )


def test_counts_rates_and_change_per_commune() -> None:
    now = pd.DataFrame({"commune_code": ["A", "A", "A", "A", "B"]})
    before = pd.DataFrame({"commune_code": ["A", "A"]})
    table = commune_counts(now, _communes(), days=365, previous=before).set_index("code")
    assert table.loc["A", "count"] == 4
    assert table.loc["A", "rate"] == pytest.approx(1000 * 4 / 2000 / (365 / 365.25))
    assert table.loc["A", "change_pct"] == pytest.approx(100.0)
    assert np.isnan(table.loc["B", "rate"])  # population unknown: no rate rather than a wrong one
    assert np.isnan(table.loc["B", "change_pct"])  # nothing the year before: no percentage


def test_every_commune_gets_a_row_even_without_incidents() -> None:
    table = commune_counts(pd.DataFrame({"commune_code": []}), _communes(), days=30)
    assert list(table["count"]) == [0, 0]


def test_rate_classes_are_fixed() -> None:
    assert [rate_class(r) for r in (0.0, 9.9, 10.0, 25.0, 40.0, 400.0, float("nan"))] == [
        0,
        0,
        1,
        2,
        4,
        4,
        -1,
    ]
    assert rate_per_1000(pd.Series([10]), pd.Series([1000]), days=730).iloc[0] == pytest.approx(5.0, rel=1e-3)


def test_grid_cells_conserve_counts_and_respect_the_cap() -> None:
    rng = np.random.default_rng(0)
    incidents = pd.DataFrame({"lon": 105.6 + rng.random(5000) * 0.05, "lat": 20.0 + rng.random(5000) * 0.05})
    cells = grid_cells(incidents, cell_m=150)
    assert cells["count"].sum() == 5000
    capped = grid_cells(incidents, cell_m=150, max_cells=100)
    assert len(capped) == 100
    assert capped["count"].min() >= cells["count"].sort_values(ascending=False).iloc[99]


def test_grid_cells_of_one_place_is_one_cell() -> None:
    cells = grid_cells(pd.DataFrame({"lon": [105.6] * 7, "lat": [20.05] * 7}), cell_m=250)
    assert len(cells) == 1
    assert cells["count"].iloc[0] == 7
    assert abs(cells["lon"].iloc[0] - 105.6) < 0.003
