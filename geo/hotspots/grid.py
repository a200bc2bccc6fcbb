"""Square analysis grid in metres (the area's metric CRS) clipped to the area: cell counts and kernel density.

The grid is the common frame of the hotspot analytics (DESIGN.md §6): counts per cell feed the
Getis-Ord Gi* statistic (`geo.hotspots.gistar`) and the space-time cube (`geo.hotspots.emerging`); the kernel
density is what the density map layer draws, in incidents per km² so that one colour means one
density at every zoom level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TypedDict, Unpack

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.signal import fftconvolve

from geo import settings
from geo._errors import ConfigError, DataError
from geo.communes import metric_crs
from geo.hotspots.edges import edge_correction_arrays
from geo.hotspots.pixels import PixelCounts, bin_xy


@dataclass(frozen=True, eq=False)
class Grid:
    """A square grid in a metric CRS; row 0 is the southernmost row, column 0 the westernmost.

    Attributes
    ----------
    x0, y0
        West and south edges of the grid (metres), multiples of ``cell_m``.
    cell_m
        Side of a cell (metres).
    nx, ny
        Number of columns and rows.
    inside
        Boolean array (ny, nx): the cell overlaps the district.
    outline
        The district outline in `crs`.
    crs
        The metric CRS of the grid (EPSG:32648 for Thanh Hóa; the area's UTM zone elsewhere).
    """

    x0: float
    y0: float
    cell_m: float
    nx: int
    ny: int
    inside: np.ndarray
    outline: shapely.Geometry
    crs: str = settings.CRS_METRIC

    @property
    def shape(self) -> tuple[int, int]:
        """The (rows, columns) shape of per-cell arrays."""
        return (self.ny, self.nx)

    @property
    def n_inside(self) -> int:
        """The number of cells that overlap the district."""
        return int(self.inside.sum())

    @property
    def cell_km2(self) -> float:
        """The area of one cell in km²."""
        return self.cell_m * self.cell_m / 1e6

    def project(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return WGS 84 longitudes and latitudes in the grid's metres."""
        return project(lon, lat, crs=self.crs)

    def unproject(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the longitudes and latitudes of points in the grid's metres."""
        return unproject(x, y, crs=self.crs)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the x and y (metres) of every cell centre as (ny, nx) arrays."""
        xs = self.x0 + (np.arange(self.nx) + 0.5) * self.cell_m
        ys = self.y0 + (np.arange(self.ny) + 0.5) * self.cell_m
        return np.meshgrid(xs, ys)

    def cell_index(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return the flat cell index (``row * nx + col``) of each point; -1 outside the district."""
        col = np.floor((np.asarray(x, dtype=float) - self.x0) / self.cell_m)
        row = np.floor((np.asarray(y, dtype=float) - self.y0) / self.cell_m)
        ok = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        flat = np.where(ok, row * self.nx + col, -1).astype(np.int64)
        flat[ok] = np.where(self.inside.ravel()[flat[ok]], flat[ok], -1)
        return flat


@lru_cache(maxsize=2)
def _transformer(source: str, target: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def project(
    lon: np.ndarray, lat: np.ndarray, *, crs: str = settings.CRS_METRIC
) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS 84 longitudes and latitudes to metres of ``crs`` (default EPSG:32648).

    Examples
    --------
    >>> x, y = project(np.array([105.0]), np.array([0.0]))
    >>> round(float(x[0]))
    500000
    """
    x, y = _transformer(settings.CRS_WGS84, crs).transform(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    )
    return np.asarray(x), np.asarray(y)


def unproject(
    x: np.ndarray, y: np.ndarray, *, crs: str = settings.CRS_METRIC
) -> tuple[np.ndarray, np.ndarray]:
    """Return WGS 84 longitudes and latitudes of coordinates in ``crs`` (the inverse of `project`)."""
    lon, lat = _transformer(crs, settings.CRS_WGS84).transform(
        np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    )
    return np.asarray(lon), np.asarray(lat)


def make_grid(
    communes: gpd.GeoDataFrame, *, cell_m: float = settings.GRID_CELL_M, crs: str | None = None
) -> Grid:
    """Build the grid of ``cell_m`` cells covering the union of ``communes``.

    Parameters
    ----------
    communes
        Commune polygons with a CRS (any; they are projected to the metric CRS).
    cell_m
        Side of a cell in metres.
    crs
        The metric CRS; default: the area's (`geo.communes.metric_crs`), so a 250 m cell is 250 m
        anywhere on Earth.

    Returns
    -------
    Grid
        Origin snapped to multiples of ``cell_m`` so the same outline always gives the same cells.
    """
    if communes.crs is None:
        raise DataError("Ranh giới xã chưa có hệ tọa độ (CRS): hãy gán CRS trước khi lập lưới.")
    if not cell_m > 0:
        raise ConfigError(f"Kích thước ô lưới phải lớn hơn 0 m (nhận {cell_m}).")
    crs = crs or metric_crs(communes).to_string()
    outline = shapely.union_all(communes.to_crs(crs).geometry.to_numpy())
    if outline.is_empty:
        raise DataError("Không có ranh giới xã nào để lập lưới.")
    minx, miny, maxx, maxy = outline.bounds
    x0 = math.floor(minx / cell_m) * cell_m
    y0 = math.floor(miny / cell_m) * cell_m
    nx = max(1, math.ceil((maxx - x0) / cell_m))
    ny = max(1, math.ceil((maxy - y0) / cell_m))
    cols, rows = np.meshgrid(np.arange(nx), np.arange(ny))
    boxes = shapely.box(
        x0 + cols * cell_m, y0 + rows * cell_m, x0 + (cols + 1) * cell_m, y0 + (rows + 1) * cell_m
    )
    shapely.prepare(outline)
    overlap = shapely.intersects(outline, boxes) & ~shapely.touches(outline, boxes)
    return Grid(
        x0=x0, y0=y0, cell_m=cell_m, nx=nx, ny=ny, inside=np.asarray(overlap), outline=outline, crs=crs
    )


def cell_counts(grid: Grid, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return the number of points in each cell as an int64 (ny, nx) array (0 outside the district)."""
    return pixel_cell_counts(grid, bin_xy(x, y, crs=grid.crs, pixel_m=grid.cell_m))


def _ratio(big: float, small: float, what: str) -> int:
    """Return ``big / small`` as an integer (a cell is that many pixels wide), or raise ConfigError."""
    ratio = round(big / small) if small > 0 else 0
    if ratio < 1 or abs(big / small - ratio) > 1e-9:
        raise ConfigError(f"{what}: {big:g} m không chia hết cho điểm ảnh {small:g} m.")
    return ratio


def _check_crs(grid: Grid, pixels: PixelCounts) -> None:
    if pixels.crs != grid.crs:
        raise ConfigError(
            f"Số đếm theo điểm ảnh ở hệ tọa độ {pixels.crs}, lưới điểm nóng ở {grid.crs}: "
            "hãy tính lại số đếm (nhập lại ranh giới)."
        )


def pixel_cells(grid: Grid, pixels: PixelCounts) -> np.ndarray:
    """Return the flat cell index (``row * nx + col``) of every row of ``pixels``; -1 outside the district.

    The pixels must tile the cells: ``cell_m`` a whole number of ``pixels.pixel_m`` (the grid's
    origin is a multiple of ``cell_m``, so a pixel is never cut by a cell's edge).
    """
    _check_crs(grid, pixels)
    per_cell = _ratio(grid.cell_m, pixels.pixel_m, "Ô lưới")
    col = np.floor_divide(pixels.gx, per_cell) - round(grid.x0 / grid.cell_m)
    row = np.floor_divide(pixels.gy, per_cell) - round(grid.y0 / grid.cell_m)
    ok = (col >= 0) & (col < grid.nx) & (row >= 0) & (row < grid.ny)
    flat = np.where(ok, row * grid.nx + col, -1).astype(np.int64)
    flat[ok] = np.where(grid.inside.ravel()[flat[ok]], flat[ok], -1)
    return flat


def pixel_cell_counts(grid: Grid, pixels: PixelCounts) -> np.ndarray:
    """Return the incidents of ``pixels`` in each cell as an int64 (ny, nx) array (0 outside the district)."""
    flat = pixel_cells(grid, pixels)
    ok = flat >= 0
    counts = np.bincount(flat[ok], weights=pixels.n[ok], minlength=grid.nx * grid.ny)
    return np.rint(counts).astype(np.int64).reshape(grid.shape)


def quartic_kernel(*, bandwidth_m: float, pixel_m: float) -> np.ndarray:
    """Return the 2-D quartic (biweight) kernel sampled on ``pixel_m`` pixels, summing to 1.

    ``K(d) ∝ (1 - d²/h²)²`` for ``d < h`` (ArcGIS and CrimeStat's quartic kernel); the discrete
    weights are normalised so no incident's mass is gained or lost by the sampling.
    """
    if not bandwidth_m > 0:
        raise ConfigError(f"Bán kính làm mịn (bandwidth) phải lớn hơn 0 m (nhận {bandwidth_m}).")
    radius = max(1, math.ceil(bandwidth_m / pixel_m))
    offsets = np.arange(-radius, radius + 1) * pixel_m
    dx, dy = np.meshgrid(offsets, offsets)
    share = (dx * dx + dy * dy) / (bandwidth_m * bandwidth_m)
    kernel = np.where(share < 1.0, (1.0 - share) ** 2, 0.0)
    return kernel / kernel.sum()


class DensityOptions(TypedDict, total=False):
    """The smoothing's options of `pixel_density` (each has the default of `settings`)."""

    bandwidth_m: float
    subcells: int
    edge_correction: bool


def density(
    grid: Grid,
    x: np.ndarray,
    y: np.ndarray,
    *,
    steps: np.ndarray | None = None,
    n_steps: int = 1,
    **options: Unpack[DensityOptions],
) -> np.ndarray:
    """Return the kernel density of points in the grid's metres (`pixel_density` of the points binned).

    ``steps`` gives the time step of each point (see `pixel_density`); points without coordinates
    are left out.
    """
    subcells = options.get("subcells", settings.KDE_SUBCELLS)
    if subcells < 1:
        raise ConfigError(f"Số điểm ảnh mỗi cạnh ô phải ít nhất là 1 (nhận {subcells}).")
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    return pixel_density(
        grid,
        bin_xy(x[ok], y[ok], crs=grid.crs, pixel_m=grid.cell_m / subcells),
        steps=None if steps is None else np.asarray(steps, dtype=np.int64)[ok],
        n_steps=n_steps,
        **options,
    )


def pixel_density(
    grid: Grid,
    pixels: PixelCounts,
    *,
    bandwidth_m: float = settings.KDE_BANDWIDTH_M,
    subcells: int = settings.KDE_SUBCELLS,
    steps: np.ndarray | None = None,
    n_steps: int = 1,
    edge_correction: bool = settings.KDE_EDGE_CORRECTION,
) -> np.ndarray:
    """Return the quartic kernel density of incidents counted per pixel, in incidents per km², averaged per cell.

    The incidents are binned on pixels of ``cell_m / subcells`` metres, smoothed with the quartic kernel
    of ``bandwidth_m`` (FFT convolution) and averaged back onto the grid's cells, so the value of a
    cell is the mean density over its area whatever the cell size.

    With ``edge_correction`` (the default) the density at each pixel is divided by the share of the
    kernel centred there that falls inside the study area (Diggle's correction): without it a place
    on the district's edge loses the part of its kernel that lies outside, where no incident can be
    recorded, and reads up to half (on a straight edge) or three quarters (in a corner) too low. A
    cell's value is then the mean over its pixels inside the study area, so a border cell cut by
    the outline is not diluted by the land outside either.

    Limits that remain: the correction assumes incidents could occur anywhere inside the outline at
    the local rate (a river, a forest or a hill inside the district still counts as open ground,
    and so does the neighbouring district's side of a road on the border, whose incidents are in
    another ledger); the divisor is floored at ``settings.KDE_EDGE_MIN_SHARE``, so in a strip
    narrower than the bandwidth the density is still too low; the correction multiplies the noise
    of the few incidents near the edge along with their density; the kernel is sampled on pixels
    (``subcells`` per cell side) and the map shows one value per cell, so detail finer than a cell
    (a single building, one side of a street) is not resolved.

    Parameters
    ----------
    grid
        The analysis grid.
    pixels
        The incidents counted on the smoothing's pixels (``pixels.pixel_m == grid.cell_m / subcells``,
        the same CRS as the grid).
    bandwidth_m
        Kernel radius in metres.
    subcells
        Pixels per cell side for the smoothing.
    steps
        Optional time-step index (0 … ``n_steps`` - 1) of each row of ``pixels``; rows with other
        values are ignored. With it the result has one layer per step.
    n_steps
        Number of time steps when ``steps`` is given.
    edge_correction
        Divide by the share of each kernel inside the study area (see above).

    Returns
    -------
    numpy.ndarray
        (ny, nx) densities, or (n_steps, ny, nx) with ``steps``; 0 outside the district.
    """
    if subcells < 1:
        raise ConfigError(f"Số điểm ảnh mỗi cạnh ô phải ít nhất là 1 (nhận {subcells}).")
    _check_crs(grid, pixels)
    pixel = grid.cell_m / subcells
    if abs(pixels.pixel_m - pixel) > 1e-9 * pixel:
        raise ConfigError(
            f"Mật độ cần số đếm theo điểm ảnh {pixel:g} m (nhận điểm ảnh {pixels.pixel_m:g} m)."
        )
    pny, pnx = grid.ny * subcells, grid.nx * subcells
    col = pixels.gx - round(grid.x0 / grid.cell_m) * subcells
    row = pixels.gy - round(grid.y0 / grid.cell_m) * subcells
    layer = np.zeros(len(col), dtype=np.int64) if steps is None else np.asarray(steps, dtype=np.int64)
    layers = 1 if steps is None else n_steps
    ok = (col >= 0) & (col < pnx) & (row >= 0) & (row < pny) & (layer >= 0) & (layer < layers)
    flat = (layer[ok] * pny + row[ok]) * pnx + col[ok]
    binned = np.bincount(flat, weights=pixels.n[ok], minlength=layers * pny * pnx).reshape(layers, pny, pnx)
    kernel = quartic_kernel(bandwidth_m=bandwidth_m, pixel_m=pixel)
    mask, share = (
        edge_correction_arrays(grid, subcells, kernel, bandwidth_m) if edge_correction else (None, None)
    )
    result = np.zeros((layers, grid.ny, grid.nx))
    # Layers are smoothed a few at a time: the FFT of every month of a large area at once would
    # need gigabytes.
    chunk = max(1, _FFT_PIXELS // (pny * pnx))
    for first in range(0, layers, chunk):
        part = binned[first : first + chunk]
        if part.any():
            result[first : first + chunk] = _smooth_cells(
                grid, part, kernel, subcells, mask=mask, share=share
            )
    return result[0] if steps is None else result


_FFT_PIXELS = 4_000_000
"""Pixels smoothed in one FFT (a few hundred megabytes of working memory at most)."""


def _smooth_cells(
    grid: Grid,
    binned: np.ndarray,
    kernel: np.ndarray,
    subcells: int,
    *,
    mask: np.ndarray | None,
    share: np.ndarray | None,
) -> np.ndarray:
    """Smooth (layers, pny, pnx) pixel counts and return the mean density per cell (per km², 0 outside)."""
    layers = binned.shape[0]
    smooth = fftconvolve(binned.astype(float), kernel[None, :, :], mode="same", axes=(1, 2))
    # FFT round-off leaves values of ±1e-15 where no kernel reaches; the smallest true share of one
    # incident in a pixel is about 1e-5, so anything below 1e-9 is set to exactly 0.
    smooth[smooth < 1e-9] = 0.0
    blocks = (layers, grid.ny, subcells, grid.nx, subcells)
    if mask is None or share is None:
        return smooth.reshape(blocks).sum(axis=(2, 4)) / grid.cell_km2 * grid.inside
    smooth /= share[None]
    whole = smooth.reshape(blocks).sum(axis=(2, 4)) / grid.cell_km2
    smooth *= mask[None]
    n_in = mask.reshape(grid.ny, subcells, grid.nx, subcells).sum(axis=(1, 3))
    pixel_km2 = grid.cell_km2 / (subcells * subcells)
    inside = smooth.reshape(blocks).sum(axis=(2, 4)) / (np.maximum(n_in, 1) * pixel_km2)
    # A border cell none of whose pixel centres is inside keeps the mean over its whole area.
    return np.where(n_in > 0, inside, whole) * grid.inside


def cell_polygons(grid: Grid, *, clip: bool = True) -> gpd.GeoDataFrame:
    """Return the district's cells as polygons in EPSG:4326, with their flat index as column ``cell``.

    With ``clip`` the border cells are cut to the district outline (what the map draws); column
    ``whole`` tells the cells that lie entirely inside it.
    """
    rows, cols = np.nonzero(grid.inside)
    boxes = shapely.box(
        grid.x0 + cols * grid.cell_m,
        grid.y0 + rows * grid.cell_m,
        grid.x0 + (cols + 1) * grid.cell_m,
        grid.y0 + (rows + 1) * grid.cell_m,
    )
    whole = np.ones(len(boxes), dtype=bool)
    if clip:
        # Only the cells the outline crosses are cut (a province: 400,000 cells, most of them inside).
        shapely.prepare(grid.outline)
        border = np.flatnonzero(~shapely.contains_properly(grid.outline, boxes))
        clipped = shapely.intersection(boxes[border], grid.outline)
        whole[border] = shapely.area(clipped) >= shapely.area(boxes[border]) * (1 - 1e-9)
        boxes = boxes.copy()
        boxes[border] = clipped
    frame = gpd.GeoDataFrame(
        {"cell": rows * grid.nx + cols, "row": rows, "col": cols, "whole": whole},
        geometry=boxes,
        crs=grid.crs,
    )
    return frame.to_crs(settings.CRS_WGS84)


def cell_communes(grid: Grid, communes: gpd.GeoDataFrame) -> pd.Series:
    """Return the code of the commune holding most of each district cell, indexed by flat cell index.

    A cell is given to the commune that contains its centre; border cells whose centre lies outside
    every commune go to the commune nearest to the centre.
    """
    metric = communes.to_crs(grid.crs)
    xs, ys = grid.centres()
    rows, cols = np.nonzero(grid.inside)
    cx, cy = xs[rows, cols], ys[rows, cols]
    codes = np.full(len(rows), "", dtype=object)
    tree = shapely.STRtree(metric.geometry.to_numpy())
    # The first commune (in the table's order) whose interior holds the centre: one tree query, not a
    # test of every centre against every commune (a province: 400,000 centres × 500 communes).
    inside, unit = tree.query(shapely.points(cx, cy), predicate="within")
    order = np.lexsort((unit, inside))
    inside, unit = inside[order], unit[order]
    first = np.ones(len(inside), dtype=bool)
    first[1:] = inside[1:] != inside[:-1]
    codes[inside[first]] = metric["code"].to_numpy()[unit[first]]
    missing = np.flatnonzero(codes == "")
    if len(missing):
        points = shapely.points(cx[missing], cy[missing])
        found, nearest = tree.query_nearest(points, all_matches=False)
        codes[missing[found]] = metric["code"].to_numpy()[nearest]
    return pd.Series(codes.astype(str), index=rows * grid.nx + cols, name="commune_code")


def restrict(grid: Grid, cell_communes: pd.Series, codes: tuple[str, ...] | list[str]) -> Grid:
    """Return the grid limited to the cells of the communes ``codes`` (all cells when ``codes`` is empty).

    Gi* compares each cell with the whole study area: when the user looks at some communes only,
    the study area must be those communes, or every cell of theirs would look "hot".
    """
    if not codes:
        return grid
    keep = np.zeros(grid.nx * grid.ny, dtype=bool)
    keep[cell_communes.index[cell_communes.isin(list(codes)).to_numpy()]] = True
    return replace(grid, inside=grid.inside & keep.reshape(grid.shape))
