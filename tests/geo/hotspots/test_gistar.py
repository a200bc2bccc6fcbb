"""Tests of the Gi* hot spots: hand computation, agreement with esda, FDR classes, the hot-cell table."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from esda.getisord import G_Local
from libpysal.weights import W

from geo._errors import ConfigError
from geo.hotspots import grid as gridmod
from geo.hotspots.gistar import fdr_significant, gi_bins, gi_star, hot_cells, neighbour_sums


def queen_weights(mask: np.ndarray) -> W:
    """Binary queen contiguity between the True cells of ``mask``, ids in row-major order."""
    ids = {cell: i for i, cell in enumerate(zip(*np.nonzero(mask), strict=True))}
    neighbours = {
        i: [
            ids[(r + dr, c + dc)]
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            if (dr or dc) and (r + dr, c + dc) in ids
        ]
        for (r, c), i in ids.items()
    }
    return W(neighbours, silence_warnings=True)


def test_gi_star_matches_a_hand_computation():
    """A 3 × 4 grid; Gi* z = (Σ_j w_ij x_j − x̄ Σ_j w_ij) / (S √((n Σ w² − (Σ w)²) / (n − 1)))."""
    values = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 4.0, 0.0, 0.0], [0.0, 0.0, 0.0, 3.0]])
    n, mean = 12, 8 / 12
    s = math.sqrt(26 / 12 - mean**2)  # Σx² = 1 + 16 + 9 = 26
    # top-left cell: neighbourhood {(0,0), (0,1), (1,0), (1,1)}, 4 cells, sum 5
    corner = (5 - mean * 4) / (s * math.sqrt((n * 4 - 4**2) / (n - 1)))
    # cell (1,1): the 3 × 3 block of columns 0–2, 9 cells, sum 1 + 4 = 5
    centre = (5 - mean * 9) / (s * math.sqrt((n * 9 - 9**2) / (n - 1)))
    result = gi_star(values, np.ones((3, 4), dtype=bool), permutations=99)
    assert result.z[0, 0] == pytest.approx(1.042446, abs=1e-6)
    assert result.z[0, 0] == pytest.approx(corner)
    assert result.z[1, 1] == pytest.approx(centre)
    assert result.z[1, 1] == pytest.approx(-0.486373, abs=1e-6)


def test_gi_star_matches_esda_on_a_larger_masked_grid():
    rng = np.random.default_rng(3)
    values = rng.gamma(2.0, 1.0, (20, 20))
    values[8:12, 8:12] += 4.0
    mask = np.ones((20, 20), dtype=bool)
    mask[:4, :5] = False  # a missing corner: cells next to it have fewer neighbours
    esda = G_Local(
        values[mask],
        queen_weights(mask),
        transform="B",
        star=True,
        permutations=9999,
        seed=1,
        keep_simulations=False,
    )
    ours = gi_star(values, mask, permutations=9999, seed=2)
    assert np.allclose(ours.z[mask], esda.Zs, rtol=0, atol=1e-10)
    gap = np.abs(ours.p_sim[mask] - esda.p_sim)
    assert gap.max() < 0.04  # Monte Carlo error of two independent 9,999-permutation runs
    assert gap.mean() < 0.01
    assert np.isnan(ours.z[~mask]).all()
    assert (ours.bins[~mask] == 0).all()


def test_fdr_classes_on_a_constructed_example():
    """Benjamini–Hochberg by hand, m = 10: at 0.01 only p₁ ≤ 0.001; at 0.05 p₍₄₎ = 0.02 ≤ 0.02;
    at 0.10 p₍₇₎ = 0.07 ≤ 0.07."""
    p = np.array([0.0005, 0.004, 0.008, 0.02, 0.03, 0.045, 0.07, 0.2, 0.5, 0.9])
    side = np.array([1, 1, -1, 1, -1, 1, -1, 1, 1, -1])
    assert gi_bins(side, p).tolist() == [3, 2, -2, 2, -1, 1, -1, 0, 0, 0]
    assert gi_bins(side, p, fdr=False).tolist() == [3, 3, -3, 2, -2, 2, -1, 0, 0, 0]
    assert fdr_significant(p, alpha=0.05).tolist() == [True] * 4 + [False] * 6
    assert not fdr_significant(np.array([0.2, 0.6]), alpha=0.05).any()


def test_a_cluster_is_hot_and_empty_cells_are_not_cold():
    """Counts: a cluster among zeros. Ties count towards the tail, so zeros among zeros are not cold."""
    values = np.zeros((15, 15))
    values[6:9, 6:9] = 6.0
    values[2, 11] = 1.0
    result = gi_star(values, np.ones((15, 15), dtype=bool))
    assert result.bins[7, 7] == 3
    assert (result.bins >= 0).all()
    assert result.bins[0, 0] == 0


def test_gi_star_with_nothing_to_find():
    result = gi_star(np.zeros((4, 4)), np.ones((4, 4), dtype=bool))
    assert (result.z == 0).all()
    assert (result.bins == 0).all()
    assert (result.p_value == 1).all()


def test_neighbour_sums_in_space_and_time():
    cube = np.zeros((3, 3, 3))
    cube[0, 1, 1] = 2.0
    cube[1, 0, 0] = 1.0
    mask = np.ones((3, 3), dtype=bool)
    sums, cards = neighbour_sums(cube, mask, time_lags=1)
    assert sums[0, 2, 2] == 2.0  # same step, diagonal neighbour
    assert sums[1, 2, 2] == 2.0  # the previous step is in the neighbourhood
    assert sums[1, 1, 1] == 3.0
    assert sums[2, 0, 0] == 1.0
    assert sums[2, 2, 2] == 0.0
    assert cards[0, 0, 0] == 4
    assert cards[1, 0, 0] == 8
    assert cards[1, 1, 1] == 18


def test_gi_star_refuses_mismatched_shapes():
    with pytest.raises(ConfigError, match="khớp lưới"):
        gi_star(np.zeros((3, 3)), np.ones((4, 4), dtype=bool))
    with pytest.raises(ConfigError, match="time_lags"):
        gi_star(np.zeros((3, 3)), np.ones((3, 3), dtype=bool), time_lags=1)


def test_hot_cells_table_names_the_commune():
    x0, y0 = 500_000.0, 2_200_000.0
    communes = gpd.GeoDataFrame(
        {"code": ["W", "E"], "name": ["Tây", "Đông"]},
        geometry=[
            shapely.box(x0, y0, x0 + 1500, y0 + 3000),
            shapely.box(x0 + 1500, y0, x0 + 3000, y0 + 3000),
        ],
        crs="EPSG:32648",
    ).to_crs("EPSG:4326")
    grid = gridmod.make_grid(communes, cell_m=250.0)
    counts = np.zeros(grid.shape)
    counts[5:8, 8:11] = 9.0
    result = gi_star(counts, grid.inside)
    table = hot_cells(
        grid, counts, result, gridmod.cell_communes(grid, communes), names={"W": "Tây", "E": "Đông"}
    )
    assert len(table) > 0
    assert table.iloc[0]["cell"] == 6 * grid.nx + 9
    assert table.iloc[0]["commune"] == "Đông"
    assert (table["gi_bin"] > 0).all()
    assert list(table.columns) == [
        "cell",
        "commune_code",
        "commune",
        "count",
        "z",
        "p_value",
        "gi_bin",
        "lon",
        "lat",
    ]
    assert isinstance(table, pd.DataFrame)


def test_the_normal_convention_is_arcgis_two_sided_p_from_z():
    from scipy import stats

    rng = np.random.default_rng(8)
    values = rng.poisson(0.4, (25, 25)).astype(float)
    values[10:13, 10:13] += 3
    mask = np.ones((25, 25), dtype=bool)
    normal = gi_star(values, mask, inference="normal", fdr=False)
    assert np.allclose(normal.p_value, 2 * stats.norm.sf(np.abs(normal.z)))
    z, p = normal.z.ravel(), normal.p_value.ravel()
    assert (normal.bins.ravel() == gi_bins(z, p, fdr=False)).all()
    assert (gi_star(values, mask, inference="normal").bins.ravel() == gi_bins(z, p)).all()
    permuted = gi_star(values, mask, permutations=9999, seed=3)
    assert np.allclose(permuted.z, normal.z)  # the same statistic, another p-value
    assert normal.bins[11, 11] == 3
    assert permuted.bins[11, 11] >= 2  # the planted cluster is found both ways
    # on sparse, skewed counts the normal approximation calls more cells hot
    assert (normal.bins > 0).sum() > (permuted.bins > 0).sum()


def test_an_unknown_inference_is_refused():
    with pytest.raises(ConfigError, match="giá trị p"):
        gi_star(np.ones((3, 3)), np.ones((3, 3), dtype=bool), inference="bootstrap")  # type: ignore[arg-type]
