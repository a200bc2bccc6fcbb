"""Hostile files are refused before they are read, with our own message (issue 11, item 3)."""

from __future__ import annotations

import io
import json
import struct
import tomllib
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely

from geo import settings
from geo._errors import BoundaryError, DataError
from geo.io.boundary_import import import_boundaries
from geo.io.layers import read_layer, read_layer_file
from geo.io.numbers import parse_count
from geo.io.offences import read_offence_map
from geo.io.population_import import import_population
from geo.io.safety import Limits, clean_text, open_zip, safe_name, usable_crs
from geo.io.tables import read_table

ROOT = Path(__file__).resolve().parents[3]
LOCAL_CS = 'LOCAL_CS["Site grid",LOCAL_DATUM["Local",0],UNIT["metre",1],AXIS["X",EAST],AXIS["Y",NORTH]]'
SHEET = "xl/worksheets/sheet1.xml"
SQUARE = {"type": "Polygon", "coordinates": [[[105.6, 20.0], [105.7, 20.0], [105.7, 20.1], [105.6, 20.0]]]}


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {m: archive.read(m) for m in archive.namelist()}
    members.update(replace)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _collection(*features: object, crs: object = None) -> bytes:
    document: dict[str, object] = {"type": "FeatureCollection", "features": list(features)}
    if crs is not None:
        document["crs"] = crs
    return json.dumps(document).encode()


def test_the_upload_limit_of_streamlit_is_the_apps() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == settings.IMPORT_MAX_BYTES


def test_a_file_over_the_limit_is_refused_from_its_size_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "lon.csv"
    big.write_bytes(b"a,b\n" + b"1,2\n" * 100)
    layer = tmp_path / "lon.geojson"
    layer.write_bytes(_collection(*[{"type": "Feature", "properties": {}, "geometry": SQUARE}] * 10))

    def never(self: Path) -> bytes:
        raise AssertionError("read before its size was checked")

    monkeypatch.setattr(Path, "read_bytes", never)
    with pytest.raises(DataError, match="quá lớn") as info:
        read_table(big, max_bytes=100)
    assert info.value.file == "lon.csv"
    with pytest.raises(BoundaryError, match="quá lớn"):
        read_layer(layer, max_bytes=100)


def test_the_default_limit_is_read_when_the_file_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "IMPORT_MAX_BYTES", 10)
    with pytest.raises(DataError, match="quá lớn"):
        read_table(b"a,b\n1,2\n1,2\n", name="x.csv")


def test_a_device_or_a_folder_is_not_read(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="không phải tệp thông thường"):
        read_table(Path("/dev/zero"))
    with pytest.raises(DataError, match="thư mục"):
        read_table(tmp_path)


def test_an_xlsx_bomb_is_refused_from_its_zip_directory_before_openpyxl_opens_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = _xlsx([["Mã vụ", "Ngày xảy ra"], ["1", "05/01/2024"]])
    zeros = b"<x/>" + b" " * (3 * 1024 * 1024)  # 3 MB of spaces: a ratio in the thousands
    bomb = _rezip(good, {"xl/media/pad.xml": zeros})

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl opened a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(DataError, match="nén bất thường") as info:
        read_table(bomb, name="bom.xlsx")
    assert info.value.file == "bom.xlsx"


def test_a_zip_whose_directory_claims_too_much_is_refused() -> None:
    good = bytearray(_xlsx([["a"], [1]]))
    at = good.find(b"PK\x01\x02")
    good[at + 24 : at + 28] = struct.pack("<I", 3 * 1024**3)
    with pytest.raises(DataError, match="giải nén ra quá lớn"):
        read_table(bytes(good), name="x.xlsx")


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("a" * 300 + ".shp", "quá dài"),
        ("../../x.shp", "không an toàn"),
        ("/etc/x.shp", "không an toàn"),
        ("..\\x.shp", "không an toàn"),
        ("C:\\x.shp", "không an toàn"),
        ("x\x1b[31m.shp", "ký tự lạ"),
        ("x\u202e.shp", "ký tự lạ"),
    ],
)
def test_zip_members_are_vetted_by_name(member: str, message: str) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(member, b"")
    with pytest.raises(DataError, match=message):
        open_zip(out.getvalue(), name="x.zip", limits=Limits.of())
    with pytest.raises(BoundaryError, match=message):
        read_layer(out.getvalue(), name="x.zip")


def test_too_many_zip_members_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for index in range(settings.IMPORT_MAX_ZIP_MEMBERS + 1):
            archive.writestr(f"{index}.txt", b"")
    with pytest.raises(DataError, match="quá nhiều thành phần"):
        open_zip(out.getvalue(), name="x.zip", limits=Limits.of())


def test_a_sheet_declaring_a_million_rows_is_refused_from_its_dimension() -> None:
    good = _xlsx([["Mã vụ", "Ngày xảy ra"], ["1", "05/01/2024"]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        xml = archive.read(SHEET).decode()
    lying = _rezip(good, {SHEET: xml.replace('ref="A1:B2"', 'ref="A1:XFD1048576"').encode()})
    with pytest.raises(DataError, match="quá nhiều dòng"):
        read_table(lying, name="x.xlsx")


def test_rows_beyond_the_limit_are_refused_while_streaming(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "IMPORT_MAX_ROWS", 50)
    good = _xlsx([["Mã vụ", "Ngày xảy ra"], ["1", "05/01/2024"]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        xml = archive.read(SHEET).decode()
    # No dimension, and one cell far down: openpyxl would pad every missing row.
    far = xml.replace('<dimension ref="A1:B2"/>', "").replace(
        "</sheetData>", '<row r="1000000"><c r="A1000000"><v>1</v></c></row></sheetData>'
    )
    with pytest.raises(DataError, match="quá nhiều dòng"):
        read_table(_rezip(good, {SHEET: far.encode()}), name="x.xlsx")
    with pytest.raises(DataError, match="quá nhiều dòng"):
        read_table(b"a,b\n" + b"\n" * 60, name="x.csv")
    monkeypatch.setattr(settings, "IMPORT_MAX_CELLS", 100)
    with pytest.raises(DataError, match="quá nhiều ô"):
        read_table(b"a,b\n" + b",,,,,,,,,,\n" * 20, name="x.csv")


def test_xlsx_text_reaches_the_store_clean() -> None:
    good = _xlsx([["Mã vụ", "Mô tả"], ["1", "PLACEHOLDER"]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        xml = archive.read(SHEET).decode()
    # openpyxl keeps OOXML escapes (_xD800_) as written: text, never a lone surrogate.
    hostile = xml.replace("PLACEHOLDER", "a&#13;b_xD800_&#9;c")
    table = read_table(_rezip(good, {SHEET: hostile.encode()}), name="x.xlsx")
    assert table.rows[0][1] == "a\nb_xD800_\tc"


def test_xml_entities_in_a_workbook_are_not_expanded() -> None:
    good = _xlsx([["Mã vụ", "Mô tả"], ["1", "PLACEHOLDER"]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        xml = archive.read(SHEET).decode()
    laughs = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    hostile = laughs + xml.replace("PLACEHOLDER", "&b;")
    with pytest.raises(DataError, match="Excel"):
        read_table(_rezip(good, {SHEET: hostile.encode()}), name="x.xlsx")
    assert openpyxl.DEFUSEDXML  # openpyxl parses with defusedxml, which refuses entity declarations


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b'{"type":"FeatureCollection","features":' + b"[" * 5000 + b"]" * 5000 + b"}", "sâu"),
        (b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"x":NaN}}]}', "NaN"),
        (
            b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"x":Infinity}}]}',
            "Infinity",
        ),
        (b'{"type":"FeatureCollection","features":[5]}', "không phải một Feature"),
        (b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":[1,2]}]}', "properties"),
    ],
)
def test_malformed_geojson_is_our_error(document: bytes, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_table(document, name="x.geojson")
    with pytest.raises(BoundaryError, match=message):
        read_layer(document, name="x.geojson")


def test_huge_json_numbers_and_lone_surrogates_become_cells_we_can_store() -> None:
    digits = "9" * 4301
    document = (
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        f'{{"n":{digits},"t":"a\\ud800b\\u0000","deep":[[[[1]]]]}},'
        '"geometry":{"type":"Point","coordinates":[105.6,20.0]}}]}'
    ).encode()
    table = read_table(document, name="x.geojson")
    row = dict(zip(table.columns, table.rows[0], strict=True))
    assert row["n"] == float("inf")
    assert row["t"] == "a\ufffdb"
    assert row["deep"] == "[[[[1]]]]"


def test_json_containers_are_counted_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "IMPORT_MAX_CELLS", 1000)
    with pytest.raises(DataError, match="quá nhiều phần tử"):
        read_table(b'{"type":"FeatureCollection","features":[' + b"[]," * 2000 + b"[]]}", name="x.geojson")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e999])
def test_nan_and_infinite_vertices_are_refused_naming_the_feature(value: float) -> None:
    bad = {"type": "Polygon", "coordinates": [[[105.6, 20.0], [value, 20.0], [105.7, 20.1], [105.6, 20.0]]]}
    features = [
        {"type": "Feature", "properties": {"MaXa": "1"}, "geometry": SQUARE},
        {"type": "Feature", "properties": {"MaXa": "2"}, "geometry": bad},
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features})
    text = text.replace("NaN", "1e999").replace("Infinity", "1e999")
    with pytest.raises(BoundaryError, match="hữu hạn") as info:
        read_layer(text.encode(), name="x.geojson")
    assert info.value.row == 2


def test_a_local_cs_projection_is_refused(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"MaXa": ["1"], "TenXa": ["A"]}, geometry=[shapely.geometry.shape(SQUARE)], crs="EPSG:4326"
    )
    frame.to_file(tmp_path / "x.shp")
    (tmp_path / "x.prj").write_text(LOCAL_CS)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for path in tmp_path.iterdir():
            archive.write(path, path.name)
    with pytest.raises(BoundaryError, match="LOCAL_CS"):
        import_boundaries(out.getvalue(), name="x.zip")
    with pytest.raises(BoundaryError, match="LOCAL_CS"):
        import_boundaries(
            _collection({"type": "Feature", "properties": {"MaXa": "1"}, "geometry": SQUARE}),
            name="x.geojson",
            crs=LOCAL_CS,
        )
    assert not usable_crs(frame.set_crs(LOCAL_CS, allow_override=True).crs)
    assert usable_crs(frame.crs)
    assert usable_crs(frame.to_crs("EPSG:5897").crs)


def test_coordinates_off_the_globe_are_refused_naming_the_feature() -> None:
    huge = {"type": "Polygon", "coordinates": [[[0, 0], [1e300, 0], [1e300, 1e300], [0, 0]]]}
    document = _collection(
        {"type": "Feature", "properties": {"MaXa": "1", "TenXa": "A"}, "geometry": SQUARE},
        {"type": "Feature", "properties": {"MaXa": "2", "TenXa": "B"}, "geometry": huge},
        crs={"type": "name", "properties": {"name": "EPSG:5897"}},
    )
    with pytest.raises(BoundaryError) as info:
        import_boundaries(document, name="x.geojson")
    assert info.value.row == 2 or "Tọa độ" in info.value.message


def test_a_boundary_upload_is_read_once_for_its_attributes_and_its_check() -> None:
    document = _collection(
        {"type": "Feature", "properties": {"MaXa": "1", "TenXa": "Vĩnh\x1b A"}, "geometry": SQUARE}
    )
    read = read_layer_file(document, name="x.geojson")
    assert sorted(read.frame.columns) == ["MaXa", "TenXa", "geometry"]
    checked = import_boundaries(read, fields={"code": "MaXa", "name": "TenXa"})
    assert checked.sha256 == read.sha256
    assert checked.file_name == "x.geojson"
    assert checked.communes["name"].tolist() == ["Vĩnh A"]


def test_population_and_offence_tables_turn_huge_numbers_into_row_errors() -> None:
    communes = gpd.GeoDataFrame(
        {"code": ["1"], "name": ["Vĩnh Yên"], "population": [1], "population_year": [2020]},
        geometry=[shapely.geometry.shape(SQUARE)],
        crs="EPSG:4326",
    )
    checked = import_population(
        b"ma xa,dan so,nam\n1,9" + b".999" * 1500 + b",1e999\n", communes, name="p.csv"
    )
    assert checked.errors
    assert checked.errors[0].row == 2
    with pytest.raises(DataError, match="quá lớn"):
        parse_count("1" + "0" * 30)
    with pytest.raises(DataError, match="dòng 2"):
        read_offence_map(b"value,code\nx," + b"9" * 4301 + b"\n", name="m.csv")


def test_text_is_cleaned_and_names_are_safe() -> None:
    assert clean_text("a\r\nb\rc\x00\x1b[0m\ud800") == "a\nb\nc[0m\ufffd"
    assert safe_name("x\udcff\u202e.csv") == "x\ufffd.csv"
    assert safe_name("a\r\nĐã nhập 999 vụ.csv") == "a Đã nhập 999 vụ.csv"
    table = read_table(b'a,b\n"x\r=1",2\n', name="x\udcff.csv")
    assert table.name == "x\ufffd.csv"
    assert table.rows[0][0] == "x\n=1"
