"""Randomisation inference: the targets' change ranked among every way to give the plan to as many units (step 4 of `geo.evaluation.calibration`).

Under the sharp null that the plan changed nothing, any set of as many units was as likely to get
it; the observed contrast (targets' mean change minus the others') is ranked among the contrasts of
every such set (or a seeded sample of them), at the real start date and at placebo dates before it.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import settings


@dataclass(frozen=True)
class Randomisation:
    """The observed change ranked among placebo assignments (sharp null: the plan changed nothing).

    Attributes
    ----------
    p_value
        Share of assignments whose change is at least as far from 0 as the observed one.
    larger
        Assignments with a larger change in the observed direction (a larger fall for a fall).
    assignments
        How many assignments were compared (the observed one included).
    units, chosen
        Units to choose from and how many were chosen (``C(units, chosen)`` ways per date).
    dates
        Start dates used (the real one and placebo ones before it).
    sampled
        Whether the assignments were a seeded sample instead of every way.
    """

    p_value: float
    larger: int
    assignments: int
    units: int
    chosen: int
    dates: int
    sampled: bool


def _contrasts(change: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Return mean change of each chosen set minus the mean of the other units."""
    n, k = len(change), chosen.shape[1]
    inside = change[chosen].mean(axis=1)
    return inside - (change.sum() - inside * k) / (n - k)


@functools.lru_cache(maxsize=32)
def _assignments(n: int, k: int, max_assignments: int, seed: int) -> np.ndarray:
    """Return the assignments compared: every set of ``k`` of ``n`` units, or a seeded sample of them.

    The same for every comparison with as many units (each target, each offence group, each date):
    drawn once per process, read-only.
    """
    if math.comb(n, k) > max_assignments:
        rng = np.random.default_rng(seed)
        chosen = np.array([rng.choice(n, size=k, replace=False) for _ in range(max_assignments)])
    else:
        chosen = np.array(list(itertools.combinations(range(n), k)))
    chosen.setflags(write=False)
    return chosen


def randomisation(
    changes: Sequence[pd.Series],
    targets: Sequence[str],
    *,
    max_assignments: int = settings.RANDOMISATION_MAX,
    seed: int = settings.RANDOMISATION_SEED,
) -> Randomisation | None:
    """Rank the targets' change among every way to give the plan to as many units.

    Parameters
    ----------
    changes
        Per comparison (the real one first, then placebo ones), each unit's ``log(Y₁/Y₀)``.
    targets
        The units that got the plan.
    max_assignments
        Above this many ways per date, a seeded sample of that many is used.

    Returns
    -------
    Randomisation or None
        ``None`` when a target is missing or fewer than two other units are left.
    """
    real = changes[0]
    units = list(real.index)
    if not set(targets) <= set(units) or len(units) - len(targets) < 2:
        return None
    n, k = len(units), len(targets)
    ways = math.comb(n, k)
    sampled = ways > max_assignments
    chosen = _assignments(n, k, max_assignments, seed)
    observed_index = np.array([[units.index(code) for code in targets]])
    observed = float(_contrasts(real.to_numpy(dtype=float), observed_index)[0])
    pool = [_contrasts(real.to_numpy(dtype=float), chosen)]
    for change in changes[1:]:
        if list(change.index) == units:
            pool.append(_contrasts(change.to_numpy(dtype=float), chosen))
    values = np.concatenate(pool)
    if sampled:
        values = np.concatenate([[observed], values])
    tolerance = 1e-12
    extreme = int(np.sum(np.abs(values) >= abs(observed) - tolerance))
    larger = int(
        np.sum(values < observed - tolerance) if observed < 0 else np.sum(values > observed + tolerance)
    )
    return Randomisation(
        p_value=extreme / len(values),
        larger=larger,
        assignments=len(values),
        units=n,
        chosen=k,
        dates=len(pool),
        sampled=sampled,
    )
