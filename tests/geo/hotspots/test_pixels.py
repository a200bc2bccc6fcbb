"""The hot spot analyses from incidents counted per pixel equal those from the incidents' rows (issue 14)."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import settings
from geo._errors import ConfigError, DataError
from geo.hotspots import edges, series
from geo.hotspots import grid as gridmod
from geo.hotspots.emerging import cube_counts, pixel_cube
from geo.hotspots.pixels import PixelCounts, bin_xy, from_table, month_numbers
from geo.store.aggregates import Grid as StoreGrid

X0, Y0 = 500_000.0, 2_200_000.0
SIDE = 1000.0  # each commune a 1 km square: 4 × 4 cells of 250 m
CRS = "EPSG:32648"


@pytest.fixture(scope="module")
def frame() -> series.GridFrame:
    """Four square communes (A south-west, B south-east, C north-west, D north-east) and a round one (E)."""
    corners = {"A": (0, 0), "B": (1, 0), "C": (0, 1), "D": (1, 1)}
    boxes = [
        shapely.box(X0 + i * SIDE, Y0 + j * SIDE, X0 + (i + 1) * SIDE, Y0 + (j + 1) * SIDE)
        for i, j in corners.values()
    ]
    boxes.append(shapely.Point(X0 + 2600, Y0 + 1000).buffer(500))  # a border cut by a curve
    communes = gpd.GeoDataFrame({"code": [*corners, "E"], "name": [*corners, "E"]}, geometry=boxes, crs=CRS)
    return series.grid_frame(communes)


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    """500 incidents over 16 months: clustered, spread, some outside the district, some without coordinates."""
    rng = np.random.default_rng(14)
    n = 500
    dx = np.concatenate([rng.normal(600, 120, 200), rng.uniform(-300, 3300, n - 200)])
    dy = np.concatenate([rng.normal(1400, 150, 200), rng.uniform(-300, 2300, n - 200)])
    lon, lat = gridmod.unproject(X0 + dx, Y0 + dy)
    lon[rng.choice(n, 25, replace=False)] = np.nan  # placed by their commune only
    days = rng.integers(0, 456, n)
    times = (
        pd.Timestamp("2023-10-05") + pd.to_timedelta(days, unit="D") + pd.to_timedelta(days % 24, unit="h")
    )
    lat[np.isnan(lon)] = np.nan
    return pd.DataFrame({"lon": lon, "lat": lat, "occurred_at": times.astype("datetime64[ns]")})


def stored(incidents: pd.DataFrame, *, by_month: bool = False) -> PixelCounts:
    """The incidents counted as the store counts them (`geo.store.aggregates.Grid.pixels`, summed per pixel)."""
    grid = StoreGrid(CRS)
    located = incidents[incidents["lon"].notna()]
    gx, gy = grid.pixels(located["lon"].to_numpy(), located["lat"].to_numpy())
    table = pd.DataFrame({"gx": gx, "gy": gy, "n": 1})
    if by_month:
        table["month"] = located["occurred_at"].dt.strftime("%Y-%m").to_numpy()
    keys = ["month", "gx", "gy"] if by_month else ["gx", "gy"]
    return from_table(table.groupby(keys, as_index=False)["n"].sum(), crs=grid.crs, pixel_m=grid.pixel_m)


def within(incidents: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    times = incidents["occurred_at"]
    return incidents[(times >= pd.Timestamp(start)) & (times < pd.Timestamp(end) + pd.Timedelta(days=1))]


def _old_density(grid: gridmod.Grid, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The density as it was computed before the pixel counts: points binned on the grid's own pixels."""
    subcells = settings.KDE_SUBCELLS
    pixel = grid.cell_m / subcells
    pny, pnx = grid.ny * subcells, grid.nx * subcells
    col, row = np.floor((x - grid.x0) / pixel), np.floor((y - grid.y0) / pixel)
    ok = (col >= 0) & (col < pnx) & (row >= 0) & (row < pny)
    binned = np.bincount((row[ok] * pnx + col[ok]).astype(np.int64), minlength=pny * pnx).reshape(1, pny, pnx)
    kernel = gridmod.quartic_kernel(bandwidth_m=settings.KDE_BANDWIDTH_M, pixel_m=pixel)
    mask = edges.pixel_mask(grid, subcells)
    share = np.maximum(edges.kernel_share(mask, kernel), settings.KDE_EDGE_MIN_SHARE)
    return gridmod._smooth_cells(grid, binned, kernel, subcells, mask=mask, share=share)[0]


def test_the_store_pixels_are_the_kernel_density_pixels(frame: series.GridFrame, rows: pd.DataFrame):
    grid = frame.grid
    assert grid.crs == CRS
    assert StoreGrid(CRS).pixel_m == grid.cell_m / settings.KDE_SUBCELLS
    ours = series.pixels_of(grid, rows)
    theirs = stored(rows)
    assert ours.total == theirs.total == rows["lon"].notna().sum()
    pairs = pd.DataFrame({"gx": ours.gx, "gy": ours.gy}).value_counts().sort_index()
    assert pairs.tolist() == theirs.n.tolist()


def test_density_and_counts_from_pixels_equal_the_point_computation(
    frame: series.GridFrame, rows: pd.DataFrame
):
    grid = frame.grid
    x, y = grid.project(rows["lon"].to_numpy(), rows["lat"].to_numpy())
    located = np.isfinite(x)
    expected = _old_density(grid, x[located], y[located])
    assert gridmod.pixel_density(grid, stored(rows)) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert gridmod.density(grid, x, y) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    flat = grid.cell_index(x[located], y[located])
    direct = np.bincount(flat[flat >= 0], minlength=grid.nx * grid.ny).reshape(grid.shape)
    assert (gridmod.pixel_cell_counts(grid, stored(rows)) == direct).all()
    assert (gridmod.cell_counts(grid, x, y) == direct).all()


def test_cells_counted_from_blocks_of_pixels_equal_those_from_pixels(
    frame: series.GridFrame, rows: pd.DataFrame
):
    grid, pixels = frame.grid, stored(rows)
    blocks = PixelCounts(pixels.gx // 4, pixels.gy // 4, pixels.n, crs=CRS, pixel_m=250.0)
    assert (gridmod.pixel_cell_counts(grid, blocks) == gridmod.pixel_cell_counts(grid, pixels)).all()
    month = month_numbers(rows["occurred_at"])
    x, y = grid.project(rows["lon"].to_numpy(), rows["lat"].to_numpy())
    steps, n_steps = month - month.min(), int(month.max() - month.min()) + 1
    assert n_steps == 16
    cube = cube_counts(grid, x, y, steps, n_steps)
    assert cube.sum() == gridmod.cell_counts(grid, x, y).sum()
    binned = bin_xy(x, y, crs=CRS, pixel_m=62.5, month=month)
    assert binned.month is not None
    assert (pixel_cube(grid, binned, binned.month - month.min(), n_steps) == cube).all()


def _same_period(a: series.Period, b: series.Period) -> None:
    assert (a.counts == b.counts).all()
    assert a.density == pytest.approx(b.density, rel=1e-9, abs=1e-9)
    assert (a.bins == b.bins).all()
    pd.testing.assert_frame_equal(a.table, b.table, rtol=1e-9)


@pytest.mark.parametrize("communes", [(), ("A", "C")])
def test_every_layer_from_pixel_counts_equals_the_layer_from_rows(
    frame: series.GridFrame, rows: pd.DataFrame, communes: tuple[str, ...]
):
    if communes:
        x, _y = frame.grid.project(rows["lon"].to_numpy(), rows["lat"].to_numpy())
        rows = rows[~(x > X0 + SIDE)]  # the communes' own incidents (and the unlocated)
    start, end = date(2023, 11, 12), date(2024, 9, 30)
    period = within(rows, start, end)
    span = {"start": start, "end": end, "communes": communes}
    from_rows = series.period_analysis(frame, period, **span)
    from_pixels = series.period_analysis(frame, stored(period), **span)
    _same_period(from_rows, from_pixels)
    assert from_rows.counts.sum() > 150
    assert len(from_rows.table) > 0
    assert series.period_density(frame, stored(period), **span) == pytest.approx(
        series.period_density(frame, period, **span), rel=1e-9, abs=1e-9
    )

    monthly_rows = series.monthly_density(frame, period, **span)
    monthly_pixels = series.monthly_density(frame, stored(period, by_month=True), **span)
    assert monthly_rows.months == monthly_pixels.months
    assert len(monthly_rows.months) == 11
    assert monthly_pixels.yearly == pytest.approx(monthly_rows.yearly, rel=1e-9, abs=1e-9)

    windows = {
        "before_start": date(2023, 11, 1),
        "start": date(2024, 5, 17),
        "after_end": date(2024, 11, 1),
        "before_months": 6,
        "after_months": 6,
        "communes": communes,
    }
    compared_rows = series.compare_periods(frame, rows, **windows)
    before = stored(within(rows, date(2023, 11, 1), date(2024, 5, 16)))
    after = stored(within(rows, date(2024, 5, 17), date(2024, 10, 31)))
    compared_pixels = series.compare_periods(frame, (before, after), **windows)
    _same_period(compared_rows.before, compared_pixels.before)
    _same_period(compared_rows.after, compared_pixels.after)

    times = month_numbers(rows["occurred_at"])
    emerging_rows = series.emerging_analysis(frame, rows, communes=communes)
    emerging_pixels = series.emerging_analysis(
        frame, stored(rows, by_month=True), communes=communes, months=(int(times.min()), int(times.max()))
    )
    assert emerging_rows.steps == emerging_pixels.steps
    assert (emerging_rows.counts == emerging_pixels.counts).all()
    assert (emerging_rows.category == emerging_pixels.category).all()
    assert np.allclose(emerging_rows.gi.z, emerging_pixels.gi.z, rtol=1e-9, atol=1e-9, equal_nan=True)
    assert np.allclose(emerging_rows.trend_p, emerging_pixels.trend_p, rtol=1e-9, atol=1e-9, equal_nan=True)


def test_the_emerging_span_defaults_to_the_counted_months(frame: series.GridFrame, rows: pd.DataFrame):
    pixels = stored(rows, by_month=True)
    assert pixels.months() == (2023 * 12 + 9, 2024 * 12 + 12)
    result = series.emerging_analysis(frame, pixels)
    assert result.steps.count == 16
    with pytest.raises(DataError, match="Không có vụ việc"):
        series.emerging_analysis(frame, stored(rows.iloc[0:0], by_month=True))


def test_pixels_of_another_grid_are_refused(frame: series.GridFrame, rows: pd.DataFrame):
    pixels = stored(rows)
    other = PixelCounts(pixels.gx, pixels.gy, pixels.n, crs="EPSG:32649")
    with pytest.raises(ConfigError, match="hệ tọa độ"):
        series.period_density(frame, other, start=date(2024, 1, 1), end=date(2024, 12, 31))
    coarse = PixelCounts(pixels.gx // 2, pixels.gy // 2, pixels.n, crs=CRS, pixel_m=125.0)
    assert (
        gridmod.pixel_cell_counts(frame.grid, coarse).sum()
        == gridmod.pixel_cell_counts(frame.grid, pixels).sum()
    )
    with pytest.raises(ConfigError, match=r"Mật độ cần số đếm theo điểm ảnh 62\.5 m"):
        gridmod.pixel_density(frame.grid, coarse)
    with pytest.raises(ConfigError, match="không chia hết"):
        gridmod.pixel_cell_counts(
            frame.grid, PixelCounts(pixels.gx, pixels.gy, pixels.n, crs=CRS, pixel_m=100.0)
        )
    with pytest.raises(ValueError, match="per month"):
        series.monthly_density(frame, pixels, start=date(2024, 1, 1), end=date(2024, 12, 31))
