"""Tests of geo.evaluation.models: the panel model recovers a known rate ratio; the trend finds a level change."""

import numpy as np
import pandas as pd
import pytest

from geo.evaluation.models import fit_counts, interrupted_time_series, panel_model


def _simulated_panel(*, ratio: float, seed: int, alpha: float) -> tuple[pd.DataFrame, dict[str, float]]:
    """Ten communes × 24 months, negative binomial counts; targets t0..t2 multiply by ``ratio`` after."""
    rng = np.random.default_rng(seed)
    codes = [f"t{i}" for i in range(3)] + [f"c{i}" for i in range(7)]
    population = {code: float(rng.integers(5000, 12000)) for code in codes}
    commune_effect = {code: rng.normal(0, 0.3) for code in codes}
    month_effect = rng.normal(0, 0.15, 24)
    rows = []
    for code in codes:
        for k, month in enumerate(range(-12, 12)):
            mu = population[code] / 1000 * 2.0 * np.exp(commune_effect[code] + month_effect[k])
            if code.startswith("t") and month >= 0:
                mu *= ratio
            count = rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu)) if alpha > 0 else rng.poisson(mu)
            rows.append(
                {
                    "commune_code": code,
                    "month": month,
                    "month_start": pd.Timestamp("2022-06-01") + pd.DateOffset(months=k),
                    "days": 30,
                    "count": int(count),
                }
            )
    return pd.DataFrame(rows), population


def test_panel_model_recovers_a_known_rate_ratio():
    monthly, population = _simulated_panel(ratio=0.6, seed=11, alpha=0.1)
    result = panel_model(monthly, targets=["t0", "t1", "t2"], population=population)
    assert result is not None
    assert result.method == "negative_binomial"
    assert result.lo < 0.6 < result.hi
    assert result.hi < 1
    assert (result.n_communes, result.n_months) == (10, 24)


def test_panel_model_without_overdispersion_still_covers_the_ratio():
    """Poisson data: the dispersion goes to zero and the model falls back if it must."""
    monthly, population = _simulated_panel(ratio=1.3, seed=5, alpha=0.0)
    result = panel_model(monthly, targets=["t0", "t1", "t2"], population=population)
    assert result is not None
    assert result.lo < 1.3 < result.hi


def test_panel_model_not_identified_without_comparison():
    monthly, _ = _simulated_panel(ratio=0.6, seed=1, alpha=0.1)
    only_targets = monthly[monthly["commune_code"].str.startswith("t")]
    assert panel_model(only_targets, targets=["t0", "t1", "t2"]) is None


def test_fit_counts_poisson_fallback_uses_clusters():
    rng = np.random.default_rng(0)
    x = np.column_stack([np.ones(40), np.repeat([0.0, 1.0], 20)])
    y = rng.poisson(np.exp(1 + 0.5 * x[:, 1])).astype(float)
    fit = fit_counts(y, x, offset=np.zeros(40), groups=np.repeat(np.arange(8), 5))
    assert fit.params.shape == (2,)
    assert fit.ratio(1)[1] < np.exp(0.5) < fit.ratio(1)[2]


def test_interrupted_time_series_finds_a_level_drop():
    rng = np.random.default_rng(2)
    months = np.arange(-12, 12)
    starts = pd.date_range("2022-06-01", periods=24, freq="MS")
    mu = 60 * np.where(months >= 0, 0.5, 1.0) * (1 + 0.2 * np.sin(2 * np.pi * starts.month / 12))
    monthly = pd.DataFrame(
        {
            "commune_code": "t",
            "month": months,
            "month_start": starts,
            "days": 30,
            "count": rng.poisson(mu),
        }
    )
    control = monthly.assign(commune_code="c", count=rng.poisson(60, 24))
    trend = interrupted_time_series(
        pd.concat([monthly, control]), targets=["t"], control=["c"], population={"t": 1000, "c": 1000}
    )
    assert trend is not None
    assert trend.level_ci[0] < 0.5 < trend.level_ci[1]
    assert trend.level_ci[1] < 1
    assert list(trend.series.columns) == [
        "month",
        "month_start",
        "target",
        "control",
        "target_rate",
        "control_rate",
        "fitted",
        "counterfactual",
    ]
    assert trend.series["control"].sum() == control["count"].sum()
    assert trend.series["target_rate"].iloc[0] == monthly["count"].iloc[0]


def test_interrupted_time_series_after_ratio_compares_with_the_before_trend():
    """A flat series halved from the start: the after window holds half what the trend predicts."""
    months = np.arange(-24, 12)
    starts = pd.date_range("2021-06-01", periods=36, freq="MS")
    monthly = pd.DataFrame(
        {
            "commune_code": "t",
            "month": months,
            "month_start": starts,
            "days": 30,
            "count": np.where(months >= 0, 50, 100),
        }
    )
    trend = interrupted_time_series(monthly, targets=["t"])
    assert trend is not None
    assert trend.after_ratio == pytest.approx(0.5, abs=0.02)
    assert trend.series["target_rate"].isna().all()


def test_trend_follows_tet_and_the_control_series():
    """A target that moves with its control, and whose Tết months are 60% busier than the control's."""
    from geo.evaluation.tet import tet_share

    rng = np.random.default_rng(4)
    starts = pd.date_range("2021-06-01", periods=37, freq="MS")
    tet = tet_share(starts)
    common = np.exp(rng.normal(0, 0.15, 36))  # what moves every commune
    rows = []
    for k in range(36):
        month = k - 24
        target_mu = 40 * common[k] * 1.6 ** tet[k] * (0.7 if month >= 0 else 1.0)
        control_mu = 200 * common[k]
        for code, mu in (("t", target_mu), ("c", control_mu)):
            rows.append(
                {
                    "commune_code": code,
                    "month": month,
                    "month_start": starts[k],
                    "days": 30,
                    "count": rng.poisson(mu),
                }
            )
    result = interrupted_time_series(pd.DataFrame(rows), targets=["t"], control=["c"])
    assert result is not None
    assert result.against_control
    assert result.tet_ratio is not None
    assert 1.2 < result.tet_ratio < 2.1
    assert result.level_ci[0] < 0.7 < result.level_ci[1] < 1
