"""Tests of geo.evaluation.event_study on constructed worlds with known answers."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from geo.evaluation.event_study import MIN_PLACEBO_UNITS, event_study

UNITS = ["T", "A", "B", "C", "D", "E", "F"]
CONTROLS = UNITS[1:]


def _world(rate: Callable[[str, int], float], *, before: int = 12, after: int = 12, seed: int | None = None):
    """Unit × month counts, months -before … after-1 from a start on 01/01/2024; ``rate(unit, month)``."""
    rng = np.random.default_rng(seed)
    starts = pd.date_range("2024-01-01", periods=before + after + 1, freq="MS") - pd.DateOffset(months=before)
    rows = []
    for unit in UNITS:
        for k, month in enumerate(range(-before, after)):
            days = (starts[k + 1] - starts[k]).days
            mean = rate(unit, month) * days / 30
            count = rng.poisson(mean) if seed is not None else round(mean)
            rows.append(
                {"commune_code": unit, "month": month, "month_start": starts[k], "days": days, "count": count}
            )
    return pd.DataFrame(rows)


def test_a_target_that_halves_after_the_start_reads_half_and_leaves_the_band():
    monthly = _world(lambda u, m: 50 if u == "T" and m >= 0 else 100 + 10 * CONTROLS.index(u) if u != "T" else 100,
                     seed=1)  # fmt: skip
    study = event_study(monthly, targets=["T"], comparison=CONTROLS, baseline=(-12, 0))
    assert study is not None
    table = study.table
    assert table["bin"].tolist() == [-4, -3, -2, -1, 0, 1, 2, 3]
    assert table["reference"].tolist() == [True] * 4 + [False] * 4
    after, before = table[table["bin"] >= 0], table[table["bin"] < 0]
    assert after["ratio"].between(0.42, 0.58).all()
    assert before["ratio"].between(0.85, 1.15).all()
    assert study.placebo_units == len(CONTROLS)
    assert study.outside_band(after=True) == 4
    assert study.outside_band(after=False) <= 2  # ordinary noise leaves the band now and then


def test_an_area_wide_rise_is_not_a_change_of_the_target():
    monthly = _world(lambda u, m: 100 * (1.5 if m >= 0 else 1.0), seed=2)
    study = event_study(monthly, targets=["T"], comparison=CONTROLS, baseline=(-12, 0))
    assert study is not None
    assert study.table["ratio"].between(0.85, 1.15).all()


def test_the_band_spans_the_comparison_units_and_says_how_often_an_ordinary_unit_is_inside():
    monthly = _world(lambda u, m: 80, seed=4)
    study = event_study(monthly, targets=["T"], comparison=CONTROLS, baseline=(-12, 0))
    assert study is not None
    assert study.coverage == pytest.approx(5 / 7)
    assert (study.table["lo"] <= study.table["hi"]).all()
    assert (study.table["lo"] < 1).all()
    assert (study.table["hi"] > 1).all()


def test_a_pre_trend_shows_before_the_start():
    """A target already falling by 4 % a month before the start: its early bins sit above the late ones."""
    monthly = _world(lambda u, m: 100 * 0.96 ** (m + 12) if u == "T" else 100)
    study = event_study(monthly, targets=["T"], comparison=CONTROLS, baseline=(-12, 0))
    assert study is not None
    before = study.table[study.table["bin"] < 0]["ratio"].to_numpy()
    assert np.all(np.diff(before) < 0)
    assert before[0] > 1.15
    assert before[-1] < 0.9


def test_bins_follow_the_start_and_a_short_last_bin_is_marked():
    monthly = _world(lambda u, m: 30, before=7, after=5)
    study = event_study(monthly, targets=["T"], comparison=CONTROLS, baseline=(-6, 0), bin_months=3)
    assert study is not None
    table = study.table.set_index("bin")
    assert -3 not in table.index  # month -7 alone: a short bin before the start is left out
    assert table["reference"].tolist() == [True, True, False, False]
    assert table.loc[1, "months"] == 2
    assert table.loc[0, "month_start"] == pd.Timestamp("2024-01-01")
    assert np.allclose(table["ratio"], 1, atol=0.02)  # equal daily rates everywhere


def test_few_comparison_units_give_ratios_without_a_band():
    monthly = _world(lambda u, m: 40)
    few = CONTROLS[: MIN_PLACEBO_UNITS - 1]
    study = event_study(monthly[monthly["commune_code"].isin(["T", *few])], targets=["T"], comparison=few,
                        baseline=(-12, 0))  # fmt: skip
    assert study is not None
    assert not study.has_band
    assert study.table["lo"].isna().all()
    assert study.outside_band(after=True) == 0


@pytest.mark.parametrize(
    ("targets", "comparison", "baseline"),
    [(["X"], CONTROLS, (-12, 0)), (["T"], ["T"], (-12, 0)), (["T"], CONTROLS, (-40, -30))],
)
def test_nothing_to_compare_is_none(targets, comparison, baseline):
    assert (
        event_study(_world(lambda u, m: 10), targets=targets, comparison=comparison, baseline=baseline)
        is None
    )


def test_a_target_without_baseline_incidents_is_none():
    monthly = _world(lambda u, m: 0 if u == "T" and m < 0 else 10)
    assert event_study(monthly, targets=["T"], comparison=CONTROLS, baseline=(-12, 0)) is None


def test_several_targets_are_one_series():
    monthly = _world(lambda u, m: 50 if u in ("T", "A") and m >= 0 else 100)
    study = event_study(monthly, targets=["T", "A"], comparison=["A", *CONTROLS[1:]], baseline=(-12, 0))
    assert study is not None
    assert study.placebo_units == len(CONTROLS) - 1  # a target is never its own comparison
    assert study.table.loc[study.table["bin"] >= 0, "ratio"].between(0.45, 0.55).all()
