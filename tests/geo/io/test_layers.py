"""Boundary loading: good files normalise, bad files give one clear Vietnamese message naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo import settings
from geo._errors import BoundaryError
from geo.communes import assign_commune
from geo.io.layers import load_communes

SQUARE = [[[105.60, 20.00], [105.61, 20.00], [105.61, 20.01], [105.60, 20.01], [105.60, 20.00]]]


def _write(tmp_path: Path, data: object, name: str = "xa.geojson") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _collection(features: list[dict], **extra: object) -> dict:
    return {"type": "FeatureCollection", "features": features, **extra}


def _feature(geometry: dict, **props: object) -> dict:
    return {"type": "Feature", "properties": {"code": "1", "name": "Xã Một", **props}, "geometry": geometry}


def test_demo_boundaries_load() -> None:
    communes = load_communes(settings.DEMO_COMMUNES_PATH)
    assert list(communes.columns) == [
        "code",
        "name",
        "kind",
        "population",
        "population_year",
        "approximate",
        "note",
        "geometry",
    ]
    assert communes.crs.to_epsg() == 4326
    assert len(communes) == 13


def test_other_field_names_are_mapped(tmp_path: Path) -> None:
    feature = {
        "type": "Feature",
        "properties": {"MA_XA": 15388, "TEN": "Vĩnh Thịnh", "DAN_SO": "7400"},
        "geometry": {"type": "Polygon", "coordinates": SQUARE},
    }
    communes = load_communes(
        _write(tmp_path, _collection([feature])),
        code_field="MA_XA",
        name_field="TEN",
        population_field="DAN_SO",
    )
    assert communes.loc[0, ["code", "name", "population"]].tolist() == ["15388", "Vĩnh Thịnh", 7400]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "không phải JSON hợp lệ"),
        ({"type": "Topology"}, "không phải GeoJSON"),
        (_collection([]), "không có đối tượng"),
        (_collection([_feature({"type": "Point", "coordinates": [105.6, 20.0]})]), "không có vùng .*Point"),
        (
            _collection(
                [
                    _feature(
                        {
                            "type": "Polygon",
                            "coordinates": [
                                [[590000, 2215000], [591000, 2215000], [591000, 2216000], [590000, 2215000]]
                            ],
                        }
                    )
                ]
            ),
            "không phải kinh độ/vĩ độ",
        ),
        (
            _collection(
                [_feature({"type": "Polygon", "coordinates": SQUARE})],
                crs={"type": "name", "properties": {"name": "EPSG:999999"}},
            ),
            "hệ tọa độ không xác định",
        ),
    ],
)
def test_bad_files_name_the_file_and_the_problem(tmp_path: Path, content: object, message: str) -> None:
    with pytest.raises(BoundaryError, match=rf"tệp «xa.geojson».*{message}"):
        load_communes(_write(tmp_path, content))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BoundaryError, match=r"tệp «khong_co.geojson»: Không tìm thấy tệp"):
        load_communes(tmp_path / "khong_co.geojson")


def test_missing_code_field_lists_the_fields(tmp_path: Path) -> None:
    path = _write(tmp_path, _collection([_feature({"type": "Polygon", "coordinates": SQUARE})]))
    with pytest.raises(BoundaryError, match=r"cột «MA».*không có trường mã xã «MA».*code, name"):
        load_communes(path, code_field="MA")


def test_projected_file_with_a_named_crs_is_reprojected(tmp_path: Path) -> None:
    # A 1 km square in UTM 48N near the district, declared by its EPSG code.
    utm = [[[590000, 2215000], [591000, 2215000], [591000, 2216000], [590000, 2216000], [590000, 2215000]]]
    path = _write(
        tmp_path,
        _collection(
            [_feature({"type": "Polygon", "coordinates": utm})],
            crs={"type": "name", "properties": {"name": "EPSG:32648"}},
        ),
    )
    communes = load_communes(path)
    minx, miny, maxx, maxy = communes.total_bounds
    assert 105.8 < minx < maxx < 105.9
    assert 20.0 < miny < maxy < 20.1
    assert communes.to_crs(settings.CRS_METRIC).area.iloc[0] == pytest.approx(1e6, rel=1e-3)


def test_assign_commune_marks_points_outside() -> None:
    communes = load_communes(settings.DEMO_COMMUNES_PATH)
    codes = assign_commune(communes, [105.6163, 105.0, 105.7469], [20.0600, 20.0, 20.0323])
    assert list(codes) == ["15349", "", "15388"]
