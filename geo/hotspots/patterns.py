"""The classes of emerging hot spot analysis: ArcGIS's patterns from a location's hot and cold steps and trend.

`geo.hotspots.emerging` runs the space-time Gi* of every bin and the Mann–Kendall test of every
cell's z-scores (`mann_kendall`); `classify` then puts each location in one class (the rules are
listed in `geo.hotspots.emerging`'s docstring).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from geo import settings

PATTERNS: tuple[str, ...] = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)
"""The ArcGIS patterns, hot and cold alike."""

CLASSES: tuple[str, ...] = (
    *(f"{p}_hot" for p in PATTERNS),
    *(f"{p}_cold" for p in PATTERNS),
    "none",
)
"""Class codes: ``<pattern>_hot``, ``<pattern>_cold`` and ``none``."""

_SHARE = 0.9  # ArcGIS: "at least ninety percent of the time-step intervals"


def mann_kendall(series: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the Mann–Kendall trend test on every row of ``series`` (rows: locations, columns: time).

    Returns
    -------
    tuple of numpy.ndarray
        The S statistic, the z-score (continuity-corrected, variance corrected for ties) and the
        two-sided p-value of each row.

    Examples
    --------
    >>> s, z, p = mann_kendall(np.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]))
    >>> int(s[0]), round(float(z[0]), 3), round(float(p[0]), 4)
    (15, 2.63, 0.0085)
    """
    data = np.round(np.asarray(series, dtype=float), 9)
    n_rows, n = data.shape
    s = np.zeros(n_rows)
    for lag in range(1, n):
        s += np.sign(data[:, lag:] - data[:, :-lag]).sum(axis=1)
    ordered = np.sort(data, axis=1)
    group = np.concatenate(
        [np.zeros((n_rows, 1), dtype=np.int64), np.cumsum(np.diff(ordered, axis=1) != 0, axis=1)], axis=1
    )
    sizes = np.bincount((np.arange(n_rows)[:, None] * n + group).ravel(), minlength=n_rows * n)
    sizes = sizes.reshape(n_rows, n).astype(float)
    ties = (sizes * (sizes - 1) * (2 * sizes + 5)).sum(axis=1)
    var = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var > 0, (s - np.sign(s)) / np.sqrt(var), 0.0)
    p = 2.0 * stats.norm.sf(np.abs(z))
    return s, z, p


def _final_run(flags: np.ndarray) -> np.ndarray:
    """Return the length of the run of True that ends each column's series (rows: time)."""
    reverse = flags[::-1]
    broken = ~reverse
    return np.where(broken.any(axis=0), broken.argmax(axis=0), flags.shape[0])


def _classify_side(on: np.ndarray, other: np.ndarray, rising: np.ndarray, falling: np.ndarray) -> np.ndarray:
    """Return the pattern (index into PATTERNS, -1 for none) of one side (hot or cold) per location."""
    n_steps = on.shape[0]
    n_on = on.sum(axis=0)
    final = on[-1]
    mostly = n_on >= _SHARE * n_steps
    ever_other = other.any(axis=0)
    run = _final_run(on)
    pattern = np.full(on.shape[1], -1)
    rules = [
        ("historical", ~final & mostly),
        ("intensifying", final & mostly & rising),
        ("diminishing", final & mostly & falling),
        ("persistent", final & mostly & ~rising & ~falling),
        ("oscillating", final & ~mostly & ever_other),
        ("new", final & ~mostly & ~ever_other & (n_on == 1)),
        ("consecutive", final & ~mostly & ~ever_other & (run >= 2) & (n_on == run)),
        ("sporadic", final & ~mostly & ~ever_other & (n_on > run)),
    ]
    for name, rule in rules:
        pattern[(pattern < 0) & rule] = PATTERNS.index(name)
    return pattern


def classify(
    hot: np.ndarray,
    cold: np.ndarray,
    trend_z: np.ndarray,
    trend_p: np.ndarray,
    *,
    alpha: float = settings.EMERGING_ALPHA,
) -> np.ndarray:
    """Classify locations from their significant hot / cold steps and the trend of their z-scores.

    Parameters
    ----------
    hot, cold
        (steps, locations) booleans: the bin is a significant hot / cold spot.
    trend_z, trend_p
        Mann–Kendall z-score and p-value of each location's Gi* z-scores.
    alpha
        Significance level of the trend.

    Returns
    -------
    numpy.ndarray
        One code of `CLASSES` per location.
    """
    up = (trend_p < alpha) & (trend_z > 0)
    down = (trend_p < alpha) & (trend_z < 0)
    hot_pattern = _classify_side(hot, cold, up, down)
    cold_pattern = _classify_side(cold, hot, down, up)
    names = np.array([*CLASSES], dtype=object)
    out = np.full(hot.shape[1], "none", dtype=object)
    out[hot_pattern >= 0] = names[hot_pattern[hot_pattern >= 0]]
    cold_only = (hot_pattern < 0) & (cold_pattern >= 0)
    out[cold_only] = names[len(PATTERNS) + cold_pattern[cold_only]]
    return out
