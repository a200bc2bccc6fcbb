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
    assert rows == {2: "15379", 4: "15349", 7: "15361", 9: "15379", 11: "15364"}
    placed = checked.incidents.set_index("source_row")
    assert placed.loc[[2, 4, 7, 9], "lon"].isna().all()
    assert placed.loc[11, "lon"] == pytest.approx(105.6354)
    assert placed.loc[2, "precision"] == "month"
    assert placed.loc[2, "address"] == "Thôn 3"
    errors = {i.row: i.message for i in checked.errors}
    assert "Xã Vĩnh Hùng (15379) hoặc Xã Vĩnh Hưng (15367)" in errors[3]  # ambiguous without diacritics
    assert "gồm nhiều đơn vị" in errors[5]  # a 2025 commune over four stored units is not split
    assert "«Đông Sơn» không thuộc đơn vị nào" in errors[6]
    assert "phải ghi xã" in errors[8]
    assert 10 in errors  # half a coordinate is an error, not a commune-level row
    assert set(errors) == {3, 5, 6, 8, 10}


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
    assert unlocated_by_commune(incidents).to_dict() == {"15379": 2, "15349": 1, "15361": 1}
    cells = grid_cells(incidents, crs="EPSG:32648")
    assert cells["count"].sum() == 1
    build = build_map(communes, incidents, layers=("choropleth", "heat", "points", "boundaries"))
    assert (build.n_incidents, build.n_markers, build.n_unlocated) == (5, 1, 4)
    assert np.isfinite(build.n_heat_cells)
