"""The comparison's windows and the count model of every unit × month (step 1 of `geo.evaluation.calibration`).

A `Design` is a before and an after window in months relative to the plan's start; `placebo_shifts`
moves it whole after-windows back, entirely before the plan. `fit_panel` fits the negative binomial
(or Poisson) GLM with unit and month fixed effects and one term per target and buffer, and keeps
what the calibration needs: each unit's influence on the terms and its own before→after change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.evaluation.twoway import TwoWay, dispersion

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


Fitted = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, str]
"""The terms' coefficients, covariance and influence, the fitted means, the dispersion and the method."""


def _two_way_fit(
    terms: np.ndarray,
    *,
    unit: np.ndarray,
    month: np.ndarray,
    offset: np.ndarray,
    after: np.ndarray,
    y: np.ndarray,
) -> Fitted | None:
    """The fit by elimination of the unit effects (`geo.evaluation.twoway`); None: use the dense fit."""
    layout = TwoWay(terms, unit, month, offset, after)
    poisson = layout.fit(y, alpha=0.0)
    if poisson is None:
        return None
    alpha = dispersion(y, poisson.mu)
    fitted = layout.fit(y, alpha=alpha, start=poisson) if alpha > 0 else poisson
    final = layout.described(fitted, alpha) if fitted is not None else None
    if final is None or final.cov is None or final.influence is None:
        return None
    return (
        final.beta,
        final.cov,
        final.influence,
        final.mu,
        alpha,
        "negative_binomial" if alpha else "poisson",
    )


def _dense_fit(
    terms: np.ndarray,
    *,
    codes: pd.Series,
    units: tuple[str, ...],
    month: pd.Series,
    offset: np.ndarray,
    is_after: np.ndarray,
    y: np.ndarray,
) -> Fitted:
    """The fit with one dummy column per unit and month (the reference; rows × units² per iteration)."""
    k = terms.shape[1]
    unit_fe = pd.get_dummies(pd.Categorical(codes, categories=units), drop_first=True, dtype=float)
    month_fe = pd.get_dummies(month, drop_first=True, dtype=float)
    x = np.column_stack([terms, np.ones(len(y)), unit_fe.to_numpy(), month_fe.to_numpy()])
    params, mu = _irls(y, x, offset, alpha=0.0)
    alpha = dispersion(y, mu)
    method = "poisson"
    if alpha > 0:
        method = "negative_binomial"
        params, mu = _irls(y, x, offset, alpha=alpha, start=params)
    mu = np.exp(x @ params + offset)
    weight = mu / (1 + alpha * mu)
    inverse = np.linalg.pinv(x.T @ (x * weight[:, None]))
    unit_index = pd.Categorical(codes, categories=units).codes.astype(np.intp)
    after_rows = np.zeros((len(y), len(units)))
    after_rows[np.arange(len(y)), unit_index] = is_after
    influence = inverse[:k] @ (x.T @ (after_rows * weight[:, None]))
    return params[:k], inverse[:k, :k], influence, mu, alpha, method


def fit_panel(
    monthly: pd.DataFrame,
    design: Design,
    *,
    targets: Mapping[str, Sequence[str]],
    buffers: Mapping[str, Sequence[str]] | None = None,
    population: Mapping[str, float] | None = None,
    dense: bool = False,
) -> PanelFit | None:
    """Fit the count model over every unit and the months of ``design``.

    The unit effects are eliminated rather than given a column each (`geo.evaluation.twoway`: the
    same fit, linear in the number of units); ``dense`` fits the dummy-column design instead (the
    reference the tests compare with; used anyway when the elimination's system is singular).

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
    dense
        Fit the design with one dummy column per unit and month.

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
    y = rows["count"].to_numpy(dtype=float)
    offset = _offset(codes, rows["days"], population)
    unit_index = pd.Categorical(codes, categories=units).codes.astype(np.intp)
    month_index = np.unique(rows["month"].to_numpy(), return_inverse=True)[1].reshape(-1)
    terms = np.column_stack(term_columns) if term_columns else np.zeros((len(rows), 0))
    fitted = None
    if not dense:
        fitted = _two_way_fit(terms, unit=unit_index, month=month_index, offset=offset, after=is_after, y=y)
    if fitted is None:
        fitted = _dense_fit(
            terms, codes=codes, units=units, month=rows["month"], offset=offset, is_after=is_after, y=y
        )
    params, cov, influence, mu, alpha, method = fitted
    # Each unit's own before→after change and its sampling variance under the model.
    cell = unit_index * 2 + is_after.astype(np.intp)
    sums = {
        name: np.bincount(cell, weights=values, minlength=2 * len(units)).reshape(len(units), 2)
        for name, values in (("y", y), ("mu", mu), ("v", mu * (1 + alpha * mu)))
    }
    y0, y1 = sums["y"][:, 0], sums["y"][:, 1]
    var = sums["v"][:, 0] / sums["mu"][:, 0] ** 2 + sums["v"][:, 1] / sums["mu"][:, 1] ** 2
    membership = np.array([[code in members for members in buffers.values()] for code in units], dtype=float)
    membership = membership.reshape(len(units), len(buffers))
    return PanelFit(
        terms=term_names,
        params=params,
        cov=cov,
        influence=influence,
        units=units,
        change=np.log((y1 + 0.5) / (y0 + 0.5)),
        change_var=var,
        free=free,
        buffer=membership,
        method=method,
        alpha=alpha,
    )


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
