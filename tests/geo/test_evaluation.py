"""Tests of geo.evaluation: RES, WDD, WDQ, verdicts and the whole evaluation on a tiny district."""

import math
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo import settings
from geo._errors import ConfigError
from geo.evaluation import (
    Interval,
    evaluate,
    relative_effect_size,
    verdict,
    weighted_displacement_difference,
    weighted_displacement_quotient,
)
from geo.plan import Plan


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


# --- a tiny district: five 2 km squares in a row, targets "B" and "E" --------------------------


def _district() -> gpd.GeoDataFrame:
    """Squares A B C D E from west to east; B's neighbours are A and C, E's neighbour is D."""
    squares = [box(600_000 + 2000 * i, 2_200_000, 602_000 + 2000 * i, 2_202_000) for i in range(5)]
    frame = gpd.GeoDataFrame(
        {"code": list("ABCDE"), "name": [f"Xã {c}" for c in "ABCDE"], "population": [1000] * 5},
        geometry=squares,
        crs=settings.CRS_METRIC,
    )
    return frame.to_crs(settings.CRS_WGS84)


def _incidents(counts: dict[str, tuple[int, int]], *, outside: int = 0) -> pd.DataFrame:
    """Incidents spread evenly over 12 months before and after 2023-06-01, with ``outside`` unassigned."""
    rows = []
    rng = np.random.default_rng(3)
    for code, (before, after) in {**counts, "": (outside, 0)}.items():
        for n, (first, last) in (
            (before, ("2022-06-01", "2023-05-31")),
            (after, ("2023-06-01", "2024-05-31")),
        ):
            days = pd.date_range(first, last, freq="D")
            for k in range(n):
                rows.append(
                    {
                        "incident_id": f"{code}{first}{k}",
                        "occurred_at": days[rng.integers(len(days))] + pd.Timedelta(hours=10),
                        "offence_code": "trom_cap",
                        "offence_group": "ttxh" if k % 3 else "ma_tuy",
                        "commune_code": code,
                    }
                )
    return pd.DataFrame(rows)


PLAN = Plan(name="Thử", start=date(2023, 6, 1), targets=("B", "E"))


def test_evaluate_counts_areas_and_verdicts():
    incidents = _incidents(
        {"A": (100, 100), "B": (200, 100), "C": (100, 100), "D": (100, 100), "E": (100, 160)}, outside=7
    )
    result = evaluate(incidents, _district(), PLAN, models=False)
    b, e = result.targets
    assert (b.areas.buffer, b.areas.control) == (("A", "C"), ("D",))
    assert (e.areas.buffer, e.areas.control) == (("D",), ("A", "C"))
    assert result.combined.areas.buffer == ("A", "C", "D")
    assert result.combined.areas.control == ("A", "C", "D")
    assert b.overall.counts == {"t0": 200, "t1": 100, "d0": 200, "d1": 200, "c0": 100, "c1": 100}
    assert b.overall.verdict == "improving"
    assert b.overall.change_pct("t") == pytest.approx(
        (100 * 365 / 366 - 200) / 200 * 100
    )  # 2024 is a leap year
    assert b.overall.rate("t") == pytest.approx(200 / (365 / 365.25))
    assert e.overall.verdict == "worsening"
    assert result.outside == {"before": 7, "after": 0, "total": 7}
    assert set(b.by_group) == {"ttxh", "ma_tuy"}
    assert sum(g.counts["t0"] for g in b.by_group.values()) == 200


def test_evaluate_to_dict_has_the_cli_keys_and_verdict_words():
    incidents = _incidents({"A": (100, 100), "B": (200, 100), "C": (100, 100), "D": (100, 100), "E": (5, 6)})
    data = evaluate(incidents, _district(), PLAN, models=True).to_dict()
    keys = {
        "code",
        "name",
        "before",
        "after",
        "buffer_before",
        "buffer_after",
        "control_before",
        "control_after",
        "res",
        "res_ci",
        "wdd",
        "wdd_se",
        "wdd_z",
        "wdq",
        "verdict",
    }
    assert keys <= set(data["targets"][0])
    assert keys | {"panel_rate_ratio", "panel_ci"} <= set(data["combined"])
    assert [t["verdict"] for t in data["targets"]] == ["improving", "insufficient"]
    assert data["plan"]["windows"]["before"] == ["2022-06-01", "2023-05-31"]
    assert (
        data["combined"]["panel_ci"][0]
        < data["combined"]["panel_rate_ratio"]
        < data["combined"]["panel_ci"][1]
    )


def test_evaluate_rejects_unknown_target():
    incidents = _incidents({"A": (10, 10)})
    plan = Plan(name="x", start=date(2023, 6, 1), targets=("Z",))
    with pytest.raises(ConfigError, match="Z"):
        evaluate(incidents, _district(), plan, models=False)


def test_evaluate_rejects_start_outside_the_data():
    incidents = _incidents({"A": (10, 10)})
    plan = Plan(name="x", start=date(2030, 1, 1), targets=("B",))
    with pytest.raises(ConfigError, match="nằm ngoài dữ liệu"):
        evaluate(incidents, _district(), plan, models=False)


def test_evaluate_does_not_mutate_inputs():
    incidents = _incidents({"A": (10, 10), "B": (10, 5)})
    communes = _district()
    before = incidents.copy(), communes.copy()
    evaluate(incidents, communes, PLAN, models=False)
    pd.testing.assert_frame_equal(incidents, before[0])
    pd.testing.assert_frame_equal(communes, before[1])
