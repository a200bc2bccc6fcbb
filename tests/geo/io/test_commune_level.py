"""Ledgers without coordinates: rows placed at commune level by name, code or an older name (issue 10)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from geo.aggregate import grid_cells, unlocated_by_commune
from geo.history import UnitHistory
from geo.io.incident_import import validate_incidents
from geo.io.layers import load_communes
from geo.io.tables import read_table
from geo.maps.district import build_map

NOW = datetime(2026, 11, 27, 12, 0)
ROOT = Path(__file__).resolve().parents[3]
HISTORY = UnitHistory.from_csv(ROOT / "data" / "reference" / "unit_history.csv")
LEDGER = """STT,Ngày xảy ra,Tội danh,Xã/Phường/Thị trấn,Thôn/Xóm,Kinh độ,Vĩ độ
1,05/2024,Trộm cắp tài sản,Xã Vĩnh Hùng,Thôn 3,,
2,06/05/2024,Đánh bạc,VinhHung,,,
3,07/05/2024,Đánh bạc,Vĩnh Thành,,,
4,T8/2025,Đánh bạc,Tây Đô,,,
5,07/05/2024,Đánh bạc,Đông Sơn,,,
6,07/05/2024,Đánh bạc,15361,,,
7,07/05/2024,Đánh bạc,,,,
8,07/05/2024,Đánh bạc,vĩnh hùng,,,
9,08/05/2024,Đánh bạc,TT Vĩnh Lộc,,105.6163,
10,09/05/2024,Đánh bạc,Vĩnh Phúc,,105.6354,20.0598
"""


@pytest.fixture(scope="module")
def communes() -> gpd.GeoDataFrame:
    return load_communes(ROOT / "data" / "demo_communes.geojson")


def _check(text: str, communes: gpd.GeoDataFrame, **options: object):
    return validate_incidents(read_table(text.encode(), name="so.csv"), communes, now=NOW, history=HISTORY,
                              **options)  # fmt: skip


def test_rows_without_coordinates_are_placed_by_their_commune(communes):
    checked = _check(LEDGER, communes)
    rows = dict(zip(checked.incidents["source_row"], checked.incidents["commune_code"], strict=True))
    # Rows 2…11 of the file (row 1 is the header): name with "Xã", an old name (Vĩnh Thành → the
    # town), a code read with its date, a name with its diacritics, and a row with coordinates.
    assert rows == {2: "15379", 4: "15349", 5: "15361@2025-07-01", 7: "15361", 9: "15379", 11: "15364"}
    placed = checked.incidents.set_index("source_row")
    assert placed.loc[[2, 4, 7, 9], "lon"].isna().all()
    assert placed.loc[11, "lon"] == pytest.approx(105.6354)
    assert placed.loc[2, "precision"] == "month"
    assert placed.loc[2, "address"] == "Thôn 3"
    errors = {i.row: i.message for i in checked.errors}
    assert "Xã Vĩnh Hùng (15379) hoặc Xã Vĩnh Hưng (15367)" in errors[3]  # ambiguous without diacritics
    assert "«Đông Sơn» không thuộc đơn vị nào" in errors[6]
    assert "phải ghi xã" in errors[8]
    assert 10 in errors  # half a coordinate is an error, not a commune-level row
    assert set(errors) == {3, 6, 8, 10}
    # Row 5 names xã Tây Đô in August 2025, a commune over four stored units: kept at its level.
    assert placed.loc[5, "precision"] == "month"


def test_a_file_without_coordinate_columns_goes_in_by_commune_and_ids_are_stable(communes):
    ledger = (
        "STT,Tháng,Loại vụ việc,Xã\n1,T5/2024,Trộm cắp tài sản,Vĩnh An\n2,T5/2024,Trộm cắp tài sản,Vĩnh An\n"
    )
    first = _check(ledger, communes)
    assert first.incidents["commune_code"].tolist() == ["15391", "15391"]
    # Two identical rows are two incidents; the same file read again gives the same ids.
    ids = first.incidents["incident_id"].tolist()
    again = _check(ledger, communes)
    assert again.incidents["incident_id"].tolist() == ids
    # Next month's file restarts its STT at 1: different content, different ids, nothing lost.
    june = ledger.replace("T5/2024", "T6/2024")
    assert not set(_check(june, communes).incidents["incident_id"]) & set(ids)


def test_a_file_with_neither_coordinates_nor_commune_names_what_is_missing(communes):
    from geo._errors import DataError

    with pytest.raises(DataError, match="hoặc một cột «Xã»"):
        _check("Ngày,Tội danh\n05/01/2024,Trộm cắp tài sản\n", communes)


def test_maps_leave_rows_without_a_point_out_of_points_and_density_and_say_so(communes):
    checked = _check(LEDGER, communes)
    incidents = checked.incidents
    assert unlocated_by_commune(incidents).to_dict() == {
        "15379": 2,
        "15349": 1,
        "15361": 1,
        "15361@2025-07-01": 1,
    }
    cells = grid_cells(incidents, crs="EPSG:32648")
    assert cells["count"].sum() == 1
    build = build_map(communes, incidents, layers=("choropleth", "heat", "points", "boundaries"))
    assert (build.n_incidents, build.n_markers, build.n_unlocated) == (6, 1, 5)
    assert np.isfinite(build.n_heat_cells)


def test_a_2025_commune_over_several_stored_units_is_counted_at_its_own_level(communes):
    """Kept as xã Tây Đô, never given to Vĩnh Long (15361 until 30/06/2025) or another unit inside it."""
    from geo.aggregate import commune_counts
    from geo.history import grouping, regroup, with_groups

    ledger = (
        "Ngày xảy ra,Tội danh,Xã\n"
        "05/08/2025,Trộm cắp tài sản,Xã Tây Đô\n"
        "06/08/2025,Đánh bạc,tay do\n"
        "07/08/2025,Đánh bạc,15361\n"  # the code on that day is Tây Đô's too
        "07/05/2024,Đánh bạc,15361\n"  # and Vĩnh Long's before July 2025
    )
    incidents = _check(ledger, communes).incidents
    assert incidents["commune_code"].tolist() == ["15361@2025-07-01"] * 3 + ["15361"]
    # The stored layer's table: Vĩnh Long has its own row only; Tây Đô is a row of its own.
    units = with_groups(communes, [incidents], HISTORY)
    table = commune_counts(incidents, units, days=365).set_index("code")
    assert table.loc["15361", "count"] == 1
    assert table.loc["15361@2025-07-01", ["name", "count"]].tolist() == ["Xã Tây Đô", 3]
    assert np.isnan(table.loc["15361@2025-07-01", "rate"])  # no population of its own here
    assert table["count"].sum() == len(incidents)
    # The 2025 layer: all four in xã Tây Đô.
    stored = list(zip(communes["code"], communes["name"], strict=True))
    merged, recoded = regroup(communes, incidents, grouping(HISTORY, stored, HISTORY.changes[-1].day))
    by_new = commune_counts(recoded, merged, days=365).set_index("code")
    assert by_new.loc["15361", "count"] == 4
    assert len(merged) == 3
