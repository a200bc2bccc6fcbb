"""Recognise the attributes of a unit layer: code, name, population, year and kind, by header or by content."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from geo._errors import BoundaryError
from geo.io.headers import header_key

BOUNDARY_FIELDS: dict[str, str] = {
    "code": "Mã xã (mã GSO)",
    "name": "Tên xã",
    "population": "Dân số",
    "population_year": "Năm số liệu dân số",
    "kind": "Loại (xã / thị trấn)",
}
"""Fields of a commune layer → their Vietnamese label."""

_ALIASES: dict[str, tuple[str, ...]] = {
    "code": (
        "ma xa",
        "ma dvhc",
        "ma don vi",
        "ma dv",
        "ma hc",
        "ma",
        "code",
        "commune code",
        "gso code",
        "id xa",
        "ma xa phuong",
        "pcode",
        "adm3 pcode",
        "adm2 pcode",
        "geocode",
        "unit code",
        "ward code",
    ),
    "name": (
        "ten xa",
        "ten dvhc",
        "ten don vi",
        "ten dv",
        "ten",
        "name",
        "commune",
        "xa",
        "ten xa phuong",
        "ten phuong xa",
        "ward",
        "ward name",
        "commune name",
        "unit name",
        "neighbourhood",
        "neighborhood",
        "name 3",
        "name 2",
        "nom",
        "nombre",
    ),
    "population": ("dan so", "so dan", "population", "pop", "ds"),
    "population_year": ("nam dan so", "nam", "population year", "year"),
    "kind": ("loai", "cap", "kind", "loai dvhc"),
}


def recognise_fields(
    frame: gpd.GeoDataFrame, fields: Mapping[str, str] | None, *, name: str
) -> dict[str, str]:
    """Return field → attribute of a layer: the analyst's ``fields`` first, then known headers, then content.

    Raises
    ------
    BoundaryError
        A chosen field or attribute does not exist, or no attribute can be the units' names.
    """
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    chosen: dict[str, str] = {}
    for key, column in (fields or {}).items():
        if key not in BOUNDARY_FIELDS:
            raise BoundaryError(
                f"Trường «{key}» không có; các trường: {', '.join(BOUNDARY_FIELDS)}.", file=name
            )
        if column not in columns:
            raise BoundaryError(
                f"Không có thuộc tính «{column}»; các thuộc tính: {', '.join(columns)}.",
                file=name,
                field=column,
            )
        chosen[key] = column
    for key, aliases in _ALIASES.items():
        if key in chosen:
            continue
        for alias in aliases:
            match = next((c for c in columns if c not in chosen.values() and header_key(c) == alias), None)
            if match is not None:
                chosen[key] = match
                break
    if "code" not in chosen:
        guess = next((c for c in columns if _looks_like_codes(frame[c])), None)
        if guess is not None:
            chosen["code"] = guess
    if "name" not in chosen:
        guess = next((c for c in columns if c not in chosen.values() and _looks_like_names(frame[c])), None)
        if guess is not None:
            chosen["name"] = guess
    # Without a code attribute the codes are made from the names (the caller says so).
    missing = [BOUNDARY_FIELDS[k] for k in ("code", "name") if k not in chosen]
    if "name" in chosen:
        missing = []
    if missing:
        raise BoundaryError(
            f"Không tìm thấy thuộc tính cho: {', '.join(missing)}. Các thuộc tính: {', '.join(columns)}. "
            "Hãy chọn thuộc tính tương ứng (trang Dữ liệu) hoặc dùng --field code=… name=….",
            file=name,
        )
    return chosen


def _looks_like_names(values: pd.Series) -> bool:
    """A column of distinct words (not numbers): the units' names in a file whose header is unknown."""
    text = values.dropna().astype(str).str.strip()
    text = text[text != ""]
    if not len(text) or not text.is_unique:
        return False
    numeric = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").notna()
    return bool(numeric.mean() < 0.2) and bool(text.str.contains(r"[^\W\d_]", regex=True).all())


def _looks_like_codes(values: pd.Series) -> bool:
    text = values.dropna().astype(str).str.replace(r"\.0$", "", regex=True)
    return bool(len(text)) and bool(text.str.fullmatch(r"\d{5}").all()) and text.is_unique
