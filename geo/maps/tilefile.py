"""A basemap file checked and read: an MBTiles (SQLite) or PMTiles v3 file of raster or vector tiles.

`inspect` checks a file the user brings before anything is kept: an SQLite MBTiles with its
``metadata`` and ``tiles`` tables (opened read-only, without a trusted schema, every statement
bounded), or a PMTiles v3 archive (header, directories and metadata read within bounds by
`geo.maps.pmtiles`), and describes it as a `Basemap`. `read_tile` answers one tile of such a file,
decompressed. Where the file is kept and how a map draws it is `geo.maps.basemap`.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal

from geo import settings
from geo._errors import DataError
from geo.maps import pmtiles

Kind = Literal["mbtiles", "pmtiles"]

TILE_TYPES: Final[dict[str, str]] = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "pbf": "application/x-protobuf",
}
"""Tile formats drawn offline → the content type they are served with."""

_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_METADATA_MAX_BYTES: Final = 1024 * 1024
_SQL_STEPS: Final = 50_000_000
"""SQLite virtual-machine steps one check may take (a hostile view cannot keep the import busy)."""
_SNIFF: Final = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"RIFF", "webp"))
_FORMAT_NAMES: Final = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "webp": "webp", "pbf": "pbf", "mvt": "pbf"}


@dataclass(frozen=True)
class Basemap:
    """An imported basemap file, as described in `geo.maps.basemap.CONFIG_NAME`."""

    file: str
    """The stored file's name inside `geo.settings.BASEMAP_DIR`."""
    source_name: str
    """The name of the file the user imported."""
    kind: Kind
    tile_type: str
    """One of `TILE_TYPES`."""
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None
    """West, south, east, north (degrees), when the file says."""
    name: str = ""
    attribution: str = ""
    layers: tuple[str, ...] = ()
    """The vector layers' names (``vector_layers`` of the metadata)."""
    tiles: int = 0
    size: int = 0
    imported_at: str = ""
    version: str = ""
    """Changes with every import, so browsers do not draw a previous file's cached tiles."""

    @property
    def vector(self) -> bool:
        """Whether the tiles are vector (MVT) tiles."""
        return self.tile_type == "pbf"


def _refuse(message: str, name: str) -> DataError:
    return DataError(message, file=name)


# --- Checking a file ---------------------------------------------------------------------------


def inspect(path: Path, *, name: str | None = None, max_bytes: int | None = None) -> Basemap:
    """Check ``path`` is an MBTiles or PMTiles basemap this app can draw; describe it.

    Parameters
    ----------
    path
        The file on disk.
    name
        The name the user knows the file by (shown in messages); ``path``'s name by default.
    max_bytes
        Largest size accepted (`geo.settings.BASEMAP_MAX_BYTES` by default).

    Raises
    ------
    DataError
        In Vietnamese, naming the file: too large, neither format, damaged, or tiles of a kind
        the maps cannot draw.
    """
    shown = name or path.name
    limit = settings.BASEMAP_MAX_BYTES if max_bytes is None else max_bytes
    size = path.stat().st_size
    if size > limit:
        raise _refuse(
            f"tệp nền bản đồ quá lớn ({size / 1024 / 1024:.1f} MB, tối đa {limit / 1024 / 1024:.0f} MB: "
            "ANTT_BASEMAP_MAX_MB); hãy cắt tệp theo vùng của huyện hoặc bớt mức phóng sâu nhất.",
            shown,
        )
    with path.open("rb") as handle:
        head = handle.read(pmtiles.HEADER.size)
    if head.startswith(_SQLITE_MAGIC):
        found = _inspect_mbtiles(path, shown)
    elif head.startswith(pmtiles.MAGIC):
        found = _inspect_pmtiles(path, shown, size)
    else:
        raise _refuse(
            "không phải tệp nền bản đồ MBTiles (SQLite) hay PMTiles (phiên bản 3); "
            "hãy xuất lại nền bản đồ ở một trong hai dạng đó.",
            shown,
        )
    return Basemap(**{**asdict(found), "source_name": shown, "size": size})


@contextlib.contextmanager
def _sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    """Open an SQLite file read-only, defensively (no trusted schema); `_bounded` then limits the work."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA cell_size_check = ON")
        conn.execute("PRAGMA mmap_size = 0")
        yield conn
    finally:
        conn.close()


def _bounded(conn: sqlite3.Connection) -> None:
    """Interrupt the connection's statements after `_SQL_STEPS` steps (a view that never ends, say)."""
    steps = [0]

    def budget() -> int:
        steps[0] += 1
        return 1 if steps[0] > _SQL_STEPS // 1000 else 0

    conn.set_progress_handler(budget, 1000)


def _inspect_mbtiles(path: Path, shown: str) -> Basemap:
    damaged = "tệp MBTiles bị hỏng hoặc không đọc được ({why}); hãy xuất lại tệp."
    try:
        with _sqlite(path) as conn:
            check = conn.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise _refuse(damaged.format(why=str(check[0] if check else "")[:120]), shown)
            _bounded(conn)
            objects = dict(
                conn.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table','view')")
            )
            missing = [t for t in ("metadata", "tiles") if t not in objects]
            if missing:
                raise _refuse(
                    f"tệp SQLite này không phải MBTiles: thiếu bảng {', '.join(missing)} "
                    "(MBTiles cần bảng metadata và tiles).",
                    shown,
                )
            columns = {row[1] for row in conn.execute("PRAGMA table_info(tiles)")}
            needed = {"zoom_level", "tile_column", "tile_row", "tile_data"}
            if not needed <= columns:
                raise _refuse(
                    f"bảng tiles thiếu cột {', '.join(sorted(needed - columns))}.",
                    shown,
                )
            meta = {
                str(k): str(v)
                for k, v in conn.execute("SELECT name, value FROM metadata LIMIT 1000")
                if k is not None and v is not None
            }
            first = conn.execute("SELECT tile_data FROM tiles LIMIT 1").fetchone()
            zooms = conn.execute("SELECT MIN(zoom_level), MAX(zoom_level), COUNT(*) FROM tiles").fetchone()
    except sqlite3.Error as error:
        raise _refuse(damaged.format(why=str(error)[:120]), shown) from error
    if first is None or not isinstance(first[0], bytes):
        raise _refuse("tệp MBTiles không có ô bản đồ nào (bảng tiles trống).", shown)
    tile_type = _tile_type(meta.get("format", ""), first[0], shown)
    min_zoom = _zoom(meta.get("minzoom"), zooms[0])
    max_zoom = _zoom(meta.get("maxzoom"), zooms[1])
    layers: tuple[str, ...] = ()
    if tile_type == "pbf":
        layers = _vector_layers(meta.get("json", ""))
    return Basemap(
        file="",
        source_name=shown,
        kind="mbtiles",
        tile_type=tile_type,
        min_zoom=min_zoom,
        max_zoom=max_zoom,
        bounds=_bounds(meta.get("bounds", "")),
        name=meta.get("name", "")[:200],
        attribution=meta.get("attribution", "")[:500],
        layers=layers,
        tiles=int(zooms[2] or 0),
    )


def _zoom(declared: str | None, found: Any) -> int:
    try:
        value = int(float(declared)) if declared else int(found)
    except (TypeError, ValueError):
        value = int(found or 0)
    return max(0, min(value, settings.BASEMAP_MAX_ZOOM))


def _tile_type(declared: str, data: bytes, shown: str) -> str:
    """Return the tile format from the declared ``format`` or, failing that, the first tile's bytes."""
    sniffed = next((kind for magic, kind in _SNIFF if data.startswith(magic)), "")
    if sniffed == "webp" and data[8:12] != b"WEBP":
        sniffed = ""
    if not sniffed and (data[:2] == b"\x1f\x8b" or data[:1] in (b"\x1a", b"\x12")):
        sniffed = "pbf"  # gzipped, or a protobuf starting with a layer (field 3) or a tag
    kind = _FORMAT_NAMES.get(declared.strip().lower(), "") or sniffed
    if kind not in TILE_TYPES:
        raise _refuse(
            f"ô bản đồ dạng «{declared[:20] or '?'}» chưa vẽ được; "
            "dùng ảnh PNG, JPEG, WebP hoặc ô vector (MVT/pbf).",
            shown,
        )
    return kind


def _bounds(text: str) -> tuple[float, float, float, float] | None:
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        return None
    if -180 <= west < east <= 180 and -90 <= south < north <= 90:
        return west, south, east, north
    return None


def _vector_layers(text: str) -> tuple[str, ...]:
    try:
        parsed = json.loads(text) if text else {}
    except ValueError:
        return ()
    layers = parsed.get("vector_layers", []) if isinstance(parsed, dict) else []
    names = [str(item.get("id", "")) for item in layers if isinstance(item, dict)]
    return tuple(name[:100] for name in names if name)[:200]


def _inspect_pmtiles(path: Path, shown: str, size: int) -> Basemap:
    with path.open("rb") as handle:
        head = handle.read(pmtiles.ROOT_MAX)
        header, fields = pmtiles.read_header(head, shown, size)
        try:
            root = pmtiles.read_directory(
                pmtiles.inflate(
                    head[header.root_offset : header.root_offset + header.root_length],
                    header.internal_compression,
                    pmtiles.DIRECTORY_MAX_BYTES,
                )
            )
            handle.seek(header.metadata_offset)
            raw_meta = pmtiles.inflate(
                handle.read(header.metadata_length), header.internal_compression, _METADATA_MAX_BYTES
            )
            meta = json.loads(raw_meta) if raw_meta.strip() else {}
        except (ValueError, zlib.error, EOFError) as error:
            raise _refuse(
                f"tệp PMTiles bị hỏng (thư mục hoặc metadata không đọc được: {error}).", shown
            ) from error
    if not isinstance(meta, dict):
        meta = {}
    if not root[0]:
        raise _refuse("tệp PMTiles không có ô bản đồ nào.", shown)
    tile_type = pmtiles.TILE_TYPE_CODES.get(fields[16])
    if tile_type is None:
        raise _refuse(
            "ô bản đồ của tệp PMTiles có dạng chưa vẽ được; dùng ảnh PNG, JPEG, WebP hoặc ô vector (MVT).",
            shown,
        )
    min_zoom, max_zoom = fields[17], fields[18]
    if min_zoom > max_zoom or max_zoom > 30:
        raise _refuse(f"tệp PMTiles bị hỏng: mức phóng {min_zoom}–{max_zoom} không hợp lệ.", shown)
    west, south, east, north = (v / 1e7 for v in fields[19:23])
    bounds = _bounds(f"{west},{south},{east},{north}")
    layers = _vector_layers(json.dumps(meta)) if tile_type == "pbf" else ()
    return Basemap(
        file="",
        source_name=shown,
        kind="pmtiles",
        tile_type=tile_type,
        min_zoom=min(min_zoom, settings.BASEMAP_MAX_ZOOM),
        max_zoom=min(max_zoom, settings.BASEMAP_MAX_ZOOM),
        bounds=bounds,
        name=str(meta.get("name", ""))[:200],
        attribution=str(meta.get("attribution", ""))[:500],
        layers=layers,
        tiles=int(fields[10]),
    )


# --- Reading tiles -----------------------------------------------------------------------------


def tms_row(z: int, y: int) -> int:
    """Return the MBTiles (TMS) row of the XYZ row ``y`` at zoom ``z``.

    >>> tms_row(1, 0)
    1
    """
    return (1 << z) - 1 - y


@lru_cache(maxsize=4)
def _cached_reader(path: str, version: str) -> pmtiles.Reader:
    return pmtiles.Reader(Path(path))


def clear_readers() -> None:
    """Forget the PMTiles files read so far (after the basemap was replaced or removed)."""
    _cached_reader.cache_clear()


def read_tile(path: Path, basemap: Basemap, z: int, x: int, y: int) -> bytes | None:
    """Return the tile ``z/x/y`` (XYZ numbering, decompressed) of ``basemap`` stored at ``path``, or None.

    Vector tiles stored gzipped (as MBTiles usually hold them) are returned decompressed.
    """
    if not (0 <= z <= settings.BASEMAP_MAX_ZOOM and 0 <= x < (1 << z) and 0 <= y < (1 << z)):
        return None
    try:
        if basemap.kind == "pmtiles":
            data = _cached_reader(str(path), basemap.version).get(z, x, y)
        else:
            with _sqlite(path) as conn:
                _bounded(conn)
                row = conn.execute(
                    "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                    (z, x, tms_row(z, y)),
                ).fetchone()
            data = row[0] if row and isinstance(row[0], bytes) else None
        if data is not None and data[:2] == b"\x1f\x8b":
            data = pmtiles.inflate(data, "gzip", pmtiles.TILE_MAX_BYTES)
    except (OSError, ValueError, zlib.error, sqlite3.Error, DataError, EOFError, gzip.BadGzipFile):
        return None
    return data
