"""The evaluation at a province's scale: the fast paths give the reference's answers, many units a whole result.

- synthetic control: the weights are the exact minimiser over the simplex (its optimality conditions
  hold, and it equals a general optimiser's answer where the minimiser is unique); a pool larger
  than the months gives the optimiser's twin and uses every donor as a placebo;
- event study: the placebo band computed at once equals the unit-by-unit calculation;
- randomisation: the assignments drawn once per process are the seeded draws;
- `evaluate` on 150 simulated units: every target and the targets together estimated, the target
  with a 40% fall found lower, the figures well-formed.
"""

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from geo.evaluation import synthetic
from geo.evaluation.assess import evaluate
from geo.evaluation.event_study import _log_ratios, event_study
from geo.evaluation.randomisation import _assignments
from geo.evaluation.simulated import province


def _slsqp(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """The weights as the module found them before (a general optimiser): the reference."""
    n = donors.shape[1]
    found = optimize.minimize(
        lambda w: float(np.sum((target - donors @ w) ** 2)),
        np.full(n, 1.0 / n),
        jac=lambda w: -2 * donors.T @ (target - donors @ w),
        bounds=[(0.0, 1.0)] * n,
        constraints=[{"type": "eq", "fun": lambda w: float(np.sum(w) - 1), "jac": lambda w: np.ones(n)}],
        method="SLSQP",
        options={"maxiter": 500, "ftol": 1e-14},
    )
    return np.clip(found.x, 0, None) / np.clip(found.x, 0, None).sum()


@settings(max_examples=40, deadline=None)
@given(
    months=st.integers(min_value=6, max_value=30),
    donors=st.integers(min_value=1, max_value=40),
    seed=st.integers(min_value=0, max_value=100_000),
)
def test_the_weights_minimise_the_misfit_over_the_simplex(months, donors, seed):
    rng = np.random.default_rng(seed)
    pool = 1 + 0.3 * rng.normal(size=(months, donors))
    target = 1 + 0.3 * rng.normal(size=months)
    w = synthetic._weights(target, pool)
    assert w.min() >= 0
    assert w.sum() == pytest.approx(1.0)
    # Optimality over the simplex: the gradient is smallest (and equal) on the donors used.
    gradient = -2 * pool.T @ (target - pool @ w)
    used = w > 1e-9
    level = gradient[used].mean()
    scale = 1 + np.abs(gradient).max()
    assert np.all(np.abs(gradient[used] - level) <= 1e-6 * scale)
    assert np.all(gradient >= level - 1e-6 * scale)
    # A general optimiser never finds a better mix.
    reference = _slsqp(target, pool)
    assert np.sum((target - pool @ w) ** 2) <= np.sum((target - pool @ reference) ** 2) + 1e-9


def test_where_the_mix_is_unique_it_is_the_optimisers():
    rng = np.random.default_rng(4)
    pool = 1 + 0.3 * rng.normal(size=(24, 8))
    target = pool[:, :3] @ np.array([0.2, 0.3, 0.5]) + 0.05 * rng.normal(size=24)
    np.testing.assert_allclose(synthetic._weights(target, pool), _slsqp(target, pool), atol=1e-5)


def _panel(table: np.ndarray) -> pd.DataFrame:
    """Unit × month counts (rows: units) as the monthly table, months −24 … 11."""
    months = np.arange(-24, 12)
    return pd.DataFrame(
        {
            "commune_code": np.repeat([f"u{i:03d}" for i in range(table.shape[0])], len(months)),
            "month": np.tile(months, table.shape[0]),
            "count": table.ravel(),
        }
    )


def test_a_large_pool_gives_the_optimisers_twin_and_keeps_every_placebo():
    rng = np.random.default_rng(8)
    units = 60
    shape = 1 + 0.2 * np.sin(np.arange(36)[None, :] / rng.uniform(2, 6, size=(units, 1)))
    table = rng.poisson(200 * shape).astype(float)
    codes = [f"u{i:03d}" for i in range(units)]
    result = synthetic.synthetic_control(_panel(table), target=codes[0], donors=codes[1:], after=(0, 12))
    assert result.reason == ""
    assert result.placebos == units - 1
    normalised = table / table[:, :24].mean(axis=1, keepdims=True)
    reference = _slsqp(normalised[0, :24], normalised[1:, :24].T)
    twin = normalised[1:].T @ reference
    np.testing.assert_allclose(result.series["synthetic"], twin, atol=1e-4)
    assert result.pre_misfit == pytest.approx(
        np.sqrt(np.mean((normalised[0, :24] - twin[:24]) ** 2)), abs=1e-6
    )
    assert result.p_value is not None
    assert 1 / units <= result.p_value <= 1


def test_the_event_study_band_is_every_comparison_unit_against_the_others():
    rng = np.random.default_rng(2)
    units = 30
    table = rng.poisson(rng.uniform(5, 40, size=(units, 1)) * np.ones((1, 36))).astype(float)
    table[5] = 0  # a unit without incidents is no placebo
    monthly = _panel(table)
    monthly["month_start"] = pd.Timestamp("2023-05-26") + pd.to_timedelta(monthly["month"] * 30, unit="D")
    monthly["days"] = 30
    codes = sorted(set(monthly["commune_code"]))
    found = event_study(monthly, targets=[codes[0]], comparison=codes[1:], baseline=(-12, 0))
    assert found is not None
    counts = np.add.reduceat(table, np.arange(0, 36, 3), axis=1)
    days = np.full(12, 90.0)
    ref = (np.arange(12) >= 4) & (np.arange(12) < 8)
    comparison = np.arange(units) > 0
    placebos = []
    for index in np.flatnonzero(comparison):
        own = np.arange(units) == index
        others = comparison & ~own
        if counts[own][:, ref].sum() > 0 and counts[others][:, ref].sum() > 0:
            placebos.append(_log_ratios(counts, days, ref, own, others))
    assert found.placebo_units == len(placebos) == units - 2
    stacked = np.vstack(placebos)
    np.testing.assert_allclose(found.table["lo"], np.exp(np.quantile(stacked, 0.05, axis=0)), rtol=1e-12)
    np.testing.assert_allclose(found.table["hi"], np.exp(np.quantile(stacked, 0.95, axis=0)), rtol=1e-12)


@pytest.mark.parametrize(("n", "k"), [(12, 3), (500, 3)])
def test_the_assignments_are_the_seeded_draws_or_every_way(n, k):
    chosen = _assignments(n, k, 5000, 7)
    assert _assignments(n, k, 5000, 7) is chosen
    if n == 12:
        assert [tuple(row) for row in chosen] == list(itertools.combinations(range(n), k))
    else:
        rng = np.random.default_rng(7)
        np.testing.assert_array_equal(chosen[:50], [rng.choice(n, size=k, replace=False) for _ in range(50)])
        assert len(chosen) == 5000
    assert not chosen.flags.writeable


def test_a_province_of_150_units_is_evaluated_whole():
    simulated = province(150, effect=0.6, seed=5)
    evaluation = evaluate(simulated.counts, simulated.communes, simulated.plan)
    data = evaluation.to_dict()
    assert [t["code"] for t in data["targets"]] == list(simulated.plan.targets)
    for target in (*evaluation.targets, evaluation.combined):
        inference = target.overall.inference
        assert inference is not None
        assert inference.effect is not None
        assert inference.randomisation is not None
        # One target: every one of the 150 ways; three together: a seeded sample of C(150, 3).
        assert inference.randomisation.sampled == (target is evaluation.combined)
        assert inference.randomisation.units == 150
        assert target.events is not None
        assert target.events.placebo_units >= 100
        assert target.trend is not None
    assert evaluation.combined.panel is not None
    first = evaluation.targets[0]
    assert first.overall.inference.effect.ratio < 0.8
    assert first.overall.inference.effect.hi < 1
    for target in evaluation.targets:
        sc = target.synthetic
        assert sc is not None
        if sc.reason == "":
            assert sc.placebos == len(target.areas.control)
            assert set(sc.weights) <= set(target.areas.control)
            assert sum(sc.weights.values()) == pytest.approx(1.0, abs=0.03)
    assert evaluation.combined.synthetic is None
