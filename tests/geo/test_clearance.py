"""Tests of geo.clearance: which statuses count as solved, and the clearance rate per commune."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.aggregate import commune_counts
from geo.clearance import SOLVED, clearance_rate, has_status, is_solved


@pytest.mark.parametrize(
    "status",
    [
        "Đã giải quyết",
        "đã xử lý",
        "Đã xử lý hành chính",
        "ĐÃ KHỞI TỐ",
        "Đã khởi tố vụ án",
        "Đã làm rõ",
        "  Đã   xử phạt ",
        "Solved",
        "cleared",
        "Resolved",
    ],
)
def test_solved_statuses(status: str) -> None:
    assert is_solved(status)


@pytest.mark.parametrize(
    "status",
    [
        "Đang điều tra",
        "Đang xử lý",
        "Chưa giải quyết",
        "Đã chuyển cơ quan chức năng",
        "Tạm đình chỉ",
        "",
        "   ",
        None,
        float("nan"),
        "da xu lyx",
        "unsolved",
    ],
)
def test_other_statuses_are_not_solved(status: object) -> None:
    assert not is_solved(status)


def test_solved_words_are_folded() -> None:
    assert all(word == " ".join(word.lower().split()) and word.isascii() for word in SOLVED)


def _communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["a", "b", "c"], "name": ["A", "B", "C"], "population": [1000, 1000, 1000]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
        crs="EPSG:4326",
    )


def test_commune_counts_carry_the_clearance_rate_where_a_status_is_known() -> None:
    incidents = pd.DataFrame(
        {
            "commune_code": ["a", "a", "a", "a", "b", "b"],
            "status": ["Đã xử lý", "Đang điều tra", "Đã khởi tố", "", "", ""],
        }
    )
    table = commune_counts(incidents, _communes(), days=365).set_index("code")
    assert table.loc["a", ["count", "with_status", "solved"]].tolist() == [4, 3, 2]
    assert table.loc["a", "clearance"] == pytest.approx(200 / 3)
    assert np.isnan(table.loc["b", "clearance"])  # statuses all empty: no rate, not 0%
    assert np.isnan(table.loc["c", "clearance"])  # no incident
    assert clearance_rate(incidents) == pytest.approx(200 / 3)


def test_no_status_imported_gives_no_clearance_columns() -> None:
    incidents = pd.DataFrame({"commune_code": ["a", "b"], "status": ["", ""]})
    assert not has_status(incidents)
    assert "clearance" not in commune_counts(incidents, _communes(), days=30)
    assert clearance_rate(incidents) is None
    assert clearance_rate(pd.DataFrame({"commune_code": ["a"]})) is None
