"""Parse a GeoJSON document once, for every reader: incident points (tables) and unit polygons (layers)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from geo._errors import DataError
from geo.io.files import decode_text


@dataclass(frozen=True)
class Document:
    """A parsed GeoJSON FeatureCollection (a lone Feature becomes a collection of one).

    Attributes
    ----------
    features
        The features as written (dicts; anything else in the list is kept for the caller to report).
    crs
        The name in the legacy ``crs`` member (e.g. ``"EPSG:5897"``), or None (RFC 7946: WGS 84).
    crs_member
        The raw ``crs`` member, for messages.
    """

    features: list[Any]
    crs: str | None
    crs_member: Any = None


def parse_document(data: bytes, *, name: str) -> Document:
    """Decode and parse GeoJSON bytes; return its features and declared CRS.

    Raises
    ------
    DataError
        The bytes are not text, not JSON, or not a GeoJSON FeatureCollection or Feature.
    """
    text, _ = decode_text(data, name=name)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"Tệp không phải JSON hợp lệ (lỗi ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}).", file=name
        ) from exc
    except RecursionError as exc:
        raise DataError("Tệp JSON lồng nhau quá sâu: không phải GeoJSON hợp lệ.", file=name) from exc
    kind = document.get("type") if isinstance(document, dict) else None
    if kind == "Feature":
        features: Any = [document]
    elif kind == "FeatureCollection" or (isinstance(document, dict) and "features" in document):
        features = document.get("features")
    else:
        raise DataError('Tệp JSON không phải GeoJSON (thiếu "type": "FeatureCollection").', file=name)
    if not isinstance(features, list):
        raise DataError(
            "Tệp JSON không phải GeoJSON FeatureCollection (features không phải danh sách).", file=name
        )
    member = document.get("crs")
    crs = None
    if isinstance(member, dict) and isinstance(member.get("properties"), dict):
        crs = str(member["properties"].get("name") or "") or None
    return Document(features, crs, member)
