"""The commune (unit) schema: standard columns, normalising any polygon layer, the area outline, point-in-unit."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS

from geo import settings
from geo._errors import BoundaryError

COLUMNS = ["code", "name", "kind", "population", "population_year", "approximate", "note", "geometry"]
"""Columns of a communes GeoDataFrame, in order."""


def crs_label(crs: Any) -> str:
    """Return a CRS as shown to analysts: ``EPSG:<code>`` when it has one, else its name.

    Examples
    --------
    >>> crs_label("epsg:5897")
    'EPSG:5897'
    """
    value = CRS.from_user_input(crs)
    code = value.to_epsg()
    return f"EPSG:{code}" if code else value.name


def normalise(
    frame: gpd.GeoDataFrame,
    *,
    code_field: str = "code",
    name_field: str = "name",
    population_field: str | None = "population",
    file: str | None = None,
) -> gpd.GeoDataFrame:
    """Return a communes GeoDataFrame with the standard `COLUMNS` from any polygon layer.

    Raises
    ------
    BoundaryError
        A required field is missing, a code is empty or repeated.
    """
    if frame.crs is None:
        raise BoundaryError("lớp ranh giới không có hệ tọa độ (CRS).", file=file)
    for label, fld in (("mã xã", code_field), ("tên xã", name_field)):
        if fld not in frame.columns:
            raise BoundaryError(
                f"không có trường {label} «{fld}». Các trường có: {', '.join(map(str, frame.columns))}.",
                file=file,
                field=fld,
            )
    codes = frame[code_field].astype(str).str.strip()
    empty = codes.isin(["", "nan", "None"])
    if empty.any():
        row = int(empty.to_numpy().nonzero()[0][0]) + 1
        raise BoundaryError("mã xã bị trống.", file=file, row=row, field=code_field)
    dupes = codes[codes.duplicated()].unique()
    if len(dupes):
        raise BoundaryError(f"mã xã bị lặp: {', '.join(dupes[:5])}.", file=file, field=code_field)
    population = (
        pd.to_numeric(frame[population_field], errors="coerce").fillna(0).astype(int)
        if population_field and population_field in frame.columns
        else pd.Series(0, index=frame.index)
    )
    out = gpd.GeoDataFrame(
        {
            "code": codes.to_numpy(),
            "name": frame[name_field].astype(str).str.strip().to_numpy(),
            "kind": (
                frame["kind"] if "kind" in frame.columns else pd.Series("xa", index=frame.index)
            ).to_numpy(),
            "population": population.to_numpy(),
            "population_year": (
                pd.to_numeric(frame["population_year"], errors="coerce").fillna(0).astype(int).to_numpy()
                if "population_year" in frame.columns
                else 0
            ),
            "approximate": (
                frame["approximate"].astype(bool).to_numpy() if "approximate" in frame.columns else False
            ),
            "note": (frame["note"].astype(str).to_numpy() if "note" in frame.columns else ""),
        },
        geometry=shapely.make_valid(frame.to_crs(settings.CRS_WGS84).geometry.to_numpy()),
        crs=settings.CRS_WGS84,
    )
    return out.sort_values("code").reset_index(drop=True)[COLUMNS]


def district_outline(communes: gpd.GeoDataFrame) -> shapely.Geometry:
    """Return the union of the commune polygons (EPSG:4326)."""
    return shapely.union_all(communes.geometry.to_numpy())


def assign_commune(communes: gpd.GeoDataFrame, lon: Any, lat: Any) -> pd.Series:
    """Return the code of the commune containing each point ("" where none does).

    Uses one vectorised ``shapely.contains_xy`` per commune (DESIGN.md §4: the fastest of the
    measured approaches, 0.5 s for 1M points and 13 real boundaries).
    """
    lon_arr = pd.to_numeric(pd.Series(lon), errors="coerce").to_numpy(dtype=float)
    lat_arr = pd.to_numeric(pd.Series(lat), errors="coerce").to_numpy(dtype=float)
    codes = pd.Series("", index=range(len(lon_arr)), dtype=object)
    for code, geom in zip(communes["code"], communes.geometry, strict=True):
        inside = shapely.contains_xy(geom, lon_arr, lat_arr)
        codes[inside & (codes == "").to_numpy()] = code
    return codes.astype(str)
