"""Tests of the emerging hot spot analysis: time steps, Mann–Kendall, and one space-time pattern per class."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo._errors import DataError
from geo.hotspots import grid as gridmod
from geo.hotspots.emerging import (
    CLASSES,
    choose_steps,
    classify,
    emerging_hotspots,
    hot_class_shares,
    mann_kendall,
)

X0, Y0 = 500_000.0, 2_200_000.0
SIZE = 11  # cells per side
STEPS = 20  # months: short enough for monthly steps
CENTRE = (5, 5)


@pytest.fixture(scope="module")
def grid() -> gridmod.Grid:
    """An 11 × 11 grid of 250 m cells, every cell inside."""
    box = shapely.box(X0, Y0, X0 + SIZE * 250, Y0 + SIZE * 250)
    return gridmod.make_grid(
        gpd.GeoDataFrame({"code": ["A"]}, geometry=[box], crs="EPSG:32648"), cell_m=250.0
    )


def points_of(grid: gridmod.Grid, cube: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn a (month, row, col) count cube into points at cell centres, on the 10th of each month."""
    steps, rows, cols = np.nonzero(cube)
    repeat = cube[steps, rows, cols]
    xs, ys = grid.centres()
    x = np.repeat(xs[rows, cols], repeat)
    y = np.repeat(ys[rows, cols], repeat)
    months = np.repeat(np.datetime64("2024-01", "M") + steps, repeat)
    times = months.astype("datetime64[D]") + np.timedelta64(9, "D")
    return x, y, times.astype("datetime64[ns]")


def run_pattern(grid: gridmod.Grid, block: list[float], *, background: float, half: int, add: bool) -> str:
    """Classify the centre cell when a block around it follows ``block`` over the 20 months.

    ``half`` = 1 gives a 3 × 3 block, 2 a 5 × 5 block; with ``add`` the block's values are added to
    a Poisson background (hot patterns), otherwise they replace it (cold patterns). The bins are
    standardised over the whole cube, ArcGIS's definition, which these patterns check.
    """
    rng = np.random.default_rng(7)
    cube = rng.poisson(background, (STEPS, SIZE, SIZE))
    r, c = CENTRE
    rows, cols = slice(r - half, r + half + 1), slice(c - half, c + half + 1)
    for step, value in enumerate(block):
        if add:
            cube[step, rows, cols] += int(value)
        else:
            cube[step, rows, cols] = int(value)
    result = emerging_hotspots(grid, *points_of(grid, cube), standardise="cube")
    assert result.steps.months_per_step == 1
    assert result.steps.count == STEPS
    return str(result.category[CENTRE])


def hot(block: list[float], grid: gridmod.Grid) -> str:
    return run_pattern(grid, block, background=2.0, half=1, add=True)


def cold(block: list[float], grid: gridmod.Grid) -> str:
    return run_pattern(grid, block, background=5.0, half=2, add=False)


NORMAL = 5.0  # a cold-pattern block value equal to the background mean


def test_new_hot_spot(grid):
    assert hot([0] * 19 + [12], grid) == "new_hot"


def test_consecutive_hot_spot(grid):
    assert hot([0] * 15 + [10] * 5, grid) == "consecutive_hot"


def test_intensifying_hot_spot(grid):
    assert hot([4 + 0.5 * t for t in range(20)], grid) == "intensifying_hot"


def test_persistent_hot_spot(grid):
    assert hot([8] * 20, grid) == "persistent_hot"


def test_diminishing_hot_spot(grid):
    assert hot([14 - 0.5 * t for t in range(20)], grid) == "diminishing_hot"


def test_sporadic_hot_spot(grid):
    block = [10 if t in (3, 8, 13, 19) else 0 for t in range(20)]
    assert hot(block, grid) == "sporadic_hot"


def test_oscillating_hot_spot(grid):
    block = [0] * 6 + [NORMAL] * 13 + [14]
    assert cold(block, grid) == "oscillating_hot"


def test_historical_hot_spot(grid):
    assert hot([8] * 18 + [0, 0], grid) == "historical_hot"


def test_new_cold_spot(grid):
    assert cold([NORMAL] * 19 + [0], grid) == "new_cold"


def test_consecutive_cold_spot(grid):
    assert cold([NORMAL] * 15 + [0] * 5, grid) == "consecutive_cold"


def test_intensifying_cold_spot(grid):
    assert cold([2] * 7 + [1] * 7 + [0] * 6, grid) == "intensifying_cold"


def test_persistent_cold_spot(grid):
    assert cold([0] * 20, grid) == "persistent_cold"


def test_diminishing_cold_spot(grid):
    assert cold([0] * 7 + [1] * 7 + [2] * 6, grid) == "diminishing_cold"


def test_sporadic_cold_spot(grid):
    block = [0 if t in (3, 8, 13, 19) else NORMAL for t in range(20)]
    assert cold(block, grid) == "sporadic_cold"


def test_oscillating_cold_spot(grid):
    block = [14] * 4 + [NORMAL] * 15 + [0]
    assert cold(block, grid) == "oscillating_cold"


def test_historical_cold_spot(grid):
    assert cold([0] * 18 + [NORMAL] * 2, grid) == "historical_cold"


def test_no_pattern_where_nothing_happens(grid):
    assert hot([0] * 20, grid) == "none"


def test_classify_rules_directly():
    """Rows are steps, columns locations; the trend decides between the three ≥ 90 % classes."""
    on = np.ones((10, 3), dtype=bool)
    off = np.zeros((10, 3), dtype=bool)
    classes = classify(on, off, np.array([3.0, -3.0, 0.5]), np.array([0.001, 0.001, 0.6]))
    assert classes.tolist() == ["intensifying_hot", "diminishing_hot", "persistent_hot"]
    assert set(classes) <= set(CLASSES)


def test_mann_kendall_by_hand():
    """[1, 1, 2, 3]: S = 5; Var = (4·3·13 − 2·1·9) / 18 = 7.667 (one tie of two); z = (5 − 1) / √7.667."""
    s, z, p = mann_kendall(np.array([[1.0, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 0.0], [2.0, 2.0, 2.0, 2.0]]))
    assert s.tolist() == [5.0, -6.0, 0.0]
    assert z[0] == pytest.approx(4 / np.sqrt(138 / 18))
    assert z[1] == pytest.approx(-5 / np.sqrt(156 / 18))
    assert z[2] == 0.0
    assert p[2] == 1.0


def test_monthly_steps_for_a_short_span():
    times = pd.to_datetime(["2024-01-15", "2025-06-02"]).to_numpy()
    steps = choose_steps(times)
    assert (steps.months_per_step, steps.count) == (1, 18)
    assert steps.starts()[0].isoformat() == "2024-01-01"
    assert steps.step_of(times).tolist() == [0, 17]


def test_quarterly_steps_end_with_the_latest_month():
    times = pd.to_datetime(["2021-01-01", "2022-03-31", "2026-10-31"]).to_numpy()
    steps = choose_steps(times)
    assert (steps.months_per_step, steps.count) == (3, 23)
    assert steps.ends()[-1].isoformat() == "2026-10-01"
    assert steps.step_of(times).tolist() == [-1, 4, 22]  # January 2021 is in an incomplete quarter


def test_too_short_a_span_is_refused():
    times = pd.to_datetime(["2024-01-15", "2024-06-02"]).to_numpy()
    with pytest.raises(DataError, match="ít nhất 10 bước"):
        choose_steps(times)


def test_hot_class_shares(grid):
    rng = np.random.default_rng(7)
    cube = rng.poisson(2.0, (STEPS, SIZE, SIZE))
    cube[:, 4:7, 4:7] += np.array([14 - 0.5 * t for t in range(20)], dtype=int)[:, None, None]
    result = emerging_hotspots(grid, *points_of(grid, cube))
    communes = pd.Series(np.where(np.arange(SIZE * SIZE) % SIZE < 5, "W", "E"), index=np.arange(SIZE * SIZE))
    shares = hot_class_shares(result, communes, ["E", "W", "X"])
    assert shares["commune_code"].tolist() == ["E", "W", "X"]
    east = shares.iloc[0]
    assert east["hot_cells"] >= 1
    assert east["fading_cells"] >= 1
    assert 0 < east["share"] <= 1
    assert shares.iloc[2]["hot_cells"] == 0
    assert np.isnan(shares.iloc[2]["share"])


def test_demo_targets_hot_spots_fade_in_vinh_hung_and_grow_in_vinh_thinh(demo_store):
    """The demo's designed trajectories: Vĩnh Hùng (15379) falls, Vĩnh Thịnh (15388) rises."""
    from geo.hotspots.gistar import gi_star

    incidents = demo_store.incidents()
    communes = demo_store.communes()
    grid = gridmod.make_grid(communes)
    x, y = gridmod.project(incidents["lon"].to_numpy(), incidents["lat"].to_numpy())
    result = emerging_hotspots(grid, x, y, incidents["occurred_at"].to_numpy())
    overall = gi_star(gridmod.cell_counts(grid, x, y), grid.inside)
    cells = gridmod.cell_communes(grid, communes)
    category = pd.Series(result.category.ravel()[cells.index], index=cells.index)
    z = pd.Series(overall.z.ravel()[cells.index], index=cells.index)
    hot = pd.Series(overall.bins.ravel()[cells.index] > 0, index=cells.index)
    growing = {"intensifying_hot", "new_hot", "persistent_hot"}
    fading = {"diminishing_hot", "historical_hot"}

    hung = z[(cells == "15379") & hot].sort_values(ascending=False)
    assert len(hung) >= 3
    assert set(category[hung.index[:3]]) <= fading
    assert not set(category[cells == "15379"]) & (growing | {"consecutive_hot"})

    thinh = category[(cells == "15388") & hot]
    assert len(thinh) >= 5
    assert thinh.isin(growing).mean() >= 0.75
    assert not set(thinh) & fading

    shares = hot_class_shares(result, cells, ["15379", "15388"]).set_index("commune_code")
    assert shares.loc["15379", "share"] > 0
    assert shares.loc["15388", "share"] == 0


TREND_SIZE = 50  # 2,500 cells, as in the audit


@pytest.fixture(scope="module")
def big_grid() -> gridmod.Grid:
    """A 50 × 50 grid of 250 m cells, every cell inside."""
    box = shapely.box(X0, Y0, X0 + TREND_SIZE * 250, Y0 + TREND_SIZE * 250)
    return gridmod.make_grid(
        gpd.GeoDataFrame({"code": ["A"]}, geometry=[box], crs="EPSG:32648"), cell_m=250.0
    )


def rising_cube(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A district-wide rise of 50 % over 20 months (Poisson, 2 → 3 a cell a month), two planted clusters.

    A 3 × 3 block around (11, 11) has four times the area's rate in every month (it rises with the
    area); a 3 × 3 block around (36, 36) has five times the rate in the last three months only.
    Returns the cube and the mask of the planted blocks with a one-cell margin.
    """
    rng = np.random.default_rng(seed)
    level = 2.0 * (1 + 0.5 * np.arange(STEPS) / (STEPS - 1))
    rate = np.repeat(level[:, None, None], TREND_SIZE, axis=1).repeat(TREND_SIZE, axis=2)
    rate[:, 10:13, 10:13] *= 4
    rate[-3:, 35:38, 35:38] *= 5
    planted = np.zeros((TREND_SIZE, TREND_SIZE), dtype=bool)
    planted[9:14, 9:14] = planted[34:39, 34:39] = True
    return rng.poisson(rate), planted


GROWING = ["new_hot", "consecutive_hot", "intensifying_hot"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_area_wide_rise_makes_no_new_hot_spots_when_each_step_is_compared_with_itself(big_grid, seed):
    cube, planted = rising_cube(seed)
    points = points_of(big_grid, cube)
    step = emerging_hotspots(big_grid, *points, standardise="step")
    assert step.standardise == "step"
    false = np.isin(step.category, GROWING) & ~planted
    assert false.sum() <= 3  # ≈ none of the 2,400 unplanted cells
    assert not np.char.endswith(step.category.astype(str), "_cold").any()
    # the planted clusters are still found: one hot throughout, one that appeared in the last months
    assert step.category[11, 11] in {"persistent_hot", "intensifying_hot"}
    assert step.category[36, 36] == "consecutive_hot"
    # ArcGIS's whole-cube standardisation reads the rise itself as growing hot spots
    cube_result = emerging_hotspots(big_grid, *points, standardise="cube")
    assert (np.isin(cube_result.category, GROWING) & ~planted).sum() >= 10
    assert cube_result.category[11, 11] == "intensifying_hot"


def test_per_step_z_scores_ignore_a_change_of_the_areas_level(grid):
    """Doubling every cell of a step changes nothing in that step's per-step z-scores (time_lags = 0)."""
    rng = np.random.default_rng(5)
    base = rng.poisson(3.0, (SIZE, SIZE))
    cube = np.stack([base] * 10 + [2 * base] * 10)
    from geo.hotspots.emerging import cube_gi_star

    kwargs = {"time_lags": 0, "inference": "normal", "permutations": 99, "seed": 1}
    per_step = cube_gi_star(cube, grid.inside, standardise="step", **kwargs)
    assert np.allclose(per_step.z[0], per_step.z[-1])
    whole = cube_gi_star(cube, grid.inside, standardise="cube", **kwargs)
    assert (whole.z[-1] > whole.z[0]).mean() > 0.9


def test_an_unknown_standardisation_is_refused(grid):
    from geo._errors import ConfigError
    from geo.hotspots.emerging import cube_gi_star

    with pytest.raises(ConfigError, match="chuẩn hóa"):
        cube_gi_star(
            np.zeros((3, SIZE, SIZE)),
            grid.inside,
            time_lags=1,
            standardise="month",  # type: ignore[arg-type]
            inference="normal",
            permutations=9,
            seed=1,
        )
