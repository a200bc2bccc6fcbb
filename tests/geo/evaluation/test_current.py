"""Tests of geo.evaluation.current: the plan's question asked of the latest complete months."""

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo import settings
from geo.evaluation.assess import ALL, evaluate
from geo.evaluation.current import holding, latest_months, monthly_now, now_windows
from geo.plan import Plan

BASELINE = ("2022-06-01", "2023-05-31")
PLAN_AFTER = ("2023-06-01", "2024-05-31")
LATEST = ("2025-11-01", "2026-10-31")


def _grid() -> gpd.GeoDataFrame:
    """Sixteen 2 km squares in a 4 × 4 grid, A … P row by row."""
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


def _incidents(counts: dict[str, tuple[int, ...]], spans: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """Incidents spread evenly over each span (one count per span per commune), deterministic days."""
    rows = []
    rng = np.random.default_rng(5)
    for code, numbers in counts.items():
        for n, (first, last) in zip(numbers, spans, strict=True):
            days = pd.date_range(first, last, freq="D")
            for k in range(n):
                rows.append(
                    {
                        "incident_id": f"{code}{first}{k}",
                        "occurred_at": days[rng.integers(len(days))] + pd.Timedelta(hours=10),
                        "offence_code": "trom_cap",
                        "offence_group": "ttxh",
                        "commune_code": code,
                        "precision": "day",
                    }
                )
    return pd.DataFrame(rows).sort_values("occurred_at", ignore_index=True)


PLAN = Plan(name="Thử", start=date(2023, 6, 1), targets=("F", "P"))


def test_latest_months_end_at_the_last_complete_month():
    assert latest_months(date(2026, 10, 31)) == (date(2025, 11, 1), date(2026, 11, 1))
    assert latest_months(date(2026, 10, 15)) == (date(2025, 10, 1), date(2026, 10, 1))
    assert latest_months(date(2024, 2, 29), 1) == (date(2024, 2, 1), date(2024, 3, 1))
    assert latest_months(date(2023, 2, 28), 12) == (date(2022, 3, 1), date(2023, 3, 1))


def test_now_windows_keep_the_plans_baseline_and_count_the_gap():
    w = now_windows(date(2022, 5, 26), date(2023, 5, 26), last_day=date(2026, 10, 31))
    assert w is not None
    assert (w.before_start, w.start, w.after_start, w.last_day) == (
        date(2022, 5, 26),
        date(2023, 5, 26),
        date(2025, 11, 1),
        date(2026, 10, 31),
    )
    assert (w.before_months, w.after_months, w.gap_months) == (12, 12, 29)
    # A leap year in the latest months: 366 days against the baseline's 365.
    leap = now_windows(date(2022, 6, 1), date(2023, 6, 1), last_day=date(2024, 12, 31))
    assert leap is not None
    assert (leap.after_start, leap.after_days, leap.before_days) == (date(2024, 1, 1), 366, 365)
    assert leap.weight == pytest.approx(365 / 366)
    # Less than twelve months after the start: the plan's own window is the latest there is.
    assert now_windows(date(2022, 6, 1), date(2023, 6, 1), last_day=date(2024, 4, 30)) is None


def test_monthly_now_numbers_the_baseline_and_the_latest_months_and_leaves_the_gap_out():
    w = now_windows(date(2022, 6, 1), date(2023, 6, 1), last_day=date(2026, 10, 31))
    assert w is not None
    frame = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(
                [
                    "2022-06-01 00:00",
                    "2023-05-31 23:00",
                    "2024-01-10 00:00",
                    "2025-11-01 00:00",
                    "2026-10-31 00:00",
                ]
            ),
            "commune_code": ["A", "A", "A", "A", "B"],
        }
    )
    table = monthly_now(frame, w, codes=["A", "B"])
    assert len(table) == 2 * 24
    months = sorted(table["month"].unique().tolist())
    assert months[:12] == list(range(-12, 0))
    assert months[12:] == list(range(29, 41))
    a = table[table["commune_code"] == "A"].set_index("month")["count"]
    assert (a[-12], a[-1], a[29], int(a.sum())) == (1, 1, 1, 3)  # January 2024 lies in the gap
    assert table.loc[(table["commune_code"] == "B") & (table["month"] == 40), "count"].item() == 1
    assert table.loc[table["month"] == 29, "month_start"].iloc[0] == pd.Timestamp("2025-11-01")
    assert table.loc[table["month"] == 32, "days"].iloc[0] == 28  # February 2026


def test_holding_asks_the_plans_question_of_the_latest_months():
    """F halves after the start and is back to its old level now; P rises, then falls well below its baseline."""
    steady = dict.fromkeys("ABCDEGHIJKLMNO", (120, 120, 120))
    counts = steady | {"F": (200, 100, 200), "P": (150, 240, 70)}
    incidents = _incidents(counts, (BASELINE, PLAN_AFTER, LATEST))
    result = evaluate(incidents, _grid(), PLAN, models=False)
    f, p = result.targets
    assert (f.primary.verdict, p.primary.verdict) == ("improving", "worsening")
    now = holding(result, incidents, _grid())
    assert now is not None
    assert (now.windows.after_start, now.windows.last_day) == (date(2025, 11, 1), date(2026, 10, 31))
    nf, np_ = now.items["F"], now.items["P"]
    assert nf.counts["t0"] == f.primary.counts["t0"] == 200  # the same baseline
    assert (nf.counts["t1"], np_.counts["t1"]) == (200, 70)
    assert nf.verdict == "unclear"  # the fall did not hold
    assert np_.verdict == "improving"
    assert nf.effect is not None
    assert nf.effect.lo < 1 < nf.effect.hi
    assert set(now.items) == {"F", "P", ALL}
    assert now.items[ALL].counts["t0"] == 350
    # The plan's own verdicts are untouched.
    assert (result.targets[0].primary.verdict, result.targets[1].primary.verdict) == (
        "improving",
        "worsening",
    )
    data = now.to_dict()
    assert data["windows"]["after"] == ["2025-11-01", "2026-10-31"]
    assert data["targets"]["P"]["verdict"] == "improving"


def test_a_month_only_record_completes_its_month_and_a_short_tail_gives_no_now():
    steady = dict.fromkeys("ABCDEGHIJKLMNO", (120, 120, 120))
    counts = steady | {"F": (200, 100, 200), "P": (150, 240, 70)}
    incidents = _incidents(counts, (BASELINE, PLAN_AFTER, ("2025-10-01", "2026-09-30")))
    extra = incidents.iloc[[0]].assign(
        incident_id="month", occurred_at=pd.Timestamp("2026-10-01"), precision="month"
    )
    incidents = pd.concat([incidents, extra], ignore_index=True)
    result = evaluate(incidents, _grid(), PLAN, models=False)
    now = holding(result, incidents, _grid())
    assert now is not None
    assert now.windows.last_day == date(2026, 10, 31)  # October counts: its only record is month-only
    # Declared coverage to a day inside October: the latest complete month is September.
    now = holding(result, incidents, _grid(), through=date(2026, 10, 20))
    assert now is not None
    assert (now.windows.after_start, now.windows.last_day) == (date(2025, 10, 1), date(2026, 9, 30))
    short = _incidents({code: n[:2] for code, n in counts.items()}, (BASELINE, ("2023-06-01", "2024-03-31")))
    plan_result = evaluate(short, _grid(), PLAN, models=False)
    assert plan_result.windows.after_months == 10
    assert holding(plan_result, short, _grid()) is None
