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
1. **Effects from one model** (`fit_panel`): a negative binomial GLM of every unit × month of the
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
4. **Randomisation inference** (`randomisation`): the observed change of the targets relative to
   the rest, ranked among every way (or a seeded sample of ways) to give the plan to as many units,
   at the real start date and at placebo dates before it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from geo import settings

Span = tuple[int, int]
"""Month numbers ``[first, end)`` relative to the plan's start (month 0 is the first after it)."""


@dataclass(frozen=True)
class Design:
    """The windows of one comparison: the before (baseline) months and the after months."""

    before: Span
    after: Span

    def shifted(self, months: int) -> Design:
        """Return the same comparison ``months`` earlier (a placebo start date)."""
        return Design(
            (self.before[0] - months, self.before[1] - months),
            (self.after[0] - months, self.after[1] - months),
        )


@dataclass(frozen=True)
class PanelFit:
    """One fit of the count model.

    Attributes
    ----------
    terms
        Term name → the units it applies to (after the start), in the order of the coefficients.
    params, cov
        Log rate ratios of the terms and their model covariance (within-unit noise only).
    influence
        ``influence[k, j]``: how much term k's estimate moves per unit of a unit-level shift of
        unit ``units[j]`` (after relative to before).
    units
        The units in the fit (units with no incident in the windows are left out).
    change, change_var
        Per unit, ``δⱼ = log(Yⱼ₁/Yⱼ₀)`` (½ added to both counts) and its sampling variance.
    free
        Per unit, whether the model gives it no term of its own (non-target units).
    buffer
        Per unit, the buffer terms it belongs to (indicator matrix, units × buffer terms).
    method, alpha
        ``"negative_binomial"`` or ``"poisson"``; the dispersion (0 for Poisson).
    """

    terms: tuple[str, ...]
    params: np.ndarray
    cov: np.ndarray
    influence: np.ndarray
    units: tuple[str, ...]
    change: np.ndarray
    change_var: np.ndarray
    free: np.ndarray
    buffer: np.ndarray
    method: str
    alpha: float


def _offset(codes: pd.Series, days: pd.Series, population: Mapping[str, float] | None) -> np.ndarray:
    offset = np.log(days.to_numpy(dtype=float))
    if population is not None:
        people = codes.map(lambda code: float(population.get(code, 0) or 0)).to_numpy(dtype=float)
        offset = offset + np.log(np.where(people > 0, people, 1.0))
    return offset


def _irls(
    y: np.ndarray, x: np.ndarray, offset: np.ndarray, *, alpha: float, start: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Fit a log-link Poisson (``alpha = 0``) or NB2 GLM by iteratively reweighted least squares.

    Small dense problems (a few hundred rows, tens of columns): solving the normal equations directly
    is about thirty times faster here than a general GLM routine that runs an SVD per iteration.
    """
    if start is None:
        mu = (y + y.mean()) / 2  # the usual GLM start: no least-squares solve needed
        eta = np.log(mu)
        params = np.zeros(x.shape[1])
    else:
        params = start
        eta = np.clip(x @ params + offset, -30, 30)
        mu = np.exp(eta)
    for _ in range(100):
        weight = mu / (1 + alpha * mu)
        z = eta - offset + (y - mu) / mu
        xw = x * weight[:, None]
        try:
            new = np.linalg.solve(x.T @ xw, xw.T @ z)
        except np.linalg.LinAlgError:
            new = np.linalg.lstsq(x.T @ xw, xw.T @ z, rcond=None)[0]
        done = np.max(np.abs(new - params)) < 1e-9
        params = new
        eta = np.clip(x @ params + offset, -30, 30)
        mu = np.exp(eta)
        if done:
            break
    return params, np.exp(np.clip(x @ params + offset, -30, 30))


def fit_panel(
    monthly: pd.DataFrame,
    design: Design,
    *,
    targets: Mapping[str, Sequence[str]],
    buffers: Mapping[str, Sequence[str]] | None = None,
    population: Mapping[str, float] | None = None,
) -> PanelFit | None:
    """Fit the count model over every unit and the months of ``design``.

    Parameters
    ----------
    monthly
        ``commune_code``, ``month`` (relative to the start), ``days``, ``count``: every unit, every
        month (`geo.evaluation.periods.monthly_counts`).
    design
        The before and after months.
    targets
        Target term name → its units (one unit per target; several for a group of targets).
    buffers
        Buffer term name → its units (non-target units only).
    population
        Residents per unit (the offset).

    Returns
    -------
    PanelFit or None
        ``None`` when a target has no incident, no unit is left to compare with, or a window is empty.
    """
    buffers = dict(buffers or {})
    month = monthly["month"].to_numpy()
    before = (month >= design.before[0]) & (month < design.before[1])
    after = (month >= design.after[0]) & (month < design.after[1])
    rows = monthly[before | after]
    if not before.any() or not after.any():
        return None
    totals = rows.groupby("commune_code")["count"].sum()
    units = tuple(str(code) for code in totals.index[totals > 0])
    target_units = {code for codes in targets.values() for code in codes}
    if any(not set(codes) & set(units) for codes in targets.values()):
        return None
    free = np.array([code not in target_units for code in units])
    if free.sum() < 2:
        return None
    rows = rows[rows["commune_code"].astype(str).isin(units)]
    codes = rows["commune_code"].astype(str)
    is_after = (rows["month"].to_numpy() >= design.after[0]).astype(float)
    buffers = {name: [c for c in members if c in units] for name, members in buffers.items()}
    buffers = {name: members for name, members in buffers.items() if members}
    groups = {**{name: list(members) for name, members in targets.items()}, **buffers}
    term_columns = [codes.isin(members).to_numpy() * is_after for members in groups.values()]
    term_names = tuple(groups)
    unit_fe = pd.get_dummies(pd.Categorical(codes, categories=units), drop_first=True, dtype=float)
    month_fe = pd.get_dummies(rows["month"], drop_first=True, dtype=float)
    x = np.column_stack([*term_columns, np.ones(len(rows)), unit_fe.to_numpy(), month_fe.to_numpy()])
    y = rows["count"].to_numpy(dtype=float)
    offset = _offset(codes, rows["days"], population)
    params, mu = _irls(y, x, offset, alpha=0.0)
    alpha = max(float(np.sum((y - mu) ** 2 - y) / np.sum(mu**2)), 0.0)
    method = "poisson"
    if alpha > 1e-8:
        method = "negative_binomial"
        params, mu = _irls(y, x, offset, alpha=alpha, start=params)
    else:
        alpha = 0.0
    mu = np.exp(x @ params + offset)
    weight = mu / (1 + alpha * mu)
    information = x.T @ (x * weight[:, None])
    inverse = np.linalg.pinv(information)
    k = len(term_names)
    unit_index = pd.Categorical(codes, categories=units).codes
    after_rows = np.zeros((len(rows), len(units)))
    after_rows[np.arange(len(rows)), unit_index] = is_after
    influence = inverse[:k] @ (x.T @ (after_rows * weight[:, None]))
    # Each unit's own before→after change and its sampling variance under the model.
    frame = pd.DataFrame({"u": unit_index, "a": is_after, "y": y, "mu": mu, "v": mu * (1 + alpha * mu)})
    sums = frame.pivot_table(index="u", columns="a", values=["y", "mu", "v"], aggfunc="sum").reindex(
        range(len(units))
    )
    y0, y1 = sums[("y", 0.0)].to_numpy(), sums[("y", 1.0)].to_numpy()
    var = sums[("v", 0.0)].to_numpy() / sums[("mu", 0.0)].to_numpy() ** 2
    var = var + sums[("v", 1.0)].to_numpy() / sums[("mu", 1.0)].to_numpy() ** 2
    membership = np.array([[code in members for members in buffers.values()] for code in units], dtype=float)
    membership = membership.reshape(len(units), len(buffers))
    return PanelFit(
        terms=term_names,
        params=params[:k],
        cov=inverse[:k, :k],
        influence=influence,
        units=units,
        change=np.log((y1 + 0.5) / (y0 + 0.5)),
        change_var=var,
        free=free,
        buffer=membership,
        method=method,
        alpha=alpha,
    )


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
    if sampled:
        rng = np.random.default_rng(seed)
        chosen = np.array([rng.choice(n, size=k, replace=False) for _ in range(max_assignments)])
    else:
        chosen = np.array(list(itertools.combinations(range(n), k)))
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


def placebo_shifts(design: Design, first_month: int) -> list[int]:
    """Return how many months earlier each placebo comparison starts (whole after-windows back).

    Every placebo lies entirely before the plan's start and inside the data (``first_month``).
    """
    length = design.after[1] - design.after[0]
    shifts = []
    shift = length
    while length > 0 and design.before[0] - shift >= first_month and design.after[1] - shift <= 0:
        shifts.append(shift)
        shift += length
    return shifts


def unit_changes(monthly: pd.DataFrame, design: Design) -> pd.Series:
    """Return every unit's before→after change ``log((Y₁ + ½)/(Y₀ + ½))`` in ``design``."""
    month = monthly["month"]
    codes = monthly["commune_code"].astype(str)
    counts = monthly["count"]
    y0 = counts[(month >= design.before[0]) & (month < design.before[1])].groupby(codes).sum()
    y1 = counts[(month >= design.after[0]) & (month < design.after[1])].groupby(codes).sum()
    units = sorted(set(codes))
    y0, y1 = y0.reindex(units, fill_value=0), y1.reindex(units, fill_value=0)
    return pd.Series(np.log((y1.to_numpy(dtype=float) + 0.5) / (y0.to_numpy(dtype=float) + 0.5)), index=units)


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
