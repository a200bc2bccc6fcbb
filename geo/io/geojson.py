"""Parse a GeoJSON document once, for every reader: incident points (tables) and unit polygons (layers)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from geo._errors import DataError
from geo.formatting import format_number
from geo.io.files import decode_text
from geo.io.safety import Limits, clean_text, too_many_rows


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


def parse_document(data: bytes, *, name: str, limits: Limits | None = None) -> Document:
    """Decode and parse GeoJSON bytes; return its features and declared CRS.

    Integers too long for Python's int (over 4,300 digits) are read as floats (infinite when
    huge), ``NaN`` and ``Infinity`` (not JSON) refuse the file, and a document with more arrays and
    objects than `geo.io.safety.Limits.max_cells`, or more features than ``max_rows``, is refused
    before it is built in memory.

    Raises
    ------
    DataError
        The bytes are not text, not JSON, nested too deeply, too large, or not a GeoJSON
        FeatureCollection or Feature.
    """
    limits = limits or Limits.of()
    containers = data.count(b"[") + data.count(b"{")
    if containers > limits.max_cells:
        raise DataError(
            f"Tệp JSON có quá nhiều phần tử ({format_number(containers)} mảng và object; tối đa "
            f"{format_number(limits.max_cells)}): hãy tách thành nhiều tệp nhỏ hơn.",
            file=name,
        )
    text, _ = decode_text(data, name=name)
    try:
        document = json.loads(text, parse_int=_integer, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"Tệp không phải JSON hợp lệ (lỗi ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}).", file=name
        ) from exc
    except RecursionError as exc:
        raise DataError("Tệp JSON lồng nhau quá sâu: không phải GeoJSON hợp lệ.", file=name) from exc
    except _NotJsonError as exc:
        raise DataError(
            f"Tệp JSON chứa giá trị «{exc}» (không có trong JSON): hãy ghi số thực hoặc để trống (null).",
            file=name,
        ) from exc
    except ValueError as exc:
        raise DataError(f"Tệp không phải JSON hợp lệ ({clean_text(str(exc))[:200]}).", file=name) from exc
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
    if len(features) > limits.max_rows:
        raise too_many_rows(name, limits, len(features), at_least=False)
    member = document.get("crs")
    crs = None
    if isinstance(member, dict) and isinstance(member.get("properties"), dict):
        crs = clean_text(str(member["properties"].get("name") or ""))[:500] or None
    return Document(features, crs, member)


class _NotJsonError(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity``, which Python's parser accepts and JSON does not."""


def _constant(text: str) -> Any:
    raise _NotJsonError(text)


_MAX_INT_DIGITS = 18


def _integer(text: str) -> int | float:
    """Return a JSON integer; one too long for an exact int is a float (``inf`` beyond 1e308)."""
    return int(text) if len(text) <= _MAX_INT_DIGITS else float(text)
