"""Tests of the official-boundary import: formats, CRS, field mapping, repairs, alignment, re-assignment."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon

from geo import settings as geo_settings
from geo._errors import BoundaryError, DataError
from geo.communes import COLUMNS
from geo.demo import read_outline
from geo.io.boundary_import import import_boundaries, reassign
from geo.io.layers import load_communes, read_layer

VN2000 = Path(__file__).resolve().parents[2] / "data" / "ranh_gioi_vn2000.geojson"


@pytest.fixture(scope="module")
def outline() -> shapely.Geometry:
    """The district outline (EPSG:4326)."""
    return read_outline()


@pytest.fixture(scope="module")
def demo() -> gpd.GeoDataFrame:
    """The demo communes."""
    return load_communes(geo_settings.DEMO_COMMUNES_PATH)


@pytest.fixture(scope="module")
def layer() -> gpd.GeoDataFrame:
    """The VN-2000 test layer as read (EPSG:5897, attributes MaXa, TenXa, DanSo)."""
    return read_layer(VN2000)


def test_a_vn2000_file_lines_up_with_the_district_within_50_m(
    outline: shapely.Geometry, demo: gpd.GeoDataFrame
) -> None:
    result = import_boundaries(VN2000, outline=outline, population_year=2022)
    assert result.ok
    assert result.issues == ()
    assert result.source_crs == "EPSG:5897"
    assert result.field_map == {"code": "MaXa", "name": "TenXa", "population": "DanSo"}
    assert result.offset_m < 50
    communes = result.communes
    assert list(communes.columns) == COLUMNS
    assert communes.crs.to_epsg() == 4326
    assert communes["code"].tolist() == demo["code"].tolist()
    assert communes["name"].tolist() == demo["name"].tolist()
    assert communes["kind"].tolist() == demo["kind"].tolist()
    assert communes["population"].tolist() == demo["population"].tolist()
    assert set(communes["population_year"]) == {2022}
    assert not communes["approximate"].any()
    metric = communes.to_crs(geo_settings.CRS_METRIC).geometry
    union = shapely.union_all(metric.to_numpy())
    target = gpd.GeoSeries([outline], crs=4326).to_crs(geo_settings.CRS_METRIC).iloc[0]
    assert shapely.hausdorff_distance(union.boundary, target.boundary, densify=0.25) < 50
    assert abs(union.area - target.area) / target.area < 0.001


def _shapefile_zip(frame: gpd.GeoDataFrame, folder: Path, *, prj: bool = True) -> bytes:
    frame.to_file(folder / "xa.shp", encoding="utf-8")
    archive = folder / "xa.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in folder.glob("xa.*"):
            if part.suffix in (".shp", ".shx", ".dbf", ".cpg") or (prj and part.suffix == ".prj"):
                zipped.write(part, f"Ranh gioi/{part.name}")
    return archive.read_bytes()


def test_zipped_shapefile_and_geopackage_import_the_same(
    layer: gpd.GeoDataFrame, outline: shapely.Geometry, tmp_path: Path
) -> None:
    expected = import_boundaries(VN2000, outline=outline).communes
    shp = import_boundaries(_shapefile_zip(layer, tmp_path), name="xa.zip", outline=outline)
    layer.to_file(tmp_path / "xa.gpkg", layer="xa")
    gpkg = import_boundaries((tmp_path / "xa.gpkg").read_bytes(), name="xa.gpkg", outline=outline)
    for result in (shp, gpkg):
        assert result.ok
        assert result.source_crs == "EPSG:5897"
        pd.testing.assert_frame_equal(
            result.communes.drop(columns="geometry"), expected.drop(columns="geometry"), check_dtype=False
        )
        assert shapely.equals_exact(
            result.communes.geometry.to_numpy(), expected.geometry.to_numpy(), 1e-6
        ).all()


def test_a_shapefile_without_prj_needs_a_crs(
    layer: gpd.GeoDataFrame, outline: shapely.Geometry, tmp_path: Path
) -> None:
    data = _shapefile_zip(layer, tmp_path, prj=False)
    with pytest.raises(BoundaryError, match=r"thiếu \.prj"):
        import_boundaries(data, name="xa.zip", outline=outline)
    assert import_boundaries(data, name="xa.zip", crs="EPSG:5897", outline=outline).offset_m < 50


def test_the_wrong_crs_is_caught(layer: gpd.GeoDataFrame, outline: shapely.Geometry, tmp_path: Path) -> None:
    data = _shapefile_zip(layer, tmp_path, prj=False)
    with pytest.raises(BoundaryError, match=r"Không có đơn vị nào nằm trong khu vực hiện tại.*khu vực mới"):
        import_boundaries(data, name="xa.zip", crs="EPSG:5896", outline=outline)
    with pytest.raises(BoundaryError, match="Hệ tọa độ «EPSG:999999» không xác định"):
        import_boundaries(data, name="xa.zip", crs="EPSG:999999")


def test_invalid_geometries_are_repaired_and_reported(outline: shapely.Geometry) -> None:
    bowtie = Polygon([(105.62, 20.06), (105.63, 20.07), (105.63, 20.06), (105.62, 20.07), (105.62, 20.06)])
    frame = gpd.GeoDataFrame(
        {"ma_xa": ["15349"], "ten": ["Thị trấn Vĩnh Lộc"], "dan_so": ["10.235"]}, geometry=[bowtie], crs=4326
    )
    result = import_boundaries(frame.to_json().encode(), name="x.geojson", outline=outline)
    assert result.ok
    repairs = [i for i in result.issues if i.row is not None]
    assert [(i.row, i.value, i.severity) for i in repairs] == [(1, "15349", "warning")]
    assert "make_valid" in repairs[0].message
    assert "Self-intersection" in repairs[0].message
    geometry = result.communes.geometry.iloc[0]
    assert geometry.is_valid
    assert geometry.area == pytest.approx(0.01 * 0.01 / 2)
    assert result.communes["population"].tolist() == [10235]
    assert result.communes["kind"].tolist() == ["thi_tran"]


def test_population_is_carried_over_or_optional(outline: shapely.Geometry, demo: gpd.GeoDataFrame) -> None:
    """Real boundary files rarely carry population: the stored one is kept, or the unit has none yet."""
    frame = demo[["code", "name", "geometry"]].rename(columns={"code": "MA", "name": "TEN"})
    data = frame.to_json().encode()
    kept = import_boundaries(data, name="x.geojson", outline=outline, previous=demo)
    assert kept.ok
    assert kept.communes["population"].tolist() == demo["population"].tolist()
    assert len(kept.issues) == 13
    assert {i.severity for i in kept.issues} == {"warning"}
    without = import_boundaries(data, name="x.geojson", outline=outline)
    assert without.ok
    assert without.communes["population"].tolist() == [0] * 13
    assert all("Chưa có dân số" in i.message and i.severity == "warning" for i in without.issues)


def test_codes_are_kept_exactly_as_given() -> None:
    """A numeric code 35 stays "35" (never "00035"); "035" stays "035"; 15349.0 is the integer it was."""
    squares = [Polygon([(x, 0), (x + 1, 0), (x + 1, 1), (x, 1)]) for x in range(3)]
    frame = gpd.GeoDataFrame(
        {"code": [35, "035", 15349.0], "name": ["A", "B", "C"], "population": [1, 2, 3]},
        geometry=squares,
        crs=4326,
    )
    result = import_boundaries(frame.to_json().encode(), name="x.geojson")
    assert result.ok
    assert sorted(result.communes["code"]) == ["035", "15349", "35"]


def test_names_without_codes_get_codes_from_the_names() -> None:
    """Real commune layers may have names written without spaces and no code at all."""
    squares = [Polygon([(x, 0), (x + 1, 0), (x + 1, 1), (x, 1)]) for x in range(3)]
    frame = gpd.GeoDataFrame(
        {"TenXaPhuong": ["XãVĩnhLộc", "PhườngTâyĐô", "BiệnThượng"]}, geometry=squares, crs=4326
    )
    result = import_boundaries(frame.to_json().encode(), name="x.geojson")
    assert result.ok
    assert result.field_map["name"] == "TenXaPhuong"
    assert sorted(result.communes["code"]) == ["bienthuong", "taydo", "vinhloc"]
    assert any("không có mã" in i.message for i in result.issues)


def test_new_codes_are_matched_to_stored_units_by_name(demo: gpd.GeoDataFrame) -> None:
    """Same units, other codes and spellings: matched by normalised name, population carried over."""
    frame = demo[["name", "geometry"]].assign(
        MA=[f"X{i:02d}" for i in range(len(demo))],
        TEN=[n.replace(" ", "") for n in demo["name"]],
    )[["MA", "TEN", "geometry"]]
    result = import_boundaries(frame.to_json().encode(), name="x.geojson", previous=demo)
    assert result.ok
    assert len(result.matches) == 13
    renamed = result.renamed
    assert renamed["15379"] == f"X{list(demo['code']).index('15379'):02d}"
    assert result.communes["population"].sum() == demo["population"].sum()


def test_features_outside_the_district_are_dropped_and_repeats_merged(
    outline: shapely.Geometry, demo: gpd.GeoDataFrame
) -> None:
    far = Polygon([(105.0, 20.0), (105.01, 20.0), (105.01, 20.01), (105.0, 20.0)])
    halves = demo.iloc[[0]].copy()
    west = demo.geometry.iloc[0].intersection(shapely.box(100, 0, 105.615, 30))
    east = demo.geometry.iloc[0].intersection(shapely.box(105.615, 0, 110, 30))
    rows = pd.concat(
        [
            demo.iloc[1:],
            halves.set_geometry([west], crs=4326),
            halves.set_geometry([east], crs=4326),
            gpd.GeoDataFrame(
                {"code": ["16000"], "name": ["Xã khác"], "population": [1]}, geometry=[far], crs=4326
            ),
        ]
    )
    result = import_boundaries(
        rows[["code", "name", "population", "geometry"]].to_json().encode(), name="x.geojson", outline=outline
    )
    assert result.ok
    assert len(result.communes) == 13
    messages = [i.message for i in result.issues]
    assert "Đã bỏ 1 đơn vị nằm ngoài huyện." in messages
    assert any("nhiều lần" in m for m in messages)
    merged = result.communes.set_index("code").geometry["15349"]
    assert merged.area == pytest.approx(demo.geometry.iloc[0].area, rel=1e-6)


def test_field_mapping_and_unreadable_files(layer: gpd.GeoDataFrame, tmp_path: Path) -> None:
    renamed = layer.rename(columns={"MaXa": "A", "TenXa": "B", "DanSo": "C"}).to_crs(4326)
    data = renamed.to_json().encode()
    with pytest.raises(BoundaryError, match="Không tìm thấy thuộc tính cho: Tên xã"):
        import_boundaries(renamed[["A", "C", "geometry"]].to_json().encode(), name="x.geojson")
    guessed = import_boundaries(data, name="x.geojson")
    assert guessed.field_map["name"] == "B"
    mapped = import_boundaries(data, name="x.geojson", fields={"code": "A", "name": "B", "population": "C"})
    assert mapped.communes["population"].sum() == layer["DanSo"].sum()
    with pytest.raises(BoundaryError, match="Không có thuộc tính «Z»"):
        import_boundaries(data, name="x.geojson", fields={"name": "Z"})
    with pytest.raises(BoundaryError, match="không hỗ trợ"):
        import_boundaries(b"abc", name="x.kml")
    with pytest.raises(BoundaryError, match="zip"):
        import_boundaries(b"not a zip", name="x.zip")
    with pytest.raises(BoundaryError, match="quá lớn"):
        read_layer(b"x" * 100, name="x.geojson", max_bytes=10)


def test_reassign_counts_changed_and_outside(demo: gpd.GeoDataFrame) -> None:
    incidents = pd.DataFrame(
        {
            "lon": [105.6163, 105.6847, 106.5],
            "lat": [20.06, 20.0256, 20.5],
            "commune_code": ["15349", "15361", "15349"],
        },
        index=[10, 11, 12],
    )
    moved = reassign(incidents, demo)
    assert moved.codes.to_dict() == {10: "15349", 11: "15379", 12: ""}
    assert (moved.changed, moved.outside) == (2, 1)


@pytest.fixture(scope="module")
def seeds(demo: gpd.GeoDataFrame, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Valid small boundary files of each format, to damage."""
    folder = tmp_path_factory.mktemp("seeds")
    part = demo.iloc[:3][["code", "name", "population", "geometry"]]
    part.to_file(folder / "a.gpkg")
    return {
        "gpkg": (folder / "a.gpkg").read_bytes(),
        "zip": _shapefile_zip(part, folder),
        "geojson": part.to_json().encode(),
    }


@settings(max_examples=80, deadline=None)
@given(
    suffix=st.sampled_from(["gpkg", "zip", "geojson"]),
    edits=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=0, max_size=4)), max_size=4),
)
def test_a_damaged_boundary_file_gives_our_error_never_a_crash(
    suffix: str, edits: list[tuple[float, bytes]], seeds: dict[str, bytes], outline: shapely.Geometry
) -> None:
    data = bytearray(seeds[suffix])
    for where, replacement in edits:
        at = int(where * (len(data) - 1))
        data[at : at + len(replacement) or at + 1] = replacement
    try:
        columns = list(import_boundaries(bytes(data), name=f"x.{suffix}", outline=outline).communes.columns)
    except DataError as error:
        columns = COLUMNS if error.message else []
    assert columns == COLUMNS
