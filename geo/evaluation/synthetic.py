"""A cross-check by synthetic control (Abadie, Diamond & Hainmueller 2010), issue 12 item 8.

Each unit's monthly counts are divided by its own mean before the plan, so communes of different
sizes compare by shape. The target's synthetic twin is the mix of comparison communes (weights ≥ 0
that sum to 1, found with `scipy.optimize`) that tracks the target's months before the plan most
closely; after the start, the target against its twin says how it did. The p-value ranks the
target's after/before misfit among the same fit done for every comparison commune as if it were
the target (placebos in space). With few comparison communes, or a target its comparison communes
cannot reproduce before the plan, the cross-check says so instead of a figure.

The weights are the exact minimiser of the misfit over the simplex (the minimum-norm point of the
donors' convex hull, found with `scipy.optimize.nnls`: Lawson & Hanson's least-distance programming),
not a general optimiser's approximation of it. The twin's before-plan months (the hull's nearest
point) are unique; so are the weights unless the target's months lie inside the donors' hull with
more donors than months, where any optimiser's mix is one of many equally good ones.

At a province's scale
--------------------
The weights used to come from SLSQP over every donor: with 500 comparison communes, 500 placebos
each solving a 500-variable problem did not finish in minutes. Least-distance programming gives the
same twin (the unique nearest point of the hull; equal to SLSQP's within its tolerance, 1e-6 on the
demo and on simulated provinces of 13–100 units) in milliseconds; the 500 placebos of a 504-unit
province take about a second together. The donor pool is every comparison commune, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

MIN_DONORS = 3
"""Fewest comparison communes a synthetic twin is built from."""

MAX_PRE_MISFIT = 0.25
"""Largest root-mean-square misfit before the plan (share of the pre-plan mean) still called a fit."""


@dataclass(frozen=True)
class SyntheticControl:
    """The target against its synthetic twin.

    Attributes
    ----------
    ratio
        Target's incidents after the start over its twin's (below 1: the target fell relative to
        what the mix of comparison communes did); ``None`` when ``reason`` is set.
    weights
        Comparison commune → weight in the twin (only weights above 0.5%).
    pre_misfit, post_misfit
        Root-mean-square gap between target and twin before and after the start (normalised).
    p_value
        Share of the target and its placebos whose post/pre misfit ratio is at least the target's.
    placebos
        How many comparison communes were refitted as placebos.
    series
        ``month``, ``target`` and ``synthetic`` (normalised series, 1 = the pre-plan mean).
    reason
        ``""``, ``"few_donors"`` or ``"poor_fit"``.
    """

    ratio: float | None
    weights: dict[str, float]
    pre_misfit: float
    post_misfit: float
    p_value: float | None
    placebos: int
    series: pd.DataFrame
    reason: str = ""


def _weights(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """Return non-negative weights summing to 1 that best reproduce ``target`` (rows: months).

    min ‖t − Dw‖² over the simplex is min ‖Ew‖², E = D − t·1ᵀ: the point of the convex hull of E's
    columns nearest to 0. With v = s·w (s > 0), the non-negative least squares problem
    min ‖Ev‖² + (1ᵀv − 1)² equals s²‖Ew‖² + (s − 1)², minimised at s = 1/(1 + ‖Ew‖²) with value
    ‖Ew‖²/(1 + ‖Ew‖²), increasing in ‖Ew‖²: its solution, rescaled to sum to 1, is the exact minimiser.
    """
    n = donors.shape[1]
    system = np.vstack([donors - target[:, None], np.ones((1, n))])
    goal = np.zeros(system.shape[0])
    goal[-1] = 1.0
    v, _ = optimize.nnls(system, goal, maxiter=50 * max(n, 1))
    w = np.clip(v, 0.0, None)
    return w / w.sum()


def _fit(values: np.ndarray, unit: int, donors: np.ndarray, before: np.ndarray) -> tuple:
    """Fit ``unit``'s twin from the columns ``donors`` of ``values`` (months × units, normalised)."""
    w = _weights(values[before, unit], values[np.ix_(before, donors)])
    twin = values[:, donors] @ w
    gap = values[:, unit] - twin
    pre = float(np.sqrt(np.mean(gap[before] ** 2)))
    post = float(np.sqrt(np.mean(gap[~before] ** 2)))
    return w, twin, pre, post


def synthetic_control(
    monthly: pd.DataFrame, *, target: str, donors: Sequence[str], after: tuple[int, int]
) -> SyntheticControl:
    """Build the target's synthetic twin from ``donors`` and compare them after the start.

    Parameters
    ----------
    monthly
        ``commune_code``, ``month`` (relative to the start), ``count``: every month before the
        start the data hold, and the after window.
    target
        The target commune.
    donors
        The comparison communes (not targets, not the target's buffer).
    after
        The after months ``[first, end)``.
    """
    months = monthly[(monthly["month"] < after[1])]
    table = months.pivot_table(
        index="month", columns="commune_code", values="count", aggfunc="sum", fill_value=0
    )
    before = np.asarray(table.index < after[0])
    base = table[before].mean()
    pool = [code for code in donors if code in table.columns and base.get(code, 0) > 0]
    empty = pd.DataFrame({"month": table.index, "target": np.nan, "synthetic": np.nan})
    if len(pool) < MIN_DONORS or base.get(target, 0) <= 0 or before.sum() < 6:
        return SyntheticControl(None, {}, float("nan"), float("nan"), None, 0, empty, "few_donors")
    normalised = table[[target, *pool]] / base[[target, *pool]]
    values = normalised.to_numpy(dtype=float)  # column 0 the target, then the pool
    everyone = np.arange(1, len(pool) + 1)
    w, twin, pre, post = _fit(values, 0, everyone, before)
    series = pd.DataFrame({"month": table.index, "target": values[:, 0], "synthetic": twin})
    weights = {
        pool[i - 1]: round(float(x), 4) for i, x in zip(everyone.tolist(), w, strict=True) if x > 0.005
    }
    if pre > MAX_PRE_MISFIT:
        return SyntheticControl(None, weights, pre, post, None, 0, series, "poor_fit")
    ratios = [post / pre if pre > 0 else np.inf]
    for unit in everyone.tolist():
        _, _, p_pre, p_post = _fit(values, unit, everyone[everyone != unit], before)
        ratios.append(p_post / p_pre if p_pre > 0 else np.inf)
    after_rows = ~before
    ratio = float(values[after_rows, 0].sum() / twin[after_rows].sum())
    p_value = float(np.mean(np.array(ratios) >= ratios[0] - 1e-12))
    return SyntheticControl(ratio, weights, pre, post, p_value, len(pool), series)
