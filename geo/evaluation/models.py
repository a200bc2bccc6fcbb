"""Count models of the evaluation: the commune × month panel and the interrupted time series."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    HessianInversionWarning,
    PerfectSeparationWarning,
)

from geo import settings
from geo.evaluation.tet import tet_share
from geo.evaluation.twoway import TwoWay, dispersion

_FIT_WARNINGS = (ConvergenceWarning, HessianInversionWarning, PerfectSeparationWarning, RuntimeWarning)
_MIN_ALPHA = 1e-8


@dataclass(frozen=True)
class Fit:
    """Coefficients of one count model.

    Attributes
    ----------
    params, cov
        Coefficients (log scale) and their covariance, in the design's column order.
    method
        ``"negative_binomial"`` (NB2 with a moment estimate of the dispersion), ``"poisson"``
        (the data show no overdispersion) or ``"poisson_robust"`` (Poisson with clustered or
        robust errors, the fallback when the negative binomial fit fails).
    alpha
        The negative binomial dispersion (``None`` for Poisson).
    """

    params: np.ndarray
    cov: np.ndarray
    method: str
    alpha: float | None

    def ratio(self, column: int) -> tuple[float, float, float, float]:
        """Return ``exp(β)`` of one coefficient with its confidence interval and p-value."""
        beta = float(self.params[column])
        se = float(np.sqrt(self.cov[column, column]))
        z = stats.norm.ppf(0.5 + settings.CONFIDENCE_LEVEL / 2)
        p_value = float(2 * stats.norm.sf(abs(beta / se))) if se > 0 else float("nan")
        return float(np.exp(beta)), float(np.exp(beta - z * se)), float(np.exp(beta + z * se)), p_value


def fit_counts(
    y: np.ndarray,
    design: np.ndarray,
    *,
    offset: np.ndarray,
    groups: np.ndarray | None = None,
) -> Fit:
    """Fit a negative binomial (NB2) regression of counts, or Poisson when there is no overdispersion.

    The dispersion α is estimated from a Poisson fit by the Cameron–Trivedi auxiliary regression
    ``((y − μ)² − y)/μ = α·μ``; the NB2 GLM is then fitted with that α by iteratively reweighted
    least squares. This converges where full maximum likelihood runs away on nearly-Poisson data
    (a dispersion heading to zero) and costs two GLM fits.

    Parameters
    ----------
    y
        Counts.
    design
        Design matrix including the constant.
    offset
        Log exposure of each row.
    groups
        Cluster labels for robust errors if the negative binomial fit fails (``None``:
        heteroskedasticity-robust errors).

    Returns
    -------
    Fit
        The coefficients; ``method`` says which model produced them.
    """
    with warnings.catch_warnings():
        # Failed fits are detected from the results below, so their warnings are noise here.
        for category in _FIT_WARNINGS:
            warnings.simplefilter("ignore", category=category)
        poisson = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset)
        first = poisson.fit()
        mu = np.asarray(first.fittedvalues)
        alpha = float(np.sum((y - mu) ** 2 - y) / np.sum(mu**2))
        if alpha <= _MIN_ALPHA:
            return Fit(np.asarray(first.params), np.asarray(first.cov_params()), "poisson", None)
        family = sm.families.NegativeBinomial(alpha=alpha)
        nb_fit = sm.GLM(y, design, family=family, offset=offset).fit()
        cov = np.asarray(nb_fit.cov_params())
        if bool(nb_fit.converged) and np.all(np.isfinite(cov)) and np.all(np.diag(cov) > 0):
            return Fit(np.asarray(nb_fit.params), cov, "negative_binomial", alpha)
        if groups is None:
            robust = poisson.fit(cov_type="HC0")
        else:
            robust = poisson.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(groups)[0]})
    return Fit(np.asarray(robust.params), np.asarray(robust.cov_params()), "poisson_robust", None)


@dataclass(frozen=True)
class PanelResult:
    """The plan's effect estimated by the commune × month panel model.

    Attributes
    ----------
    rate_ratio, lo, hi
        ``exp(β)`` of the Target×After term and its confidence interval: below 1 means the
        targets' incident rate fell relative to the comparison communes after the start.
    p_value
        Two-sided p-value of β = 0.
    method, alpha
        See `Fit`.
    n_communes, n_months
        Size of the panel.
    """

    rate_ratio: float
    lo: float
    hi: float
    p_value: float
    method: str
    alpha: float | None
    n_communes: int
    n_months: int


def _two_way_counts(
    y: np.ndarray, effect: np.ndarray, codes: pd.Series, months: pd.Series, offset: np.ndarray
) -> Fit | None:
    """`fit_counts` of ``y`` on ``effect`` with commune and month fixed effects, by `geo.evaluation.twoway`.

    The same estimator as the dense design (a Poisson fit, the moment estimate of α, the NB2 fit;
    Poisson when α is 0): the fixed effects are eliminated instead of given a column each, so a
    province's panel costs seconds, not minutes. ``params``/``cov`` hold the effect only. None —
    use the dense fit — when a commune or a month has no incident (its effect runs to −∞), the
    system is singular or the fit does not converge (the dense fit's robust fallback decides then).
    """
    unit = pd.factorize(codes, sort=True)[0]
    month = pd.factorize(months, sort=True)[0]
    if np.bincount(unit, weights=y).min() <= 0 or np.bincount(month, weights=y).min() <= 0:
        return None
    layout = TwoWay(effect[:, None], unit, month, offset)
    poisson = layout.fit(y, alpha=0.0)
    if poisson is None or not poisson.converged:
        return None
    alpha = dispersion(y, poisson.mu, floor=_MIN_ALPHA)
    fitted = layout.fit(y, alpha=alpha, start=poisson) if alpha else poisson
    final = layout.described(fitted, alpha) if fitted is not None else None
    if final is None or final.cov is None or not final.converged:
        return None
    cov = final.cov
    if not (np.all(np.isfinite(cov)) and np.all(np.diag(cov) > 0)):
        return None
    return Fit(final.beta, cov, "negative_binomial" if alpha else "poisson", alpha or None)


def _log_population(codes: pd.Series, population: Mapping[str, float] | None) -> np.ndarray:
    if population is None:
        return np.zeros(len(codes))
    values = codes.map(lambda code: float(population.get(code, 0) or 0)).to_numpy(dtype=float)
    return np.log(np.where(values > 0, values, 1.0))


def panel_model(
    monthly: pd.DataFrame,
    *,
    targets: Sequence[str],
    population: Mapping[str, float] | None = None,
) -> PanelResult | None:
    """Estimate the plan's rate ratio with commune and month fixed effects.

    ``log E[count] = commune + month + β·Target×After + log(population) + log(days)``,
    negative binomial (NB2, see `fit_counts`), or Poisson with commune-clustered errors when
    the negative binomial fit fails.

    Parameters
    ----------
    monthly
        Output of `geo.evaluation.periods.monthly_counts` for the targets and their comparison communes
        (month numbers below 0 are before the start).
    targets
        Target commune codes.
    population
        Residents per commune code (the offset); ``None`` leaves it out.

    Returns
    -------
    PanelResult or None
        ``None`` when the panel cannot identify the effect (no comparison commune, no month on
        one side of the start, or no incident at all in the targets).
    """
    codes = monthly["commune_code"].astype(str)
    treated = codes.isin(list(targets)).to_numpy()
    after = (monthly["month"] >= 0).to_numpy()
    y = monthly["count"].to_numpy(dtype=float)
    if treated.all() or not treated.any() or after.all() or not after.any() or y[treated].sum() == 0:
        return None
    offset = _log_population(codes, population) + np.log(monthly["days"].to_numpy(dtype=float))
    effect = (treated & after).astype(float)
    fit, effect_at = _two_way_counts(y, effect, codes, monthly["month"], offset), 0  # params: the effect only
    if fit is None:  # the dense design: intercept, effect, unit and month dummies
        commune_fe = pd.get_dummies(codes, prefix="c", drop_first=True, dtype=float)
        month_fe = pd.get_dummies(monthly["month"], prefix="m", drop_first=True, dtype=float)
        design = np.column_stack([np.ones(len(y)), effect, commune_fe.to_numpy(), month_fe.to_numpy()])
        fit, effect_at = fit_counts(y, design, offset=offset, groups=codes.to_numpy()), 1
    ratio, lo, hi, p_value = fit.ratio(effect_at)
    return PanelResult(
        rate_ratio=ratio,
        lo=lo,
        hi=hi,
        p_value=p_value,
        method=fit.method,
        alpha=fit.alpha,
        n_communes=int(codes.nunique()),
        n_months=int(monthly["month"].nunique()),
    )


@dataclass(frozen=True)
class TrendResult:
    """Interrupted time series of the targets' monthly counts.

    Attributes
    ----------
    series
        One row per month: ``month``, ``month_start``, ``target`` and ``control`` counts,
        ``target_rate`` and ``control_rate`` (per 1,000 residents per month; NaN without
        population), ``fitted`` (the model) and ``counterfactual`` (the model without the level
        and slope change, i.e. the before-trend carried on).
    level_ratio, level_ci
        Immediate change at the start, as a ratio of monthly counts, with its interval.
    slope_ratio, slope_ci
        Change of the monthly growth factor after the start (1 = unchanged), with its interval.
    after_ratio
        Incidents the model expects after the start over those the before-trend predicts
        (below 1: fewer than the trend before the plan would have given).
    method
        See `Fit`.
    tet_ratio
        How much higher a month is when all of it falls in the Tết season (`geo.evaluation.tet`);
        ``None`` when no month touches one.
    against_control
        Whether the fit followed the control series (its monthly log rate is a regressor, so the
        counterfactual moves with the control communes).
    """

    series: pd.DataFrame
    level_ratio: float
    level_ci: tuple[float, float]
    slope_ratio: float
    slope_ci: tuple[float, float]
    after_ratio: float
    method: str
    tet_ratio: float | None = None
    against_control: bool = False


def _area_rate(monthly: pd.DataFrame, codes: Sequence[str], population: Mapping[str, float] | None) -> tuple:
    part = monthly[monthly["commune_code"].isin(list(codes))]
    counts = part.groupby("month")["count"].sum()
    people = sum(float(population.get(code, 0) or 0) for code in codes) if population else 0.0
    rate = counts / people * 1000 if people > 0 else counts * np.nan
    return counts, rate


def interrupted_time_series(
    monthly: pd.DataFrame,
    *,
    targets: Sequence[str],
    control: Sequence[str] = (),
    population: Mapping[str, float] | None = None,
) -> TrendResult | None:
    """Fit the targets' monthly counts with a level and a slope change at the plan's start.

    ``log E[count] = a + b·t + c·After + d·(t·After) + sin/cos(month of year) + e·Tết
    + f·log(control rate) + log(days)`` with t the month number (0 = first month after the start);
    the month-of-year terms are a yearly harmonic (seasonality with two coefficients instead of
    eleven), Tết the share of the month in the lunar new year season (it moves by up to a month
    between years, `geo.evaluation.tet`), and the control series' log rate lets the counterfactual
    follow whatever moved every commune (issue 12, item 7).

    Parameters
    ----------
    monthly
        Output of `geo.evaluation.periods.monthly_counts`.
    targets
        Commune codes summed into the target series.
    control
        Commune codes summed into the control series, shown beside the target's and used as a
        regressor when every month has a control incident.
    population
        Residents per commune code, for the rates per 1,000.

    Returns
    -------
    TrendResult or None
        ``None`` when there are fewer than three months on a side of the start or no incidents.
    """
    counts, rate = _area_rate(monthly, targets, population)
    control_counts, control_rate = _area_rate(monthly, control, population)
    months = monthly.drop_duplicates("month").set_index("month").sort_index()
    t = months.index.to_numpy(dtype=float)
    after = (t >= 0).astype(float)
    if after.sum() < 3 or (1 - after).sum() < 3 or counts.sum() == 0:
        return None
    starts = pd.DatetimeIndex(months["month_start"])
    angle = 2 * np.pi * starts.month.to_numpy() / 12
    columns = [np.ones(len(t)), t, after, t * after, np.sin(angle), np.cos(angle)]
    days = months["days"].to_numpy(dtype=float)
    edges = pd.DatetimeIndex([*starts, starts[-1] + pd.Timedelta(days=float(days[-1]))])
    tet = tet_share(edges)
    has_tet = bool(np.ptp(tet) > 0)
    if has_tet:
        columns.append(tet)
    control_y = control_counts.reindex(months.index, fill_value=0).to_numpy(dtype=float)
    against_control = bool(len(control) and np.all(control_y > 0))
    if against_control:
        log_control = np.log(control_y / days)
        columns.append(log_control - log_control.mean())
    design = np.column_stack(columns)
    offset = np.log(days)
    y = counts.reindex(months.index, fill_value=0).to_numpy(dtype=float)
    fit = fit_counts(y, design, offset=offset)
    level, level_lo, level_hi, _ = fit.ratio(2)
    slope, slope_lo, slope_hi, _ = fit.ratio(3)
    counterfactual = design.copy()
    counterfactual[:, 2:4] = 0
    series = pd.DataFrame(
        {
            "month": months.index.to_numpy(),
            "month_start": months["month_start"].to_numpy(),
            "target": y.astype(int),
            "control": control_counts.reindex(months.index, fill_value=0).to_numpy(dtype=int),
            "target_rate": rate.reindex(months.index).to_numpy(dtype=float),
            "control_rate": control_rate.reindex(months.index).to_numpy(dtype=float),
            "fitted": np.exp(design @ fit.params + offset),
            "counterfactual": np.exp(counterfactual @ fit.params + offset),
        }
    )
    after_rows = series["month"] >= 0
    return TrendResult(
        series=series,
        level_ratio=level,
        level_ci=(level_lo, level_hi),
        slope_ratio=slope,
        slope_ci=(slope_lo, slope_hi),
        after_ratio=float(
            series.loc[after_rows, "fitted"].sum() / series.loc[after_rows, "counterfactual"].sum()
        ),
        method=fit.method,
        tet_ratio=float(np.exp(fit.params[6])) if has_tet else None,
        against_control=against_control,
    )
