"""The geometry of an imported boundary file: in degrees, repaired, one polygon a unit, inside the area, aligned.

`geo.io.boundary_import` reads the file's fields and units; this module does what their shapes need: the file's
coordinates turned to WGS 84 and checked to be degrees (`in_degrees`), invalid shapes repaired with a note per
unit (`repair`), a multipolygon of one part made a polygon (`single_parts`), units kept to the outline they
must lie in (`within`), and how far units drawn from different sources stand apart (`alignment`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo import settings
from geo._errors import BoundaryError
from geo._validate import Issue, value_text
from geo.communes import (
    metric_crs,
)


def in_degrees(frame: gpd.GeoDataFrame, *, name: str, source_crs: str) -> gpd.GeoDataFrame:
    """Return ``frame`` in WGS 84; a vertex that lands off the globe (huge or misread coordinates) refuses the file."""
    converted = frame.to_crs(settings.CRS_WGS84)
    coordinates, index = shapely.get_coordinates(converted.geometry.to_numpy(), return_index=True)
    lon, lat = coordinates[:, 0], coordinates[:, 1]
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90))
    if bad.any():
        row = int(converted["__row"].iloc[int(index[np.flatnonzero(bad)[0]])])
        raise BoundaryError(
            f"Tọa độ nằm ngoài trái đất khi đọc theo hệ {source_crs}: kiểm tra hệ tọa độ (mã EPSG) và tọa độ "
            "của đối tượng này.",
            file=name,
            row=row,
            field="geometry",
        )
    return converted


def repair(frame: gpd.GeoDataFrame, field_map: dict[str, str]) -> tuple[gpd.GeoDataFrame, list[Issue]]:
    """Repair invalid geometries with ``make_valid`` (keeping the polygons) and report each repair."""
    issues = []
    geometries = frame.geometry.to_numpy()
    invalid = ~shapely.is_valid(geometries)
    for index in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geometries[index])
        fixed = polygons(shapely.make_valid(geometries[index]))
        code = value_text(frame[field_map["code"]].iloc[index])
        issues.append(
            Issue(
                int(frame["__row"].iloc[index]),
                field_map["code"],
                code,
                f"Hình học không hợp lệ ({reason}): đã sửa bằng make_valid; hãy xem lại ranh giới xã này.",
                "warning",
            )
        )
        geometries[index] = fixed
    return frame.set_geometry(gpd.GeoSeries(geometries, index=frame.index, crs=frame.crs)), issues


def single_parts(geometries: gpd.GeoSeries) -> gpd.GeoSeries:
    """Return one-part MultiPolygons as Polygons (formats differ in which they write)."""
    values = geometries.to_numpy().copy()
    multi = shapely.get_type_id(values) == shapely.GeometryType.MULTIPOLYGON
    single = multi & (shapely.get_num_geometries(values) == 1)
    values[single] = shapely.get_geometry(values[single], 0)
    return gpd.GeoSeries(values, index=geometries.index, crs=geometries.crs)


def polygons(geometry: shapely.Geometry) -> shapely.Geometry:
    """Return the polygonal parts of ``geometry`` (what a repair may leave beside lines and points), as one shape."""
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def outline_frame(outline: shapely.Geometry) -> gpd.GeoSeries:
    """Return ``outline`` (degrees) as a one-row GeoSeries in WGS 84."""
    return gpd.GeoSeries([outline], crs=settings.CRS_WGS84)


def within(frame: gpd.GeoDataFrame, outline: shapely.Geometry) -> tuple[gpd.GeoDataFrame, int]:
    """Return the units of ``frame`` whose inner point lies within 1 km of ``outline``, and how many were left out."""
    crs = metric_crs(gpd.GeoDataFrame(geometry=outline_frame(outline)))
    metric = frame.to_crs(crs)
    area = outline_frame(outline).to_crs(crs).iloc[0].buffer(1000)
    keep = shapely.contains(area, shapely.point_on_surface(metric.geometry.to_numpy()))
    return frame[keep], int((~keep).sum())


def alignment(communes: gpd.GeoDataFrame, outline: shapely.Geometry) -> tuple[float, list[Issue]]:
    """Measure how far the communes' outer edge strays from the district outline, and their overlaps."""
    crs = metric_crs(communes)
    metric = communes.to_crs(crs).geometry
    union = shapely.union_all(metric.to_numpy())
    target = outline_frame(outline).to_crs(crs).iloc[0]
    offset = float(shapely.hausdorff_distance(union.boundary, target.boundary, densify=0.25))
    issues = []
    if offset > settings.BOUNDARY_ALIGN_WARN_M:
        issues.append(
            Issue(
                None,
                "",
                f"{offset:.0f} m",
                f"Ranh giới các xã lệch tới {offset:.0f} m so với ranh giới huyện: kiểm tra hệ tọa độ "
                "hoặc tệp có đúng huyện không.",
                "warning",
            )
        )
    overlap = float(metric.area.sum() - union.area)
    if overlap > 0.005 * union.area:
        issues.append(
            Issue(
                None,
                "",
                f"{overlap / 1e6:.2f} km²",
                "Các xã chồng lên nhau: vụ việc ở phần chồng lấn sẽ được gán cho một xã.",
                "warning",
            )
        )
    return offset, issues
