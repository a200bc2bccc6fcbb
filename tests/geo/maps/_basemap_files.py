"""Small basemap files made by the tests themselves: MBTiles and PMTiles v3 of coloured PNG or MVT tiles."""

from __future__ import annotations

import gzip
import io
import json
import math
import sqlite3
import struct
from collections.abc import Iterable
from pathlib import Path

from PIL import Image

from geo.maps.pmtiles import tile_id
from geo.maps.tilefile import tms_row

Tile = tuple[int, int, int]

COLOURS = ((214, 96, 77), (67, 147, 195), (90, 174, 97), (253, 174, 97))
"""Tile colours, chosen by (x + y) % 4, so neighbouring tiles differ."""


def tiles_over(bounds: tuple[float, float, float, float], zooms: Iterable[int]) -> list[Tile]:
    """Return every XYZ tile over ``bounds`` (west, south, east, north) at ``zooms``."""
    west, south, east, north = bounds
    out = []
    for z in zooms:
        x0, y0 = _tile_xy(z, west, north)
        x1, y1 = _tile_xy(z, east, south)
        out += [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    return out


def _tile_xy(z: int, lon: float, lat: float) -> tuple[int, int]:
    n = 1 << z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def png_tile(z: int, x: int, y: int) -> bytes:
    """Return a 256×256 PNG of one flat colour (`COLOURS`)."""
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), COLOURS[(x + y) % len(COLOURS)]).save(buffer, format="PNG")
    return buffer.getvalue()


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _packed(number: int, values: list[int]) -> bytes:
    return _field(number, b"".join(_varint(v) for v in values))


def _zigzag(v: int) -> int:
    return (v << 1) ^ (v >> 31)


def mvt_tile(z: int, x: int, y: int) -> bytes:
    """Return an MVT tile: a ``water`` layer (one square over the whole tile) and a ``roads`` line."""
    square = [9, _zigzag(0), _zigzag(0), 3 << 3 | 2]
    square += [_zigzag(4096), _zigzag(0), _zigzag(0), _zigzag(4096), _zigzag(-4096), _zigzag(0), 15]
    polygon = _varint(3 << 3) + _varint(3) + _packed(4, square)
    line = _varint(3 << 3) + _varint(2) + _packed(4, [9, _zigzag(0), _zigzag(2048), 10, _zigzag(4096), 0])

    def layer(name: str, feature: bytes) -> bytes:
        body = _varint(15 << 3) + _varint(2) + _field(1, name.encode()) + _field(2, feature)
        return _field(3, body + _varint(5 << 3) + _varint(4096))

    return layer("water", polygon) + layer("roads", line)


def write_mbtiles(
    path: Path, tiles: list[Tile], *, kind: str = "png", bounds: tuple[float, float, float, float]
) -> Path:
    """Write an MBTiles file (TMS rows) of ``tiles``: PNG or gzipped MVT (``kind`` "pbf")."""
    zooms = [z for z, _, _ in tiles]
    meta = {
        "name": "Nền thử",
        "format": kind,
        "minzoom": str(min(zooms)),
        "maxzoom": str(max(zooms)),
        "bounds": ",".join(str(v) for v in bounds),
        "attribution": "Nền thử <b>kiểm tra</b>",
    }
    if kind == "pbf":
        meta["json"] = json.dumps({"vector_layers": [{"id": "water"}, {"id": "roads"}]})
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE metadata (name text, value text)")
        conn.execute(
            "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)"
        )
        conn.executemany("INSERT INTO metadata VALUES (?, ?)", meta.items())
        for z, x, y in tiles:
            data = png_tile(z, x, y) if kind == "png" else gzip.compress(mvt_tile(z, x, y))
            conn.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, tms_row(z, y), data))
    conn.close()
    return path


def _directory(entries: list[tuple[int, int, int, int]]) -> bytes:
    """Serialise PMTiles directory entries (tile id, run length, length, offset)."""
    out = _varint(len(entries))
    last = 0
    for tid, *_ in entries:
        out += _varint(tid - last)
        last = tid
    out += b"".join(_varint(run) for _, run, _, _ in entries)
    out += b"".join(_varint(length) for _, _, length, _ in entries)
    previous_end = None
    for _, _, length, offset in entries:
        out += _varint(0 if previous_end == offset else offset + 1)
        previous_end = offset + length
    return out


def write_pmtiles(
    path: Path,
    tiles: list[Tile],
    *,
    kind: str = "png",
    bounds: tuple[float, float, float, float],
    leaf: bool = False,
) -> Path:
    """Write a PMTiles v3 archive of ``tiles`` (gzip directories; PNG, or gzipped MVT ``kind`` "pbf").

    With ``leaf`` the entries go into a leaf directory the root points at, as large archives do.
    """
    ordered = sorted(tiles, key=lambda t: tile_id(*t))
    data = b""
    entries = []
    for z, x, y in ordered:
        blob = png_tile(z, x, y) if kind == "png" else gzip.compress(mvt_tile(z, x, y))
        entries.append((tile_id(z, x, y), 1, len(blob), len(data)))
        data += blob
    leaves = b""
    if leaf:
        leaves = gzip.compress(_directory(entries))
        root = gzip.compress(_directory([(entries[0][0], 0, len(leaves), 0)]))
    else:
        root = gzip.compress(_directory(entries))
    meta_doc: dict[str, object] = {"name": "Nền thử", "attribution": "Nền thử"}
    if kind == "pbf":
        meta_doc["vector_layers"] = [{"id": "water"}, {"id": "roads"}]
    meta = gzip.compress(json.dumps(meta_doc).encode())
    root_offset = 127
    meta_offset = root_offset + len(root)
    leaf_offset = meta_offset + len(meta)
    data_offset = leaf_offset + len(leaves)
    zooms = [z for z, _, _ in tiles]
    west, south, east, north = (round(v * 1e7) for v in bounds)
    header = struct.pack(
        "<7sBQQQQQQQQQQQBBBBBBiiiiBii",
        b"PMTiles",
        3,
        root_offset,
        len(root),
        meta_offset,
        len(meta),
        leaf_offset,
        len(leaves),
        data_offset,
        len(data),
        len(entries),
        len(entries),
        len(entries),
        1,  # clustered
        2,  # internal compression: gzip
        2 if kind == "pbf" else 1,  # tile compression
        1 if kind == "pbf" else 2,  # tile type: MVT or PNG
        min(zooms),
        max(zooms),
        west,
        south,
        east,
        north,
        min(zooms),
        (west + east) // 2,
        (south + north) // 2,
    )
    path.write_bytes(header + root + meta + leaves + data)
    return path
