"""Tests of the hotspot analyses over time windows: period, monthly series, before/after, emerging."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo._errors import DataError
from geo.hotspots import grid as gridmod
from geo.hotspots import series
from geo.hotspots.emerging import Emerging, TimeSteps

X0, Y0 = 500_000.0, 2_200_000.0
CELL = 250.0
SIDE = 1000.0  # each commune is a 1 km square: 4 × 4 cells


@pytest.fixture(scope="module")
def frame() -> series.GridFrame:
    """Four square communes in EPSG:32648 (A south-west, B south-east, C north-west, D north-east)."""
    corners = {"A": (0, 0), "B": (1, 0), "C": (0, 1), "D": (1, 1)}
    boxes = [
        shapely.box(X0 + i * SIDE, Y0 + j * SIDE, X0 + (i + 1) * SIDE, Y0 + (j + 1) * SIDE)
        for i, j in corners.values()
    ]
    communes = gpd.GeoDataFrame(
        {"code": list(corners), "name": list(corners)}, geometry=boxes, crs="EPSG:32648"
    )
    return series.grid_frame(communes, cell_m=CELL)


def incidents(points: list[tuple[float, float, str]]) -> pd.DataFrame:
    """Incidents at metric offsets (dx, dy) from the south-west corner, at the given times."""
    dx = np.array([p[0] for p in points], dtype=float)
    dy = np.array([p[1] for p in points], dtype=float)
    lon, lat = gridmod.unproject(X0 + dx, Y0 + dy)
    return pd.DataFrame(
        {
            "lon": lon,
            "lat": lat,
            "occurred_at": pd.to_datetime([p[2] for p in points], format="ISO8601").astype("datetime64[ns]"),
        }
    )


def empty() -> pd.DataFrame:
    return incidents([])


def test_the_frame_has_every_cell_of_the_district_with_its_commune(frame: series.GridFrame):
    assert len(frame.cells) == 64
    assert sorted(frame.ids) == list(range(64))
    codes = frame.cell_codes()
    assert {code: int((codes == code).sum()) for code in "ABCD"} == dict.fromkeys("ABCD", 16)
    values = np.arange(64).reshape(8, 8)
    assert frame.per_cell(values).tolist() == frame.ids.tolist()


def test_period_counts_sum_to_the_incidents_inside_the_district(frame: series.GridFrame):
    inside = [
        (100, 100, "2024-01-05"),
        (120, 90, "2024-02-05"),
        (1900, 1900, "2024-03-05"),
        (1600, 300, "2024-03-09"),
    ]
    outside = [(-300, 100, "2024-01-07"), (2500, 2500, "2024-01-08")]
    result = series.period_analysis(
        frame, incidents(inside + outside), start=date(2024, 1, 1), end=date(2024, 12, 31)
    )
    assert result.counts.sum() == len(inside)
    assert result.counts.shape == result.density.shape == result.bins.shape == (64,)
    first = int(np.flatnonzero(frame.ids == 0)[0])  # the south-west cell holds the first two
    assert result.counts[first] == 2


def test_period_restricted_to_communes_counts_only_their_cells(frame: series.GridFrame):
    points = [(100, 100, "2024-01-05"), (1600, 100, "2024-01-05"), (1600, 1600, "2024-01-05")]
    result = series.period_analysis(
        frame, incidents(points), start=date(2024, 1, 1), end=date(2024, 12, 31), communes=("B",)
    )
    codes = frame.cell_codes()
    assert result.counts.sum() == 1
    assert result.counts[codes != "B"].sum() == 0
    assert result.density[codes != "B"].sum() == 0
    assert result.density[codes == "B"].sum() > 0


def test_yearly_density_of_six_months_is_twice_the_raw_density(frame: series.GridFrame):
    points = incidents([(300, 300, "2024-02-01"), (1700, 1650, "2024-05-20")])
    start, end = date(2024, 1, 1), date(2024, 6, 30)  # 182 days
    result = series.period_analysis(frame, points, start=start, end=end)
    raw = frame.per_cell(gridmod.density(frame.grid, *gridmod.project(points["lon"], points["lat"])))
    assert raw.sum() > 0
    assert result.density == pytest.approx(raw * 365.25 / 182)
    assert result.density.sum() / raw.sum() == pytest.approx(2.0, rel=0.01)
    year = series.period_analysis(frame, points, start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert result.density.sum() / year.density.sum() == pytest.approx(366 / 182)


def test_the_density_alone_equals_the_period_analysis_density(frame: series.GridFrame):
    points = incidents([(300, 300, "2024-02-01"), (1700, 1650, "2024-05-20"), (1600, 100, "2024-03-03")])
    for communes in ((), ("B",)):
        span = {"start": date(2024, 1, 1), "end": date(2024, 6, 30), "communes": communes}
        alone = series.period_density(frame, points, **span)
        assert alone.sum() > 0
        assert alone == pytest.approx(series.period_analysis(frame, points, **span).density)
    assert not series.period_density(frame, empty(), start=date(2024, 1, 1), end=date(2024, 3, 31)).any()


def test_an_empty_selection_gives_zeros_and_no_hot_cells(frame: series.GridFrame):
    result = series.period_analysis(frame, empty(), start=date(2024, 1, 1), end=date(2024, 3, 31))
    assert result.counts.tolist() == [0] * 64
    assert not result.density.any()
    assert not result.bins.any()
    assert result.table.empty


def test_a_clustered_period_lists_hot_cells_with_their_commune(frame: series.GridFrame):
    """Ten incidents in cell (row 5, col 5) of commune D, five in each neighbour, a few elsewhere."""
    centre = [(1375.0, 1375.0, "2024-01-05")] * 10
    around = [
        (1375.0 + dx, 1375.0 + dy, "2024-01-06")
        for dx in (-CELL, 0, CELL)
        for dy in (-CELL, 0, CELL)
        if dx or dy
    ] * 5
    scattered = [(125.0, 125.0, "2024-01-07"), (1875.0, 125.0, "2024-01-07"), (125.0, 1875.0, "2024-01-07")]
    result = series.period_analysis(
        frame, incidents(centre + around + scattered), start=date(2024, 1, 1), end=date(2024, 1, 31)
    )
    top = result.table.iloc[0]
    assert (top["cell"], top["commune_code"], top["count"], top["gi_bin"]) == (5 * 8 + 5, "D", 10, 3)
    hot = set(result.table["cell"])
    assert hot <= {r * 8 + c for r in (4, 5, 6) for c in (4, 5, 6)}
    assert result.counts.sum() == len(centre + around + scattered)


def test_month_index_counts_calendar_months_from_the_first():
    times = pd.Series(pd.to_datetime(["2023-12-31 23:59", "2024-01-01 00:00", "2024-03-31 12:00"]))
    assert series.month_index(times, date(2023, 12, 1)).tolist() == [0, 1, 3]


def test_the_monthly_series_has_one_layer_per_month_annualised_by_its_days(frame: series.GridFrame):
    points = incidents([(300, 300, "2024-02-10"), (300, 300, "2024-03-10")])
    result = series.monthly_density(frame, points, start=date(2024, 1, 15), end=date(2024, 4, 10))
    assert result.months == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)]
    assert result.yearly.shape == (4, 64)
    assert not result.yearly[0].any()
    assert not result.yearly[3].any()
    raw = frame.per_cell(gridmod.density(frame.grid, *gridmod.project(points["lon"][:1], points["lat"][:1])))
    assert result.yearly[1] == pytest.approx(raw * 365.25 / 29)  # February 2024: 29 days
    assert result.yearly[2] == pytest.approx(raw * 365.25 / 31)
    assert result.yearly[1].sum() / result.yearly[2].sum() == pytest.approx(31 / 29)


def test_an_empty_monthly_series_is_all_zeros(frame: series.GridFrame):
    result = series.monthly_density(frame, empty(), start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert len(result.months) == 12
    assert result.yearly.shape == (12, 64)
    assert not result.yearly.any()


def test_month_window_is_clipped_to_the_period():
    assert series.month_window(date(2024, 2, 1), start=date(2024, 1, 1), end=date(2024, 12, 31)) == (
        date(2024, 2, 1),
        date(2024, 2, 29),
    )
    assert series.month_window(date(2024, 6, 1), start=date(2024, 1, 1), end=date(2024, 6, 12)) == (
        date(2024, 6, 1),
        date(2024, 6, 12),
    )


def test_compare_splits_the_incidents_at_the_start_day(frame: series.GridFrame):
    points = incidents(
        [
            (100, 100, "2023-12-31"),  # before the before window
            (100, 100, "2024-01-01"),
            (1600, 1600, "2024-03-25 23:59"),
            (1600, 1600, "2024-03-26"),  # the start day: after
            (1900, 100, "2024-06-25"),
            (1900, 100, "2024-06-26"),  # the exclusive end
        ]
    )
    result = series.compare_periods(
        frame,
        points,
        before_start=date(2024, 1, 1),
        start=date(2024, 3, 26),
        after_end=date(2024, 6, 26),
        before_months=2,
        after_months=3,
    )
    assert (result.before_last, result.after_last) == (date(2024, 3, 25), date(2024, 6, 25))
    assert (result.before_months, result.after_months) == (2, 3)
    assert result.before.counts.sum() == 2
    assert result.after.counts.sum() == 2
    before = points.iloc[[1, 2]]
    alone = series.period_analysis(frame, before, start=date(2024, 1, 1), end=date(2024, 3, 25))
    assert result.before.density == pytest.approx(alone.density)


def test_the_data_span_is_from_the_first_to_the_last_incident():
    points = incidents([(1, 1, "2024-03-02 10:00"), (1, 1, "2023-11-30 23:00"), (1, 1, "2024-01-01")])
    assert series.data_span(points) == (date(2023, 11, 30), date(2024, 3, 2))
    with pytest.raises(DataError, match="Chưa có vụ việc nào"):
        series.data_span(empty())


def test_emerging_analysis_runs_over_the_span_of_the_incidents(frame: series.GridFrame):
    months = pd.date_range("2024-01-01", periods=12, freq="MS") + pd.Timedelta(days=9)
    points = incidents(
        [(100, 100, f"{m:%Y-%m-%d}") for m in months for _ in range(3)] + [(1900, 1900, "2024-06-10")]
    )
    result = series.emerging_analysis(frame, points)
    assert isinstance(result, Emerging)
    assert result.steps.count == 12
    assert result.steps.months_per_step == 1
    assert series.steps_span(result.steps) == (date(2024, 1, 1), date(2024, 12, 31))
    restricted = series.emerging_analysis(frame, points, communes=("D",))
    codes = frame.cell_codes()
    assert (frame.per_cell(restricted.category)[codes != "D"] == "").all()
    assert (frame.per_cell(restricted.category)[codes == "D"] != "").all()


def test_emerging_analysis_needs_enough_time_steps(frame: series.GridFrame):
    points = incidents([(100, 100, "2024-01-10"), (100, 100, "2024-03-10")])
    with pytest.raises(DataError, match="bước thời gian"):
        series.emerging_analysis(frame, points)
    with pytest.raises(DataError):
        series.emerging_analysis(frame, empty())


def test_steps_span_covers_whole_quarters():
    steps = TimeSteps(first_month=2023 * 12 + 10, months_per_step=3, count=2)  # from November 2023
    assert series.steps_span(steps) == (date(2023, 11, 1), date(2024, 4, 30))


def test_the_period_records_its_gi_convention(frame: series.GridFrame):
    from geo.hotspots.gistar import GiConvention

    rng = np.random.default_rng(9)
    points = [(float(a), float(b), "2024-03-05") for a, b in rng.uniform(0, 2000, (300, 2))]
    points += [(float(a), float(b), "2024-03-05") for a, b in rng.uniform(250, 1000, (200, 2))]
    data = incidents(points)
    kwargs = {"start": date(2024, 1, 1), "end": date(2024, 12, 31)}
    default = series.period_analysis(frame, data, **kwargs)
    assert default.convention == GiConvention(inference="permutation", fdr=True)
    loose = GiConvention(inference="normal", fdr=False)
    arcgis = series.period_analysis(frame, data, convention=loose, **kwargs)
    assert arcgis.convention == loose
    assert (arcgis.bins > 0).sum() >= (default.bins > 0).sum() >= 1
    assert np.array_equal(arcgis.density, default.density)  # the convention changes Gi* only
