"""The study area's edge for the kernel density: which pixels are inside, and how much of each kernel is.

Both depend on the grid alone, not on the incidents, so `edge_correction_arrays` remembers them for
the latest grids: at a province's 400,000 cells they were most of a density's time (2 of 2.6 s), and
every filter on the same area reuses them (`geo.hotspots.grid.pixel_density`).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np
import shapely
from scipy.signal import fftconvolve

from geo import settings

if TYPE_CHECKING:
    from geo.hotspots.grid import Grid


def pixel_mask(grid: Grid, subcells: int) -> np.ndarray:
    """Return which smoothing pixels (``cell_m / subcells`` metres) lie in the study area.

    A pixel is in when its centre is inside the outline and its cell is one of the grid's
    (`Grid.inside`, so a grid restricted to some communes is a smaller study area).
    """
    pixel = grid.cell_m / subcells
    xs = grid.x0 + (np.arange(grid.nx * subcells) + 0.5) * pixel
    ys = grid.y0 + (np.arange(grid.ny * subcells) + 0.5) * pixel
    px, py = np.meshgrid(xs, ys)
    shapely.prepare(grid.outline)
    in_outline = shapely.contains_xy(grid.outline, px, py)
    in_cells = np.repeat(np.repeat(grid.inside, subcells, axis=0), subcells, axis=1)
    return np.asarray(in_outline & in_cells)


_EDGES: OrderedDict[tuple[object, ...], tuple[np.ndarray, np.ndarray]] = OrderedDict()
"""The study area's pixel mask and kernel shares of the latest grids (`edge_correction_arrays`)."""

_EDGES_KEPT = 8
_EDGES_LOCK = threading.Lock()


def edge_correction_arrays(
    grid: Grid, subcells: int, kernel: np.ndarray, bandwidth_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return `pixel_mask` and the floored `kernel_share` of ``grid``, remembered for the latest grids.

    Both depend on the grid alone, not on the incidents; at a province's 400,000 cells they are most
    of a density's time (2 of 2.6 s), so every filter on the same area reuses them. The key is the
    grid's geometry and study area (its cells inside, its outline), so a grid restricted to other
    units is another entry. The arrays are read-only.
    """
    key = (
        grid.crs,
        grid.x0,
        grid.y0,
        grid.cell_m,
        grid.nx,
        grid.ny,
        hashlib.blake2b(np.ascontiguousarray(grid.inside).tobytes()).hexdigest(),
        hashlib.blake2b(shapely.to_wkb(grid.outline)).hexdigest(),
        subcells,
        bandwidth_m,
        settings.KDE_EDGE_MIN_SHARE,
    )
    with _EDGES_LOCK:
        found = _EDGES.get(key)
        if found is not None:
            _EDGES.move_to_end(key)
            return found
    mask = pixel_mask(grid, subcells)
    share = np.maximum(kernel_share(mask, kernel), settings.KDE_EDGE_MIN_SHARE)
    mask.flags.writeable = False
    share.flags.writeable = False
    with _EDGES_LOCK:
        _EDGES[key] = (mask, share)
        while len(_EDGES) > _EDGES_KEPT:
            _EDGES.popitem(last=False)
    return mask, share


def kernel_share(mask: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Return, for every pixel, the share of a kernel centred there that falls on ``mask`` (0 … 1).

    Examples
    --------
    >>> mask = np.ones((5, 5), dtype=bool)
    >>> share = kernel_share(mask, np.full((3, 3), 1 / 9))
    >>> round(float(share[2, 2]), 6), round(float(share[0, 2]), 6), round(float(share[0, 0]), 6)
    (1.0, 0.666667, 0.444444)
    """
    share = fftconvolve(mask.astype(float), kernel, mode="same")
    return np.clip(share, 0.0, 1.0)
