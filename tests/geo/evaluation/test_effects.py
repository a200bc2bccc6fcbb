"""Tests of geo.evaluation.effects: RES, WDD, WDQ and the verdict rules against hand computations."""

import math

import pytest

from geo import settings
from geo.evaluation.effects import (
    Interval,
    relative_effect_size,
    verdict,
    weighted_displacement_difference,
    weighted_displacement_quotient,
)


def test_wdd_reproduces_the_published_check_value():
    """Wheeler & Ratcliffe's example: C 308→318, T 207→110, DC 150→140, D 178→157."""
    wdd = weighted_displacement_difference(
        (207, 110), (308, 318), (178, 157), (150, 140), scale_control=False
    )
    assert wdd.value == -118
    assert wdd.se == pytest.approx(39.6, abs=0.05)
    assert wdd.z == pytest.approx(-2.98, abs=0.005)
    assert wdd.lo == pytest.approx(-118 - 1.959964 * math.sqrt(1568))
    assert wdd.hi < 0


def test_wdd_scales_the_control_to_the_target_baseline():
    """A control ten times the target that rose 10% cancels a 10% rise in the target."""
    wdd = weighted_displacement_difference((100, 110), (1000, 1100))
    assert wdd.value == pytest.approx(0)
    assert wdd.se == pytest.approx(math.sqrt(210 + 0.01 * 2100))


def test_wdd_time_weights_a_shorter_after_window():
    """Half as long after: after counts double before they are compared."""
    wdd = weighted_displacement_difference((100, 40), (100, 50), weight=2.0)
    assert wdd.value == pytest.approx((80 - 100) - (100 - 100))
    assert wdd.se == pytest.approx(math.sqrt(100 + 4 * 40 + 100 + 4 * 50))


def test_wdd_without_control_baseline_is_nan():
    assert math.isnan(weighted_displacement_difference((10, 5), (0, 3)).value)


def test_res_and_its_interval_match_a_hand_computation():
    """T 120→80, C 400→440: RES = 120·440/(80·400) = 1.65, Var(ln) = 1/120+1/80+1/400+1/440."""
    res = relative_effect_size((120, 80), (400, 440))
    assert res is not None
    se = math.sqrt(1 / 120 + 1 / 80 + 1 / 400 + 1 / 440)
    assert res.estimate == pytest.approx(1.65)
    assert res.lo == pytest.approx(1.65 * math.exp(-1.959964 * se), rel=1e-6)
    assert res.hi == pytest.approx(1.65 * math.exp(1.959964 * se), rel=1e-6)
    assert round(res.lo, 3) == 1.206
    assert round(res.hi, 3) == 2.258


@pytest.mark.parametrize("counts", [(0, 5, 10, 10), (5, 0, 10, 10), (5, 5, 0, 10), (5, 5, 10, 0)])
def test_res_is_undefined_with_a_zero_count(counts):
    t0, t1, c0, c1 = counts
    assert relative_effect_size((t0, t1), (c0, c1)) is None


@pytest.mark.parametrize(
    ("interval", "total", "expected"),
    [
        (Interval(1.5, 1.0001, 2.0), 100, "improving"),
        (Interval(1.4, 1.0, 2.0), 100, "unclear"),
        (Interval(0.9, 0.5, 1.0), 100, "unclear"),
        (Interval(0.7, 0.5, 0.9999), 100, "worsening"),
        (Interval(1.5, 1.2, 2.0), settings.MIN_COUNT_FOR_VERDICT, "improving"),
        (Interval(1.5, 1.2, 2.0), settings.MIN_COUNT_FOR_VERDICT - 1, "insufficient"),
        (None, 1000, "insufficient"),
    ],
)
def test_verdict_rules_at_their_boundaries(interval, total, expected):
    assert verdict(interval, total=total) == expected


def test_wdq_defined_case():
    """(60/200 − 80/200) / (50/200 − 100/200) = (−0.1)/(−0.25) = 0.4: diffusion of benefits."""
    assert weighted_displacement_quotient((100, 50), (200, 200), (80, 60)).value == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("target", "control", "buffer", "has_buffer", "reason"),
    [
        ((100, 50), (0, 200), (80, 60), True, "zero_control"),
        ((100, 50), (200, 0), (80, 60), True, "zero_control"),
        ((100, 100), (200, 200), (80, 60), True, "no_target_change"),
        ((100, 50), (200, 200), (0, 0), False, "no_buffer"),
    ],
)
def test_wdq_not_defined_cases(target, control, buffer, has_buffer, reason):
    wdq = weighted_displacement_quotient(target, control, buffer, has_buffer=has_buffer)
    assert wdq.value is None
    assert wdq.reason == reason


def test_calibrated_verdict_reads_the_calibrated_interval_and_power():
    from geo.evaluation.effects import calibrated_verdict, p_text

    assert calibrated_verdict(1.4, 1.1, 1.8, total=300, detectable_fall=0.3) == ("worsening", "")
    assert calibrated_verdict(0.6, 0.45, 0.8, total=10, detectable_fall=0.3) == (
        "insufficient",
        "few_incidents",
    )
    assert calibrated_verdict(None, None, None, total=300, detectable_fall=None) == (
        "insufficient",
        "not_estimable",
    )
    assert calibrated_verdict(0.6, 0.45, 0.8, total=300, detectable_fall=0.3, max_fall=0.2) == (
        "insufficient",
        "low_power",
    )
    assert p_text(None) == "—"
    assert p_text(float("nan")) == "—"


def test_wdd_judges_the_buffer_against_the_control_scaled_to_it():
    """Every area falls 10% with no plan effect: nothing was prevented (issue 12, item 6)."""
    from geo.evaluation.effects import weighted_displacement_difference

    wdd = weighted_displacement_difference((300, 270), (1000, 900), (500, 450))
    assert wdd.value == pytest.approx(0.0)
    assert wdd.lo < 0 < wdd.hi
    # The control's counts enter twice (for the target and for the buffer): (T0 + D0)/C0 = 0.8.
    assert wdd.se == pytest.approx((300 + 270 + 0.8**2 * 1900 + 500 + 450) ** 0.5)
    # Without a buffer the buffer terms vanish.
    alone = weighted_displacement_difference((300, 270), (1000, 900))
    assert alone.value == pytest.approx(0.0)
    assert alone.se == pytest.approx((300 + 270 + 0.3**2 * 1900) ** 0.5)
