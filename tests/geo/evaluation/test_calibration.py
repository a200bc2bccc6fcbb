"""Tests of geo.evaluation.calibration on constructed worlds with known answers (issue 12)."""

import math

import numpy as np
import pandas as pd
import pytest

from geo.evaluation.calibration import BetweenUnits, between_variance, calibrate, effect, heterogeneity, infer
from geo.evaluation.panel import Design, fit_panel, placebo_shifts, unit_changes
from geo.evaluation.randomisation import randomisation

DESIGN = Design((-12, 0), (0, 12))
UNITS = [f"u{i:02d}" for i in range(12)]


def world(
    *,
    seed: int,
    sigma: float = 0.0,
    level: float = 30.0,
    ratio: dict[str, float] | None = None,
    before_ratio: dict[str, float] | None = None,
    everywhere: float = 1.0,
    months_before: int = 36,
    units: list[str] = UNITS,
) -> pd.DataFrame:
    """Monthly Poisson counts: every unit at ``level`` a month, its own yearly shift of SD ``sigma``.

    ``ratio`` multiplies a unit's months from the start, ``before_ratio`` its 12 months before the
    start (a pre-trend), ``everywhere`` every unit from the start (an area-wide trend).
    """
    rng = np.random.default_rng(seed)
    months = np.arange(-months_before, 12)
    rows = []
    for code in units:
        # A fresh between-unit shift every 12 months (no plan effect in it).
        shifts = rng.normal(0, sigma, len(months) // 12 + 1)
        for m in months:
            mu = level * math.exp(shifts[(m + months_before) // 12])
            if m >= 0:
                mu *= everywhere * (ratio or {}).get(code, 1.0)
            elif m >= -12:
                mu *= (before_ratio or {}).get(code, 1.0)
            rows.append({"commune_code": code, "month": int(m), "days": 30.0, "count": int(rng.poisson(mu))})
    return pd.DataFrame(rows)


def test_fit_recovers_target_and_buffer_effects():
    monthly = world(seed=1, level=60, ratio={"u00": 0.5, "u02": 0.7, "u03": 0.7})
    fit = fit_panel(
        monthly, DESIGN, targets={"u00": ["u00"], "u01": ["u01"]}, buffers={"buffer": ["u02", "u03"]}
    )
    assert fit is not None
    assert fit.terms == ("u00", "u01", "buffer")
    assert math.exp(fit.params[0]) == pytest.approx(0.5, rel=0.1)
    assert math.exp(fit.params[1]) == pytest.approx(1.0, rel=0.15)
    assert math.exp(fit.params[2]) == pytest.approx(0.7, rel=0.1)
    # A target's own shift moves its effect one for one; a comparison unit's moves it the other way.
    assert fit.influence[0, fit.units.index("u00")] == pytest.approx(1.0)
    assert fit.influence[0, fit.units.index("u05")] < 0
    assert fit.free.sum() == 10


def test_calibrated_interval_covers_the_truth_and_widens_with_between_unit_variation():
    quiet = infer(world(seed=2, ratio={"u00": 0.5}), DESIGN, targets=["u00", "u01"], buffers={})[0]
    noisy = infer(world(seed=2, sigma=0.25, ratio={"u00": 0.5}), DESIGN, targets=["u00", "u01"], buffers={})[
        0
    ]
    for result in (quiet, noisy):
        e = result["u00"].effect
        assert e is not None
        assert e.lo < 0.5 < e.hi
    q, n = quiet["u00"], noisy["u00"]
    assert q.between is not None
    assert n.between is not None
    assert q.between.sd < 0.08 < n.between.sd
    assert n.effect is not None
    assert q.effect is not None
    assert n.effect.hi / n.effect.lo > q.effect.hi / q.effect.lo
    assert n.effect.detectable_fall > q.effect.detectable_fall
    # The model-only interval knows nothing of the between-unit variation: narrower.
    assert n.effect.model_hi / n.effect.model_lo < n.effect.hi / n.effect.lo


def test_no_effect_world_with_between_unit_variation_is_rarely_clear():
    """Twenty worlds with a 15% between-unit spread and no effect: clear intervals stay rare."""
    clear = 0
    for seed in range(20):
        found = infer(world(seed=100 + seed, sigma=0.15), DESIGN, targets=["u00", "u01"], buffers={})[0]
        for result in found.values():
            assert result.effect is not None
            clear += result.effect.hi < 1 or result.effect.lo > 1
    assert clear <= 4  # 40 target-verdicts; 5% expected


def test_area_wide_fall_is_not_an_effect_and_buffer_is_judged_against_the_same_units():
    monthly = world(seed=3, level=60, everywhere=0.8)
    found, together = infer(monthly, DESIGN, targets=["u00", "u01"], buffers={"u00": ["u02", "u03"]})
    for result in (found["u00"], found["u01"], together):
        assert result.effect is not None
        assert result.effect.lo < 1 < result.effect.hi
    buffer = found["u00"].buffer
    assert buffer is not None
    assert buffer.lo < 1 < buffer.hi
    assert found["u01"].buffer is None


def test_buffer_effect_with_its_interval():
    monthly = world(seed=4, level=80, ratio={"u00": 0.5, "u02": 0.6, "u03": 0.6, "u04": 0.6})
    found, _ = infer(monthly, DESIGN, targets=["u00", "u01"], buffers={"u00": ["u02", "u03", "u04"]})
    buffer = found["u00"].buffer
    assert buffer is not None
    assert buffer.lo < 0.6 < buffer.hi < 1


def test_pre_trend_is_found_in_the_months_before_the_start():
    monthly = world(seed=5, level=60, before_ratio={"u00": 1.6})
    found, _ = infer(monthly, DESIGN, targets=["u00", "u01"], buffers={})
    pre = found["u00"].pretrend
    assert pre is not None
    assert pre.ratio > 1.3
    assert pre.p_value < 0.01
    steady = found["u01"].pretrend
    assert steady is not None
    assert steady.p_value > 0.05


def test_placebo_shifts_stay_before_the_start_and_inside_the_data():
    assert placebo_shifts(DESIGN, -36) == [12, 24]
    assert placebo_shifts(DESIGN, -28) == [12]
    assert placebo_shifts(DESIGN, -12) == []
    assert placebo_shifts(Design((-12, 0), (0, 6)), -24) == [6, 12]


def test_opposite_effects_are_heterogeneous_when_pooled():
    monthly = world(seed=6, level=60, ratio={"u00": 0.55, "u01": 1.6})
    found, together = infer(monthly, DESIGN, targets=["u00", "u01"], buffers={})
    assert together.heterogeneity is not None
    assert together.heterogeneity < 0.001
    assert heterogeneity([e for e in (found["u00"].effect,) if e]) is None


def test_randomisation_counts_every_assignment_or_a_seeded_sample():
    changes = pd.Series(np.linspace(-1, 1, 12), index=UNITS)
    lowest = randomisation([changes], ["u00"])
    assert lowest is not None
    assert (lowest.assignments, lowest.units, lowest.chosen, lowest.sampled) == (12, 12, 1, False)
    assert lowest.larger == 0
    assert lowest.p_value == pytest.approx(2 / 12)  # the lowest and the highest are as extreme
    pair = randomisation([changes, changes], ["u00", "u01"])
    assert pair is not None
    assert pair.assignments == 2 * math.comb(12, 2)
    assert pair.dates == 2
    sampled = randomisation([changes], ["u00", "u01", "u02"], max_assignments=50)
    assert sampled is not None
    assert sampled.sampled
    assert sampled.assignments == 51
    again = randomisation([changes], ["u00", "u01", "u02"], max_assignments=50)
    assert again == sampled
    assert randomisation([changes[:2]], ["u00"]) is None


def test_unit_changes_are_log_ratios_with_a_half_added():
    monthly = world(seed=7)
    change = unit_changes(monthly, DESIGN)
    before = (
        monthly[(monthly["month"] >= -12) & (monthly["month"] < 0)].groupby("commune_code")["count"].sum()
    )
    after = monthly[monthly["month"] >= 0].groupby("commune_code")["count"].sum()
    assert change["u03"] == pytest.approx(math.log((after["u03"] + 0.5) / (before["u03"] + 0.5)))


def test_not_estimable_without_incidents_or_comparison_units():
    monthly = world(seed=8, units=UNITS[:3])
    assert fit_panel(monthly, DESIGN, targets={"u00": ["u00"], "u01": ["u01"]}) is None
    empty = world(seed=8)
    empty.loc[empty["commune_code"] == "u00", "count"] = 0
    assert fit_panel(empty, DESIGN, targets={"u00": ["u00"]}) is None
    assert fit_panel(world(seed=8), Design((-60, -48), (0, 12)), targets={"u00": ["u00"]}) is None
    found, together = infer(monthly, DESIGN, targets=["u00", "u01"], buffers={})
    assert found["u00"].effect is None
    assert together.effect is None


def test_between_variance_and_effect_arithmetic():
    fit = fit_panel(world(seed=9, sigma=0.3), DESIGN, targets={"u00": ["u00"]})
    assert fit is not None
    between = between_variance([fit])
    assert between is not None
    assert between.df == 10
    assert between.windows == 1
    assert 0.05 < between.variance < 0.3
    assert between_variance([]) is None
    known = BetweenUnits(variance=0.04, df=1000, windows=0)
    e = calibrate(fit, known, {"u00": 1.0})
    assert e.se == pytest.approx(math.sqrt(fit.cov[0, 0] + 0.04 * float(fit.influence[0] @ fit.influence[0])))
    flat = effect(0.0, 0.0, 0.0, 10)
    assert math.isnan(flat.p_value)
    assert flat.detectable_fall == 0.0


@pytest.mark.slow  # five simulated districts: `make slow` / `make bench` (the benchmark in docs/verdicts.md covers it too)
def test_targets_chosen_on_high_counts_regress_and_a_longer_baseline_halves_it():
    """Units alike but for yearly swings; the three highest of the year before are "targets".

    With the selection year as the baseline they "fall" with no plan at all (regression to the mean);
    a 24-month baseline (`geo.settings.SELECTED_BASELINE_MONTHS`) roughly halves that.
    """
    units = [f"u{i:02d}" for i in range(18)]
    bias: dict[int, list[float]] = {12: [], 24: []}
    for seed in range(5):
        monthly = world(seed=200 + seed, sigma=0.3, units=units)
        last_year = monthly[(monthly["month"] >= -12) & (monthly["month"] < 0)]
        chosen = last_year.groupby("commune_code")["count"].sum().nlargest(3).index.tolist()
        for months, found in bias.items():
            _, together = infer(monthly, Design((-months, 0), (0, 12)), targets=chosen, buffers={})
            assert together.effect is not None
            found.append(math.log(together.effect.ratio))
    short, long = np.mean(bias[12]), np.mean(bias[24])
    assert short < -0.2
    assert short < long < 0
    assert abs(long) < 0.75 * abs(short)
