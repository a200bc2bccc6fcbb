"""Tests of geo.evaluation.synthetic: a target built from its donors, too few donors, a poor fit."""

import numpy as np
import pandas as pd
import pytest

from geo.evaluation.synthetic import MIN_DONORS, synthetic_control


def _panel(series: dict[str, np.ndarray]) -> pd.DataFrame:
    months = np.arange(-24, 12)
    return pd.DataFrame(
        [
            {"commune_code": code, "month": int(m), "count": float(values[k])}
            for code, values in series.items()
            for k, m in enumerate(months)
        ]
    )


def _donors(seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(36)
    return {f"d{i}": 100 * (1 + 0.3 * np.sin(t / (2 + i)) + rng.normal(0, 0.02, 36)) for i in range(6)}


def test_a_target_mixed_from_two_donors_is_found_and_its_fall_measured():
    donors = _donors()
    # Same shape as an even mix of d0 and d1 (each normalised), then 40% lower after the start.
    mix = 0.5 * donors["d0"] / donors["d0"][:24].mean() + 0.5 * donors["d1"] / donors["d1"][:24].mean()
    target = 50 * mix * np.r_[np.ones(24), np.full(12, 0.6)]
    result = synthetic_control(
        _panel({"t": target, **donors}), target="t", donors=list(donors), after=(0, 12)
    )
    assert result.reason == ""
    assert result.ratio == pytest.approx(0.6, abs=0.03)
    assert result.weights.get("d0", 0) + result.weights.get("d1", 0) > 0.9
    assert result.pre_misfit < 0.02
    assert result.placebos == 6
    assert result.p_value == pytest.approx(1 / 7)
    assert list(result.series.columns) == ["month", "target", "synthetic"]


def test_too_few_donors_or_a_poor_fit_say_so():
    donors = _donors()
    few = dict(list(donors.items())[: MIN_DONORS - 1])
    result = synthetic_control(
        _panel({"t": donors["d0"], **few}), target="t", donors=list(few), after=(0, 12)
    )
    assert (result.reason, result.ratio) == ("few_donors", None)
    zigzag = 100 * (1 + 0.8 * (-1) ** np.arange(36))
    poor = synthetic_control(_panel({"t": zigzag, **donors}), target="t", donors=list(donors), after=(0, 12))
    assert (poor.reason, poor.ratio, poor.p_value) == ("poor_fit", None, None)
    assert poor.pre_misfit > 0.25
