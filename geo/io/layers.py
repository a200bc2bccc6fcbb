"""Read a polygon layer (GeoJSON, zipped Shapefile, GeoPackage) once, in one place, refusing unsafe archives."""

from __future__ import annotations

import io
import json
import tempfile
import warnings
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from geo import settings
from geo._errors import BoundaryError, DataError
from geo.communes import normalise
from geo.formatting import format_megabytes
from geo.io.files import read_bytes
from geo.io.geojson import parse_document

SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip"}
"""File name endings of the layer files read."""

_MAX_UNZIPPED = 20


def read_layer(
    source: bytes | Path,
    *,
    name: str | None = None,
    layer: str | None = None,
    crs: str | None = None,
    max_bytes: int = settings.IMPORT_MAX_BYTES,
) -> gpd.GeoDataFrame:
    """Read the polygon layer of a GeoJSON, zipped Shapefile or GeoPackage file, in its own CRS.

    Parameters
    ----------
    source
        The file's bytes (an upload) or its path.
    name
        The file name, which decides the format (default: the path's name).
    layer
        The layer of a multi-layer GeoPackage.
    crs
        The CRS of the coordinates when the file does not say, or says wrongly (e.g. ``"EPSG:5897"``).
    max_bytes
        Larger files are refused.

    Raises
    ------
    BoundaryError
        The file is too large, of another kind, a Shapefile without its sidecar files, holds several
        layers and none was chosen, holds no polygons, names an unknown CRS, or cannot be read.
    """
    name = name or (source.name if isinstance(source, Path) else "ranh_gioi")
    data = layer_bytes(source, name=name)
    if len(data) > max_bytes:
        raise BoundaryError(
            f"Tệp quá lớn ({format_megabytes(len(data))} MB; tối đa {format_megabytes(max_bytes, 0)} MB).",
            file=name,
        )
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise BoundaryError(
            "Định dạng ranh giới không hỗ trợ: dùng GeoJSON (.geojson), Shapefile nén (.zip gồm .shp, .shx, "
            ".dbf, .prj) hoặc GeoPackage (.gpkg).",
            file=name,
        )
    if suffix == ".shp" and not isinstance(source, Path):
        raise BoundaryError("Tải lên Shapefile dạng .zip gồm .shp, .shx, .dbf và .prj.", file=name)
    if suffix in (".geojson", ".json"):
        frame = _read_geojson(data, name=name, declared=crs is None)
    else:
        with tempfile.TemporaryDirectory(prefix="antt-boundary-") as folder:
            if isinstance(source, Path) and suffix != ".zip":
                path = source
            elif suffix == ".zip":
                path = _unzip(data, Path(folder), name=name, max_bytes=max_bytes * _MAX_UNZIPPED)
            else:
                path = Path(folder) / f"layer{suffix}"
                path.write_bytes(data)
            frame = _read(path, name=name, layer=layer)
    if crs:
        try:
            frame = frame.set_crs(CRS.from_user_input(crs), allow_override=True)
        except CRSError as exc:
            raise BoundaryError(
                f"Hệ tọa độ «{crs}» không xác định: ghi mã EPSG, vd EPSG:5897.", file=name
            ) from exc
    _require_polygons(frame, name=name)
    return frame


def checked_crs(frame: gpd.GeoDataFrame, *, name: str) -> gpd.GeoDataFrame:
    """Return ``frame`` when its CRS is known and its coordinates fit it.

    Raises
    ------
    BoundaryError
        The layer has no CRS (a Shapefile without ``.prj``), or says longitude/latitude while its
        coordinates are metres (a projected file without its CRS).
    """
    if frame.crs is None:
        raise BoundaryError(
            "Tệp không cho biết hệ tọa độ (Shapefile thiếu .prj?): hãy chọn mã EPSG, vd EPSG:5897 "
            "(VN-2000 Thanh Hóa) hoặc EPSG:4326.",
            file=name,
        )
    if frame.crs.is_geographic and len(frame):
        minx, miny, maxx, maxy = frame.total_bounds
        if min(minx, miny) < -180 or maxx > 180 or maxy > 90:
            raise BoundaryError(
                "Tọa độ không phải kinh độ/vĩ độ dù tệp ghi hệ địa lý: hãy chọn mã EPSG của hệ phẳng, "
                "vd EPSG:5897 (VN-2000) hoặc EPSG:32648 (UTM 48N).",
                file=name,
            )
    return frame


def load_communes(path: Path, *, crs: str | None = None, **fields: Any) -> gpd.GeoDataFrame:
    """Read a layer of units whose attributes are already named (``code``, ``name``…) into the commune schema.

    The demo store and ``evaluate --boundaries`` read their layers through here; an official file
    with other attribute names goes through `geo.io.boundary_import.import_boundaries`.
    """
    name = path.name
    frame = checked_crs(read_layer(path, name=name, crs=crs), name=name)
    return normalise(frame, file=name, **fields)


_POLYGON_TYPES = ("Polygon", "MultiPolygon", "GeometryCollection")


def _read_geojson(data: bytes, *, name: str, declared: bool) -> gpd.GeoDataFrame:
    try:
        document = parse_document(data, name=name)
    except DataError as error:
        raise BoundaryError(error.message, file=name) from error
    features = [f for f in document.features if isinstance(f, dict)]
    if not features:
        raise BoundaryError("Tệp không có đối tượng (features) nào.", file=name)
    source_crs: CRS | None = CRS.from_user_input(settings.CRS_WGS84)
    if declared and document.crs_member:
        try:
            source_crs = CRS.from_user_input(document.crs)
        except (CRSError, TypeError) as exc:
            member = json.dumps(document.crs_member, ensure_ascii=False, default=str)[:120]
            raise BoundaryError(
                f"Tệp ghi hệ tọa độ không xác định ({member}). "
                'Hãy ghi mã EPSG, ví dụ "EPSG:4326" hoặc "EPSG:5897" (VN-2000 Thanh Hóa).',
                file=name,
            ) from exc
    clean: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "properties": f.get("properties") if isinstance(f.get("properties"), dict) else {},
            "geometry": f.get("geometry") if isinstance(f.get("geometry"), dict) else None,
        }
        for f in features
    ]
    try:
        return gpd.GeoDataFrame.from_features(clean, crs=source_crs)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, shapely.errors.ShapelyError) as exc:
        raise BoundaryError(f"Hình học không đọc được: {exc}", file=name) from exc


def _require_polygons(frame: gpd.GeoDataFrame, *, name: str) -> None:
    if len(frame) and frame.geometry.geom_type.isin(_POLYGON_TYPES).any():
        return
    kinds = sorted({str(k) for k in frame.geometry.geom_type.dropna()}) if len(frame) else []
    only = f"; chỉ có: {', '.join(kinds)}" if kinds else ""
    raise BoundaryError(
        f"Tệp không có vùng (Polygon/MultiPolygon) nào{only}. Ranh giới xã phải là vùng.", file=name
    )


def layer_bytes(source: bytes | Path, *, name: str) -> bytes:
    """Return the bytes of an upload or a file; a missing or unreadable file is a `BoundaryError`."""
    try:
        return read_bytes(source, name=name)
    except DataError as error:
        raise BoundaryError(error.message, file=name) from error


def _unzip(data: bytes, folder: Path, *, name: str, max_bytes: int) -> Path:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise BoundaryError("Tệp .zip hỏng hoặc không phải .zip.", file=name) from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and "__MACOSX" not in m.filename]
        if sum(m.file_size for m in members) > max_bytes:
            raise BoundaryError("Tệp .zip giải nén ra quá lớn.", file=name)
        for member in members:
            inner = PurePosixPath(member.filename)
            if inner.is_absolute() or ".." in inner.parts:
                raise BoundaryError(f"Tệp .zip chứa đường dẫn không an toàn: {member.filename}.", file=name)
            try:
                content = archive.read(member)
            except Exception as exc:  # zipfile, zlib or bz2 errors of a damaged archive
                raise BoundaryError(f"Tệp .zip bị hỏng ({member.filename}).", file=name) from exc
            (folder / inner.name).write_bytes(content)
    layers = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES - {".zip"})
    shapefiles = [p for p in layers if p.suffix.lower() == ".shp"]
    chosen = shapefiles or layers
    if not chosen:
        raise BoundaryError("Tệp .zip không chứa .shp, .gpkg hoặc .geojson nào.", file=name)
    if len(chosen) > 1:
        raise BoundaryError(
            f"Tệp .zip chứa nhiều lớp ({', '.join(p.name for p in chosen)}): hãy nén riêng lớp ranh giới xã.",
            file=name,
        )
    path = chosen[0]
    if path.suffix.lower() == ".shp":
        missing = [s for s in (".shx", ".dbf") if not path.with_suffix(s).exists()]
        if missing:
            raise BoundaryError(f"Shapefile thiếu tệp đi kèm: {', '.join(missing)}.", file=name)
    return path


def _read(path: Path, *, name: str, layer: str | None) -> gpd.GeoDataFrame:
    import pyogrio

    try:
        layers = pyogrio.list_layers(path)
        if layer is None and len(layers) > 1:
            polygons = [str(n) for n, kind in layers if kind and "Polygon" in str(kind)]
            if len(polygons) != 1:
                names = ", ".join(str(n) for n, _ in layers)
                raise BoundaryError(f"Tệp có nhiều lớp ({names}): hãy chọn lớp ranh giới xã.", file=name)
            layer = polygons[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on odd but readable files
            frame = gpd.read_file(path, layer=layer)
    except BoundaryError:
        raise
    except Exception as exc:  # GDAL reports a damaged file through many error types
        raise BoundaryError(
            f"Không đọc được tệp ranh giới (tệp hỏng hoặc sai định dạng): {exc}", file=name
        ) from exc
    if path.suffix.lower() == ".shp" and not path.with_suffix(".prj").exists():
        frame = frame.set_crs(None, allow_override=True)
    return frame
