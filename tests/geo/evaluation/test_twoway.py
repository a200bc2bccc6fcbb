"""The panel fits by elimination of the unit effects equal the dense fits with one dummy column per unit.

`geo.evaluation.twoway` changes how the normal equations are solved, not the estimator: coefficients,
covariance, each unit's influence, the dispersion and the method must be the dense fit's (to rounding)
on Poisson and overdispersed counts, with and without buffers, at the real start and a placebo date;
a design the fixed effects make singular falls back to the dense fit.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.evaluation.models import _MIN_ALPHA, fit_counts, panel_model
from geo.evaluation.panel import Design, fit_panel
from geo.evaluation.periods import monthly_from_bins, windows_for
from geo.evaluation.simulated import province

FIELDS = ("params", "cov", "influence", "change", "change_var", "alpha")


def _monthly(
    units: int, *, seed: int, overdispersion: float, rate: float = 40.0
) -> tuple[pd.DataFrame, dict, tuple]:
    simulated = province(units, seed=seed, overdispersion=overdispersion, rate=rate)
    windows = windows_for(simulated.counts, replace(simulated.plan, before_months=24))
    codes = simulated.communes["code"].tolist()
    monthly = monthly_from_bins(simulated.counts.binned(list(windows.month_starts())), windows, codes=codes)
    population = dict(zip(codes, simulated.communes["population"].astype(float), strict=True))
    return monthly, population, simulated.plan.targets


def _assert_same(fast, dense) -> None:
    assert fast is not None
    assert dense is not None
    assert (fast.terms, fast.units, fast.method) == (dense.terms, dense.units, dense.method)
    for name in FIELDS:
        np.testing.assert_allclose(
            getattr(fast, name), getattr(dense, name), rtol=1e-8, atol=1e-10, err_msg=name
        )
    np.testing.assert_array_equal(fast.free, dense.free)
    np.testing.assert_array_equal(fast.buffer, dense.buffer)


@pytest.mark.parametrize("overdispersion", [0.0, 0.1])
@pytest.mark.parametrize("shift", [0, 12])
def test_the_fit_by_elimination_is_the_dense_fit(overdispersion, shift):
    monthly, population, targets = _monthly(24, seed=3, overdispersion=overdispersion)
    own = {code: [code] for code in targets}
    buffers = {"buffer": sorted(set(monthly["commune_code"]) - set(targets))[:5]}
    design = Design((-12, 0), (0, 12)).shifted(shift)
    fast = fit_panel(monthly, design, targets=own, buffers=buffers, population=population)
    dense = fit_panel(monthly, design, targets=own, buffers=buffers, population=population, dense=True)
    _assert_same(fast, dense)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    units=st.integers(min_value=5, max_value=18),
    seed=st.integers(min_value=0, max_value=10_000),
    overdispersion=st.sampled_from([0.0, 0.05, 0.3]),
    rate=st.sampled_from([2.0, 10.0, 60.0]),
    buffer_size=st.integers(min_value=0, max_value=3),
)
def test_any_small_panel_fits_the_same_both_ways(units, seed, overdispersion, rate, buffer_size):
    monthly, population, targets = _monthly(units, seed=seed, overdispersion=overdispersion, rate=rate)
    others = sorted(set(monthly["commune_code"]) - set(targets))
    buffers = {"buffer": others[:buffer_size]} if buffer_size else {}
    own = {code: [code] for code in targets}
    design = Design((-12, 0), (0, 12))
    fast = fit_panel(monthly, design, targets=own, buffers=buffers, population=population)
    dense = fit_panel(monthly, design, targets=own, buffers=buffers, population=population, dense=True)
    if dense is None:
        assert fast is None
    else:
        _assert_same(fast, dense)


def test_a_design_the_fixed_effects_explain_falls_back_to_the_dense_fit():
    # Every non-target unit in the buffer: targets × after + buffer × after = after, a month effect.
    monthly, population, targets = _monthly(6, seed=5, overdispersion=0.0)
    others = sorted(set(monthly["commune_code"]) - set(targets))
    own = {code: [code] for code in targets}
    design = Design((-12, 0), (0, 12))
    fast = fit_panel(monthly, design, targets=own, buffers={"buffer": others}, population=population)
    dense = fit_panel(
        monthly, design, targets=own, buffers={"buffer": others}, population=population, dense=True
    )
    assert fast is not None
    assert dense is not None
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(fast, name), getattr(dense, name))


@pytest.mark.parametrize(("overdispersion", "seed"), [(0.0, 11), (0.0, 12), (0.1, 11)])
def test_the_panel_model_equals_the_dense_glm(overdispersion, seed):
    monthly, population, targets = _monthly(30, seed=seed, overdispersion=overdispersion)
    found = panel_model(monthly, targets=targets, population=population)
    codes = monthly["commune_code"].astype(str)
    treated_after = codes.isin(targets).to_numpy() & (monthly["month"] >= 0).to_numpy()
    design = np.column_stack(
        [
            np.ones(len(monthly)),
            treated_after.astype(float),
            pd.get_dummies(codes, drop_first=True, dtype=float).to_numpy(),
            pd.get_dummies(monthly["month"], drop_first=True, dtype=float).to_numpy(),
        ]
    )
    people = codes.map(population).to_numpy(dtype=float)
    offset = np.log(people) + np.log(monthly["days"].to_numpy(dtype=float))
    dense = fit_counts(monthly["count"].to_numpy(dtype=float), design, offset=offset, groups=codes.to_numpy())
    ratio, lo, hi, p_value = dense.ratio(1)
    assert found is not None
    assert found.method == dense.method
    assert (found.alpha or 0.0) == pytest.approx(dense.alpha or 0.0, rel=1e-6, abs=_MIN_ALPHA)
    # statsmodels stops on the deviance (1e-8), the elimination on the coefficients (1e-9).
    assert (found.rate_ratio, found.lo, found.hi) == pytest.approx((ratio, lo, hi), rel=1e-6)
    assert found.p_value == pytest.approx(p_value, rel=1e-5, abs=1e-9)
