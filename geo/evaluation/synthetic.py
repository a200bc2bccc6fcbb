"""A cross-check by synthetic control (Abadie, Diamond & Hainmueller 2010), issue 12 item 8.

Each unit's monthly counts are divided by its own mean before the plan, so communes of different
sizes compare by shape. The target's synthetic twin is the mix of comparison communes (weights ≥ 0
that sum to 1, found with `scipy.optimize`) that tracks the target's months before the plan most
closely; after the start, the target against its twin says how it did. The p-value ranks the
target's after/before misfit among the same fit done for every comparison commune as if it were
the target (placebos in space). With few comparison communes, or a target its comparison communes
cannot reproduce before the plan, the cross-check says so instead of a figure.
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
    """Return non-negative weights summing to 1 that best reproduce ``target`` (rows: months)."""
    n = donors.shape[1]
    start = np.full(n, 1.0 / n)
    found = optimize.minimize(
        lambda w: float(np.sum((target - donors @ w) ** 2)),
        start,
        jac=lambda w: -2 * donors.T @ (target - donors @ w),
        bounds=[(0.0, 1.0)] * n,
        constraints=[{"type": "eq", "fun": lambda w: float(np.sum(w) - 1), "jac": lambda w: np.ones(n)}],
        method="SLSQP",
        options={"maxiter": 200, "ftol": 1e-10},
    )
    w = np.clip(found.x, 0.0, None)
    return w / w.sum()


def _fit(normalised: pd.DataFrame, target: str, donors: Sequence[str], before: np.ndarray) -> tuple:
    w = _weights(normalised.loc[before, target].to_numpy(), normalised.loc[before, list(donors)].to_numpy())
    twin = normalised[list(donors)].to_numpy() @ w
    gap = normalised[target].to_numpy() - twin
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
    w, twin, pre, post = _fit(normalised, target, pool, before)
    series = pd.DataFrame({"month": table.index, "target": normalised[target].to_numpy(), "synthetic": twin})
    weights = {code: round(float(x), 4) for code, x in zip(pool, w, strict=True) if x > 0.005}
    if pre > MAX_PRE_MISFIT:
        return SyntheticControl(None, weights, pre, post, None, 0, series, "poor_fit")
    ratios = [post / pre if pre > 0 else np.inf]
    for code in pool:
        others = [c for c in pool if c != code]
        _, _, p_pre, p_post = _fit(normalised, code, others, before)
        ratios.append(p_post / p_pre if p_pre > 0 else np.inf)
    after_rows = ~before
    ratio = float(normalised[target].to_numpy()[after_rows].sum() / twin[after_rows].sum())
    p_value = float(np.mean(np.array(ratios) >= ratios[0] - 1e-12))
    return SyntheticControl(ratio, weights, pre, post, p_value, len(pool), series)
