"""Local Getis-Ord Gi* hot spots on the grid, with permutation inference and FDR-corrected classes.

The statistic is the one of PySAL ``esda.G_Local(star=True)`` with binary queen-contiguity weights
(a cell and its eight neighbours; with ``time_lags`` also the same cells in the previous time steps,
ArcGIS's space-time neighbourhood). The analytic z-score equals esda's ``Zs``; the pseudo p-value
comes from conditional randomisation (the cell keeps its own value, its neighbours are drawn at
random from all other cells), computed here in vectorised form because the cells hold counts: all
cells with the same value share one set of draws, so the cost grows with the number of distinct
counts, not with the number of cells. Ties (common with counts) count towards the tail being
tested, so an empty cell among empty cells is not a "cold spot". Classes follow ArcGIS's
``Gi_Bin``: ±3, ±2, ±1 for 99, 95 and 90 % confidence after the false discovery rate correction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import ndimage, stats

from geo import settings
from geo._errors import ConfigError
from geo.hotspots.grid import Grid

BIN_LEVELS: tuple[tuple[float, int], ...] = ((0.10, 1), (0.05, 2), (0.01, 3))
"""(alpha, |Gi_Bin|) pairs: 90, 95 and 99 % confidence."""


Inference = Literal["permutation", "normal"]
"""How Gi*'s p-values are obtained: conditional permutations, or the normal approximation of z."""

INFERENCES: tuple[Inference, ...] = ("permutation", "normal")
"""The two Gi* conventions the map offers, the default first."""


@dataclass(frozen=True)
class GiConvention:
    """The p-value convention of a Gi* map: what its legend and caption must name.

    Attributes
    ----------
    inference
        ``"permutation"`` (the default): pseudo p-values from conditional permutations, valid
        whatever the shape of the counts (many empty cells, a few busy ones) and stricter;
        ``"normal"``: from the z-score's normal approximation, as ArcGIS's Hot Spot Analysis does,
        which reads a sparse count's skewed neighbourhood sum as if it were normal and so finds
        more hot cells (on the demo's whole span 165 against 80, both FDR-corrected).
    fdr
        Whether each confidence level is corrected for the false discovery rate (Benjamini–Hochberg
        over the study area's cells); ArcGIS offers it as an option.
    permutations
        Permutations behind each pseudo p-value (with ``"permutation"``).
    """

    inference: Inference = "permutation"
    fdr: bool = True
    permutations: int = settings.GISTAR_PERMUTATIONS


@dataclass(frozen=True, eq=False)
class GiStar:
    """Gi* results, each array shaped like the input values (NaN or 0 outside the mask).

    Attributes
    ----------
    z
        Analytic z-score (esda's ``Zs``): positive where high values cluster.
    p_sim
        One-sided pseudo p-value from the permutations, in the tail the observed value lies in
        (esda's ``p_sim``).
    p_value
        Two-sided pseudo p-value, ``min(1, 2 * p_sim)``: what the FDR correction uses.
    bins
        ArcGIS ``Gi_Bin`` class: 3, 2, 1 hot spot at 99, 95, 90 %; the negatives cold spots; 0 not
        significant or outside the mask.
    """

    z: np.ndarray
    p_sim: np.ndarray
    p_value: np.ndarray
    bins: np.ndarray


def neighbour_sums(
    values: np.ndarray, mask: np.ndarray, *, time_lags: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Return the queen-neighbourhood sums (self included) and neighbourhood sizes of every cell.

    Parameters
    ----------
    values
        (ny, nx) or (steps, ny, nx) values; cells outside ``mask`` are ignored.
    mask
        (ny, nx) boolean: the cells that take part.
    time_lags
        With stacked values, how many previous steps join each cell's neighbourhood.

    Returns
    -------
    tuple of numpy.ndarray
        Sums and cardinalities, both shaped like ``values``.
    """
    stack = np.asarray(values, dtype=float)
    flat = stack.ndim == 2
    stack = stack[None] if flat else stack
    inside = np.broadcast_to(mask, stack.shape)
    kernel = np.ones((1, 3, 3))
    spatial = ndimage.correlate(np.where(inside, stack, 0.0), kernel, mode="constant", cval=0.0)
    card_1 = ndimage.correlate(mask.astype(float)[None], kernel, mode="constant", cval=0.0)
    sums = spatial.copy()
    cards = np.repeat(card_1, stack.shape[0], axis=0)
    for lag in range(1, time_lags + 1):
        sums[lag:] += spatial[:-lag]
        cards[lag:] += card_1
    sums, cards = np.where(inside, sums, 0.0), np.where(inside, cards, 0.0)
    return (sums[0], cards[0]) if flat else (sums, cards)


def _draw(pool: int, k: int, permutations: int, rng: np.random.Generator) -> np.ndarray:
    """Return (permutations, k) indices into range(pool), distinct within each row."""
    if k == 0:
        return np.empty((permutations, 0), dtype=np.int64)
    if pool * permutations <= 2_000_000:
        return np.argsort(rng.random((permutations, pool)), axis=1)[:, :k]
    ids = rng.integers(0, pool, (permutations, k))
    while True:
        ordered = np.sort(ids, axis=1)
        clash = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
        if not clash.any():
            return ids
        ids[clash] = rng.integers(0, pool, (int(clash.sum()), k))


def _tail_counts(
    y: np.ndarray, others: np.ndarray, k: np.ndarray, *, permutations: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Count, for every bin, the permuted neighbour sums at or above and at or below the observed one.

    Conditional randomisation: bin i keeps ``y[i]`` and its ``k[i]`` neighbours are drawn without
    replacement from the other n - 1 values. One set of draws serves every bin; removing ``y[i]``
    from the pool only depends on the value, so the simulated sums are built once per distinct value.
    """
    rng = np.random.default_rng(seed)
    n = len(y)
    k_max = int(k.max()) if n else 0
    ids = _draw(n - 1, k_max, permutations, rng)
    order = np.sort(y)
    ge = np.zeros(n, dtype=np.int64)
    le = np.zeros(n, dtype=np.int64)
    values, inverse = np.unique(y, return_inverse=True)
    groups = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[groups], np.arange(len(values) + 1))
    for v_index, value in enumerate(values):
        members = groups[bounds[v_index] : bounds[v_index + 1]]
        # Skip one copy of the bin's own value: pool index j maps to sorted index j or j + 1.
        own = int(np.searchsorted(order, value))
        drawn = order[ids + (ids >= own)]
        sims = np.concatenate([np.zeros((permutations, 1)), np.cumsum(drawn, axis=1)], axis=1)
        for kk in np.unique(k[members]):
            sub = members[k[members] == kk]
            column = np.sort(sims[:, kk])
            ge[sub] = permutations - np.searchsorted(column, others[sub], side="left")
            le[sub] = np.searchsorted(column, others[sub], side="right")
    return ge, le


def fdr_significant(p_values: np.ndarray, *, alpha: float) -> np.ndarray:
    """Return which p-values are significant at ``alpha`` after the Benjamini–Hochberg FDR correction.

    Examples
    --------
    >>> fdr_significant(np.array([0.001, 0.02, 0.03, 0.5]), alpha=0.05).tolist()
    [True, True, True, False]
    """
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return np.zeros(0, dtype=bool)
    ranked = np.sort(p)
    passing = np.flatnonzero(ranked <= alpha * np.arange(1, m + 1) / m)
    if passing.size == 0:
        return np.zeros(m, dtype=bool)
    return p <= ranked[passing[-1]]


def gi_bins(side: np.ndarray, p_values: np.ndarray, *, fdr: bool = True) -> np.ndarray:
    """Return ArcGIS ``Gi_Bin`` classes (-3 … 3) from the side (z-score or its sign) and two-sided p-values.

    A cell is ±3 if significant at 99 %, ±2 at 95 %, ±1 at 90 % (each level FDR-corrected on its
    own when ``fdr``), with the sign of ``side``.

    Examples
    --------
    >>> gi_bins(np.array([2.9, -2.1, 1.0]), np.array([0.004, 0.03, 0.4]), fdr=False).tolist()
    [3, -2, 0]
    """
    z_arr = np.asarray(side, dtype=float)
    p_arr = np.asarray(p_values, dtype=float)
    level = np.zeros(z_arr.shape, dtype=np.int8)
    for alpha, code in BIN_LEVELS:
        sig = fdr_significant(p_arr, alpha=alpha) if fdr else p_arr <= alpha
        level[sig] = code
    return (level * np.sign(z_arr)).astype(np.int8)


def gi_star(
    values: np.ndarray,
    mask: np.ndarray,
    *,
    time_lags: int = 0,
    permutations: int = settings.GISTAR_PERMUTATIONS,
    seed: int = settings.GISTAR_SEED,
    fdr: bool = True,
    inference: Inference = "permutation",
) -> GiStar:
    """Compute the local Gi* of every cell (or space-time bin) with binary queen weights.

    Parameters
    ----------
    values
        (ny, nx) non-negative values per cell, or (steps, ny, nx) for a space-time cube.
    mask
        (ny, nx) boolean: the cells that take part (the district's cells).
    time_lags
        For a cube, previous steps in each bin's neighbourhood; the mean and variance are those of
        the whole cube, as in ArcGIS's space-time Gi*.
    permutations
        Conditional permutations for the pseudo p-values.
    seed
        Seed of the permutations.
    fdr
        Apply the false discovery rate correction to the classes.
    inference
        ``"permutation"``: pseudo p-values from ``permutations`` conditional permutations;
        ``"normal"``: two-sided p-values of the z-score's normal approximation (ArcGIS's Hot Spot
        Analysis). See `GiConvention`.

    Returns
    -------
    GiStar
        z-scores, pseudo p-values and ``Gi_Bin`` classes shaped like ``values``.
    """
    stack = np.asarray(values, dtype=float)
    if stack.ndim not in (2, 3) or stack.shape[-2:] != mask.shape:
        raise ConfigError(f"Giá trị Gi* phải có dạng (hàng, cột) khớp lưới {mask.shape}, nhận {stack.shape}.")
    if stack.ndim == 2 and time_lags:
        raise ConfigError("Chỉ dùng độ trễ thời gian (time_lags) với dữ liệu nhiều bước thời gian.")
    if permutations < 1:
        raise ConfigError(f"Số hoán vị phải ít nhất là 1 (nhận {permutations}).")
    if inference not in INFERENCES:
        raise ConfigError(
            f"Cách tính giá trị p của Gi* không hợp lệ: {inference!r} (permutation hoặc normal)."
        )
    sums, cards = neighbour_sums(stack, mask, time_lags=time_lags)
    active = np.broadcast_to(mask, stack.shape)
    y, s, c = stack[active], sums[active], cards[active]
    z = np.full(stack.shape, np.nan)
    p_sim = np.ones(stack.shape)
    n = y.size
    total = y.sum()
    variance = float((y * y).mean() - y.mean() ** 2) if n else 0.0
    if n < 2 or total <= 0 or variance <= 1e-12 * max(1.0, float(y.mean()) ** 2):
        z[active] = 0.0
        return GiStar(z=z, p_sim=p_sim, p_value=p_sim.copy(), bins=np.zeros(stack.shape, dtype=np.int8))
    mean = total / n
    expected = c / n
    var_g = c * (n - c) / (n - 1) / n**2 * variance / mean**2
    z_active = (s / total - expected) / np.sqrt(var_g)
    if inference == "normal":
        one_sided = stats.norm.sf(np.abs(z_active))
        ge, le = (z_active < 0).astype(int), (z_active > 0).astype(int)
    else:
        ge, le = _tail_counts(y, s - y, (c - 1).astype(np.int64), permutations=permutations, seed=seed)
        one_sided = (np.minimum(ge, le) + 1) / (permutations + 1)
    z[active] = z_active
    p_sim[active] = one_sided
    p_value = np.minimum(1.0, 2.0 * p_sim)
    bins = np.zeros(stack.shape, dtype=np.int8)
    # The class takes the side of the tail that was tested (the z-score's sign but for ties).
    bins[active] = gi_bins(np.where(ge < le, 1.0, np.where(ge > le, -1.0, 0.0)), p_value[active], fdr=fdr)
    return GiStar(z=z, p_sim=p_sim, p_value=p_value, bins=bins)


def hot_cells(
    grid: Grid,
    counts: np.ndarray,
    result: GiStar,
    communes: pd.Series,
    *,
    names: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Return the hot cells (``Gi_Bin`` > 0), hottest first, with the commune each lies in.

    Parameters
    ----------
    grid
        The grid the analysis ran on.
    counts
        (ny, nx) incidents per cell.
    result
        The 2-D Gi* result.
    communes
        Commune code per flat cell index (`geo.hotspots.grid.cell_communes`).
    names
        Optional commune code → name.

    Returns
    -------
    pandas.DataFrame
        Columns ``cell, commune_code, commune, count, z, p_value, gi_bin, lon, lat`` (cell centre).
    """
    flat_bins = result.bins.ravel()
    cells = np.flatnonzero(flat_bins > 0)
    xs, ys = grid.centres()
    lon, lat = grid.unproject(xs.ravel()[cells], ys.ravel()[cells])
    codes = communes.reindex(cells).fillna("").astype(str).to_numpy()
    frame = pd.DataFrame(
        {
            "cell": cells,
            "commune_code": codes,
            "commune": [(names or {}).get(code, code) for code in codes],
            "count": counts.ravel()[cells].astype(int),
            "z": result.z.ravel()[cells],
            "p_value": result.p_value.ravel()[cells],
            "gi_bin": flat_bins[cells],
            "lon": np.round(lon, settings.COORD_DECIMALS),
            "lat": np.round(lat, settings.COORD_DECIMALS),
        }
    )
    return frame.sort_values(["gi_bin", "z"], ascending=False, kind="stable").reset_index(drop=True)
