"""A seeded corpus of hostile input files, for every importer (issue 11, item 7).

Each format starts from small valid files built from the store's own units (so a good file really
imports), then adds the specific cases an attacker or a careless operator produces (deep JSON
nesting, 4,301-digit integers, huge numbers, lone surrogates, NUL and escape characters, NaN and
infinite vertices, non-object properties, long or climbing zip member names, ``LOCAL_CS``
projections, zip bombs, lying sheet dimensions, XML entity bombs, truncated and bit-flipped files)
and fills up to `CASES_PER_FORMAT` with seeded random mutations of the valid files and of those
cases: byte flips, insertions, deletions, truncations, and structural edits (a JSON node, a CSV cell,
an XLSX part, a Shapefile member, a GeoPackage row replaced by a hostile value).

The same seed gives the same files, byte for byte.
"""

from __future__ import annotations

import io
import json
import random
import sqlite3
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

SEED = 20261201
CASES_PER_FORMAT = 500

FORMATS = (
    "incidents_csv",
    "incidents_xlsx",
    "incidents_geojson",
    "boundaries_geojson",
    "boundaries_zip",
    "boundaries_gpkg",
    "population_csv",
    "population_xlsx",
    "offence_map_csv",
)
"""Every format of the corpus: what is imported, and in what kind of file."""

LOCAL_CS = 'LOCAL_CS["Site grid",LOCAL_DATUM["Local",0],UNIT["metre",1],AXIS["X",EAST],AXIS["Y",NORTH]]'

HOSTILE_TEXT = (
    "9" * 4301,
    "-" + "9" * 5000,
    "1" + "0" * 400,
    "1e999",
    "-1e999",
    "1e308",
    "1e-400",
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "0x1p1000",
    "9" * 19,
    "4.301e4301",
    "\x00",
    "a\x00b",
    "\x1b[31mđỏ\x1b[0m",
    "\x07\x08\x0b\x0c",
    "\u202eabc",
    "\ufeffBOM",
    "\u2028\u2029",
    "=1+1",
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\r=1+1",
    "\n=1+1",
    "$x^2$",
    "\\(a\\)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "![i](http://example.invalid/x.png)",
    "[click](javascript:alert(1))",
    "A" * 5000,
    "é" * 3000,
    "𝕏𝕐",
    "99/99/9999",
    "31/02/2024",
    "01/01/0001",
    "2024-13-45",
    "45296.5",
    "1e20",
    "-45296",
    "9999999999",
    "20°05'06\"N",
    "999°99'99\"",
    "°",
    "1.2.3,4,5",
    "",
    " ",
    "NULL",
    "None",
    "'=1+1",
    "../../etc/passwd",
    "%s%s%n",
    "{}",
    "[]",
)
"""Cell texts every table format receives somewhere."""

JSON_RAW = (
    "9" * 4301,
    "-" + "9" * 4400,
    "1" + "0" * 5000 + ".5",
    "1e999",
    "-1e999",
    "NaN",
    "Infinity",
    "-Infinity",
    '"\\ud800"',
    '"a\\udfffb"',
    '"\\u0000"',
    '"\\u001b[31m"',
    '"\\ud83d\\ude00"',
    "[" * 5000 + "]" * 5000,
    "[" * 900 + "]" * 900,
    '{"a":' * 900 + "1" + "}" * 900,
    '{"a":' * 3000 + "1" + "}" * 3000,
    "null",
    "true",
    "[]",
    "{}",
    '""',
    '"text"',
    "0",
    "-0.0",
    "[1]",
    "[[1,2]]",
    '{"type":"Point"}',
    '{"type":"Point","coordinates":"x"}',
    '{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}',
    '{"type":"GeometryCollection","geometries":[{"type":"GeometryCollection","geometries":[]}]}',
    '{"type":"LineString","coordinates":[[105.6,20.0],[105.7,20.1]]}',
    '{"type":"Polygon","coordinates":[[[105.6,20.0],[1e999,20.1],[105.7,20.0],[105.6,20.0]]]}',
    '{"type":"Polygon","coordinates":[[[105.6,20.0],[1e308,1e308],[105.7,20.0],[105.6,20.0]]]}',
    '{"type":"Polygon","coordinates":[[[105.6,20.0],[105.7],[105.7,20.0],[105.6,20.0]]]}',
    '{"type":"Polygon","coordinates":[[[105.6,20.0,1,2,3],[105.7,20.1,5],[105.7,20.0],[105.6,20.0]]]}',
    '{"type":"MultiPolygon","coordinates":[[[[[105.6,20.0]]]]]}',
    '{"type":"Polygon","coordinates":[]}',
    '{"type":"Polygon","coordinates":[[]]}',
    '{"type":"Point","coordinates":[1e999,20.0]}',
    '{"type":"Point","coordinates":[105.6]}',
    '{"type":"Point","coordinates":[[105.6,20.0]]}',
    '{"type":"MultiPoint","coordinates":[[105.6,20.0]]}',
    '{"type":"Pointless","coordinates":[105.6,20.0]}',
    '{"type":{"x":1},"coordinates":[105.6,20.0]}',
    '{"type":"name","properties":{"name":"' + LOCAL_CS.replace('"', '\\"') + '"}}',
    '{"type":"name","properties":{"name":"EPSG:999999"}}',
    '{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::5897"}}',
    '{"type":"name","properties":{"name":["EPSG",4326]}}',
    '{"type":"name","properties":"EPSG:4326"}',
    '"EPSG:4326"',
)
"""Raw JSON tokens that replace nodes of the GeoJSON files."""


@dataclass(frozen=True)
class Case:
    """One hostile file and how it is imported.

    Attributes
    ----------
    fmt
        One of `FORMATS`.
    label
        What the case is (``"specific:deep nesting"``, ``"random:flip"``…), for the report.
    name
        The file name given to the importer (its ending decides the reader).
    data
        The file's bytes.
    options
        Extra command-line options (``--crs``, ``--new-area``…).
    """

    fmt: str
    label: str
    name: str
    data: bytes
    options: tuple[str, ...] = field(default=())


# -- the valid files each format starts from ---------------------------------------------------


@dataclass(frozen=True)
class Area:
    """What the valid files are built from: the store's units (EPSG:4326) and an offence per row."""

    communes: gpd.GeoDataFrame

    def points(self, rng: random.Random, n: int) -> list[tuple[float, float, str]]:
        """Return ``n`` points inside the units with the unit's code."""
        out = []
        parts = list(zip(self.communes["code"], self.communes.geometry, strict=True))
        for _ in range(n):
            code, geometry = parts[rng.randrange(len(parts))]
            point = geometry.representative_point()
            out.append((round(point.x, 6), round(point.y, 6), str(code)))
        return out


OFFENCES = ("Trộm cắp tài sản", "Cướp giật tài sản", "Đánh bạc", "Gây rối trật tự công cộng", "Lừa đảo")


def incident_rows(area: Area, rng: random.Random, n: int = 6) -> tuple[list[str], list[list[Any]]]:
    header = ["Mã vụ", "Ngày xảy ra", "Tội danh", "Kinh độ", "Vĩ độ", "Địa chỉ", "Mô tả"]
    rows = []
    for i, (x, y, _) in enumerate(area.points(rng, n)):
        day = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2021, 2024)}"
        rows.append(
            [f"VL-{rng.randint(0, 99999):05d}-{i}", f"{day} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
             OFFENCES[rng.randrange(len(OFFENCES))], x, y, f"Thôn {rng.randint(1, 9)}", "Mô tả vụ việc"]
        )  # fmt: skip
    return header, rows


def population_rows(area: Area, rng: random.Random) -> tuple[list[str], list[list[Any]]]:
    header = ["Mã xã", "Tên xã", "Dân số", "Năm"]
    rows = [
        [str(c), str(n), rng.randint(1000, 20000), 2023]
        for c, n in zip(area.communes["code"], area.communes["name"], strict=True)
    ]
    return header, rows


def offence_rows(rng: random.Random) -> tuple[list[str], list[list[Any]]]:
    names = ["Trộm vặt", "Móc túi", "Đánh nhau ngoài chợ", "Đề đóm", "Lô đề", "Cờ bạc bịp"]
    codes = [
        "trom_cap_tai_san",
        "trom_cap_tai_san",
        "co_y_gay_thuong_tich",
        "danh_bac",
        "danh_bac",
        "danh_bac",
    ]
    rows = [[n, c] for n, c in zip(names, codes, strict=True)]
    rng.shuffle(rows)
    return ["value", "code"], rows


def csv_bytes(
    header: list[str], rows: list[list[Any]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> bytes:
    lines = [delimiter.join(_csv_cell(c, delimiter) for c in [*header]) for header in [header]]
    lines += [delimiter.join(_csv_cell(c, delimiter) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding, errors="surrogatepass")


def _csv_cell(value: Any, delimiter: str) -> str:
    text = str(value)
    if any(ch in text for ch in (delimiter, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def geojson_points(area: Area, rng: random.Random, n: int = 6) -> dict[str, Any]:
    header, rows = incident_rows(area, rng, n)
    features = []
    for row in rows:
        props = dict(zip(header, row, strict=True))
        x, y = props.pop("Kinh độ"), props.pop("Vĩ độ")
        features.append(
            {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [x, y]}}
        )
    return {"type": "FeatureCollection", "features": features}


def boundary_frame(area: Area) -> gpd.GeoDataFrame:
    frame = area.communes[["code", "name", "population", "geometry"]].copy()
    frame = frame.rename(columns={"code": "MaXa", "name": "TenXa", "population": "DanSo"})
    frame["geometry"] = shapely.simplify(frame.geometry.to_numpy(), 0.0005)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=area.communes.crs)


def shapefile_members(frame: gpd.GeoDataFrame, *, crs: str | None = None) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ranh_gioi.shp"
        out = frame if crs is None else frame.to_crs(crs)
        out.to_file(path, engine="pyogrio", encoding="UTF-8")
        return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())}


def gpkg_bytes(frame: gpd.GeoDataFrame, *, edit: Callable[[sqlite3.Connection], None] | None = None) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ranh_gioi.gpkg"
        frame.to_file(path, engine="pyogrio", layer="xa", driver="GPKG")
        if edit is not None:
            conn = sqlite3.connect(path)
            try:
                edit(conn)
                conn.commit()
            finally:
                conn.close()
        return path.read_bytes()


def zip_bytes(
    members: dict[str, bytes] | list[tuple[str, bytes]], *, method: int = zipfile.ZIP_DEFLATED
) -> bytes:
    out = io.BytesIO()
    items = members.items() if isinstance(members, dict) else members
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in items:
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), content, compress_type=method
            )
    return out.getvalue()


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {m.filename: archive.read(m) for m in archive.infolist()}


def lying_sizes(data: bytes, size: int) -> bytes:
    """Return a zip whose central directory claims every member inflates to ``size`` bytes."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at != -1:
        out[at + 24 : at + 28] = struct.pack("<I", min(size, 0xFFFFFFFF))
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


_BOMB_CACHE: dict[str, bytes] = {}


def sheet_bomb(megabytes: int = 210) -> bytes:
    """A worksheet part that inflates to ``megabytes`` MB from about a thousandth of that (a zip bomb)."""
    key = f"sheet{megabytes}"
    if key not in _BOMB_CACHE:
        row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
        body = row * (megabytes * 1024 * 1024 // len(row))
        xml = (
            b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>' + body + b"</sheetData></worksheet>"
        )
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        _BOMB_CACHE[key] = compressor.compress(xml) + compressor.flush()
        _BOMB_CACHE[key + ".size"] = str(len(xml)).encode()
        _BOMB_CACHE[key + ".crc"] = str(zlib.crc32(xml)).encode()
    return _BOMB_CACHE[key]


def replace_deflated(data: bytes, member: str, deflated: bytes, size: int, crc: int) -> bytes:
    """Return the zip ``data`` with ``member`` replaced by already-deflated bytes (no need to hold them inflated)."""
    members = [(m, c) for m, c in unzip(data).items() if m != member]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    body = out.getvalue()
    # Append the bomb as a raw local entry and rebuild the central directory by hand.
    end = body.rfind(b"PK\x05\x06")
    count, cd_size, cd_offset = struct.unpack("<HII", body[end + 10 : end + 20])
    central = body[cd_offset : cd_offset + cd_size]
    head = body[:cd_offset]
    encoded = member.encode()
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(deflated), size, len(encoded), 0
    )
    offset = len(head)
    head += local + encoded + deflated
    entry = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        20,
        20,
        0,
        8,
        0,
        0x21,
        crc,
        len(deflated),
        size,
        len(encoded),
        0,
        0,
        0,
        0,
        0,
        offset,
    )
    central += entry + encoded
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count + 1, count + 1, len(central), len(head), 0)
    return head + central + eocd


# -- mutations ----------------------------------------------------------------------------------


def flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4, 16))):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def scramble(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 3, 8))):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(max(len(data), 1))]


def insert(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    junk = rng.choice(
        (
            b"\x00",
            b"\xff\xfe",
            b"\xed\xa0\x80",
            b'"',
            b"\n" * 50,
            bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))),
        )
    )
    return data[:at] + junk + data[at:]


def delete(data: bytes, rng: random.Random) -> bytes:
    if len(data) < 2:
        return data
    at = rng.randrange(len(data) - 1)
    return data[:at] + data[at + rng.randint(1, min(256, len(data) - at)) :]


def duplicate(data: bytes, rng: random.Random) -> bytes:
    if len(data) < 2:
        return data + data
    at = rng.randrange(len(data) - 1)
    chunk = data[at : at + rng.randint(1, min(512, len(data) - at))]
    return data[:at] + chunk * rng.choice((2, 10, 100)) + data[at:]


BYTE_MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "flip": flip,
    "scramble": scramble,
    "truncate": truncate,
    "insert": insert,
    "delete": delete,
    "duplicate": duplicate,
}


def mutate_bytes(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(list(BYTE_MUTATIONS))
    return kind, BYTE_MUTATIONS[kind](data, rng)


def mutate_zip_members(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """Mutate one member of a zip (bytes or XML text) and zip it again, so the damage is past the zip layer."""
    members = unzip(data)
    member = rng.choice(sorted(members))
    kind, members[member] = mutate_bytes(members[member], rng)
    return f"member {member}: {kind}", zip_bytes(members)


def mutate_rows(
    header: list[str], rows: list[list[Any]], rng: random.Random
) -> tuple[str, list[str], list[list[Any]]]:
    """Put hostile values into cells, headers or the table's shape."""
    header, rows = list(header), [list(r) for r in rows]
    kind = rng.choice(("cell", "cell", "cell", "cells", "header", "extra", "shape", "repeat"))
    if kind == "cell" and rows:
        rows[rng.randrange(len(rows))][rng.randrange(len(header))] = rng.choice(HOSTILE_TEXT)
    elif kind == "cells":
        for row in rows:
            for i in range(len(row)):
                if rng.random() < 0.3:
                    row[i] = rng.choice(HOSTILE_TEXT)
    elif kind == "header":
        header[rng.randrange(len(header))] = rng.choice(HOSTILE_TEXT)
    elif kind == "extra" and rows:
        rows[rng.randrange(len(rows))].extend(rng.choice(HOSTILE_TEXT) for _ in range(rng.randint(1, 5)))
    elif kind == "shape":
        rows = [r[: rng.randint(0, len(r))] for r in rows]
    elif kind == "repeat" and rows:
        rows = rows * rng.choice((2, 50, 400))
    return kind, header, rows


def mutate_json(document: Any, rng: random.Random) -> tuple[str, str]:
    """Replace one node of a JSON document by a hostile raw token; return (label, JSON text)."""
    nodes: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in node:
                nodes.append((node, key))
                walk(node[key])
        elif isinstance(node, list):
            for index in range(len(node)):
                nodes.append((node, index))
                walk(node[index])

    copy = json.loads(json.dumps(document))
    walk(copy)
    raw = rng.choice(JSON_RAW)
    marker = "__RAW_TOKEN__"
    if nodes:
        parent, key = rng.choice(nodes)
        parent[key] = marker
        where = f"{type(parent).__name__}[{str(key)[:20]}]"
    else:
        copy, where = marker, "root"
    text = json.dumps(copy, ensure_ascii=False).replace(json.dumps(marker), raw, 1)
    return f"node {where} := {raw[:30]}", text


# -- the corpus ---------------------------------------------------------------------------------


def cases(fmt: str, area: Area, *, seed: int = SEED, count: int = CASES_PER_FORMAT) -> list[Case]:
    """Return ``count`` (or more: every specific case is kept) seeded cases of ``fmt``."""
    rng = random.Random(f"{seed}:{fmt}")
    builder = _BUILDERS[fmt]
    specific = list(builder.specific(area, rng))
    valid = builder.valid(area, rng)
    out = [Case(fmt, f"valid:{i}", n, d, o) for i, (n, d, o) in enumerate(valid)]
    out += [Case(fmt, f"specific:{label}", n, d, o) for label, n, d, o in specific]
    seeds = [(n, d, o) for n, d, o in valid] + [(n, d, o) for _, n, d, o in specific if len(d) < 200_000]
    while len(out) < count:
        name, data, options = seeds[rng.randrange(len(valid))] if rng.random() < 0.8 else rng.choice(seeds)
        label, mutated = builder.mutate(area, rng, name, data)
        out.append(Case(fmt, f"random:{label}", name, mutated, options))
    return out


# A format with fewer specific cases than this keeps all of them in `sample` (the archive and GeoPackage
# boundaries: each of their few cases reaches a refusal of its own).
FEW_SPECIFIC = 100


def sample(cases: list[Case], every: int) -> list[Case]:
    """Return the valid cases and every ``every``-th case of ``cases`` (all of them for ``every`` <= 1).

    A seeded slice of the full corpus in its own order (valid files, specific cases, random mutations), so
    it holds each kind in proportion and a case failing in the sample fails at the same place in the full
    run; a format with fewer than `FEW_SPECIFIC` specific cases keeps them all.
    """
    if every <= 1:
        return cases
    specific = sum(c.label.startswith("specific:") for c in cases)
    keep = ("valid:", "specific:") if specific < FEW_SPECIFIC else ("valid:",)
    return [c for i, c in enumerate(cases) if i % every == 0 or c.label.startswith(keep)]


Valid = list[tuple[str, bytes, tuple[str, ...]]]
Specific = Iterator[tuple[str, str, bytes, tuple[str, ...]]]


class _Builder:
    def valid(self, area: Area, rng: random.Random) -> Valid:
        raise NotImplementedError

    def specific(self, area: Area, rng: random.Random) -> Specific:
        raise NotImplementedError

    def mutate(self, area: Area, rng: random.Random, name: str, data: bytes) -> tuple[str, bytes]:
        return mutate_bytes(data, rng)


class _Table(_Builder):
    """A table format (CSV or XLSX) of incidents, population figures or offence names."""

    def __init__(self, kind: str, suffix: str) -> None:
        self.kind = kind
        self.suffix = suffix

    def rows(self, area: Area, rng: random.Random) -> tuple[list[str], list[list[Any]]]:
        if self.kind == "incidents":
            return incident_rows(area, rng)
        if self.kind == "population":
            return population_rows(area, rng)
        return offence_rows(rng)

    def encode(self, header: list[str], rows: list[list[Any]]) -> bytes:
        if self.suffix == ".xlsx":
            return xlsx_bytes(header, rows)
        return csv_bytes(header, rows)

    def name(self) -> str:
        return f"{self.kind}{self.suffix}"

    def valid(self, area: Area, rng: random.Random) -> Valid:
        out = []
        for _ in range(3):
            header, rows = self.rows(area, rng)
            out.append((self.name(), self.encode(header, rows), ()))
        return out

    def specific(self, area: Area, rng: random.Random) -> Specific:
        header, rows = self.rows(area, rng)
        name = self.name()
        for index, value in enumerate(HOSTILE_TEXT):
            for column in range(len(header)):
                if (index + column) % 3:
                    continue
                changed = [list(r) for r in rows]
                changed[index % len(changed)][column] = value
                try:
                    yield f"cell {header[column]} := {value[:20]!r}", name, self.encode(header, changed), ()
                except Exception:  # openpyxl refuses control characters: those go in at the XML level
                    continue
            try:
                yield f"header := {value[:20]!r}", name, self.encode([value, *header[1:]], rows), ()
            except Exception:
                continue
        if self.kind == "incidents":
            yield from self._ledger_specific(area, rows, name)
        yield "empty", name, b"", ()
        yield "whitespace", name, b" \r\n\t ", ()
        yield "header only", name, self.encode(header, []), ()
        yield "wrong ending .xls", name.replace(self.suffix, ".xls"), b"\xd0\xcf\x11\xe0" + b"\x00" * 100, ()
        if self.suffix == ".csv":
            yield from self._csv_specific(header, rows, name)
        else:
            yield from self._xlsx_specific(header, rows, name)

    def _ledger_specific(self, area: Area, rows: list[list[Any]], name: str) -> Specific:
        """A commune police ledger: a commune and a hamlet, no coordinates (rows placed at commune level)."""
        header = ["Ngày xảy ra", "Tội danh", "Xã", "Thôn"]
        communes = [str(n) for n in area.communes["name"]]
        ledger = [[r[1], r[2], communes[i % len(communes)], r[5]] for i, r in enumerate(rows)]
        yield "commune-level ledger", name, self.encode(header, ledger), ()
        for index, value in enumerate(HOSTILE_TEXT[::2]):
            changed = [list(r) for r in ledger]
            changed[index % len(changed)][2] = value
            try:
                yield f"ledger commune := {value[:20]!r}", name, self.encode(header, changed), ()
            except Exception:  # openpyxl refuses control characters
                continue

    def _csv_specific(self, header: list[str], rows: list[list[Any]], name: str) -> Specific:
        good = csv_bytes(header, rows)
        yield "NUL bytes", name, good.replace(b",", b"\x00,", 3), ()
        yield "invalid UTF-8", name, good + b"\xff\xfe\xfd\xed\xa0\x80\n", ()
        yield "UTF-8 encoded surrogate", name, good.replace(b"Th\xc3\xb4n", b"\xed\xa0\x80", 1), ()
        yield "UTF-16 odd length", name, b"\xff\xfe" + good.decode().encode("utf-16-le")[:-1], ()
        yield "UTF-16 BOM, garbage", name, b"\xfe\xff" + b"\xd8\x00" * 20, ()
        yield "cp1258", name, good.decode().encode("cp1258", errors="replace"), ()
        yield "only CR line ends", name, good.replace(b"\n", b"\r"), ()
        yield "unbalanced quote", name, good.replace(b"\n", b'\n"', 1), ()
        yield "field over csv limit", name, good + b'"' + b"x" * 200_000 + b'"\n', ()
        if self.kind == "incidents":  # the limits of the reader every table shares: once is enough
            yield "200,000 columns", name, b",".join([b"c"] * 200_000) + b"\n" + good, ()
            yield "600,000 empty lines (row limit)", name, good + b"\n" * 600_000, ()
            yield "11 million empty cells (cell limit)", name, good + (b"," * 99 + b"\n") * 110_000, ()
        yield "header of delimiters", name, b";;;;;;\n" + good, ()
        yield "tab-separated with commas", name, good.replace(b",", b"\t"), ()
        yield "BOM only", name, b"\xef\xbb\xbf", ()
        yield "escape sequences", name, good.replace(b"Th", b"\x1b]0;title\x07Th"), ()
        yield "binary", name, bytes(range(256)) * 4, ()
        yield "zip disguised as CSV", name.replace(".csv", ".txt"), zip_bytes({"a": b"b"}), ()

    def _xlsx_specific(self, header: list[str], rows: list[list[Any]], name: str) -> Specific:
        good = self.encode(header, rows)
        members = unzip(good)
        sheet = "xl/worksheets/sheet1.xml"
        xml = members[sheet].decode()

        def with_sheet(text: str) -> bytes:
            return zip_bytes({**members, sheet: text.encode("utf-8", errors="surrogatepass")})

        def with_member(member: str, content: bytes) -> bytes:
            return zip_bytes({**members, member: content})

        yield "dimension A1:XFD1048576", name, with_sheet(_dimension(xml, "A1:XFD1048576")), ()
        yield "dimension A1:Z600000", name, with_sheet(_dimension(xml, "A1:Z600000")), ()
        yield (
            "no dimension, row 1048576",
            name,
            with_sheet(
                _no_dimension(xml).replace(
                    "</sheetData>",
                    '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
                )
            ),
            (),
        )
        yield (
            "no dimension, cell XFD1",
            name,
            with_sheet(
                _no_dimension(xml).replace(
                    "</sheetData>",
                    '<row r="9"><c r="XFD9" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
                )
            ),
            (),
        )
        yield (
            "row number 10^12",
            name,
            with_sheet(
                _no_dimension(xml).replace(
                    "</sheetData>", '<row r="1000000000000"><c r="A1" t="n"><v>1</v></c></row></sheetData>'
                )
            ),
            (),
        )
        for token in ("9" * 4301, "1e999", "-1e999", "NaN", "1" + "0" * 400, "abc", "", "0x10"):
            yield (
                f"number {token[:12]}",
                name,
                with_sheet(_first_value(xml, f'<c r="D2" t="n"><v>{token}</v></c>')),
                (),
            )
        yield (
            "shared string index 10^9",
            name,
            with_sheet(_first_value(xml, '<c r="D2" t="s"><v>1000000000</v></c>')),
            (),
        )
        yield (
            "shared string index -1",
            name,
            with_sheet(_first_value(xml, '<c r="D2" t="s"><v>-1</v></c>')),
            (),
        )
        yield (
            "date cell 10^20",
            name,
            with_sheet(_first_value(xml, '<c r="B2" t="d"><v>99999-99-99T99:99:99</v></c>')),
            (),
        )
        yield "error cell", name, with_sheet(_first_value(xml, '<c r="B2" t="e"><v>#DIV/0!</v></c>')), ()
        yield (
            "formula",
            name,
            with_sheet(
                _first_value(xml, '<c r="G2"><f>HYPERLINK("http://example.invalid","x")</f><v>x</v></c>')
            ),
            (),
        )
        yield "boolean 2", name, with_sheet(_first_value(xml, '<c r="G2" t="b"><v>2</v></c>')), ()
        for escape in ("_xD800_", "_xDFFF_", "_x0000_", "_x001B_[31m", "_x0007_", "_xFFFE_", "_x202E_"):
            yield (
                f"inline string {escape}",
                name,
                with_sheet(_first_value(xml, f'<c r="G2" t="inlineStr"><is><t>a{escape}b</t></is></c>')),
                (),
            )
        strings = members.get("xl/sharedStrings.xml")
        if strings is not None:
            text = strings.decode()
            yield (
                "shared string _xD800_",
                name,
                with_member("xl/sharedStrings.xml", text.replace("<t>", "<t>_xD800__x0000_", 1).encode()),
                (),
            )
            yield (
                "shared strings billion laughs",
                name,
                with_member("xl/sharedStrings.xml", _laughs(text).encode()),
                (),
            )
            yield (
                "shared strings external entity",
                name,
                with_member("xl/sharedStrings.xml", _external(text).encode()),
                (),
            )
            yield (
                "shared strings truncated",
                name,
                with_member("xl/sharedStrings.xml", strings[: len(strings) // 2]),
                (),
            )
        yield "sheet billion laughs", name, with_sheet(_laughs(xml)), ()
        yield "sheet external entity", name, with_sheet(_external(xml)), ()
        yield (
            "sheet deep nesting",
            name,
            with_sheet(xml.replace("<sheetData>", "<sheetData>" + "<x>" * 100_000 + "</x>" * 100_000, 1)),
            (),
        )
        yield "sheet truncated", name, with_sheet(xml[: len(xml) // 2]), ()
        yield (
            "workbook billion laughs",
            name,
            with_member("xl/workbook.xml", _laughs(members["xl/workbook.xml"].decode()).encode()),
            (),
        )
        yield "styles garbage", name, with_member("xl/styles.xml", b"<<<>>>"), ()
        yield (
            "content types missing",
            name,
            zip_bytes({k: v for k, v in members.items() if k != "[Content_Types].xml"}),
            (),
        )
        yield "sheet missing", name, zip_bytes({k: v for k, v in members.items() if k != sheet}), ()
        yield (
            "zip bomb (210 MB sheet)",
            name,
            replace_deflated(
                good, sheet, sheet_bomb(), int(_BOMB_CACHE["sheet210.size"]), int(_BOMB_CACHE["sheet210.crc"])
            ),
            (),
        )
        yield "zip bomb (lying directory, 3 GB)", name, lying_sizes(good, 3 * 1024**3), ()
        yield "zip bomb (lying directory, 50 MB each)", name, lying_sizes(good, 50 * 1024**2), ()
        yield (
            "2,000 members",
            name,
            zip_bytes({**members, **{f"xl/media/x{i}.bin": b"" for i in range(2000)}}),
            (),
        )
        yield "member name 300 chars", name, zip_bytes({**members, "x" * 300: b""}), ()
        yield "member ../evil", name, zip_bytes({**members, "../evil.xml": b""}), ()
        yield "member /abs", name, zip_bytes({**members, "/etc/evil.xml": b""}), ()
        yield "member with control", name, zip_bytes({**members, "xl/\x1b[31m.xml": b""}), ()
        yield "stored, not deflated", name, zip_bytes(members, method=zipfile.ZIP_STORED), ()
        yield "truncated zip", name, good[: len(good) // 2], ()
        yield "zip of nothing", name, zip_bytes({}), ()

    def mutate(self, area: Area, rng: random.Random, name: str, data: bytes) -> tuple[str, bytes]:
        roll = rng.random()
        if roll < 0.45:
            header, rows = self.rows(area, rng)
            kind, header, rows = mutate_rows(header, rows, rng)
            try:
                return f"rows {kind}", self.encode(header, rows)
            except Exception:
                return mutate_bytes(data, rng)
        if self.suffix == ".xlsx" and roll < 0.8 and data[:2] == b"PK":
            try:
                return mutate_zip_members(data, rng)
            except Exception:
                return mutate_bytes(data, rng)
        return mutate_bytes(data, rng)


def _dimension(xml: str, ref: str) -> str:
    if "<dimension" in xml:
        start = xml.index("<dimension")
        end = xml.index("/>", start) + 2
        return xml[:start] + f'<dimension ref="{ref}"/>' + xml[end:]
    return xml.replace("<sheetViews>", f'<dimension ref="{ref}"/><sheetViews>', 1)


def _no_dimension(xml: str) -> str:
    if "<dimension" not in xml:
        return xml
    start = xml.index("<dimension")
    end = xml.index("/>", start) + 2
    return xml[:start] + xml[end:]


def _first_value(xml: str, cell: str) -> str:
    """Append ``cell`` to the sheet's second row."""
    at = xml.find('<row r="2"')
    if at == -1:
        return xml
    end = xml.index("</row>", at)
    return xml[:end] + cell + xml[end:]


def _laughs(xml: str) -> str:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    start = xml.index("?>") + 2 if xml.startswith("<?xml") else 0
    root = xml[start:].lstrip()
    tag = root[1 : root.index(" ") if " " in root[:40] else root.index(">")]
    body = root.replace("<t>", "<t>&lol9;", 1) if "<t>" in root else root
    return xml[:start] + f"<!DOCTYPE {tag} [{entities}]>" + body


def _external(xml: str) -> str:
    start = xml.index("?>") + 2 if xml.startswith("<?xml") else 0
    root = xml[start:].lstrip()
    tag = root[1 : root.index(" ") if " " in root[:40] else root.index(">")]
    body = root.replace("<t>", "<t>&xxe;", 1) if "<t>" in root else root
    return xml[:start] + f'<!DOCTYPE {tag} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + body


class _GeoJson(_Builder):
    """GeoJSON incidents (points) or boundaries (polygons)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def document(self, area: Area, rng: random.Random) -> dict[str, Any]:
        if self.kind == "incidents":
            return geojson_points(area, rng)
        return json.loads(boundary_frame(area).to_json())

    def name(self) -> str:
        return f"{self.kind}.geojson"

    def valid(self, area: Area, rng: random.Random) -> Valid:
        return [
            (self.name(), json.dumps(self.document(area, rng), ensure_ascii=False).encode(), ())
            for _ in range(3)
        ]

    def specific(self, area: Area, rng: random.Random) -> Specific:
        document = self.document(area, rng)
        name = self.name()
        text = json.dumps(document, ensure_ascii=False)
        feature = json.dumps(document["features"][0], ensure_ascii=False)
        for raw in JSON_RAW:
            short = raw[:30]
            for where, template in (
                ("root", "{raw}"),
                ("features", '{{"type":"FeatureCollection","features":{raw}}}'),
                ("a feature", '{{"type":"FeatureCollection","features":[{feature},{raw}]}}'),
                (
                    "properties",
                    '{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{raw},"geometry":{geometry}}}]}}',
                ),
                (
                    "a property",
                    '{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"Mã vụ":{raw},"MaXa":{raw},"TenXa":"x"}},"geometry":{geometry}}}]}}',
                ),
                (
                    "geometry",
                    '{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{props},"geometry":{raw}}}]}}',
                ),
                ("crs", '{{"type":"FeatureCollection","crs":{raw},"features":{features}}}'),
            ):
                body = template.format(
                    raw=raw,
                    feature=feature,
                    geometry=json.dumps(document["features"][0]["geometry"]),
                    props=json.dumps(document["features"][0]["properties"], ensure_ascii=False),
                    features=json.dumps(document["features"], ensure_ascii=False),
                )
                yield f"{where} := {short}", name, body.encode("utf-8", errors="surrogatepass"), ()
        yield "empty", name, b"", ()
        yield "BOM only", name, b"\xef\xbb\xbf", ()
        yield "truncated", name, text.encode()[: len(text) // 2], ()
        yield "no features", name, b'{"type":"FeatureCollection","features":[]}', ()
        yield (
            "11 million empty arrays (container limit)",
            name,
            b'{"type":"FeatureCollection","features":[' + b"[]," * 11_000_000 + b"[]]}",
            (),
        )
        yield (
            "2 million empty objects",
            name,
            b'{"type":"FeatureCollection","features":[' + b"{}," * 2_000_000 + b"{}]}",
            (),
        )
        yield (
            "600,000 null features",
            name,
            b'{"type":"FeatureCollection","features":[' + b"null," * 600_000 + b"null]}",
            (),
        )
        yield "invalid UTF-8", name, text.encode()[:-2] + b"\xff\xfe" + text.encode()[-2:], ()
        yield "UTF-16", name, text.encode("utf-16"), ()
        yield (
            "NUL in strings",
            name,
            text.replace("Thôn", "Th\\u0000ôn").replace("Vĩnh", "V\\u0000ĩnh").encode(),
            (),
        )
        yield (
            "surrogate keys",
            name,
            text.replace('"properties": {', '"properties": {"\\ud800": "\\udfff", ', 1).encode(),
            (),
        )
        yield "LOCAL_CS with --crs", name, text.encode(), ("--crs", LOCAL_CS)
        yield "unknown --crs", name, text.encode(), ("--crs", "EPSG:999999")
        yield "surrogate --crs", name, text.encode(), ("--crs", "EPSG:43\udc8026")
        yield (
            "geographic --crs on metres",
            name,
            json.dumps(json.loads(boundary_frame(area).to_crs("EPSG:5897").to_json())).encode(),
            ("--crs", "EPSG:4326"),
        )
        yield (
            "metres as degrees",
            name,
            json.dumps(json.loads(boundary_frame(area).to_crs("EPSG:5897").to_json())).encode(),
            (),
        )
        yield "NaN coordinates (literal)", name, text.replace("[105.", "[NaN, 105.", 1).encode(), ()
        yield (
            "huge coordinates",
            name,
            text.replace("[105.", "[1e300, 105.", 1).replace("20.", "1e300, 20.", 1).encode(),
            (),
        )

    def mutate(self, area: Area, rng: random.Random, name: str, data: bytes) -> tuple[str, bytes]:
        if rng.random() < 0.55:
            label, text = mutate_json(self.document(area, rng), rng)
            return f"json {label}", text.encode("utf-8", errors="surrogatepass")
        return mutate_bytes(data, rng)


class _ShapefileZip(_Builder):
    def valid(self, area: Area, rng: random.Random) -> Valid:
        frame = boundary_frame(area)
        return [
            ("ranh_gioi.zip", zip_bytes(shapefile_members(frame)), ()),
            ("ranh_gioi.zip", zip_bytes(shapefile_members(frame, crs="EPSG:5897")), ()),
            (
                "ranh_gioi.zip",
                zip_bytes({f"thu_muc/{k}": v for k, v in shapefile_members(frame).items()}),
                (),
            ),
        ]

    def specific(self, area: Area, rng: random.Random) -> Specific:
        frame = boundary_frame(area)
        members = shapefile_members(frame)
        name = "ranh_gioi.zip"
        prj = next(k for k in members if k.endswith(".prj"))
        for label, content in (
            ("LOCAL_CS", LOCAL_CS.encode()),
            ("garbage", b"PROJCS[garbage"),
            ("empty", b""),
            ("1 MB garbage", b"GEOGCS[" * 150_000),
            (
                "unknown datum",
                b'GEOGCS["x",DATUM["y",SPHEROID["z",0,0]],PRIMEM["G",0],UNIT["degree",0.0174532925199433]]',
            ),
            ("zero-size sphere", b'GEOGCS["x",DATUM["y",SPHEROID["z",1,0]],PRIMEM["G",0],UNIT["degree",0]]'),
            (
                "Web Mercator on degrees",
                b'PROJCS["WGS 84 / Pseudo-Mercator",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Mercator_1SP"],PARAMETER["central_meridian",0],PARAMETER["scale_factor",1],PARAMETER["false_easting",0],PARAMETER["false_northing",0],UNIT["metre",1]]',
            ),
            ("invalid UTF-8", b"GEOGCS[\xff\xfe]"),
        ):
            yield f"prj {label}", name, zip_bytes({**members, prj: content}), ()
        yield "prj missing", name, zip_bytes({k: v for k, v in members.items() if k != prj}), ()
        yield "LOCAL_CS --crs", name, zip_bytes(members), ("--crs", LOCAL_CS)
        for suffix in (".shx", ".dbf", ".shp"):
            yield (
                f"{suffix} missing",
                name,
                zip_bytes({k: v for k, v in members.items() if not k.endswith(suffix)}),
                (),
            )
            member = next(k for k in members if k.endswith(suffix))
            yield (
                f"{suffix} truncated",
                name,
                zip_bytes({**members, member: members[member][: len(members[member]) // 2]}),
                (),
            )
            yield f"{suffix} header only", name, zip_bytes({**members, member: members[member][:100]}), ()
            yield f"{suffix} empty", name, zip_bytes({**members, member: b""}), ()
        cpg = next((k for k in members if k.endswith(".cpg")), "ranh_gioi.cpg")
        for encoding in (b"UTF-7", b"garbage-encoding", b"\xff\xfe", b"UTF-16", b"CP1258"):
            yield f"cpg {encoding[:10]!r}", name, zip_bytes({**members, cpg: encoding}), ()
        for label, inner in (
            ("300-char name", "a" * 300 + ".shp"),
            ("../ climbing", "../../ranh_gioi.shp"),
            ("absolute", "/tmp/ranh_gioi.shp"),
            ("backslash climbing", "..\\..\\ranh_gioi.shp"),
            ("drive letter", "C:\\ranh_gioi.shp"),
            ("control characters", "ranh\x1b[31m.shp"),
            ("bidi override", "ranh\u202egioi.shp"),
            ("NUL", "ranh\x00.shp"),
            ("colon", "ranh:gioi.shp"),
            ("only a dot", "."),
            ("deep folders", "/".join(["d"] * 100) + "/ranh_gioi.shp"),
        ):
            renamed = {(inner if k.endswith(".shp") else k): v for k, v in members.items()}
            yield f"member {label}", name, zip_bytes(renamed), ()
        yield "two layers", name, zip_bytes({**members, **{f"b{k[9:]}": v for k, v in members.items()}}), ()
        yield (
            "same name in two folders",
            name,
            zip_bytes([*members.items(), *((f"x/{k}", v) for k, v in members.items())]),
            (),
        )
        yield "upper-case endings", name, zip_bytes({k.upper(): v for k, v in members.items()}), ()
        yield "2,000 members", name, zip_bytes({**members, **{f"x{i}.txt": b"" for i in range(2000)}}), ()
        yield "zip bomb (lying, 3 GB)", name, lying_sizes(zip_bytes(members), 3 * 1024**3), ()
        yield "zip bomb (lying, 100 MB each)", name, lying_sizes(zip_bytes(members), 100 * 1024**2), ()
        yield (
            "zip bomb (210 MB member)",
            name,
            replace_deflated(
                zip_bytes(members),
                "x.txt",
                sheet_bomb(),
                int(_BOMB_CACHE["sheet210.size"]),
                int(_BOMB_CACHE["sheet210.crc"]),
            ),
            (),
        )
        yield "nested zip", name, zip_bytes({"inner.zip": zip_bytes(members)}), ()
        yield "empty zip", name, zip_bytes({}), ()
        yield "not a zip", name, b"PK\x03\x04garbage", ()
        yield "truncated zip", name, zip_bytes(members)[:200], ()
        shp = next(k for k in members if k.endswith(".shp"))
        yield "NaN vertex", name, zip_bytes({**members, shp: _nan_vertex(members[shp], float("nan"))}), ()
        yield (
            "infinite vertex",
            name,
            zip_bytes({**members, shp: _nan_vertex(members[shp], float("inf"))}),
            (),
        )
        yield "huge vertex", name, zip_bytes({**members, shp: _nan_vertex(members[shp], 1e300)}), ()
        yield (
            "point layer",
            name,
            zip_bytes(
                shapefile_members(
                    gpd.GeoDataFrame(
                        frame.drop(columns="geometry"), geometry=frame.representative_point(), crs=frame.crs
                    )
                )
            ),
            (),
        )
        hostile = frame.copy()
        hostile["TenXa"] = [
            HOSTILE_TEXT[i % len(HOSTILE_TEXT)][:200].replace("\x00", "") for i in range(len(hostile))
        ]
        yield "hostile names", name, zip_bytes(shapefile_members(hostile)), ()
        hostile = frame.copy()
        hostile["MaXa"] = [("9" * 250, "1e308", "-1", "", "x" * 200)[i % 5] for i in range(len(hostile))]
        yield "hostile codes", name, zip_bytes(shapefile_members(hostile)), ()
        hostile = frame.copy()
        hostile["DanSo"] = [(1e300, -5.0, 1e15, 0.5, float("nan"))[i % 5] for i in range(len(hostile))]
        yield "hostile populations", name, zip_bytes(shapefile_members(hostile)), ()

    def mutate(self, area: Area, rng: random.Random, name: str, data: bytes) -> tuple[str, bytes]:
        if rng.random() < 0.7 and data[:2] == b"PK":
            try:
                return mutate_zip_members(data, rng)
            except Exception:
                pass
        return mutate_bytes(data, rng)


def _nan_vertex(shp: bytes, value: float) -> bytes:
    """Return a .shp whose first polygon's first vertex is ``value`` (its header bytes 100..; record 1)."""
    # Main header (100 bytes), record header (8), shape type (4), box (32), parts/points counts (8),
    # the part index of each part (4 × parts), then the points.
    parts = struct.unpack("<i", shp[144:148])[0]
    at = 152 + 4 * parts
    return shp[:at] + struct.pack("<dd", value, value) + shp[at + 16 :]


class _GeoPackage(_Builder):
    def valid(self, area: Area, rng: random.Random) -> Valid:
        frame = boundary_frame(area)
        return [
            ("ranh_gioi.gpkg", gpkg_bytes(frame), ()),
            ("ranh_gioi.gpkg", gpkg_bytes(frame.to_crs("EPSG:5897")), ()),
            ("ranh_gioi.gpkg", gpkg_bytes(frame.to_crs("EPSG:32648")), ()),
        ]

    def specific(self, area: Area, rng: random.Random) -> Specific:
        frame = boundary_frame(area)
        name = "ranh_gioi.gpkg"

        def sql(*statements: str) -> Callable[[sqlite3.Connection], None]:
            def edit(conn: sqlite3.Connection) -> None:
                for statement in statements:
                    conn.execute(statement)

            return edit

        local = LOCAL_CS.replace("'", "''")
        edits = {
            "srs LOCAL_CS": sql(
                f"UPDATE gpkg_spatial_ref_sys SET definition = '{local}', organization = 'NONE', organization_coordsys_id = 999999 WHERE srs_id = 4326"
            ),
            "srs garbage": sql(
                "UPDATE gpkg_spatial_ref_sys SET definition = 'GEOGCS[garbage', organization = 'x', organization_coordsys_id = 1 WHERE srs_id = 4326"
            ),
            "srs id unknown": sql("UPDATE gpkg_geometry_columns SET srs_id = 123456"),
            "srs undefined (0)": sql("UPDATE gpkg_geometry_columns SET srs_id = 0"),
            "geometry garbage": sql("UPDATE xa SET geom = X'4750000100000000DEADBEEF'"),
            "geometry empty blob": sql("UPDATE xa SET geom = X''"),
            "geometry NULL": sql("UPDATE xa SET geom = NULL"),
            "geometry text": sql("UPDATE xa SET geom = 'POLYGON((0 0,1 0,1 1,0 0))'"),
            "geometry NaN WKB": sql(
                "UPDATE xa SET geom = X'47500001E6100000' || X'0103000000010000000400000000000000000000F87F000000000000F87F000000000000F87F000000000000F87F000000000000F87F000000000000F87F000000000000F87F000000000000F87F'"
            ),
            "geometry infinite WKB": sql(
                "UPDATE xa SET geom = X'47500001E6100000' || X'010300000001000000040000000000000000F07F000000000000F07F000000000000F07F0000000000003440000000000000F03F000000000000F03F000000000000F07F000000000000F07F'"
            ),
            "geometry point": sql(
                "UPDATE xa SET geom = X'47500001E6100000' || X'01010000000000000000405A400000000000003440'"
            ),
            "geometry type LINESTRING": sql(
                "UPDATE gpkg_geometry_columns SET geometry_type_name = 'LINESTRING'"
            ),
            "names control chars": sql(
                "UPDATE xa SET TenXa = 'a' || char(0) || char(27) || '[31m' || char(7)"
            ),
            "names invalid UTF-8": sql("UPDATE xa SET TenXa = CAST(X'EDA080FFFE' AS TEXT)"),
            "names 1 MB": sql("UPDATE xa SET TenXa = printf('%.1000000c', 'x')"),
            "codes huge integer": sql("UPDATE xa SET MaXa = 99999999999999999999999"),
            "codes blob": sql("UPDATE xa SET MaXa = X'00FF'"),
            "population 1e308": sql("UPDATE xa SET DanSo = 1e308"),
            "population text": sql("UPDATE xa SET DanSo = 'nhiều'"),
            "population inf": sql("UPDATE xa SET DanSo = 9e999"),
            "contents dropped": sql("DELETE FROM gpkg_contents"),
            "feature count lying": sql("UPDATE gpkg_ogr_contents SET feature_count = 900000000000"),
            "table dropped": sql("DROP TABLE xa"),
            "second layer": sql(
                "CREATE TABLE xb AS SELECT * FROM xa",
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('xb', 'features', 'xb', 4326)",
                "INSERT INTO gpkg_geometry_columns VALUES ('xb', 'geom', 'POLYGON', 4326, 0, 0)",
            ),
            "application id wrong": sql("PRAGMA application_id = 1"),
            "trigger bomb": sql(
                "CREATE TABLE t (x)",
                "CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO t VALUES (1); END",
            ),
            "view with recursion": sql(
                "CREATE VIEW v AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
            ),
        }
        for label, edit in edits.items():
            try:
                yield label, name, gpkg_bytes(frame, edit=edit), ()
            except sqlite3.Error:
                continue
        data = gpkg_bytes(frame)
        yield "LOCAL_CS --crs", name, data, ("--crs", LOCAL_CS)
        yield "header zeroed", name, b"\x00" * 100 + data[100:], ()
        yield "page size garbage", name, data[:16] + b"\xff\xff" + data[18:], ()
        yield "truncated to one page", name, data[:4096], ()
        yield "truncated", name, data[: len(data) // 2], ()
        yield "empty", name, b"", ()
        yield "not SQLite", name, b"SQLite format 3\x00" + b"\xff" * 200, ()
        yield "a GeoJSON named .gpkg", name, boundary_frame(area).to_json().encode(), ()

    def mutate(self, area: Area, rng: random.Random, name: str, data: bytes) -> tuple[str, bytes]:
        return mutate_bytes(data, rng)


_BUILDERS: dict[str, _Builder] = {
    "incidents_csv": _Table("incidents", ".csv"),
    "incidents_xlsx": _Table("incidents", ".xlsx"),
    "incidents_geojson": _GeoJson("incidents"),
    "boundaries_geojson": _GeoJson("boundaries"),
    "boundaries_zip": _ShapefileZip(),
    "boundaries_gpkg": _GeoPackage(),
    "population_csv": _Table("population", ".csv"),
    "population_xlsx": _Table("population", ".xlsx"),
    "offence_map_csv": _Table("offences", ".csv"),
}
