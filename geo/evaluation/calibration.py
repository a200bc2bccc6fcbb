"""Calibrated inference of the plan's effects: one count model, calibrated to the area's own variation.

Issue 12, DESIGN.md §5 "Calibration".

Why
---
A model of monthly counts (negative binomial, unit and month fixed effects) knows only the noise
*within* a unit: months scattered around the unit's level. Units also differ in how they change from
one year to the next for reasons no plan caused (a factory opens, a gang moves on). With one treated
unit per target, that between-unit variation is the main noise of a before/after comparison, and a
model interval that ignores it calls a target *improving* or *worsening* far more often than 5% of
the time. Cluster-robust errors and the wild cluster bootstrap do not rescue it: with one treated
cluster they are known to be badly too narrow (MacKinnon & Webb 2017, 2018).

What this module does
---------------------
1. **Effects from one model** (`geo.evaluation.panel.fit_panel`): a negative binomial GLM of every unit × month of the
   before and after windows, ``log E[y] = unit + month + Σ βₖ·Targetₖ×After + γ·Buffer×After +
   log(population) + log(days)``; ``exp(βₖ)`` is the rate ratio of target k relative to the
   comparison units, ``exp(γ)`` that of the buffer (diffusion below 1, displacement above).
2. **The between-unit variance** σ²ᵤ (`between_variance`): every unit's before→after change
   ``δⱼ = log(Yⱼ₁/Yⱼ₀)`` (the month pattern is common, so it cancels) is compared among the units the
   model gives no term of their own, in a random-effects meta-regression (REML, their sampling
   variances from the model) — the two-step approach of Donald & Lang (2007). The same is done in
   placebo windows before the plan (no plan effect there), and the estimates pooled.
3. **Calibrated intervals** (`calibrate`): the model covariance plus σ²ᵤ times each unit's
   influence on the coefficient (from the model's own weights: a unit-level shift of unit j moves
   β̂ by ``sⱼ``, so it adds ``σ²ᵤ·Σ sⱼ²``), with Student's t on the residual degrees of freedom of
   step 2. The smallest detectable fall at 80% power and the 5% level follows from the same error.
4. **Randomisation inference** (`geo.evaluation.randomisation.randomisation`): the observed change of the targets relative to
   the rest, ranked among every way (or a seeded sample of ways) to give the plan to as many units,
   at the real start date and at placebo dates before it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from geo import settings
from geo.evaluation.panel import Design, PanelFit, Span, fit_panel, placebo_shifts, unit_changes
from geo.evaluation.randomisation import Randomisation, randomisation

__all__ = [
    "BetweenUnits",
    "Design",
    "Effect",
    "Inference",
    "PanelFit",
    "Randomisation",
    "Span",
    "between_variance",
    "calibrate",
    "effect",
    "fit_panel",
    "heterogeneity",
    "infer",
    "placebo_shifts",
    "randomisation",
    "unit_changes",
]


def _reml(variance: float, parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> float:
    """Return −2 × the restricted log-likelihood of a shared between-unit variance."""
    total = 0.0
    for change, change_var, z in parts:
        inv = 1.0 / (variance + change_var)
        zwz = z.T @ (z * inv[:, None])
        coef = np.linalg.solve(zwz, z.T @ (change * inv))
        resid = change - z @ coef
        total += float(
            np.sum(np.log(variance + change_var)) + np.linalg.slogdet(zwz)[1] + resid @ (resid * inv)
        )
    return total


def _stage_two(fit: PanelFit) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Return the free units' changes, sampling variances and the design that explains them."""
    free = fit.free
    z = np.column_stack([np.ones(int(free.sum())), fit.buffer[free]])
    # Buffer terms every free unit (or none) belongs to cannot be told apart from the intercept.
    indicator = [bool(np.all((col == 0) | (col == 1))) for col in z[:, 1:].T]
    keep = np.array(
        [True]
        + [(0 < col.sum() < len(col)) or not ind for col, ind in zip(z[:, 1:].T, indicator, strict=True)],
        dtype=bool,
    )
    z = z[:, keep]
    rank = np.linalg.matrix_rank(z)
    if int(free.sum()) - rank < 1:
        return None
    if rank < z.shape[1]:
        z = z[:, :rank]
    return fit.change[free], fit.change_var[free], z


@dataclass(frozen=True)
class BetweenUnits:
    """The area's own between-unit variation of before→after changes.

    Attributes
    ----------
    variance
        σ²ᵤ on the log scale (0 when the units differ no more than counting noise explains).
    df
        Residual degrees of freedom behind it (the t distribution of the calibrated intervals).
    windows
        How many comparisons it was pooled from (the real one and placebo ones before the plan).
    """

    variance: float
    df: int
    windows: int

    @property
    def sd(self) -> float:
        """Between-unit standard deviation of the change (log scale; 0.12 ≈ ±12%)."""
        return math.sqrt(self.variance)


def between_variance(fits: Sequence[PanelFit]) -> BetweenUnits | None:
    """Estimate σ²ᵤ by REML, pooled over ``fits`` (the real comparison and placebo ones).

    Returns ``None`` when no fit leaves a residual degree of freedom among its free units.
    """
    parts = [part for fit in fits if (part := _stage_two(fit)) is not None]
    if not parts:
        return None
    df = sum(len(change) - z.shape[1] for change, _, z in parts)
    found = optimize.minimize_scalar(lambda v: _reml(v, parts), bounds=(0.0, 4.0), method="bounded")
    variance = float(found.x)
    if _reml(0.0, parts) <= _reml(variance, parts):
        variance = 0.0
    return BetweenUnits(variance=variance, df=df, windows=len(parts))


@dataclass(frozen=True)
class Effect:
    """A rate ratio with its calibrated and its model-only interval.

    ``ratio`` below 1: the incident rate fell relative to the comparison units. ``lo``/``hi`` and
    ``p_value`` are calibrated (Student's t on ``df``); ``model_lo``/``model_hi`` count within-unit
    noise only. ``detectable_fall`` is the smallest fall (a fraction: 0.3 = 30%) this comparison
    would detect with 80% power at the 5% level (`settings.POWER`, `settings.CONFIDENCE_LEVEL`).
    """

    ratio: float
    lo: float
    hi: float
    p_value: float
    se: float
    df: int
    model_lo: float
    model_hi: float
    detectable_fall: float


def effect(estimate: float, model_var: float, calibrated_var: float, df: int) -> Effect:
    """Return the `Effect` of a log rate ratio with its model and calibrated variances."""
    se = math.sqrt(max(calibrated_var, 0.0))
    model_se = math.sqrt(max(model_var, 0.0))
    level = settings.CONFIDENCE_LEVEL
    crit = float(stats.t.ppf(0.5 + level / 2, df))
    z = float(stats.norm.ppf(0.5 + level / 2))
    p_value = float(2 * stats.t.sf(abs(estimate) / se, df)) if se > 0 else float("nan")
    shift = (crit + float(stats.t.ppf(settings.POWER, df))) * se
    return Effect(
        ratio=math.exp(estimate),
        lo=math.exp(estimate - crit * se),
        hi=math.exp(estimate + crit * se),
        p_value=p_value,
        se=se,
        df=df,
        model_lo=math.exp(estimate - z * model_se),
        model_hi=math.exp(estimate + z * model_se),
        detectable_fall=1 - math.exp(-shift),
    )


def calibrate(fit: PanelFit, between: BetweenUnits, weights: Mapping[str, float]) -> Effect:
    """Return the calibrated `Effect` of a combination of ``fit``'s terms (term → weight)."""
    w = np.array([weights.get(name, 0.0) for name in fit.terms])
    estimate = float(w @ fit.params)
    model_var = float(w @ fit.cov @ w)
    spread = w @ fit.influence
    return effect(estimate, model_var, model_var + between.variance * float(spread @ spread), between.df)


def heterogeneity(effects: Sequence[Effect]) -> float | None:
    """Return the p-value that the targets' effects differ (Cochran's Q on the calibrated errors)."""
    if len(effects) < 2 or any(e.se <= 0 for e in effects):
        return None
    beta = np.log([e.ratio for e in effects])
    w = 1 / np.array([e.se for e in effects]) ** 2
    q = float(np.sum(w * (beta - np.sum(w * beta) / np.sum(w)) ** 2))
    return float(stats.chi2.sf(q, len(effects) - 1))


@dataclass(frozen=True)
class Inference:
    """Everything the calibrated verdict of one target (or of the targets together) rests on.

    Attributes
    ----------
    effect
        The target's rate ratio relative to its comparison units (``None``: not estimable).
    buffer
        The buffer's rate ratio relative to the same comparison units: below 1 the neighbours fell
        too (diffusion of benefits), above 1 incidents may have moved there (``None``: no buffer,
        or too few units outside it to compare with).
    pretrend
        The same comparison one after-window earlier, entirely before the plan: a rate ratio far from
        1 means the target was already drifting away from its comparison units (``None``: the data
        does not reach back far enough).
    randomisation
        The targets' change ranked among placebo assignments.
    between
        The between-unit variation the intervals are calibrated to.
    heterogeneity
        For the targets together: p-value that the targets' effects differ.
    method
        The count model: ``"negative_binomial"`` or ``"poisson"``.
    """

    effect: Effect | None
    buffer: Effect | None = None
    pretrend: Effect | None = None
    randomisation: Randomisation | None = None
    between: BetweenUnits | None = None
    heterogeneity: float | None = None
    method: str = ""


def infer(
    monthly: pd.DataFrame,
    design: Design,
    *,
    targets: Sequence[str],
    buffers: Mapping[str, Sequence[str]],
    population: Mapping[str, float] | None = None,
    between: BetweenUnits | None = None,
) -> tuple[dict[str, Inference], Inference]:
    """Return the calibrated inference of every target and of the targets together.

    Parameters
    ----------
    monthly
        Every unit × month, month numbers relative to the start, reaching back as far as the data
        allows (placebo comparisons use the months before ``design.before``).
    design
        The real comparison.
    targets
        The target units.
    buffers
        Target → its buffer units (non-target neighbours).
    population
        Residents per unit.
    between
        A known between-unit variation to use instead of estimating it (benchmarks: the ceiling
        of what the data could show).

    Returns
    -------
    tuple
        Target → `Inference`, and the `Inference` of the targets together (the mean of their log
        rate ratios, each against every non-target unit).
    """
    shifts = [0, *placebo_shifts(design, int(monthly["month"].min()))]
    own = {code: [code] for code in targets}
    changes = [unit_changes(monthly, design.shifted(shift)) for shift in shifts]
    results: dict[str, Inference] = {}
    for code in targets:
        buffer = {"buffer": list(buffers.get(code, ()))} if buffers.get(code) else {}
        fits = [
            fit_panel(
                monthly,
                design.shifted(shift),
                targets=own,
                buffers=buffer,
                population=population,
            )
            for shift in shifts
        ]
        results[code] = _inference(
            fits,
            code=code,
            buffer="buffer" if buffer else None,
            changes=changes,
            chosen=[code],
            known=between,
        )
    all_buffer = sorted({c for code in targets for c in buffers.get(code, ())})
    outside = {str(c) for c in monthly["commune_code"].unique()} - set(targets) - set(all_buffer)
    union = {"buffer": all_buffer} if all_buffer and len(outside) >= 2 else {}
    fits = [
        fit_panel(monthly, design.shifted(shift), targets=own, buffers=union, population=population)
        for shift in shifts
    ]
    combined = _inference(
        fits,
        code=None,
        buffer="buffer" if union else None,
        changes=changes,
        chosen=list(targets),
        known=between,
    )
    effects = [r.effect for r in results.values() if r.effect is not None]
    combined = Inference(
        effect=combined.effect,
        buffer=combined.buffer,
        pretrend=combined.pretrend,
        randomisation=combined.randomisation,
        between=combined.between,
        heterogeneity=heterogeneity(effects) if len(effects) == len(targets) else None,
        method=combined.method,
    )
    return results, combined


def _inference(
    fits: Sequence[PanelFit | None],
    *,
    code: str | None,
    buffer: str | None,
    changes: Sequence[pd.Series],
    chosen: Sequence[str],
    known: BetweenUnits | None = None,
) -> Inference:
    """Return the `Inference` of one target (``code``) or of all of the fits' targets (``None``)."""
    ri = randomisation(changes, chosen)
    real = fits[0]
    usable = [fit for fit in fits if fit is not None]
    between = (known or between_variance(usable)) if real is not None else None
    if real is None or between is None:
        return Inference(effect=None, randomisation=ri, method=real.method if real else "")
    targets = [name for name in real.terms if name != "buffer"]
    weights = {code: 1.0} if code is not None else {name: 1 / len(targets) for name in targets}
    placebo = fits[1] if len(fits) > 1 else None
    pretrend = None
    if placebo is not None and all(name in placebo.terms for name in weights):
        pretrend = calibrate(placebo, between, weights)
    return Inference(
        effect=calibrate(real, between, weights),
        buffer=calibrate(real, between, {buffer: 1.0}) if buffer and buffer in real.terms else None,
        pretrend=pretrend,
        randomisation=ri,
        between=between,
        method=real.method,
    )
