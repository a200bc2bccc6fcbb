"""Tests of geo.evaluation.assess: the whole evaluation of a plan on a tiny district."""

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo import settings
from geo._errors import ConfigError
from geo.evaluation.assess import evaluate
from geo.plan import Plan
from tests.geo._contracts import TARGET_KEYS

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
    # Three comparison communes cannot tell a real fall from ordinary differences between communes.
    assert (b.overall.verdict, b.overall.reason) == ("insufficient", "low_power")
    assert b.overall.effect is not None
    assert b.overall.effect.detectable_fall > settings.MAX_DETECTABLE_FALL
    assert b.overall.change_pct("t") == pytest.approx(
        (100 * 365 / 366 - 200) / 200 * 100
    )  # 2024 is a leap year
    assert b.overall.rate("t") == pytest.approx(200 / (365 / 365.25))
    assert e.overall.verdict == "insufficient"
    assert result.outside == {"before": 7, "after": 0, "total": 7}
    assert set(b.by_group) == {"ttxh", "ma_tuy"}
    assert sum(g.counts["t0"] for g in b.by_group.values()) == 200


def test_evaluate_to_dict_has_the_cli_keys_and_verdict_words():
    incidents = _incidents({"A": (100, 100), "B": (200, 100), "C": (100, 100), "D": (100, 100), "E": (5, 6)})
    data = evaluate(incidents, _district(), PLAN, models=True).to_dict()
    assert set(data["targets"][0]) >= TARGET_KEYS
    assert TARGET_KEYS | {"panel_rate_ratio", "panel_ci"} <= set(data["combined"])
    assert [t["verdict"] for t in data["targets"]] == ["insufficient", "insufficient"]
    assert [t["verdict_reason"] for t in data["targets"]] == ["low_power", "few_incidents"]
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


def _grid() -> gpd.GeoDataFrame:
    """Sixteen 2 km squares in a 4 × 4 grid, named A … P row by row; targets F and P."""
    squares = [
        box(
            600_000 + 2000 * (i % 4),
            2_200_000 + 2000 * (i // 4),
            602_000 + 2000 * (i % 4),
            2_202_000 + 2000 * (i // 4),
        )
        for i in range(16)
    ]
    codes = [chr(ord("A") + i) for i in range(16)]
    frame = gpd.GeoDataFrame(
        {"code": codes, "name": [f"Xã {c}" for c in codes], "population": [1000] * 16},
        geometry=squares,
        crs=settings.CRS_METRIC,
    )
    return frame.to_crs(settings.CRS_WGS84)


def test_evaluate_grid_with_known_answers():
    """Sixteen communes: F halves, P rises 60%, the rest steady; the calibrated verdicts see both."""
    counts = dict.fromkeys("ABCDEGHIJKLMNO", (120, 120)) | {"F": (200, 100), "P": (150, 240)}
    plan = Plan(name="Thử", start=date(2023, 6, 1), targets=("F", "P"))
    result = evaluate(_incidents(counts), _grid(), plan, models=False)
    f, p = result.targets
    assert f.areas.buffer == ("A", "B", "C", "E", "G", "I", "J", "K")
    assert p.areas.buffer == ("K", "L", "O")
    assert (f.overall.verdict, p.overall.verdict) == ("improving", "worsening")
    fe, pe = f.overall.effect, p.overall.effect
    assert fe is not None
    assert pe is not None
    assert fe.hi < 1 < pe.lo
    assert fe.ratio == pytest.approx(0.5 * 365 / 366, rel=0.02)
    assert fe.detectable_fall < settings.MAX_DETECTABLE_FALL
    inference = f.overall.inference
    assert inference is not None
    assert inference.buffer is not None
    assert inference.buffer.lo < 1 < inference.buffer.hi
    together = result.combined.overall.inference
    assert together is not None
    assert together.heterogeneity is not None
    assert together.heterogeneity < 0.001
    assert together.randomisation is not None
    assert together.randomisation.assignments == 120  # C(16, 2)
    data = result.to_dict()
    first = data["targets"][0]
    assert first["rate_ratio_ci"][1] < 1
    assert first["detectable_fall_pct"] < 50
    assert first["buffer_ratio_ci"][0] < 1 < first["buffer_ratio_ci"][1]
    assert first["pretrend_ratio"] is None  # no month before the before window


def test_offence_groups_are_exploratory_and_the_primary_outcome_is_the_verdict():
    counts = dict.fromkeys("ABCDEGHIJKLMNO", (120, 120)) | {"F": (200, 100), "P": (150, 240)}
    plan = Plan(name="Thử", start=date(2023, 6, 1), targets=("F", "P"), primary="ttxh")
    result = evaluate(_incidents(counts), _grid(), plan, models=False)
    f = result.targets[0]
    assert f.primary is f.by_group["ttxh"]
    assert f.by_group["ttxh"].q_value is None  # the primary outcome is not adjusted
    q = f.by_group["ma_tuy"].q_value
    assert q is not None
    assert f.by_group["ma_tuy"].effect is not None
    assert q >= f.by_group["ma_tuy"].effect.p_value
    data = result.to_dict()
    assert (data["targets"][0]["primary"], data["targets"][0]["primary_verdict"]) == (
        "ttxh",
        f.primary.verdict,
    )
    assert data["targets"][0]["by_group"]["ma_tuy"]["q_value"] == pytest.approx(q, abs=1e-6)


def test_targets_chosen_on_counts_get_the_longer_baseline_where_the_data_reach():
    counts = dict.fromkeys("ABCDEGHIJKLMNO", (120, 120)) | {"F": (200, 100), "P": (150, 240)}
    plan = Plan(name="Thử", start=date(2023, 6, 1), targets=("F", "P"), selection="counts")
    result = evaluate(_incidents(counts), _grid(), plan, models=False)
    # The data hold only 12 months before the start: the window says it was shortened.
    assert result.windows.requested_before_months == settings.SELECTED_BASELINE_MONTHS
    assert result.windows.before_months == 12
    assert result.windows.shortened
