"""Tests of incident validation: the messy Vietnamese file, CRS, date formats, communes, ids."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from geo import settings as geo_settings
from geo._errors import DataError
from geo.io.incident_import import COLUMNS, validate_incidents
from geo.io.layers import load_communes
from geo.io.tables import read_table

NOW = datetime(2026, 11, 27, 12, 0)
DATA = Path(__file__).resolve().parents[2] / "data"
HEADER = "Mã vụ,Ngày xảy ra,Tội danh,Kinh độ,Vĩ độ\n"


@pytest.fixture(scope="module")
def communes() -> gpd.GeoDataFrame:
    """The 13 demo communes (approximate polygons)."""
    return load_communes(geo_settings.DEMO_COMMUNES_PATH)


def check(text: str, communes: gpd.GeoDataFrame, **options: object) -> object:
    """Validate a small CSV given as text."""
    return validate_incidents(read_table(text.encode(), name="t.csv"), communes, now=NOW, **options)


def test_the_messy_vietnamese_file_gives_exactly_the_expected_report(communes: gpd.GeoDataFrame) -> None:
    result = validate_incidents(read_table(DATA / "vu_viec_lon_xon.csv"), communes, now=NOW)
    report = [(i.row, i.field, i.value, i.message, i.severity) for i in result.issues]
    assert report == [
        (
            6,
            "Kinh độ / Vĩ độ",
            "20,0851 / 105,6119",
            "Kinh độ và vĩ độ bị đảo chỗ (đổi chỗ thì điểm nằm trong huyện): hãy đổi lại hai giá trị.",
            "error",
        ),
        (
            7,
            "Kinh độ / Vĩ độ",
            "105,8000 / 20,2000",
            "Điểm nằm ngoài huyện (cách ranh giới khoảng 15,9 km; chấp nhận tối đa 500 m): kiểm tra tọa độ "
            "và hệ tọa độ.",
            "error",
        ),
        (8, "Mã vụ", "VL-001", "Mã vụ trùng với dòng 3 của tệp: dòng này bị bỏ.", "error"),
        (11, "Ngày xảy ra", "31/02/2024", "Ngày 31/02/2024 không có trên lịch.", "error"),
        (
            12,
            "Ngày xảy ra",
            "10/01/2030",
            "Ngày ở tương lai (sau 27/11/2026 12:00): kiểm tra lại ngày, tháng, năm.",
            "error",
        ),
        (
            13,
            "Tội danh / Loại vụ việc",
            "Mua bán người",
            "Không nhận ra tội danh / loại vụ việc: ghi đúng tên trong danh mục hoặc ánh xạ tên này sang một "
            "mã tội danh (trang Dữ liệu, hoặc --offence-map TÊN=MÃ).",
            "error",
        ),
        (
            14,
            "Xã",
            "Vĩnh Long",
            "Tệp ghi xã Vĩnh Long (15361) nhưng tọa độ nằm ở Vĩnh Hùng (15379): đã dùng xã theo tọa độ, "
            "hãy kiểm tra lại.",
            "warning",
        ),
    ]
    assert (result.rows, result.empty_rows, result.rejected) == (11, 1, 6)
    assert result.unknown_offences == {"Mua bán người": 1}
    accepted = result.incidents
    assert list(accepted.columns) == COLUMNS
    assert accepted["incident_id"].tolist() == ["VL-001", "VL-002", "VL-003", "VL-006", "VL-010"]
    assert accepted["occurred_at"].tolist() == [
        pd.Timestamp("2024-01-05 14:30"),
        pd.Timestamp("2024-01-06"),
        pd.Timestamp("2024-01-09"),  # Excel serial 45300
        pd.Timestamp("2024-01-09 07:15"),
        pd.Timestamp("2024-01-11"),
    ]
    assert accepted["offence_code"].tolist() == [
        "trom_cap_tai_san",
        "danh_bac",
        "trom_cap_tai_san",
        "mau_thuan_dat_dai",
        "lua_dao_chiem_doat",
    ]
    assert accepted["commune_code"].tolist() == ["15349", "15379", "15361", "15367", "15379"]
    assert accepted["description"].iloc[3] == '=HYPERLINK("http://x.example","bấm")'
    assert accepted["description"].iloc[1] == "Bắt quả tang; 5 đối tượng"
    assert accepted["lon"].tolist() == [105.6163, 105.6847, 105.6119, 105.6588, 105.6847]
    assert result.report()["Mức"].tolist() == ["Lỗi"] * 6 + ["Lưu ý"]


def test_us_dates_stop_the_file_until_a_format_is_chosen(communes: gpd.GeoDataFrame) -> None:
    text = HEADER + "A,01/25/2024,Trộm cắp tài sản,105.6163,20.06\nB,02/03/2024,Đánh bạc,105.6163,20.06\n"
    stopped = check(text, communes)
    assert len(stopped.incidents) == 0
    assert [(i.row, i.field, i.severity) for i in stopped.issues] == [(None, "Ngày xảy ra", "error")]
    assert "tháng/ngày/năm (Mỹ)" in stopped.issues[0].message
    us = check(text, communes, date_format="mm/dd/yyyy")
    assert us.incidents["occurred_at"].tolist() == [pd.Timestamp("2024-01-25"), pd.Timestamp("2024-02-03")]
    assert us.issues == ()
    vn = check(text, communes, date_format="dd/mm/yyyy")
    assert vn.incidents["occurred_at"].tolist() == [pd.Timestamp("2024-03-02")]
    assert "Tháng 25 không tồn tại" in vn.errors[0].message


def test_ambiguous_day_month_is_read_day_first_with_a_warning(communes: gpd.GeoDataFrame) -> None:
    result = check(HEADER + "A,02/03/2024,Trộm cắp tài sản,105.6163,20.06\n", communes)
    assert result.incidents["occurred_at"].tolist() == [pd.Timestamp("2024-03-02")]
    assert [(i.row, i.severity) for i in result.issues] == [(None, "warning")]
    assert "mm/dd/yyyy" in result.issues[0].message


@pytest.mark.parametrize("epsg", ["EPSG:5897", "EPSG:3405", "EPSG:32648"])
def test_projected_coordinates_are_converted_by_epsg(communes: gpd.GeoDataFrame, epsg: str) -> None:
    to_projected = Transformer.from_crs("EPSG:4326", epsg, always_xy=True)
    x, y = to_projected.transform(105.6163, 20.06)
    text = HEADER + f'A,05/01/2024,Trộm cắp tài sản,"{x:.2f}","{y:.2f}"\n'.replace(".", ",")
    with pytest.raises(DataError, match="hệ tọa độ phẳng"):
        check(text, communes)
    result = check(text, communes, crs=epsg)
    assert result.crs == epsg
    assert result.incidents[["lon", "lat"]].to_numpy()[0] == pytest.approx([105.6163, 20.06], abs=1e-6)
    swapped = HEADER + f"A,05/01/2024,Trộm cắp tài sản,{y:.2f},{x:.2f}\n"
    assert "bị đảo chỗ" in check(swapped, communes, crs=epsg).errors[0].message


def test_a_separate_time_column_and_explicit_mapping(communes: gpd.GeoDataFrame) -> None:
    text = "So vu,Hom,Gio,Loai,X,Y,Ghi chu\n7,05/01/2024,21:40,Theft,105.6163,20.06,'=1+2\n"
    result = check(text, communes, mapping={"incident_id": "So vu", "occurred_at": "Hom", "offence": "Loai"})
    row = result.incidents.iloc[0]
    assert (row["incident_id"], row["occurred_at"], row["description"]) == (
        "7",
        pd.Timestamp("2024-01-05 21:40"),
        "=1+2",
    )
    assert result.column_map["time"] == "Gio"


def test_files_without_ids_get_stable_automatic_ids(communes: gpd.GeoDataFrame) -> None:
    text = "Ngày xảy ra,Tội danh,Kinh độ,Vĩ độ\n"
    text += "15/01/2024,Đánh bạc,105.6163,20.06\n16/01/2024,Đánh bạc,105.6163,20.06\n"
    first = check(text, communes)
    again = check(text, communes)
    ids = first.incidents["incident_id"].tolist()
    assert ids == again.incidents["incident_id"].tolist()
    assert len(set(ids)) == 2
    assert all(i.startswith("auto-") for i in ids)
    assert "mã tự động" in first.warnings[0].message


def test_every_bad_row_is_reported_with_all_its_problems(communes: gpd.GeoDataFrame) -> None:
    text = HEADER + ",hôm qua,Mua bán người,abc,\n"
    result = check(text, communes)
    assert [(i.row, i.field) for i in result.issues] == [
        (2, "Mã vụ"),
        (2, "Ngày xảy ra"),
        (2, "Tội danh"),
        (2, "Kinh độ"),
        (2, "Vĩ độ"),
    ]
    assert result.rejected == 1


def test_commune_given_by_code_name_or_unknown(communes: gpd.GeoDataFrame) -> None:
    text = (
        "Mã vụ,Ngày xảy ra,Tội danh,Kinh độ,Vĩ độ,Xã\n"
        "A,15/01/2024,Đánh bạc,105.6163,20.06,15349\n"
        "B,05/01/2024,Đánh bạc,105.6163,20.06,TT. Vĩnh Lộc\n"
        "C,05/01/2024,Đánh bạc,105.6163,20.06,thi tran vinh loc\n"
        "D,05/01/2024,Đánh bạc,105.6163,20.06,Vinh Hung\n"
        "E,05/01/2024,Đánh bạc,105.6163,20.06,Phường 9\n"
    )
    result = check(text, communes)
    assert len(result.incidents) == 5
    assert [(i.row, i.value) for i in result.warnings] == [(5, "Vinh Hung"), (6, "Phường 9")]
    assert "Không nhận ra xã" in result.warnings[0].message


def test_xlsx_and_cp1258_files_validate_like_csv(communes: gpd.GeoDataFrame) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã vụ", "Ngày xảy ra", "Tội danh / Loại vụ việc", "Kinh độ", "Vĩ độ", "Mô tả"])
    sheet.append([1001, datetime(2024, 1, 5, 14, 30), "Trộm cắp tài sản", 105.6163, 20.06, "=SUM(A1:A2)"])
    sheet.append([1002, 45296.75, "Đánh bạc", "105,6163", "20,06", None])
    buffer = io.BytesIO()
    book.save(buffer)
    result = validate_incidents(read_table(buffer.getvalue(), name="t.xlsx"), communes, now=NOW)
    assert result.issues == ()
    assert result.incidents["incident_id"].tolist() == ["1001", "1002"]
    assert result.incidents["description"].tolist() == ["=SUM(A1:A2)", ""]
    assert result.incidents["occurred_at"].tolist() == [
        pd.Timestamp("2024-01-05 14:30"),
        pd.Timestamp("2024-01-05 18:00"),
    ]


def test_geojson_points_validate_with_their_geometry(communes: gpd.GeoDataFrame) -> None:
    points = gpd.GeoDataFrame(
        {"Mã vụ": ["A"], "Ngày xảy ra": ["05/01/2024"], "Tội danh": ["Đánh bạc"]},
        geometry=gpd.points_from_xy([105.6163], [20.06]),
        crs="EPSG:4326",
    ).to_crs("EPSG:5897")
    result = validate_incidents(
        read_table(points.to_json(to_wgs84=False).encode(), name="d.geojson"),
        communes,
        now=NOW,
        crs="EPSG:5897",
    )
    assert result.incidents[["lon", "lat"]].to_numpy()[0] == pytest.approx([105.6163, 20.06], abs=1e-6)


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2026, 1, 1)).map(
                lambda d: d.replace(second=0, microsecond=0)
            ),
            st.sampled_from(["trom_cap_tai_san", "danh_bac", "mau_thuan_khac"]),
            st.floats(min_value=105.62, max_value=105.635),
            st.floats(min_value=20.05, max_value=20.09),
            st.text(alphabet='abc đêô=+-@;,"', max_size=12),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_a_valid_file_round_trips_through_validation(rows: list[tuple], communes: gpd.GeoDataFrame) -> None:
    frame = pd.DataFrame(
        {
            "Mã vụ": [f"X{i}" for i in range(len(rows))],
            "Ngày xảy ra": [r[0].strftime("%d/%m/%Y %H:%M") for r in rows],
            "Tội danh": [r[1] for r in rows],
            "Kinh độ": [f"{r[2]:.6f}" for r in rows],
            "Vĩ độ": [f"{r[3]:.6f}" for r in rows],
            "Mô tả": [r[4].strip() for r in rows],
        }
    )
    result = validate_incidents(
        read_table(frame.to_csv(index=False).encode(), name="r.csv"), communes, now=NOW
    )
    assert result.errors == ()
    got = result.incidents
    assert got["occurred_at"].tolist() == [pd.Timestamp(r[0]) for r in rows]
    assert got["offence_code"].tolist() == [r[1] for r in rows]
    assert np.allclose(got["lon"], [round(r[2], 6) for r in rows])
    assert got["description"].tolist() == frame["Mô tả"].tolist()


_SUFFIXES = ["csv", "xlsx", "geojson", "json", "txt", "tsv", "xls", "dat"]
_SEEDS = [
    b"",
    b"PK\x03\x04",
    b"{",
    b'{"type": "FeatureCollection", "features": [1, "x", {"properties": 5, "geometry": {"type": "Point"}}]}',
    b'{"features": {"a": 1}}',
    b"[1, 2]",
    "Mã vụ,Ngày xảy ra,Tội danh,Kinh độ,Vĩ độ\n".encode(),
    b"\xff\xfe\x00\x00",
    b"a,b\n\x00\x00,\n",
]


@settings(max_examples=150, deadline=None)
@given(
    head=st.sampled_from(_SEEDS),
    tail=st.binary(max_size=200) | st.text(max_size=200).map(str.encode),
    suffix=st.sampled_from(_SUFFIXES),
)
def test_any_file_gives_a_report_or_our_error_never_a_crash(
    head: bytes, tail: bytes, suffix: str, communes: gpd.GeoDataFrame
) -> None:
    data = head + tail
    try:
        result = validate_incidents(read_table(data, name=f"x.{suffix}"), communes, now=NOW)
    except DataError as error:
        consistent = bool(error.message)
    else:
        rejected = {i.row for i in result.errors if i.row is not None}
        consistent = result.rows == len(result.incidents) + len(rejected) or bool(
            [i for i in result.errors if i.row is None]
        )
    assert consistent


def test_odd_but_valid_spreadsheets_are_read(communes: gpd.GeoDataFrame) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "Danh sách vụ việc"
    sheet.merge_cells("A1:E1")
    sheet.append(["Mã vụ", "Ngày xảy ra", "Tội danh", "Kinh độ", "Vĩ độ"])
    sheet.append(["A", "=DATE(2024,1,5)", "Đánh bạc", 105.6163, 20.06])
    sheet.append(["B", "15/01/2024", "Đánh bạc", "=105.6163", 20.06])
    buffer = io.BytesIO()
    book.save(buffer)
    result = validate_incidents(read_table(buffer.getvalue(), name="x.xlsx"), communes, now=NOW)
    assert [(i.row, i.field) for i in result.errors] == [(3, "Ngày xảy ra"), (4, "Kinh độ")]


def test_month_only_dates_are_kept_with_their_precision() -> None:
    """Published and internal ledgers often give only the month: such a record counts in its month."""
    from geo.evaluation.periods import windows_for
    from geo.incidents import covered_until
    from geo.plan import Plan

    communes = load_communes(geo_settings.DEMO_COMMUNES_PATH)
    rows = "".join(
        f"M{i},{when},trom_cap_tai_san,105.6163,20.06\n"
        for i, when in enumerate(
            ["2019-05", "05/2019", "tháng 6/2019", "T7/2019", "Aug 2019", "15/08/2019 10:00"]
        )
    )
    table = read_table(("incident_id,occurred_at,offence,lon,lat\n" + rows).encode(), name="thang.csv")
    checked = validate_incidents(table, communes, now=datetime(2025, 1, 1))
    assert not checked.errors, checked.errors
    got = checked.incidents.set_index("incident_id")
    assert got["precision"].tolist() == ["month", "month", "month", "month", "month", "minute"]
    assert got.loc["M2", "occurred_at"] == pd.Timestamp("2019-06-01")
    # The last month of month-only records is complete: the data end is 31/08/2019, not 15/08/2019.
    assert covered_until(checked.incidents) == date(2019, 8, 31)
    windows = windows_for(checked.incidents, Plan(name="x", start=date(2019, 7, 1), targets=("15349",)))
    assert windows.after_end == date(2019, 9, 1)


def test_a_month_that_has_not_begun_is_in_the_future() -> None:
    communes = load_communes(geo_settings.DEMO_COMMUNES_PATH)
    table = read_table(
        b"incident_id,occurred_at,offence,lon,lat\n1,2025-02,trom_cap_tai_san,105.6163,20.06\n", name="t.csv"
    )
    checked = validate_incidents(table, communes, now=datetime(2025, 1, 15))
    assert "Tháng ở tương lai" in checked.errors[0].message
