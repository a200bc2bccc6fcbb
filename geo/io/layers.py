"""Read a polygon layer from a GeoJSON, zipped Shapefile or GeoPackage file, refusing unsafe archives."""

from __future__ import annotations

import io
import tempfile
import warnings
import zipfile
from pathlib import Path, PurePosixPath

import geopandas as gpd

from geo import settings
from geo._errors import BoundaryError, DataError
from geo.formatting import format_megabytes
from geo.io.tables import read_bytes

SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip"}
"""File name endings of the layer files read."""

_MAX_UNZIPPED = 20


def read_layer(
    source: bytes | Path,
    *,
    name: str | None = None,
    layer: str | None = None,
    max_bytes: int = settings.IMPORT_MAX_BYTES,
) -> gpd.GeoDataFrame:
    """Read the polygon layer of a GeoJSON, zipped Shapefile or GeoPackage file, in its own CRS.

    Raises
    ------
    BoundaryError
        The file is too large, of another kind, a Shapefile without its ``.prj`` or sidecar files,
        holds several layers and none was chosen, or cannot be read.
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
    with tempfile.TemporaryDirectory(prefix="antt-boundary-") as folder:
        if isinstance(source, Path) and suffix != ".zip":
            path = source
        elif suffix == ".zip":
            path = _unzip(data, Path(folder), name=name, max_bytes=max_bytes * _MAX_UNZIPPED)
        else:
            path = Path(folder) / f"layer{suffix}"
            path.write_bytes(data)
        return _read(path, name=name, layer=layer)


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
