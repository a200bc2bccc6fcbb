"""Commune boundaries: load GeoJSON, check CRS and geometry, normalise to the commune schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from geo import settings
from geo._errors import BoundaryError

COLUMNS = ["code", "name", "kind", "population", "population_year", "approximate", "note", "geometry"]
"""Columns of a communes GeoDataFrame, in order."""

_POLYGON_TYPES = {"Polygon", "MultiPolygon"}


def _read_json(path: Path) -> dict[str, Any]:
    name = path.name
    if not path.exists():
        raise BoundaryError("không tìm thấy tệp ranh giới. Kiểm tra lại đường dẫn.", file=name)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise BoundaryError("tệp không phải văn bản UTF-8; hãy lưu GeoJSON ở mã UTF-8.", file=name) from exc
    except json.JSONDecodeError as exc:
        raise BoundaryError(
            f"tệp không phải JSON hợp lệ (lỗi ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}).", file=name
        ) from exc
    if not isinstance(data, dict) or data.get("type") not in {"FeatureCollection", "Feature"}:
        raise BoundaryError('tệp JSON không phải GeoJSON (thiếu "type": "FeatureCollection").', file=name)
    return data


def _crs_of(data: dict[str, Any], name: str) -> CRS:
    """Return the CRS named in a GeoJSON ``crs`` member (the legacy way), or WGS 84."""
    crs_member = data.get("crs")
    if not crs_member:
        return CRS.from_user_input(settings.CRS_WGS84)
    try:
        ident = crs_member["properties"]["name"]
        return CRS.from_user_input(ident)
    except (KeyError, TypeError, CRSError) as exc:
        raise BoundaryError(
            f"hệ tọa độ không xác định ({json.dumps(crs_member, ensure_ascii=False)[:120]}). "
            'Hãy ghi mã EPSG, ví dụ "EPSG:4326" hoặc "EPSG:5897" (VN-2000 Thanh Hóa).',
            file=name,
        ) from exc


def crs_label(crs: Any) -> str:
    """Return a CRS as shown to analysts: ``EPSG:<code>`` when it has one, else its name.

    Examples
    --------
    >>> crs_label("epsg:5897")
    'EPSG:5897'
    """
    value = CRS.from_user_input(crs)
    code = value.to_epsg()
    return f"EPSG:{code}" if code else value.name


def read_geojson(path: Path, *, crs: str | None = None) -> gpd.GeoDataFrame:
    """Read a GeoJSON file of polygons and return it in EPSG:4326.

    Parameters
    ----------
    path
        The GeoJSON file.
    crs
        The CRS of the coordinates when the file does not say (e.g. ``"EPSG:5897"``); files
        without a ``crs`` member are longitude/latitude (RFC 7946).

    Raises
    ------
    BoundaryError
        The file is missing, not JSON, not GeoJSON, holds no polygons, has coordinates that are
        not longitude/latitude, or names an unknown CRS.
    """
    name = path.name
    data = _read_json(path)
    features = data.get("features") if data["type"] == "FeatureCollection" else [data]
    if not isinstance(features, list) or not features:
        raise BoundaryError("GeoJSON không có đối tượng (features) nào.", file=name)
    polygons = [
        f for f in features if isinstance(f, dict) and (f.get("geometry") or {}).get("type") in _POLYGON_TYPES
    ]
    if not polygons:
        kinds = sorted({str((f.get("geometry") or {}).get("type")) for f in features if isinstance(f, dict)})
        raise BoundaryError(
            f"GeoJSON không có vùng (Polygon/MultiPolygon) nào; chỉ có: {', '.join(kinds)}. "
            "Ranh giới xã phải là vùng.",
            file=name,
        )
    try:
        source_crs = CRS.from_user_input(crs) if crs else _crs_of(data, name)
    except CRSError as exc:
        raise BoundaryError(f"mã hệ tọa độ «{crs}» không xác định.", file=name) from exc
    try:
        frame = gpd.GeoDataFrame.from_features(polygons, crs=source_crs)
    except (ValueError, TypeError, shapely.errors.GEOSException) as exc:
        raise BoundaryError(f"hình học không đọc được: {exc}", file=name) from exc
    if source_crs.is_geographic:
        minx, miny, maxx, maxy = frame.total_bounds
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            raise BoundaryError(
                "tọa độ không phải kinh độ/vĩ độ (giá trị vượt ±180/±90). Nếu tệp dùng hệ tọa độ phẳng "
                "(VN-2000, UTM), hãy chọn mã EPSG của nó, ví dụ EPSG:5897.",
                file=name,
            )
    return frame.to_crs(settings.CRS_WGS84)


def normalise(
    frame: gpd.GeoDataFrame,
    *,
    code_field: str = "code",
    name_field: str = "name",
    population_field: str | None = "population",
    file: str | None = None,
) -> gpd.GeoDataFrame:
    """Return a communes GeoDataFrame with the standard `COLUMNS` from any polygon layer.

    Raises
    ------
    BoundaryError
        A required field is missing, a code is empty or repeated.
    """
    if frame.crs is None:
        raise BoundaryError("lớp ranh giới không có hệ tọa độ (CRS).", file=file)
    for label, fld in (("mã xã", code_field), ("tên xã", name_field)):
        if fld not in frame.columns:
            raise BoundaryError(
                f"không có trường {label} «{fld}». Các trường có: {', '.join(map(str, frame.columns))}.",
                file=file,
                field=fld,
            )
    codes = frame[code_field].astype(str).str.strip()
    empty = codes.isin(["", "nan", "None"])
    if empty.any():
        row = int(empty.to_numpy().nonzero()[0][0]) + 1
        raise BoundaryError("mã xã bị trống.", file=file, row=row, field=code_field)
    dupes = codes[codes.duplicated()].unique()
    if len(dupes):
        raise BoundaryError(f"mã xã bị lặp: {', '.join(dupes[:5])}.", file=file, field=code_field)
    population = (
        pd.to_numeric(frame[population_field], errors="coerce").fillna(0).astype(int)
        if population_field and population_field in frame.columns
        else pd.Series(0, index=frame.index)
    )
    out = gpd.GeoDataFrame(
        {
            "code": codes.to_numpy(),
            "name": frame[name_field].astype(str).str.strip().to_numpy(),
            "kind": (
                frame["kind"] if "kind" in frame.columns else pd.Series("xa", index=frame.index)
            ).to_numpy(),
            "population": population.to_numpy(),
            "population_year": (
                pd.to_numeric(frame["population_year"], errors="coerce").fillna(0).astype(int).to_numpy()
                if "population_year" in frame.columns
                else 0
            ),
            "approximate": (
                frame["approximate"].astype(bool).to_numpy() if "approximate" in frame.columns else False
            ),
            "note": (frame["note"].astype(str).to_numpy() if "note" in frame.columns else ""),
        },
        geometry=shapely.make_valid(frame.to_crs(settings.CRS_WGS84).geometry.to_numpy()),
        crs=settings.CRS_WGS84,
    )
    return out.sort_values("code").reset_index(drop=True)[COLUMNS]


def load_communes(path: Path, *, crs: str | None = None, **fields: Any) -> gpd.GeoDataFrame:
    """Read a GeoJSON file of communes and return the standard communes GeoDataFrame."""
    return normalise(read_geojson(path, crs=crs), file=path.name, **fields)


def district_outline(communes: gpd.GeoDataFrame) -> shapely.Geometry:
    """Return the union of the commune polygons (EPSG:4326)."""
    return shapely.union_all(communes.geometry.to_numpy())


def assign_commune(communes: gpd.GeoDataFrame, lon: Any, lat: Any) -> pd.Series:
    """Return the code of the commune containing each point ("" where none does).

    Uses one vectorised ``shapely.contains_xy`` per commune (DESIGN.md §4: the fastest of the
    measured approaches, 0.5 s for 1M points and 13 real boundaries).
    """
    lon_arr = pd.to_numeric(pd.Series(lon), errors="coerce").to_numpy(dtype=float)
    lat_arr = pd.to_numeric(pd.Series(lat), errors="coerce").to_numpy(dtype=float)
    codes = pd.Series("", index=range(len(lon_arr)), dtype=object)
    for code, geom in zip(communes["code"], communes.geometry, strict=True):
        inside = shapely.contains_xy(geom, lon_arr, lat_arr)
        codes[inside & (codes == "").to_numpy()] = code
    return codes.astype(str)
