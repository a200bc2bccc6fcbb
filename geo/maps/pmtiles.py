"""The PMTiles v3 archive: its header, its directories, the tile id of ``z/x/y``, and a reader of its tiles.

A PMTiles file is one header (127 bytes), a root directory within the first 16 KiB, optional leaf
directories, JSON metadata and the tile data; directories are varint-encoded runs of tile ids along
the Hilbert curve (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md). Everything read
is bounded: a directory, the metadata and a tile each have a largest decompressed size, and a leaf
directory is followed at most `_LEAF_DEPTH` levels deep. `geo.maps.tilefile` checks a file with
`read_header` and `read_directory`; `Reader` answers its tiles.
"""

from __future__ import annotations

import bisect
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from geo._errors import DataError

MAGIC: Final = b"PMTiles"
HEADER: Final = struct.Struct("<7sBQQQQQQQQQQQBBBBBBiiiiBii")
ROOT_MAX: Final = 16_384
"""The PMTiles v3 header and root directory are in the first 16 KiB."""
TILE_TYPE_CODES: Final = {1: "pbf", 2: "png", 3: "jpg", 4: "webp"}
"""The header's tile type → the tile format (one of `geo.maps.tilefile.TILE_TYPES`)."""
_COMPRESSION: Final = {1: "none", 2: "gzip"}
DIRECTORY_MAX_BYTES: Final = 32 * 1024 * 1024
"""Largest decompressed directory read (a directory of a million entries is about 5 MB)."""
TILE_MAX_BYTES: Final = 16 * 1024 * 1024
_LEAF_DEPTH: Final = 4


def _refuse(message: str, name: str) -> DataError:
    return DataError(message, file=name)


@dataclass(frozen=True)
class Header:
    """Where the parts of a PMTiles file are (byte offsets and lengths) and how they are compressed."""

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


def read_header(head: bytes, shown: str, size: int) -> tuple[Header, tuple[Any, ...]]:
    """Return the header of a PMTiles file of ``size`` bytes starting with ``head``, and its raw fields.

    Raises
    ------
    DataError
        In Vietnamese, naming the file ``shown``: truncated, not version 3, a compression not read
        here (only gzip or none), or offsets pointing outside the file.
    """
    if len(head) < HEADER.size:
        raise _refuse("tệp PMTiles bị cắt cụt (thiếu phần đầu tệp).", shown)
    fields = HEADER.unpack(head[: HEADER.size])
    if fields[1] != 3:
        raise _refuse(
            f"tệp PMTiles phiên bản {fields[1]} chưa đọc được; hãy chuyển sang phiên bản 3 "
            "(lệnh `pmtiles convert`).",
            shown,
        )
    (root_o, root_l, meta_o, meta_l, leaf_o, leaf_l, data_o, data_l) = fields[2:10]
    internal = _COMPRESSION.get(fields[14], "")
    tiles = _COMPRESSION.get(fields[15], "")
    if not internal or not tiles:
        raise _refuse(
            "tệp PMTiles nén bằng cách chưa đọc được (chỉ đọc được gzip hoặc không nén); "
            "hãy xuất lại với nén gzip.",
            shown,
        )
    spans = ((root_o, root_l), (meta_o, meta_l), (leaf_o, leaf_l), (data_o, data_l))
    if any(o + n > size for o, n in spans) or root_o + root_l > ROOT_MAX or root_l == 0:
        raise _refuse("tệp PMTiles bị hỏng: phần đầu tệp chỉ ra ngoài tệp.", shown)
    return Header(root_o, root_l, meta_o, meta_l, leaf_o, leaf_l, data_o, data_l, internal, tiles), fields


def inflate(data: bytes, compression: str, limit: int) -> bytes:
    """Return ``data`` decompressed ("gzip" or "none"), refusing more than ``limit`` bytes (ValueError)."""
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


def read_directory(data: bytes) -> Entries:
    """Return the entries of a decompressed directory (ValueError when it is truncated or too long)."""
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


class Reader:
    """Tiles of one PMTiles file (the header and directories read once, leaf directories cached)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(ROOT_MAX)
        self.header, _ = read_header(head, path.name, size)
        h = self.header
        self.root = read_directory(
            inflate(
                head[h.root_offset : h.root_offset + h.root_length],
                h.internal_compression,
                DIRECTORY_MAX_BYTES,
            )
        )
        self._leaves: dict[tuple[int, int], Entries] = {}

    def _read(self, offset: int, length: int) -> bytes:
        with self.path.open("rb") as handle:
            handle.seek(offset)
            return handle.read(length)

    def get(self, z: int, x: int, y: int) -> bytes | None:
        """Return the tile ``z/x/y`` as stored (decompressed if the file compresses tiles), or None."""
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
                    self._leaves[key] = read_directory(
                        inflate(raw, self.header.internal_compression, DIRECTORY_MAX_BYTES)
                    )
                entries = self._leaves[key]
                continue
            if wanted >= ids[i] + runs[i]:
                return None
            data = self._read(self.header.data_offset + offsets[i], lengths[i])
            return inflate(data, self.header.tile_compression, TILE_MAX_BYTES)
        return None
