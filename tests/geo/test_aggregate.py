"""Server-side aggregation: per-commune counts and rates, grid cells under a cap."""

from __future__ import annotations

from itertools import combinations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.aggregate import (
    RATE_BREAKS,
    class_labels,
    commune_counts,
    grid_cells,
    rate_breaks,
    rate_class,
    rate_per_1000,
    round_between,
    span_rate_breaks,
)


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


def test_rate_classes_follow_given_breaks() -> None:
    breaks = (2.5, 5.0)
    assert [rate_class(r, breaks) for r in (0.0, 2.4, 2.5, 4.9, 5.0, 99.0, None)] == [0, 0, 1, 1, 2, 2, -1]


def _ssd(groups: list[list[float]]) -> float:
    return sum(float(np.sum((np.array(g) - np.mean(g)) ** 2)) for g in groups)


def test_rate_breaks_are_the_natural_groups_of_the_data() -> None:
    rates = [1.0, 1.2, 1.1, 0.0, 9.0, 9.5, 10.2, 30.0, 31.0, 29.0, 80.0, 78.0]
    breaks = rate_breaks(rates)
    assert breaks == (5.0, 20.0, 50.0)  # round numbers in the gaps between the four groups
    classes = [rate_class(r, breaks) for r in rates]
    assert classes == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3]
    # The partition is the exact optimum: no other split into four runs has less spread within classes.
    ordered = sorted(rates)
    best = min(
        _ssd([ordered[:a], ordered[a:b], ordered[b:c], ordered[c:]])
        for a, b, c in combinations(range(1, len(ordered)), 3)
    )
    got = [[r for r, k in zip(rates, classes, strict=True) if k == m] for m in range(4)]
    assert _ssd(got) == pytest.approx(best)
    assert len(rate_breaks(rates, classes=3)) == 2


def test_rate_breaks_are_readable_increasing_and_at_most_five_classes() -> None:
    rng = np.random.default_rng(3)
    for rates in (rng.lognormal(2, 0.8, 500), rng.uniform(0, 0.3, 400), rng.integers(0, 60, 400) / 3.7):
        breaks = rate_breaks(rates)
        assert 1 <= len(breaks) <= 4
        assert all(b > 0 for b in breaks)
        assert list(breaks) == sorted(set(breaks))
        assert all(f"{b:.3g}" == f"{b:g}" for b in breaks)  # at most three significant digits
        assert len({rate_class(r, breaks) for r in rates}) == len(breaks) + 1  # every class is used


def test_rate_breaks_fall_back_without_a_distribution() -> None:
    nan = float("nan")
    assert rate_breaks([]) == RATE_BREAKS  # no units
    assert rate_breaks([nan, nan]) == RATE_BREAKS  # no population anywhere: no rates
    assert rate_breaks([0.0, 0.0, nan]) == RATE_BREAKS  # no incidents anywhere
    assert rate_breaks([7.0, 7.0, 7.0]) == (7.0,)  # all equal: one class holds them all
    two = rate_breaks([2.0, 8.0, nan])  # few units: as many classes as distinct rates
    assert two == (5.0,)
    assert rate_class(2.0, two) != rate_class(8.0, two)
    assert len(rate_breaks([1.0, 2.0, 3.0])) == 1  # three units: two classes (about three units a class)
    assert len(rate_breaks(np.arange(1.0, 14.0))) == 3  # thirteen: four classes


def test_round_between_picks_the_shortest_number_near_the_middle() -> None:
    assert round_between(19.7, 26.5) == 20.0
    assert round_between(0.0, 0.004) == 0.002
    assert round_between(120.0, 180.0) == 150.0
    assert round_between(1.52, 1.58) == 1.55


def test_span_breaks_use_the_whole_span_of_the_data() -> None:
    communes = _communes().assign(population=[1000, 1000])
    # A: 2 incidents a year for two years → 2 per 1,000 per year; B: 8 a year → 8.
    times = pd.date_range("2022-01-01", "2023-12-31", periods=20)
    incidents = pd.DataFrame({"commune_code": ["A"] * 4 + ["B"] * 16, "occurred_at": times})
    breaks = span_rate_breaks(incidents, communes)
    assert breaks == (5.0,)
    assert span_rate_breaks(incidents.iloc[0:0], communes) == RATE_BREAKS


def test_class_labels_in_the_language_of_the_page() -> None:
    assert class_labels((0, 2.5, 1500)) == ["0–2.5", "2.5–1500", "≥ 1500"]
    assert class_labels((0, 2.5, 1500), lang="vi") == ["0–2,5", "2,5–1.500", "≥ 1.500"]
    assert class_labels((0, 2.5, 1500), lang="en") == ["0–2.5", "2.5–1,500", "≥ 1,500"]


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
