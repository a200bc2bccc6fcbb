"""Place the checked rows: coordinates to lon/lat, points outside the area refused (or kept), swapped ones detected."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geo import settings
from geo._validate import Issue
from geo.communes import metric_crs


class Locator:
    """Convert coordinates to lon/lat, reject (or keep) points outside the area and detect swapped ones.

    Built once per file (the area's buffer and transformers), called for each chunk of rows.
    """

    def __init__(
        self, source_crs: CRS, outline: shapely.Geometry, *, tolerance_m: float, keep_outside: bool
    ) -> None:
        self.source_crs, self.outline = source_crs, outline
        self.tolerance_m, self.keep_outside = tolerance_m, keep_outside
        crs = _area_crs(outline)
        self.metric = Transformer.from_crs(settings.CRS_WGS84, crs, always_xy=True)
        self.area = shapely.buffer(_to_metric(outline, crs), tolerance_m)
        shapely.prepare(self.area)

    def inside(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Whether each WGS 84 point lies in the area (with its tolerance)."""
        mx, my = self.metric.transform(lons, lats)
        ok = np.isfinite(mx) & np.isfinite(my)
        result = np.zeros(len(lons), dtype=bool)
        result[ok] = shapely.contains_xy(self.area, mx[ok], my[ok])
        return result

    def __call__(
        self, frame: pd.DataFrame, columns: dict[str, str], xy_text: Callable[[int], str]
    ) -> tuple[pd.DataFrame, list[Issue]]:
        """Return one chunk's rows with lon/lat and ``ok`` updated, and an issue for each swapped or far point."""
        issues: list[Issue] = []
        x = pd.to_numeric(frame["x"], errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(frame["y"], errors="coerce").to_numpy(dtype=float)
        lon, lat = _to_wgs84(self.source_crs, x, y)
        has_xy = np.isfinite(x) & np.isfinite(y)
        placed = frame["placed"].fillna(False).to_numpy(dtype=bool)
        good = (self.inside(lon, lat) & has_xy) | placed
        swapped = ~good & has_xy
        if swapped.any():
            slon, slat = _to_wgs84(self.source_crs, y[swapped], x[swapped])
            swapped[swapped] = self.inside(slon, slat)
        far = ~good & has_xy & ~swapped
        if self.keep_outside:
            kept = far & np.isfinite(lon) & np.isfinite(lat)
            good, far = good | kept, far & ~kept
        source_rows = frame["source_row"].to_numpy(dtype=int)
        for index in np.flatnonzero(swapped):
            number = int(source_rows[index])
            issues.append(
                Issue(
                    number,
                    f"{columns['lon']} / {columns['lat']}",
                    xy_text(int(index)),
                    "Kinh độ và vĩ độ bị đảo chỗ (đổi chỗ thì điểm nằm trong huyện): hãy đổi lại hai giá trị.",
                )
            )
        distances = _distance_km(self.outline, lon, lat, far)
        for index in np.flatnonzero(far):
            number = int(source_rows[index])
            where = (
                f"cách ranh giới khoảng {distances[index]:.1f} km".replace(".", ",")
                if np.isfinite(distances[index])
                else "tọa độ sai"
            )
            issues.append(
                Issue(
                    number,
                    f"{columns['lon']} / {columns['lat']}",
                    xy_text(int(index)),
                    f"Điểm nằm ngoài huyện ({where}; chấp nhận tối đa {self.tolerance_m:.0f} m): kiểm tra tọa độ "
                    "và hệ tọa độ.",
                )
            )
        out = frame.assign(lon=np.round(lon, 7), lat=np.round(lat, 7))
        out["ok"] = out["ok"] & good
        return out, issues


def _to_wgs84(source: CRS, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if source.equals(CRS.from_user_input(settings.CRS_WGS84)):
        lon, lat = x.copy(), y.copy()
    else:
        transformer = Transformer.from_crs(source, settings.CRS_WGS84, always_xy=True)
        lon, lat = transformer.transform(x, y)
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    bad = ~((np.abs(lon) <= 180) & (np.abs(lat) <= 90))
    lon[bad] = np.nan
    lat[bad] = np.nan
    return lon, lat


def _area_crs(outline: shapely.Geometry) -> CRS:
    """The metric CRS of the area (UTM 48N in Vietnam, the local UTM zone elsewhere)."""
    if outline is None or outline.is_empty:
        return CRS.from_user_input(settings.CRS_METRIC)
    return metric_crs(gpd.GeoDataFrame(geometry=[outline], crs=settings.CRS_WGS84))


def _to_metric(geometry: shapely.Geometry, crs: CRS) -> shapely.Geometry:
    return gpd.GeoSeries([geometry], crs=settings.CRS_WGS84).to_crs(crs).iloc[0]


def _distance_km(outline: shapely.Geometry, lon: np.ndarray, lat: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.full(len(lon), np.nan)
    if not mask.any():
        return out
    crs = _area_crs(outline)
    metric = Transformer.from_crs(settings.CRS_WGS84, crs, always_xy=True)
    mx, my = metric.transform(lon[mask], lat[mask])
    out[mask] = shapely.distance(_to_metric(outline, crs), shapely.points(mx, my)) / 1000
    return out
