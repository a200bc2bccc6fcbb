"""Read a polygon layer (GeoJSON, zipped Shapefile, GeoPackage) once, in one place, refusing unsafe archives."""

from __future__ import annotations

import hashlib
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
import shapely.geometry
from pyproj import CRS
from pyproj.exceptions import CRSError

from geo import settings
from geo._errors import BoundaryError, DataError
from geo.communes import normalise
from geo.io.files import read_bytes
from geo.io.geojson import parse_document
from geo.io.safety import (
    Limits,
    check_size,
    clean_text,
    file_size,
    open_zip,
    safe_name,
    too_many_rows,
    usable_crs,
)
from geo.io.tables import feature_properties, json_cell

SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip"}
"""File name endings of the layer files read."""


@dataclass(frozen=True)
class LayerFile:
    """A layer file as read: its name, the SHA-256 of its bytes and its features (in its own CRS)."""

    name: str
    sha256: str
    frame: gpd.GeoDataFrame


def read_layer(
    source: bytes | Path,
    *,
    name: str | None = None,
    layer: str | None = None,
    crs: str | None = None,
    max_bytes: int | None = None,
) -> gpd.GeoDataFrame:
    """Return the features of `read_layer_file` (same parameters and errors)."""
    return read_layer_file(source, name=name, layer=layer, crs=crs, max_bytes=max_bytes).frame


def read_layer_file(
    source: bytes | Path,
    *,
    name: str | None = None,
    layer: str | None = None,
    crs: str | None = None,
    max_bytes: int | None = None,
) -> LayerFile:
    """Read the polygon layer of a GeoJSON, zipped Shapefile or GeoPackage file once, in its own CRS.

    The file is read into memory at most once (a Shapefile or GeoPackage on disk is read by GDAL
    from the disk, and hashed by streaming); the returned `LayerFile` carries its hash, so a check
    and an import of the same upload (`geo.io.boundary_import.import_boundaries`) need no second read.

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
        Larger files are refused (default `geo.settings.IMPORT_MAX_BYTES`), before they are read;
        the other limits (zip members, features) are `geo.io.safety.Limits`.

    Raises
    ------
    BoundaryError
        The file is too large, of another kind, a Shapefile without its sidecar files, holds several
        layers and none was chosen, holds no polygons, NaN or infinite vertices, names an unknown
        CRS, or cannot be read. Nothing else: any content gives this error or a layer.
    """
    name = safe_name(name or (source.name if isinstance(source, Path) else "ranh_gioi"))
    limits = Limits.of(max_bytes)
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise BoundaryError(
            "Định dạng ranh giới không hỗ trợ: dùng GeoJSON (.geojson), Shapefile nén (.zip gồm .shp, .shx, "
            ".dbf, .prj) hoặc GeoPackage (.gpkg).",
            file=name,
        )
    if suffix == ".shp" and not isinstance(source, Path):
        raise BoundaryError("Tải lên Shapefile dạng .zip gồm .shp, .shx, .dbf và .prj.", file=name)
    try:
        frame, digest = _read_any(
            source, name=name, suffix=suffix, layer=layer, declared=crs is None, limits=limits
        )
    except MemoryError as exc:
        raise BoundaryError(
            "Tệp cần quá nhiều bộ nhớ để đọc: hãy tách thành nhiều tệp nhỏ hơn.", file=name
        ) from exc
    if crs:
        try:
            frame = frame.set_crs(CRS.from_user_input(crs), allow_override=True)
        except (CRSError, ValueError, TypeError) as exc:
            raise BoundaryError(
                f"Hệ tọa độ «{clean_text(crs)[:80]}» không xác định: ghi mã EPSG, vd EPSG:5897.", file=name
            ) from exc
    _require_polygons(frame, name=name)
    _require_finite(frame, name=name)
    return LayerFile(name, digest, _clean_frame(frame))


def _read_any(
    source: bytes | Path, *, name: str, suffix: str, layer: str | None, declared: bool, limits: Limits
) -> tuple[gpd.GeoDataFrame, str]:
    """Read the layer and hash its bytes: GeoJSON from its bytes, a path on disk by GDAL, other bytes from a private copy."""
    if isinstance(source, Path) and suffix in (".shp", ".gpkg"):
        # GDAL reads a Shapefile (with its sidecar files) or a GeoPackage from the disk itself.
        check_size(_size(source, name=name), name=name, limit=limits.max_bytes)
        frame = _read(source, name=name, layer=layer, limits=limits)
        return frame, _file_digest(source, name=name)
    data = layer_bytes(source, name=name, max_bytes=limits.max_bytes)
    digest = hashlib.sha256(data).hexdigest()
    if suffix in (".geojson", ".json"):
        return _read_geojson(data, name=name, declared=declared, limits=limits), digest
    with tempfile.TemporaryDirectory(prefix="antt-boundary-") as folder:
        if suffix == ".zip":
            path = _unzip(data, Path(folder), name=name, limits=limits)
        else:
            path = Path(folder) / f"layer{suffix}"
            path.write_bytes(data)
        return _read(path, name=name, layer=layer, limits=limits), digest


def _file_digest(path: Path, *, name: str) -> str:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise BoundaryError("Không đọc được tệp (không có quyền hoặc tệp đang bị khóa).", file=name) from exc


def _size(path: Path, *, name: str) -> int:
    try:
        return file_size(path, name=name)
    except DataError as error:
        raise BoundaryError(error.message, file=name) from error


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
    if not usable_crs(frame.crs):
        raise BoundaryError(
            f"Hệ tọa độ của tệp không dùng được ({clean_text(str(frame.crs.name))[:80]}): hệ tọa độ cục bộ "
            "(LOCAL_CS) hoặc không chuyển được sang kinh độ/vĩ độ. Hãy chọn mã EPSG của tệp, vd EPSG:5897 "
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


def _read_geojson(data: bytes, *, name: str, declared: bool, limits: Limits) -> gpd.GeoDataFrame:
    try:
        document = parse_document(data, name=name, limits=limits)
        clean: list[dict[str, Any]] = []
        for row, feature in enumerate(document.features, start=1):
            properties = feature_properties(feature, row=row, name=name)
            geometry = feature.get("geometry")
            if geometry is not None and not isinstance(geometry, dict):
                raise DataError(
                    "Hình học (geometry) không phải object JSON.", file=name, row=row, field="geometry"
                )
            clean.append({"type": "Feature", "properties": properties, "geometry": geometry})
    except BoundaryError:
        raise
    except DataError as error:
        raise BoundaryError(error.message, file=name, row=error.row, field=error.field) from error
    if not clean:
        raise BoundaryError("Tệp không có đối tượng (features) nào.", file=name)
    source_crs: CRS | None = CRS.from_user_input(settings.CRS_WGS84)
    if declared and document.crs_member:
        try:
            source_crs = CRS.from_user_input(document.crs)
        except (CRSError, TypeError, ValueError) as exc:
            member = json_cell(document.crs_member)
            raise BoundaryError(
                f"Tệp ghi hệ tọa độ không xác định ({str(member)[:120]}). "
                'Hãy ghi mã EPSG, ví dụ "EPSG:4326" hoặc "EPSG:5897" (VN-2000 Thanh Hóa).',
                file=name,
            ) from exc
    try:
        return gpd.GeoDataFrame.from_features(clean, crs=source_crs)
    except Exception as exc:  # geopandas, shapely or pandas on a malformed geometry: find which one
        raise _bad_geometry(clean, name=name) from exc


def _bad_geometry(features: list[dict[str, Any]], *, name: str) -> BoundaryError:
    """Return the error naming the first feature whose geometry shapely cannot build."""
    for row, feature in enumerate(features, start=1):
        geometry = feature["geometry"]
        try:
            if geometry is not None:
                shapely.geometry.shape(geometry)
        except Exception as exc:  # shapely reports a malformed geometry through many error types
            kind = json_cell(geometry.get("type"))
            return BoundaryError(
                f"Hình học không đọc được (type «{str(kind)[:40]}»): {clean_text(str(exc))[:160]}",
                file=name,
                row=row,
                field="geometry",
            )
    return BoundaryError("Hình học không đọc được: kiểm tra tệp trong phần mềm GIS.", file=name)


def _require_polygons(frame: gpd.GeoDataFrame, *, name: str) -> None:
    if len(frame) and frame.geometry.geom_type.isin(_POLYGON_TYPES).any():
        return
    kinds = sorted({str(k) for k in frame.geometry.geom_type.dropna()}) if len(frame) else []
    only = f"; chỉ có: {', '.join(kinds)}" if kinds else ""
    raise BoundaryError(
        f"Tệp không có vùng (Polygon/MultiPolygon) nào{only}. Ranh giới xã phải là vùng.", file=name
    )


def layer_bytes(source: bytes | Path, *, name: str, max_bytes: int | None = None) -> bytes:
    """Return the bytes of an upload or a file (refused above ``max_bytes`` before it is read) or a `BoundaryError`."""
    try:
        return read_bytes(source, name=name, max_bytes=max_bytes)
    except DataError as error:
        raise BoundaryError(error.message, file=name) from error


def _unzip(data: bytes, folder: Path, *, name: str, limits: Limits) -> Path:
    """Extract the members of a zipped layer (flattened, each vetted first) and return the layer's path."""
    try:
        archive = open_zip(data, name=name, limits=limits)
    except DataError as error:
        raise BoundaryError(error.message, file=name) from error
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and "__MACOSX" not in m.filename]
        seen: set[str] = set()
        for member in members:
            inner = PurePosixPath(member.filename.replace("\\", "/")).name
            if not inner:
                continue
            if inner.lower() in seen:
                raise BoundaryError(
                    f"Tệp .zip chứa hai thành phần cùng tên «{safe_name(inner)}»: hãy nén riêng một lớp.",
                    file=name,
                )
            seen.add(inner.lower())
            try:
                content = archive.read(member)
            except Exception as exc:  # zipfile, zlib or bz2 errors of a damaged archive
                raise BoundaryError(
                    f"Tệp .zip bị hỏng ({safe_name(member.filename)[:80]}).", file=name
                ) from exc
            (folder / inner).write_bytes(content)
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
        missing = [s for s in (".shx", ".dbf") if not _sidecar(path, s).exists()]
        if missing:
            raise BoundaryError(f"Shapefile thiếu tệp đi kèm: {', '.join(missing)}.", file=name)
    return path


def _sidecar(path: Path, suffix: str) -> Path:
    """Return the sidecar file of a Shapefile, whatever the case of its ending (.DBF, .dbf)."""
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.exists():
            return candidate
    return path.with_suffix(suffix)


def _read(path: Path, *, name: str, layer: str | None, limits: Limits) -> gpd.GeoDataFrame:
    import pyogrio

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on odd but readable files
            layers = pyogrio.list_layers(path)
            if layer is None and len(layers) > 1:
                polygons = [str(n) for n, kind in layers if kind and "Polygon" in str(kind)]
                if len(polygons) != 1:
                    names = ", ".join(clean_text(str(n)) for n, _ in layers[:20])
                    raise BoundaryError(f"Tệp có nhiều lớp ({names}): hãy chọn lớp ranh giới xã.", file=name)
                layer = polygons[0]
            count = int(pyogrio.read_info(path, layer=layer).get("features", -1))
            if count > limits.max_rows:
                raise too_many_rows(name, limits, count, at_least=False)
            frame = gpd.read_file(path, layer=layer)
    except BoundaryError:
        raise
    except DataError as error:
        raise BoundaryError(error.message, file=name) from error
    except MemoryError:
        raise
    except Exception as exc:  # GDAL reports a damaged file through many error types
        raise BoundaryError(
            f"Không đọc được tệp ranh giới (tệp hỏng hoặc sai định dạng): {clean_text(str(exc))[:200]}",
            file=name,
        ) from exc
    if not isinstance(frame, gpd.GeoDataFrame) or frame.active_geometry_name is None:
        raise BoundaryError("Tệp không có lớp hình học nào (chỉ có bảng thuộc tính).", file=name)
    if len(frame) > limits.max_rows:
        raise too_many_rows(name, limits, len(frame), at_least=False)
    if path.suffix.lower() == ".shp" and not _sidecar(path, ".prj").exists():
        frame = frame.set_crs(None, allow_override=True)
    return frame


def _require_finite(frame: gpd.GeoDataFrame, *, name: str) -> None:
    """Refuse a layer with a NaN or infinite vertex, naming the first feature that has one."""
    geometries = frame.geometry.to_numpy()
    coordinates, index = shapely.get_coordinates(geometries, include_z=False, return_index=True)
    bad = ~np.isfinite(coordinates).all(axis=1)
    if bad.any():
        row = int(index[np.flatnonzero(bad)[0]]) + 1
        raise BoundaryError(
            "Hình học có tọa độ không phải số hữu hạn (NaN hoặc vô hạn): sửa hoặc bỏ đối tượng này.",
            file=name,
            row=row,
            field="geometry",
        )


def _clean_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``frame`` with its attribute names and text values cleaned (`geo.io.safety.clean_text`)."""
    geometry = frame.geometry.name
    renamed = {c: clean_text(str(c)) for c in frame.columns if c != geometry and clean_text(str(c)) != c}
    if renamed:
        frame = frame.rename(columns=renamed)
    for column in frame.columns:
        if column != frame.geometry.name and frame[column].dtype == object:
            frame[column] = frame[column].map(json_cell)
    return frame
