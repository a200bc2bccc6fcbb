"""Finding a place to centre a map on: a coordinate, a commune by name or a hamlet from incident addresses."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

import geopandas as gpd
import pandas as pd

from geo.communes import name_key
from geo.taxonomy import fold

PlaceKind = Literal["coordinate", "commune", "address"]

COORDINATE_ZOOM: Final = 16
ADDRESS_ZOOM: Final = 15
RESULTS_MAX: Final = 8
ADDRESS_PARTS_MAX: Final = 20_000
"""Most address parts indexed (the most frequent first)."""

_NUMBER: Final = r"[-+]?\d{1,3}(?:[.,]\d+)?"
_DECIMAL: Final = re.compile(rf"^\s*({_NUMBER})\s*[,;/\s]\s*({_NUMBER})\s*$")
_DMS_PART: Final = re.compile(
    r"(\d{1,3}(?:[.,]\d+)?)\s*[°º]\s*"
    r"(?:(\d{1,2}(?:[.,]\d+)?)\s*['′’]\s*)?"
    r"(?:(\d{1,2}(?:[.,]\d+)?)\s*(?:\"|″|”|''|′′)\s*)?"
    r"([NSEWBĐTnsewbđt]?)"
)
_HEMISPHERES: Final = {"n": 1, "b": 1, "s": -1, "e": 1, "đ": 1, "w": -1, "t": -1}
"""N/B(ắc) north, S south, E/Đ(ông) east, W/T(ây) west; "N" is read as North (as GPS devices write it)."""
_LATITUDE_LETTERS: Final = frozenset("nsb")


@dataclass(frozen=True)
class Place:
    """A place found by `find_places`."""

    kind: PlaceKind
    label: str
    lat: float
    lon: float
    zoom: int | None = None
    """Zoom to open at (None: fit ``bounds``)."""
    bounds: tuple[float, float, float, float] | None = None
    """West, south, east, north of a commune."""
    count: int = 0
    """Incidents at an address."""


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def parse_coordinate(text: str) -> tuple[float, float] | None:
    r"""Return (latitude, longitude) written in ``text``, or None.

    Decimal degrees in either order (a value above 90 is the longitude), with a decimal point or
    comma, or degrees, minutes and seconds with N/S/E/W or B/Đ/T (Bắc, Đông, Tây).

    Examples
    --------
    >>> parse_coordinate("19.98, 105.63")
    (19.98, 105.63)
    >>> parse_coordinate("105,63 19,98")
    (19.98, 105.63)
    >>> parse_coordinate("19°58'48\"N 105°37'48\"E")
    (19.98, 105.63)
    >>> parse_coordinate("Vĩnh Hùng") is None
    True
    """
    cleaned = unicodedata.normalize("NFC", text).strip()
    decimal = _DECIMAL.match(cleaned)
    if decimal:
        a, b = _number(decimal.group(1)), _number(decimal.group(2))
        lat, lon = (b, a) if abs(a) > 90 >= abs(b) else (a, b)
        return _checked(lat, lon)
    parts = [m for m in _DMS_PART.finditer(cleaned) if m.group(0).strip()]
    if len(parts) != 2:
        return None
    values = []
    for match in parts:
        degrees, minutes, seconds, letter = match.groups()
        value = _number(degrees) + _number(minutes or "0") / 60 + _number(seconds or "0") / 3600
        sign = _HEMISPHERES.get(letter.lower(), 1)
        values.append((value * sign, letter.lower()))
    (a, la), (b, lb) = values
    if (lb in _LATITUDE_LETTERS and la not in _LATITUDE_LETTERS) or (
        not (la or lb) and abs(a) > 90 >= abs(b)
    ):
        a, b = b, a
    return _checked(round(a, 6), round(b, 6))


def _checked(lat: float, lon: float) -> tuple[float, float] | None:
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        return lat, lon
    return None


def _address_key(text: str) -> str:
    return fold(unicodedata.normalize("NFC", text))


def address_index(incidents: pd.DataFrame) -> pd.DataFrame:
    """Return the places named in incident addresses: each comma-separated part, where its incidents are.

    "Thôn Đông, xã Vĩnh Hùng" gives "Thôn Đông" (and "xã Vĩnh Hùng"), at the median of the located
    incidents whose address holds it. Columns: ``key`` (folded), ``label`` (its most frequent
    spelling), ``lat``, ``lon``, ``count``; the most frequent first.
    """
    columns = ["key", "label", "lat", "lon", "count"]
    if incidents.empty or "address" not in incidents:
        return pd.DataFrame(columns=columns)
    located = incidents[incidents["lat"].notna() & incidents["lon"].notna()]
    text = located["address"].astype(str).str.strip()
    keep = text.ne("") & text.ne("nan")
    parts = text[keep].str.split(r"[,;|]").explode().str.strip()
    parts = parts[parts.str.len().between(2, 120)]
    if parts.empty:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame({"label": parts.to_numpy(), "lat": located.loc[parts.index, "lat"].to_numpy()})
    frame["lon"] = located.loc[parts.index, "lon"].to_numpy()
    frame["key"] = [_address_key(v) for v in frame["label"]]
    grouped = frame.groupby("key", sort=False)
    index = pd.DataFrame(
        {
            "label": grouped["label"].agg(lambda s: s.value_counts().index[0]),
            "lat": grouped["lat"].median(),
            "lon": grouped["lon"].median(),
            "count": grouped.size(),
        }
    ).reset_index()
    index = index.sort_values(["count", "key"], ascending=[False, True]).head(ADDRESS_PARTS_MAX)
    return index[columns].reset_index(drop=True)


def _rank(key: str, candidate: str) -> int | None:
    """0 for the same key, 1 when the candidate starts with it, 2 when it holds it, else None."""
    if not key or not candidate:
        return None
    if candidate == key:
        return 0
    if candidate.startswith(key):
        return 1
    if key in candidate:
        return 2
    return None


def find_places(
    text: str, communes: gpd.GeoDataFrame, addresses: pd.DataFrame | None = None, *, limit: int = RESULTS_MAX
) -> list[Place]:
    """Return the places ``text`` names, best first: a coordinate, then communes, then address parts.

    Commune names match in any spelling `geo.communes.name_key` folds alike ("Xã Vĩnh Hùng",
    "vinh hung", "VĩnhHùng"); addresses match without diacritics or case (`address_index`).
    """
    text = text.strip()[:200]
    if not text:
        return []
    found = parse_coordinate(text)
    if found is not None:
        lat, lon = found
        return [Place("coordinate", f"{lat:.6f}, {lon:.6f}", lat, lon, zoom=COORDINATE_ZOOM)]
    places: list[tuple[int, int, Place]] = []
    key, marked = name_key(text), name_key(text, marks=True)
    for row in communes.itertuples(index=False):
        rank = _rank(key, name_key(row.name))
        if rank is None:
            continue
        if rank == 0 and marked != name_key(row.name, marks=True):
            rank = 1  # "Vĩnh Hùng" before "Vĩnh Hưng", which folds alike
        west, south, east, north = (float(v) for v in row.geometry.bounds)
        point = row.geometry.representative_point()
        places.append(
            (rank, 0, Place("commune", str(row.name), point.y, point.x, bounds=(west, south, east, north)))
        )
    if addresses is not None and not addresses.empty:
        folded = _address_key(text)
        columns = (addresses[c].tolist() for c in ("key", "label", "lat", "lon", "count"))
        for candidate, label, lat, lon, count in zip(*columns, strict=True):
            rank = _rank(folded, str(candidate))
            if rank is not None:
                place = Place("address", str(label), float(lat), float(lon), ADDRESS_ZOOM, count=int(count))
                places.append((rank + 1, -int(count), place))
    places.sort(key=lambda item: (item[0], item[1], item[2].label))
    return [place for _, _, place in places[:limit]]
