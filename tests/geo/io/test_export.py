"""Tests of exports: formula neutralising, CSV and XLSX, and import → export → import round trips."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import settings as geo_settings
from geo.aggregate import commune_counts
from geo.io.export import commune_table, export_bytes, incident_table, neutralise, to_csv, to_xlsx
from geo.io.incident_import import COLUMNS, validate_incidents
from geo.io.layers import load_communes
from geo.io.tables import read_table
from geo.store.store import Store

NOW = datetime(2026, 11, 27, 12, 0)
DATA = Path(__file__).resolve().parents[2] / "data"
CHECKED = [c for c in COLUMNS if c != "source_row"]


@pytest.fixture(scope="module")
def communes() -> gpd.GeoDataFrame:
    """The demo communes."""
    return load_communes(geo_settings.DEMO_COMMUNES_PATH)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "|", "\t", "\r", "\n", " =", "\n\n=", "\u3000+", "＝"])
def test_neutralise_prefixes_every_formula_start(start: str) -> None:
    assert neutralise(f"{start}1+1") == f"'{start}1+1"
    assert neutralise(f"a{start}") == f"a{start}"
    assert neutralise(5) == 5


def test_a_dde_payload_behind_a_line_break_is_text_in_both_formats() -> None:
    payloads = ["\n=cmd|' /C calc'!A0", "\r\n+1+1", "|cmd'!A0", "  @SUM(1)", "bình thường - ổn"]
    table = pd.DataFrame({"Mô tả": payloads})
    rows = to_csv(table).decode("utf-8-sig").split("\r\n", 1)[1]
    for payload in payloads[:-1]:
        assert f"'{payload}" in rows.replace('"', "")
    assert "\nbình thường - ổn" in rows.replace("\r", "")  # ordinary text unchanged
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx({"x": table})))["x"]
    values = [c.value for (c,) in sheet.iter_rows(min_row=2)]
    assert values == [f"'{p}" for p in payloads[:-1]] + [payloads[-1]]
    assert all(c.data_type != "f" for (c,) in sheet.iter_rows(min_row=2))


def test_csv_and_xlsx_never_hold_a_live_formula(communes: gpd.GeoDataFrame) -> None:
    result = validate_incidents(read_table(DATA / "vu_viec_lon_xon.csv"), communes, now=NOW)
    table = incident_table(result.incidents, communes)
    text = to_csv(table).decode("utf-8-sig")
    assert text.startswith("Mã vụ,Ngày xảy ra,Tội danh / Loại vụ việc,")
    assert '\'=HYPERLINK(""http://x.example"",""bấm"")' in text
    assert "05/01/2024 14:30" in text
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx({"Vụ việc": table})))
    sheet = book["Vụ việc"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert '\'=HYPERLINK("http://x.example","bấm")' in [c.value for c in cells]
    assert sheet["B2"].value == datetime(2024, 1, 5, 14, 30)
    assert sheet["B2"].number_format == "dd/mm/yyyy hh:mm:ss"


def test_commune_table_has_readable_headers_in_both_languages(communes: gpd.GeoDataFrame) -> None:
    incidents = pd.DataFrame({"commune_code": ["15349", "15349", "15361"]})
    counts = commune_counts(incidents, communes, days=365)
    vi = commune_table(counts)
    assert list(vi.columns) == ["Mã xã", "Xã, thị trấn", "Dân số", "Số vụ", "Vụ / 1.000 dân / năm"]
    assert vi.iloc[0].tolist()[:4] == ["15349", "Thị trấn Vĩnh Lộc", 10235, 2]
    assert list(commune_table(counts, lang="en").columns)[:2] == ["Commune code", "Commune"]
    with pytest.raises(ValueError, match="không hỗ trợ"):
        export_bytes({"x": vi}, fmt="pdf")


def _again(payload: bytes, name: str, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    result = validate_incidents(read_table(payload, name=name), communes, now=NOW)
    assert result.errors == ()
    return result.incidents[CHECKED]


@settings(max_examples=20, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2026, 1, 1)).map(
                lambda d: d.replace(microsecond=0)
            ),
            st.sampled_from(["trom_cap_tai_san", "danh_bac_hc", "mau_thuan_khac", "tang_tru_ma_tuy"]),
            st.floats(min_value=105.62, max_value=105.635),
            st.floats(min_value=20.05, max_value=20.09),
            st.text(alphabet="aăđê =+-@'\";,\n", max_size=12),
            st.sampled_from(["", "Đã xử lý", "-"]),
        ),
        min_size=1,
        max_size=8,
    ),
    lang=st.sampled_from(["vi", "en"]),
)
def test_a_valid_file_round_trips_through_import_and_export(
    rows: list, lang: str, communes: gpd.GeoDataFrame
) -> None:
    source = pd.DataFrame(
        {
            "Mã vụ": [f"V{i}" for i in range(len(rows))],
            "Ngày xảy ra": [r[0].strftime("%Y-%m-%d %H:%M:%S") for r in rows],
            "Tội danh": [r[1] for r in rows],
            "Kinh độ": [repr(round(r[2], 7)) for r in rows],
            "Vĩ độ": [repr(round(r[3], 7)) for r in rows],
            "Mô tả": [neutralise(" ".join(r[4].split())) for r in rows],
            "Trạng thái": [r[5] for r in rows],
        }
    )
    first = _again(source.to_csv(index=False).encode(), "nguon.csv", communes)
    table = incident_table(first, communes, lang=lang)
    pd.testing.assert_frame_equal(_again(to_csv(table), "xuat.csv", communes), first)
    pd.testing.assert_frame_equal(_again(to_xlsx({"x": table}), "xuat.xlsx", communes), first)


def test_store_export_imports_back_into_an_identical_store(
    tmp_path: Path, communes: gpd.GeoDataFrame
) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'a.sqlite'}", demo=False)
    store.import_incidents(validate_incidents(read_table(DATA / "vu_viec_lon_xon.csv"), communes, now=NOW))
    payload = export_bytes({"x": incident_table(store.incidents(details=True), communes)}, fmt="xlsx")
    other = Store.open(f"sqlite:///{tmp_path / 'b.sqlite'}", demo=False)
    other.import_incidents(validate_incidents(read_table(payload, name="x.xlsx"), communes, now=NOW))
    columns = [
        "incident_id",
        "occurred_at",
        "offence_code",
        "lon",
        "lat",
        "commune_code",
        "description",
        "status",
    ]
    pd.testing.assert_frame_equal(
        other.incidents(details=True)[columns], store.incidents(details=True)[columns]
    )
    assert (
        other.incidents(details=True)["address"].tolist() == store.incidents(details=True)["address"].tolist()
    )
