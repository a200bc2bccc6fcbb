"""Tests of the drill-down: a commune's incidents, the point's commune, the text list and its pages."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import drilldown


def _communes() -> gpd.GeoDataFrame:
    """Two unit squares side by side: A (0–1) and B (1–2)."""
    return gpd.GeoDataFrame(
        {"code": ["A", "B"], "name": ["Vĩnh Lộc", "Vĩnh Long"]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )


def _incidents() -> pd.DataFrame:
    """Four incidents: three in A (one placed by its commune only), one in B; hostile text in one."""
    return pd.DataFrame(
        {
            "incident_id": ["i1", "i2", "i3", "i4"],
            "occurred_at": pd.to_datetime(
                ["2024-01-02 08:30", "2024-03-01 00:00", "2024-02-01 00:00", "2024-03-01 10:00"]
            ),
            "offence_code": ["trom_cap_tai_san", "danh_bac", "trom_cap_tai_san", "giet_nguoi"],
            "commune_code": ["A", "A", "A", "B"],
            "lon": [0.5, 0.2, None, 1.5],
            "lat": [0.5, 0.2, None, 0.5],
            "description": ['=HYPERLINK("x")', "**đậm** <b>x</b>", "", "mô tả"],
            "status": ["Đã xử lý", "Đang điều tra", "Đã xử lý", "Đã xử lý"],
            "address": ["thôn 1", "", "xóm 3", "chợ"],
            "precision": ["minute", "day", "month", "minute"],
        }
    )


def test_commune_at_finds_the_unit_under_a_point():
    communes = _communes()
    assert drilldown.commune_at(communes, 0.5, 0.5) == "A"
    assert drilldown.commune_at(communes, 1.5, 0.5) == "B"
    assert drilldown.commune_at(communes, 5.0, 5.0) is None


def test_of_commune_keeps_its_incidents_newest_first_without_changing_the_input():
    incidents = _incidents()
    before = incidents.copy()
    chosen = drilldown.of_commune(incidents, "A")
    assert chosen["incident_id"].tolist() == ["i2", "i3", "i1"]  # the placed-by-commune one (i3) included
    assert list(chosen.index) == [0, 1, 2]
    pd.testing.assert_frame_equal(incidents, before)
    assert drilldown.of_commune(incidents, "Z").empty


def test_incident_list_is_plain_text_with_dates_by_precision():
    rows = drilldown.incident_list(drilldown.of_commune(_incidents(), "A"), {"A": "Vĩnh Lộc"})
    assert tuple(rows.columns) == drilldown.LIST_COLUMNS
    assert rows["date"].tolist() == ["01/03/2024", "02/2024", "02/01/2024 08:30"]
    assert rows["commune"].tolist() == ["Vĩnh Lộc"] * 3
    assert rows.iloc[0]["offence"] == "Đánh bạc"
    assert rows.iloc[2]["offence"] == "Trộm cắp tài sản"
    assert rows["address"].tolist() == ["", "xóm 3", "thôn 1"]
    assert rows["status"].tolist() == ["Đang điều tra", "Đã xử lý", "Đã xử lý"]
    # Text stays exactly as imported: escaping is the display's job, never a rewrite of the data.
    assert rows.iloc[0]["description"] == "**đậm** <b>x</b>"
    assert rows.iloc[2]["description"] == '=HYPERLINK("x")'
    assert all(isinstance(v, str) for v in rows.to_numpy().ravel())


def test_incident_list_without_optional_columns_and_in_english():
    frame = _incidents().drop(columns=["address", "precision"])
    rows = drilldown.incident_list(frame.iloc[[3]], lang="en")
    assert rows.iloc[0].tolist() == ["01/03/2024 10:00", "Murder", "B", "", "Đã xử lý", "mô tả", "i4"]
    assert drilldown.incident_list(frame.iloc[0:0]).empty


def test_pages_of_fifty():
    frame = pd.DataFrame({"a": range(101)})
    assert drilldown.page_count(len(frame)) == 3
    assert drilldown.page_of(frame, 1)["a"].tolist() == list(range(50))
    assert drilldown.page_of(frame, 3)["a"].tolist() == [100]
    assert drilldown.page_of(frame, 0)["a"].iloc[0] == 0  # clamped to the first page
    assert drilldown.page_of(frame.iloc[0:0], 1).empty
    with pytest.raises(ValueError, match="per_page"):
        drilldown.page_count(3, per_page=0)
