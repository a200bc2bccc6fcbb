"""The offline basemap: an MBTiles or PMTiles file checked on import, kept in the data folder, read tile by tile.

The user brings a basemap made elsewhere (raster PNG/JPEG/WebP tiles or vector MVT tiles). `install`
checks it (an SQLite MBTiles with its ``metadata`` and ``tiles`` tables, or a PMTiles v3 archive:
header, directories and metadata read within bounds) and keeps it in `geo.settings.BASEMAP_DIR`
with a small JSON description. ``ui.serve`` answers ``BASEMAP_TILE_PATH/{z}/{x}/{y}`` from it with
`read_tile`, so the browser never leaves the app: raster tiles are drawn by Leaflet's own tile layer,
vector tiles by the vendored protomaps-leaflet. `add_basemap` is the one place a map gets its base:
the imported file, else the tile-server URL saved on /data, else ``ANTT_TILE_URL``.
"""

from __future__ import annotations

import bisect
import contextlib
import gzip
import hashlib
import html
import json
import os
import re
import sqlite3
import struct
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from geo import settings
from geo._errors import DataError
from geo.maps.assets import VENDOR

Kind = Literal["mbtiles", "pmtiles"]

CONFIG_NAME: Final = "basemap.json"
"""The description of the imported file and the saved tile-server URL, beside the file."""

TILE_TYPES: Final[dict[str, str]] = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "pbf": "application/x-protobuf",
}
"""Tile formats drawn offline → the content type they are served with."""

_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_PMTILES_MAGIC: Final = b"PMTiles"
_PM_HEADER: Final = struct.Struct("<7sBQQQQQQQQQQQBBBBBBiiiiBii")
_PM_ROOT_MAX: Final = 16_384
"""The PMTiles v3 header and root directory are in the first 16 KiB."""
_PM_TILE_TYPES: Final = {1: "pbf", 2: "png", 3: "jpg", 4: "webp"}
_PM_COMPRESSION: Final = {1: "none", 2: "gzip"}
_DIRECTORY_MAX_BYTES: Final = 32 * 1024 * 1024
"""Largest decompressed directory read (a directory of a million entries is about 5 MB)."""
_METADATA_MAX_BYTES: Final = 1024 * 1024
_TILE_MAX_BYTES: Final = 16 * 1024 * 1024
_LEAF_DEPTH: Final = 4
_SQL_STEPS: Final = 50_000_000
"""SQLite virtual-machine steps one check may take (a hostile view cannot keep the import busy)."""
_SNIFF: Final = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"RIFF", "webp"))
_FORMAT_NAMES: Final = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "webp": "webp", "pbf": "pbf", "mvt": "pbf"}

WATER_WORDS: Final = ("water", "ocean", "river", "lake", "sea")
"""Vector layers whose name holds one of these are drawn blue."""


@dataclass(frozen=True)
class Basemap:
    """An imported basemap file, as described in `CONFIG_NAME`."""

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


@dataclass(frozen=True)
class Config:
    """What `CONFIG_NAME` holds: the imported file (if any) and the tile-server URL saved on /data."""

    basemap: Basemap | None = None
    tile_url: str = ""


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
        head = handle.read(_PM_HEADER.size)
    if head.startswith(_SQLITE_MAGIC):
        found = _inspect_mbtiles(path, shown)
    elif head.startswith(_PMTILES_MAGIC):
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


@dataclass(frozen=True)
class _PMHeader:
    root_offset: int
    root_length: int
    metadata_offset: int
    metadata_length: int
    leaf_offset: int
    leaf_length: int
    data_offset: int
    data_length: int
    internal_compression: str
    tile_compression: str


def _pm_header(head: bytes, shown: str, size: int) -> tuple[_PMHeader, tuple[Any, ...]]:
    if len(head) < _PM_HEADER.size:
        raise _refuse("tệp PMTiles bị cắt cụt (thiếu phần đầu tệp).", shown)
    fields = _PM_HEADER.unpack(head[: _PM_HEADER.size])
    if fields[1] != 3:
        raise _refuse(
            f"tệp PMTiles phiên bản {fields[1]} chưa đọc được; hãy chuyển sang phiên bản 3 "
            "(lệnh `pmtiles convert`).",
            shown,
        )
    (root_o, root_l, meta_o, meta_l, leaf_o, leaf_l, data_o, data_l) = fields[2:10]
    internal = _PM_COMPRESSION.get(fields[14], "")
    tiles = _PM_COMPRESSION.get(fields[15], "")
    if not internal or not tiles:
        raise _refuse(
            "tệp PMTiles nén bằng cách chưa đọc được (chỉ đọc được gzip hoặc không nén); "
            "hãy xuất lại với nén gzip.",
            shown,
        )
    spans = ((root_o, root_l), (meta_o, meta_l), (leaf_o, leaf_l), (data_o, data_l))
    if any(o + n > size for o, n in spans) or root_o + root_l > _PM_ROOT_MAX or root_l == 0:
        raise _refuse("tệp PMTiles bị hỏng: phần đầu tệp chỉ ra ngoài tệp.", shown)
    return _PMHeader(root_o, root_l, meta_o, meta_l, leaf_o, leaf_l, data_o, data_l, internal, tiles), fields


def _inflate(data: bytes, compression: str, limit: int) -> bytes:
    if compression == "none":
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, limit)
    if inflater.unconsumed_tail:
        raise ValueError("decompressed data too large")
    return out


def _varints(data: bytes, count: int, pos: int) -> tuple[list[int], int]:
    values = []
    for _ in range(count):
        value, shift = 0, 0
        while True:
            if pos >= len(data) or shift > 63:
                raise ValueError("truncated varint")
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        values.append(value)
    return values, pos


Entries = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]]
"""A PMTiles directory: tile ids, run lengths, lengths, offsets."""


def _directory(data: bytes) -> Entries:
    (n,), pos = _varints(data, 1, 0)
    if n > len(data):  # every entry takes at least four bytes
        raise ValueError("directory too long")
    deltas, pos = _varints(data, n, pos)
    runs, pos = _varints(data, n, pos)
    lengths, pos = _varints(data, n, pos)
    raw_offsets, pos = _varints(data, n, pos)
    ids: list[int] = []
    offsets: list[int] = []
    last_id = 0
    for i in range(n):
        last_id += deltas[i]
        ids.append(last_id)
        if raw_offsets[i] == 0 and i > 0:
            offsets.append(offsets[i - 1] + lengths[i - 1])
        else:
            offsets.append(raw_offsets[i] - 1)
    return tuple(ids), tuple(runs), tuple(lengths), tuple(offsets)


def _inspect_pmtiles(path: Path, shown: str, size: int) -> Basemap:
    with path.open("rb") as handle:
        head = handle.read(_PM_ROOT_MAX)
        header, fields = _pm_header(head, shown, size)
        try:
            root = _directory(
                _inflate(
                    head[header.root_offset : header.root_offset + header.root_length],
                    header.internal_compression,
                    _DIRECTORY_MAX_BYTES,
                )
            )
            handle.seek(header.metadata_offset)
            raw_meta = _inflate(
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
    tile_type = _PM_TILE_TYPES.get(fields[16])
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


# --- Keeping the file and the settings ------------------------------------------------------------


def _directory_path(directory: Path | None) -> Path:
    return settings.BASEMAP_DIR if directory is None else directory


def read_config(directory: Path | None = None) -> Config:
    """Return what is saved in ``directory`` (`geo.settings.BASEMAP_DIR`): the imported file and the URL."""
    path = _directory_path(directory) / CONFIG_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Config()
    if not isinstance(raw, dict):
        return Config()
    found = None
    described = raw.get("basemap")
    if isinstance(described, dict):
        try:
            bounds = described.get("bounds")
            described = {**described, "bounds": tuple(bounds) if bounds else None}
            described["layers"] = tuple(described.get("layers") or ())
            found = Basemap(**described)
        except TypeError:
            found = None
        if found is not None and not (_directory_path(directory) / found.file).is_file():
            found = None
    url = raw.get("tile_url")
    return Config(basemap=found, tile_url=url if isinstance(url, str) else "")


def _write_config(config: Config, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# The imported basemap is data, not code.\n*\n", encoding="utf-8")
    payload = {"basemap": asdict(config.basemap) if config.basemap else None, "tile_url": config.tile_url}
    temporary = directory / f".{CONFIG_NAME}.tmp"
    temporary.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    temporary.replace(directory / CONFIG_NAME)


def current(directory: Path | None = None) -> Basemap | None:
    """Return the imported basemap, or None."""
    return read_config(directory).basemap


def staging_path(directory: Path | None = None) -> Path:
    """Return where an upload is written before `install` checks it (in the same folder: one rename)."""
    folder = _directory_path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f".upload-{os.getpid()}-{datetime.now(UTC):%Y%m%d%H%M%S%f}.part"


def install(path: Path, *, name: str, directory: Path | None = None) -> Basemap:
    """Check the file at ``path`` (`inspect`) and make it the basemap of every map.

    The file is moved (renamed when it is in the same folder, else copied) to ``directory``;
    the previous basemap file is removed. On a refusal nothing changes and ``path`` is left as it was.
    """
    folder = _directory_path(directory)
    found = inspect(path, name=name)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"basemap.{found.kind}"
    target = folder / stored
    previous = read_config(folder)
    staged = folder / f".{stored}.new"
    if path.parent.resolve() == folder.resolve():
        path.replace(staged)
    else:
        with path.open("rb") as src, staged.open("wb") as dst:
            while chunk := src.read(1024 * 1024):
                dst.write(chunk)
    staged.replace(target)
    if previous.basemap is not None and previous.basemap.file != stored:
        (folder / previous.basemap.file).unlink(missing_ok=True)
    now = datetime.now(UTC)
    version = hashlib.sha256(f"{name}|{found.size}|{now.isoformat()}".encode()).hexdigest()[:12]
    final = Basemap(**{**asdict(found), "file": stored, "imported_at": now.isoformat(), "version": version})
    _write_config(Config(basemap=final, tile_url=previous.tile_url), folder)
    _cached_reader.cache_clear()
    return final


def remove(directory: Path | None = None) -> None:
    """Remove the imported basemap (the saved tile-server URL stays)."""
    folder = _directory_path(directory)
    config = read_config(folder)
    if config.basemap is not None:
        (folder / config.basemap.file).unlink(missing_ok=True)
    _write_config(Config(basemap=None, tile_url=config.tile_url), folder)
    _cached_reader.cache_clear()


_URL_PATTERN: Final = re.compile(r"^https?://[^\s\"'<>`\\]+$")


def check_tile_url(url: str) -> str:
    """Return ``url`` stripped when it is a usable tile URL template (empty is allowed: none).

    Examples
    --------
    >>> check_tile_url(" http://10.0.0.5/tiles/{z}/{x}/{y}.png ")
    'http://10.0.0.5/tiles/{z}/{x}/{y}.png'
    """
    text = url.strip()
    if not text:
        return ""
    if not _URL_PATTERN.match(text) or not all(part in text for part in ("{z}", "{x}", "{y}")):
        raise DataError(
            "địa chỉ máy chủ nền bản đồ phải bắt đầu bằng http:// hoặc https:// và có {z}, {x}, {y} "
            "(ví dụ http://10.0.0.5/tiles/{z}/{x}/{y}.png).",
            field="URL",
            value=text[:200],
        )
    return text


def save_tile_url(url: str, directory: Path | None = None) -> str:
    """Save the tile-server URL set on /data (`check_tile_url`; empty: none); return it."""
    folder = _directory_path(directory)
    text = check_tile_url(url)
    _write_config(Config(basemap=read_config(folder).basemap, tile_url=text), folder)
    return text


# --- Reading tiles -----------------------------------------------------------------------------


def tms_row(z: int, y: int) -> int:
    """Return the MBTiles (TMS) row of the XYZ row ``y`` at zoom ``z``.

    >>> tms_row(1, 0)
    1
    """
    return (1 << z) - 1 - y


def tile_id(z: int, x: int, y: int) -> int:
    """Return the PMTiles v3 tile id of ``z/x/y`` (tiles of lower zooms first, then the Hilbert curve).

    >>> [tile_id(0, 0, 0), tile_id(1, 0, 0), tile_id(1, 0, 1), tile_id(1, 1, 1), tile_id(1, 1, 0)]
    [0, 1, 2, 3, 4]
    """
    n = 1 << z
    acc = (n * n - 1) // 3
    d = 0
    s = n // 2
    while s > 0:
        rx = 1 if x & s else 0
        ry = 1 if y & s else 0
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                x, y = n - 1 - x, n - 1 - y
            x, y = y, x
        s //= 2
    return acc + d


class _PMReader:
    """Tiles of one PMTiles file (the header and directories read once, leaf directories cached)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_PM_ROOT_MAX)
        self.header, _ = _pm_header(head, path.name, size)
        h = self.header
        self.root = _directory(
            _inflate(
                head[h.root_offset : h.root_offset + h.root_length],
                h.internal_compression,
                _DIRECTORY_MAX_BYTES,
            )
        )
        self._leaves: dict[tuple[int, int], Entries] = {}

    def _read(self, offset: int, length: int) -> bytes:
        with self.path.open("rb") as handle:
            handle.seek(offset)
            return handle.read(length)

    def get(self, z: int, x: int, y: int) -> bytes | None:
        wanted = tile_id(z, x, y)
        entries = self.root
        for _ in range(_LEAF_DEPTH):
            ids, runs, lengths, offsets = entries
            i = bisect.bisect_right(ids, wanted) - 1
            if i < 0:
                return None
            if runs[i] == 0:  # a leaf directory
                key = (offsets[i], lengths[i])
                if key not in self._leaves:
                    if len(self._leaves) > 256:
                        self._leaves.clear()
                    raw = self._read(self.header.leaf_offset + offsets[i], lengths[i])
                    self._leaves[key] = _directory(
                        _inflate(raw, self.header.internal_compression, _DIRECTORY_MAX_BYTES)
                    )
                entries = self._leaves[key]
                continue
            if wanted >= ids[i] + runs[i]:
                return None
            data = self._read(self.header.data_offset + offsets[i], lengths[i])
            return _inflate(data, self.header.tile_compression, _TILE_MAX_BYTES)
        return None


@lru_cache(maxsize=4)
def _cached_reader(path: str, version: str) -> _PMReader:
    return _PMReader(Path(path))


def read_tile(basemap: Basemap, z: int, x: int, y: int, *, directory: Path | None = None) -> bytes | None:
    """Return the tile ``z/x/y`` (XYZ numbering, decompressed) of the imported basemap, or None.

    Vector tiles stored gzipped (as MBTiles usually hold them) are returned decompressed.
    """
    if not (0 <= z <= settings.BASEMAP_MAX_ZOOM and 0 <= x < (1 << z) and 0 <= y < (1 << z)):
        return None
    path = _directory_path(directory) / basemap.file
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
            data = _inflate(data, "gzip", _TILE_MAX_BYTES)
    except (OSError, ValueError, zlib.error, sqlite3.Error, DataError, EOFError, gzip.BadGzipFile):
        return None
    return data


# --- Drawing -----------------------------------------------------------------------------------


def file_tile_url(basemap: Basemap) -> str:
    """Return the URL template the browser asks the imported basemap's tiles from (this app, no internet)."""
    return f"{settings.BASEMAP_TILE_PATH}/{{z}}/{{x}}/{{y}}?v={basemap.version}"


class VectorBasemap(JSCSSMixin, MacroElement):
    """The imported vector basemap, drawn in the browser by the vendored protomaps-leaflet."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var o = {{ this.options|tojson }};
            var G = protomapsL.GeomType;
            var opts = {url: o.url, maxDataZoom: o.maxDataZoom, attribution: o.attribution,
                        bounds: o.bounds || undefined};
            if (o.flavor) {
                opts.flavor = o.flavor; opts.lang = o.lang;
            } else {
                opts.backgroundColor = "#f2efe9";
                opts.paintRules = [];
                o.layers.forEach(function (name) {
                    var water = o.water.indexOf(name) >= 0;
                    opts.paintRules.push({dataLayer: name,
                        filter: function (z, f) { return f.geomType === G.Polygon; },
                        symbolizer: new protomapsL.PolygonSymbolizer({fill: water ? "#a9cde8" : "#e3ded3", opacity: 0.9})});
                    opts.paintRules.push({dataLayer: name,
                        filter: function (z, f) { return f.geomType === G.Line; },
                        symbolizer: new protomapsL.LineSymbolizer({color: water ? "#7fb2dc" : "#9a948a", width: 1.2})});
                });
                opts.labelRules = [];
            }
            var layer = protomapsL.leafletLayer(opts);
            layer.addTo({{ this._parent.get_name() }});
            window.anttBasemap = layer;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, basemap: Basemap) -> None:
        super().__init__()
        self.default_js = [("protomaps-leaflet", f"{VENDOR}/protomaps-leaflet/protomaps-leaflet.js")]
        self._name = "VectorBasemap"
        layers = list(basemap.layers) or ["*"]
        protomaps = {"earth", "water", "roads"} <= set(basemap.layers)
        self.options = {
            "url": file_tile_url(basemap),
            "maxDataZoom": basemap.max_zoom,
            "attribution": html.escape(basemap.attribution),
            "bounds": _leaflet_bounds(basemap.bounds),
            "flavor": "light" if protomaps else "",
            "lang": "vi",
            "layers": layers,
            "water": [name for name in layers if any(word in name.lower() for word in WATER_WORDS)],
        }


def _leaflet_bounds(bounds: tuple[float, float, float, float] | None) -> list[list[float]] | None:
    if bounds is None:
        return None
    west, south, east, north = bounds
    return [[south, west], [north, east]]


def add_basemap(fmap: folium.Map, *, tile_url: str = "", directory: Path | None = None) -> str:
    """Draw the basemap under everything on ``fmap``; return which: "file", "url" or "" (none).

    The imported file comes first; then the tile-server URL saved on /data; then ``tile_url``
    (``ANTT_TILE_URL`` by default). Drawn in Leaflet's tile pane, below every layer of ours.
    """
    config = read_config(directory)
    found = config.basemap
    if found is not None and found.vector:
        VectorBasemap(found).add_to(fmap)
        fmap.options["attributionControl"] = True
        return "file"
    if found is not None:
        options: dict[str, Any] = {"min_native_zoom": found.min_zoom}
        if found.bounds is not None:
            options["bounds"] = _leaflet_bounds(found.bounds)
        folium.TileLayer(
            tiles=file_tile_url(found),
            attr=html.escape(found.attribution) or "&nbsp;",
            name="basemap",
            control=False,
            max_zoom=settings.BASEMAP_MAX_ZOOM,
            max_native_zoom=found.max_zoom,
            **options,
        ).add_to(fmap)
        fmap.options["attributionControl"] = bool(found.attribution)
        return "file"
    url = config.tile_url or tile_url
    if url:
        folium.TileLayer(
            tiles=url, attr=html.escape(settings.TILE_ATTRIBUTION), name="basemap", control=False
        ).add_to(fmap)
        fmap.options["attributionControl"] = True
        return "url"
    return ""
