"""Tests of reading incident files: encodings, delimiters, XLSX, GeoJSON, header recognition."""

from __future__ import annotations

import io
import json
import unicodedata
from datetime import datetime

import openpyxl
import pytest

from geo._errors import DataError
from geo.io.files import decode_text
from geo.io.headers import GEOMETRY_X, GEOMETRY_Y, header_key, map_columns
from geo.io.tables import read_table

TEXT = (
    "Mã vụ,Ngày xảy ra,Tội danh / Loại vụ việc,Kinh độ,Vĩ độ,Mô tả\n"
    "VL-1,05/01/2024,Trộm cắp tài sản,105.6163,20.06,Mất xe máy ở chợ Vĩnh Lộc\n"
)
_SHAPE_MARKS = {"\u0302", "\u0306", "\u031b"}


def cp1258(text: str) -> bytes:
    """Encode Vietnamese the way Windows-1258 does: precomposed base letters, combining tone marks."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = parts[0] + "".join(m for m in parts[1:] if m in _SHAPE_MARKS)
            tones = "".join(m for m in parts[1:] if m not in _SHAPE_MARKS)
            out += unicodedata.normalize("NFC", base).encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-16"), "utf-16"),
        (cp1258(TEXT), "cp1258"),
    ],
)
def test_read_table_decodes_vietnamese_in_every_encoding(data: bytes, encoding: str) -> None:
    table = read_table(data, name="vu_viec.csv")
    assert table.encoding == encoding
    assert table.columns[2] == "Tội danh / Loại vụ việc"
    assert table.rows == (
        ("VL-1", "05/01/2024", "Trộm cắp tài sản", "105.6163", "20.06", "Mất xe máy ở chợ Vĩnh Lộc"),
    )
    assert table.row_numbers == (2,)


def test_decode_text_reads_western_files_and_honours_a_chosen_encoding() -> None:
    assert decode_text("Café crème".encode("cp1252"), name="a.csv") == ("Café crème", "cp1252")
    assert decode_text(cp1258("Đánh bạc"), name="a.csv", encoding="cp1258")[0] == "Đánh bạc"
    with pytest.raises(DataError, match="bảng mã «utf-8»"):
        decode_text(b"\xff\xfe\xfa", name="a.csv", encoding="utf-8")


def test_read_table_sniffs_semicolons_title_rows_and_quoted_cells() -> None:
    data = (
        'BÁO CÁO THÁNG 1;;\n\nMã vụ;Ngày;Mô tả\nA;05/01/2024;"có; dấu chấm phẩy"\n;;\nB;06/01/2024;\n'
    ).encode()
    table = read_table(data, name="x.csv")
    assert table.columns == ("Mã vụ", "Ngày", "Mô tả")
    assert table.rows[0] == ("A", "05/01/2024", "có; dấu chấm phẩy")
    assert table.row_numbers == (4, 5, 6)


def test_read_table_refuses_what_it_cannot_read() -> None:
    with pytest.raises(DataError, match="quá lớn"):
        read_table(b"a,b\n1,2\n", name="x.csv", max_bytes=4)
    with pytest.raises(DataError, match="rỗng"):
        read_table(b"  \n", name="x.csv")
    with pytest.raises(DataError, match=r"\.xls\)"):
        read_table(b"\xd0\xcf\x11\xe0", name="x.xls")
    with pytest.raises(DataError, match="nhiều ô hơn") as info:
        read_table(b"a,b\n1,2,3\n", name="x.csv")
    assert info.value.row == 2
    with pytest.raises(DataError, match="Excel"):
        read_table(b"PK\x03\x04broken", name="x.xlsx")
    with pytest.raises(DataError, match="JSON"):
        read_table(b"{not json", name="x.geojson")


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_read_table_reads_xlsx_values_and_keeps_formulas_as_text() -> None:
    data = _xlsx(
        [
            ["Mã vụ", "Ngày xảy ra", "Mô tả", "Kinh độ"],
            [1001, datetime(2024, 1, 5, 14, 30), "=1+1", 105.61],
            [None, None, None, None],
        ]
    )
    table = read_table(data, name="thang1.xlsx")
    assert table.kind == "xlsx"
    assert table.rows[0] == (1001, datetime(2024, 1, 5, 14, 30), "=1+1", 105.61)
    assert table.row_numbers == (2, 3)
    with pytest.raises(DataError, match="trang tính «Tháng 2»"):
        read_table(data, name="thang1.xlsx", sheet="Tháng 2")


def test_read_table_reads_geojson_points_with_their_crs() -> None:
    document = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::5897"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"Mã vụ": "A"},
                "geometry": {"type": "Point", "coordinates": [1, 2]},
            },
            {"type": "Feature", "properties": {"Ngày": "x"}, "geometry": None},
        ],
    }
    table = read_table(json.dumps(document).encode(), name="diem.geojson")
    assert table.crs == "urn:ogc:def:crs:EPSG::5897"
    assert table.columns == ("Mã vụ", "Ngày", GEOMETRY_X, GEOMETRY_Y)
    assert table.rows == (("A", None, 1, 2), (None, "x", "", ""))


def test_header_key_and_map_columns_recognise_vietnamese_and_english_headers() -> None:
    assert header_key("  Kinh Độ ") == "kinh do"
    vi = (
        "Mã vụ",
        "Ngày xảy ra (dd/mm/yyyy)",
        "Tội danh / Loại vụ việc",
        "Kinh độ",
        "Vĩ độ",
        "Địa chỉ",
        "Mô tả",
    )
    assert map_columns(vi) == {
        "incident_id": "Mã vụ",
        "occurred_at": "Ngày xảy ra (dd/mm/yyyy)",
        "offence": "Tội danh / Loại vụ việc",
        "lon": "Kinh độ",
        "lat": "Vĩ độ",
        "address": "Địa chỉ",
        "description": "Mô tả",
    }
    en = ("ID", "Date", "Offence", "Longitude", "Latitude", "Status")
    assert map_columns(en) == {
        "incident_id": "ID",
        "occurred_at": "Date",
        "offence": "Offence",
        "lon": "Longitude",
        "lat": "Latitude",
        "status": "Status",
    }


def test_map_columns_applies_the_analysts_choices_and_names_what_is_missing() -> None:
    columns = ("So", "Hôm", "Vụ", "X", "Y", "Ghi chú")
    chosen = map_columns(columns, mapping={"occurred_at": "hôm", "offence": "Vụ", "incident_id": "So"})
    assert chosen == {
        "incident_id": "So",
        "occurred_at": "Hôm",
        "offence": "Vụ",
        "lon": "X",
        "lat": "Y",
        "description": "Ghi chú",
    }
    assert "description" not in map_columns(
        columns, mapping={"occurred_at": "Hôm", "offence": "Vụ", "description": ""}
    )
    with pytest.raises(DataError, match=r"Không tìm thấy cột cho: «Ngày xảy ra» \(occurred_at\)"):
        map_columns(columns, mapping={"offence": "Vụ"})
    with pytest.raises(DataError, match="Không có cột «Ngày»"):
        map_columns(columns, mapping={"occurred_at": "Ngày"})
    with pytest.raises(DataError, match="Trường «when» không có"):
        map_columns(columns, mapping={"when": "Hôm"})


def test_a_row_number_column_is_never_an_incident_id() -> None:
    """STT restarts at 1 every month: taken as an id it would overwrite last month's incidents."""
    columns = ("STT", "Ngày tiếp nhận", "Tội danh", "Kinh độ", "Vĩ độ", "Thôn/Xóm/Tổ dân phố")
    chosen = map_columns(columns)
    assert "incident_id" not in chosen
    assert (chosen["occurred_at"], chosen["address"]) == ("Ngày tiếp nhận", "Thôn/Xóm/Tổ dân phố")
    with pytest.raises(DataError, match="số thứ tự dòng, không phải mã vụ"):
        map_columns(columns, mapping={"incident_id": "STT"})


def test_english_ledger_headers_are_recognised() -> None:
    chosen = map_columns(("Month", "Crime type", "Longitude", "Latitude", "Ward", "Location"))
    assert chosen == {
        "occurred_at": "Month",
        "offence": "Crime type",
        "lon": "Longitude",
        "lat": "Latitude",
        "commune": "Ward",
        "address": "Location",
    }
