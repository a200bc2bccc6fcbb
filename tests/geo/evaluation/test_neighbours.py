"""Tests of geo.evaluation.neighbours: shared borders in metres and the evaluation areas."""

import geopandas as gpd
import pytest
from pyproj import CRS
from shapely.geometry import Polygon, box

from geo import settings
from geo._errors import BoundaryError, ConfigError
from geo.evaluation.neighbours import evaluation_areas, metric_crs, neighbours


def _frame(polygons: dict[str, Polygon], crs: str = settings.CRS_METRIC) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": list(polygons)}, geometry=list(polygons.values()), crs=crs)


def test_small_gap_counts_as_shared_border_large_gap_does_not():
    """A 10 m digitising gap is a border; a 500 m gap is not."""
    frame = _frame({"a": box(0, 0, 1000, 1000), "b": box(1010, 0, 2000, 1000), "c": box(2500, 0, 3000, 1000)})
    assert neighbours(frame, tolerance_m=30) == {"a": ("b",), "b": ("a",), "c": ()}


def test_overlapping_sliver_counts_as_shared_border():
    frame = _frame({"a": box(0, 0, 1000, 1000), "b": box(995, 0, 2000, 1000)})
    assert neighbours(frame, tolerance_m=1) == {"a": ("b",), "b": ("a",)}


def test_tolerance_is_in_metres_for_geographic_input():
    """Two squares 20 m apart near Vĩnh Lộc, given in EPSG:4326: neighbours at 30 m, not at 10 m."""
    frame = _frame(
        {"a": box(600_000, 2_215_000, 601_000, 2_216_000), "b": box(601_020, 2_215_000, 602_000, 2_216_000)}
    )
    geographic = frame.to_crs(settings.CRS_WGS84)
    assert neighbours(geographic, tolerance_m=30)["a"] == ("b",)
    assert neighbours(geographic, tolerance_m=10)["a"] == ()


def test_metric_crs_is_utm48_in_vietnam_and_local_utm_elsewhere():
    vietnam = _frame({"a": box(105.6, 20.0, 105.7, 20.1)}, crs=settings.CRS_WGS84)
    france = _frame({"a": box(2.3, 48.8, 2.4, 48.9)}, crs=settings.CRS_WGS84)
    assert metric_crs(vietnam) == CRS.from_user_input("EPSG:32648")
    assert metric_crs(france) == CRS.from_user_input("EPSG:32631")


def test_metric_crs_refuses_missing_crs():
    with pytest.raises(BoundaryError, match="hệ tọa độ"):
        metric_crs(gpd.GeoDataFrame({"code": ["a"]}, geometry=[box(0, 0, 1, 1)]))


def test_evaluation_areas_on_a_three_by_one_strip_and_a_corner():
    """Row a b c, plus d touching c only at a corner: d is c's neighbour (queen contiguity)."""
    frame = _frame(
        {
            "a": box(0, 0, 1000, 1000),
            "b": box(1000, 0, 2000, 1000),
            "c": box(2000, 0, 3000, 1000),
            "d": box(3000, 1000, 4000, 2000),
            "e": box(6000, 0, 7000, 1000),
        }
    )
    per_target, combined = evaluation_areas(frame, ["b", "d"], tolerance_m=5)
    assert [(a.key, a.buffer, a.control) for a in per_target] == [
        ("b", ("a", "c"), ("e",)),
        ("d", ("c",), ("a", "e")),
    ]
    assert combined.targets == ("b", "d")
    assert combined.buffer == ("a", "c")
    assert combined.control == ("a", "e")


def test_evaluation_areas_unknown_target():
    frame = _frame({"a": box(0, 0, 1, 1)})
    with pytest.raises(ConfigError, match="không có trong ranh giới: zz"):
        evaluation_areas(frame, ["zz"])
