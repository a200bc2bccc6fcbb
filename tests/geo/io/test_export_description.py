"""Exports that describe themselves: title, filter, coverage, source, demo notice; formats, filter, frozen header."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from geo import settings as geo_settings
from geo.aggregate import commune_counts
from geo.filters import IncidentFilter, apply_filter
from geo.io.export import commune_table, describe, export_bytes, file_name, incident_table
from geo.io.incident_import import COLUMNS, validate_incidents
from geo.io.layers import load_communes
from geo.io.tables import read_table

NOW = datetime(2026, 11, 27, 12, 0)
DATA = Path(__file__).resolve().parents[2] / "data"
CHECKED = [c for c in COLUMNS if c != "source_row"]
FLT = IncidentFilter(date(2024, 1, 1), date(2024, 12, 31), groups=("ttxh",), communes=("15379",))


@pytest.fixture(scope="module")
def communes() -> gpd.GeoDataFrame:
    """The demo communes."""
    return load_communes(geo_settings.DEMO_COMMUNES_PATH)


@pytest.fixture(scope="module")
def incidents(communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """The messy test ledger, checked (13 communes, a handful of incidents in 2024)."""
    return validate_incidents(read_table(DATA / "vu_viec_lon_xon.csv"), communes, now=NOW).incidents


def _sheet(payload: bytes, name: str) -> openpyxl.worksheet.worksheet.Worksheet:
    book = openpyxl.load_workbook(io.BytesIO(payload))
    assert book.sheetnames == [name]
    return book[name]


def test_the_commune_xlsx_has_a_title_the_filter_coverage_source_and_demo_notice_then_a_formatted_table(
    incidents: pd.DataFrame, communes: gpd.GeoDataFrame
) -> None:
    chosen = apply_filter(incidents, FLT)
    counts = commune_counts(
        chosen, communes, days=FLT.days, previous=apply_filter(incidents, FLT.year_earlier())
    )
    table = commune_table(counts)
    about = describe(
        FLT, what="communes", incidents=incidents, communes=communes, area="Huyện Vĩnh Lộc",
        demo=True, now=NOW, rows=len(table),
    )  # fmt: skip
    sheet = _sheet(export_bytes({"Theo xã": table}, fmt="xlsx", describe={"Theo xã": about}), "Theo xã")
    top = [row[0] for row in sheet.iter_rows(max_row=12, max_col=1, values_only=True)]
    assert top[0] == "Số vụ việc theo xã — Huyện Vĩnh Lộc"
    assert sheet["A1"].font.bold
    assert top[1] == "Dữ liệu minh họa — không phải số liệu thực"
    assert "Kỳ báo cáo: 01/01/2024 – 31/12/2024 (so với cùng kỳ năm trước: 01/01/2023 – 31/12/2023)" in top
    assert "Nhóm vụ việc: Tội phạm về trật tự xã hội" in top
    assert "Loại vụ việc: Tất cả" in top
    assert "Địa bàn: Vĩnh Hùng" in top
    assert any(line and line.startswith("Phạm vi dữ liệu: Dữ liệu từ ") for line in top)
    assert "Nguồn: Bản đồ điểm nóng ANTT — Huyện Vĩnh Lộc; xuất lúc 12:00 27/11/2026" in top
    assert f"Số dòng: {len(table)}" in top
    header = int(sheet.freeze_panes[1:]) - 1
    assert sheet.freeze_panes == f"A{header + 1}"
    assert [c.value for c in sheet[header]][:4] == ["Mã xã", "Xã, thị trấn", "Dân số", "Số vụ"]
    assert top[header - 2] is None  # a blank row between the description and the table
    last = header + len(table)
    assert sheet.auto_filter.ref == f"A{header}:{openpyxl.utils.get_column_letter(len(table.columns))}{last}"
    formats = {c.value: sheet.cell(row=header + 1, column=c.column).number_format for c in sheet[header]}
    assert formats["Số vụ"] == "#,##0"
    assert formats["Dân số"] == "#,##0"
    assert formats["Vụ / 1.000 dân / năm"] == "#,##0.00"
    assert formats["Tăng/giảm"] == "+#,##0;-#,##0;0"
    assert formats["Tăng/giảm (%)"].endswith("%")
    pct = next(c.column for c in sheet[header] if c.value == "Tăng/giảm (%)")
    values = [sheet.cell(row=r, column=pct).value for r in range(header + 1, last + 1)]
    expected = [None if pd.isna(v) else v / 100 for v in table["Tăng/giảm (%)"]]
    assert values == pytest.approx(expected, nan_ok=True)


def test_real_data_have_no_demo_notice_and_english_words_in_english(
    incidents: pd.DataFrame, communes: gpd.GeoDataFrame
) -> None:
    table = incident_table(apply_filter(incidents, FLT), communes, lang="en")
    about = describe(
        FLT, what="incidents", incidents=incidents, communes=communes, area="Vinh Loc district",
        demo=False, now=NOW, rows=len(table), lang="en",
    )  # fmt: skip
    assert about.notice == ""
    sheet = _sheet(export_bytes({"Incidents": table}, fmt="xlsx", describe={"Incidents": about}), "Incidents")
    top = [row[0] for row in sheet.iter_rows(max_row=10, max_col=1, values_only=True)]
    assert top[0] == "Incident list — Vinh Loc district"
    assert top[1] == "Period: 01/01/2024 – 31/12/2024"
    assert "Offence groups: Crimes against social order" in top
    assert "Communes: Vĩnh Hùng" in top
    assert not any("minh họa" in (line or "") for line in top)


def test_a_described_xlsx_imports_back_as_the_same_incidents_and_the_csv_starts_with_its_header(
    incidents: pd.DataFrame, communes: gpd.GeoDataFrame
) -> None:
    everything = IncidentFilter(date(2015, 1, 1), date(2026, 11, 27))
    table = incident_table(incidents, communes)
    about = describe(
        everything, what="incidents", incidents=incidents, communes=communes, area="=cmd|' /C calc'!A0",
        demo=True, now=NOW, rows=len(table),
    )  # fmt: skip
    xlsx = export_bytes({"Vụ việc": table}, fmt="xlsx", describe={"Vụ việc": about})
    again = validate_incidents(read_table(xlsx, name="vu_viec.xlsx"), communes, now=NOW)
    assert again.errors == ()
    pd.testing.assert_frame_equal(again.incidents[CHECKED], incidents[CHECKED])
    sheet = _sheet(xlsx, "Vụ việc")
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]  # a hostile area name stays text
    assert sheet["A1"].value.startswith("Danh sách vụ việc — =cmd")
    assert sheet["A1"].value == "Danh sách vụ việc — =cmd|' /C calc'!A0"
    csv = export_bytes({"Vụ việc": table}, fmt="csv", describe={"Vụ việc": about})
    assert csv.decode("utf-8-sig").startswith("Mã vụ,Ngày xảy ra,")
    back = validate_incidents(read_table(csv, name="vu_viec.csv"), communes, now=NOW)
    pd.testing.assert_frame_equal(back.incidents[CHECKED], incidents[CHECKED])


def test_a_title_that_would_start_a_formula_is_text() -> None:
    about = describe(
        FLT, what="communes", incidents=pd.DataFrame(), communes=gpd.GeoDataFrame({"code": [], "name": []}),
        area="x", demo=False, now=NOW, rows=0,
    )  # fmt: skip
    about = type(about)(title='=HYPERLINK("http://x.example")', lines=about.lines, columns=about.columns)
    sheet = _sheet(export_bytes({"x": pd.DataFrame({"Số vụ": [1]})}, fmt="xlsx", describe={"x": about}), "x")
    assert sheet["A1"].value == '\'=HYPERLINK("http://x.example")'
    assert "Phạm vi dữ liệu: Chưa có vụ việc nào." in [r[0] for r in sheet.iter_rows(values_only=True)]


def test_file_names_carry_the_period_and_say_demo() -> None:
    assert file_name("vu_viec", FLT, fmt="xlsx") == "vu_viec_2024-01-01_2024-12-31.xlsx"
    assert file_name("theo_xa", FLT, fmt="csv", demo=True) == "theo_xa_2024-01-01_2024-12-31_minh_hoa.csv"


def test_sheet_names_are_valid_whatever_the_words() -> None:
    payload = export_bytes({"Vụ việc: 01/2024 [tạm]?": pd.DataFrame({"a": [1]})}, fmt="xlsx")
    (name,) = openpyxl.load_workbook(io.BytesIO(payload)).sheetnames
    assert name == "Vụ việc  01 2024  tạm"
