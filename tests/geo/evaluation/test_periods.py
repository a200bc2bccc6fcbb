"""Tests of geo.evaluation.periods: windows around the plan's start and monthly bins."""

from datetime import date

import pandas as pd
import pytest

from geo._errors import ConfigError, DataError
from geo.dates import complete_data_end
from geo.evaluation.periods import monthly_counts, plan_windows, windows_for
from geo.plan import Plan

PLAN = Plan(name="x", start=date(2023, 5, 26), targets=("a",))


def test_full_windows():
    w = plan_windows(PLAN, data_start=date(2021, 1, 1), data_end=date(2026, 11, 1))
    assert (w.before_start, w.after_end) == (date(2022, 5, 26), date(2024, 5, 26))
    assert (w.before_months, w.after_months, w.shortened) == (12, 12, False)
    assert w.before_days == 365
    assert w.after_days == 366


def test_after_window_shortened_to_last_complete_month():
    """Data up to 15/01/2024: only complete months up to 31/12/2023 count, so 7 whole months after."""
    w = plan_windows(PLAN, data_start=date(2021, 1, 1), data_end=complete_data_end(date(2024, 1, 15)))
    assert w.after_months == 7
    assert w.after_end == date(2023, 12, 26)
    assert w.shortened
    assert w.weight == pytest.approx(365 / 214)


@pytest.mark.parametrize("start", [date(2030, 1, 1), date(2020, 1, 1), date(2021, 1, 20)])
def test_start_outside_data(start):
    plan = Plan(name="x", start=start, targets=("a",))
    with pytest.raises(ConfigError, match="nằm ngoài dữ liệu"):
        plan_windows(plan, data_start=date(2021, 1, 1), data_end=date(2026, 11, 1))


def test_windows_for_empty_incidents():
    with pytest.raises(DataError, match="Không có vụ việc"):
        windows_for(pd.DataFrame({"occurred_at": pd.Series([], dtype="datetime64[ns]")}), PLAN)


def test_monthly_counts_full_table_with_zeros():
    incidents = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(
                ["2023-05-25 23:59", "2023-05-26 00:00", "2023-06-25 00:00", "2019-01-01 00:00"]
            ),
            "commune_code": ["a", "a", "b", "a"],
        }
    )
    w = plan_windows(PLAN, data_start=date(2021, 1, 1), data_end=date(2026, 11, 1))
    table = monthly_counts(incidents, w, codes=["a", "b"])
    assert len(table) == 2 * 24
    counts = table.set_index(["commune_code", "month"])["count"]
    assert counts[("a", -1)] == 1
    assert counts[("a", 0)] == 1
    assert counts[("b", 0)] == 1
    assert counts.sum() == 3
    first = table[table["month"] == -12].iloc[0]
    assert first["month_start"] == pd.Timestamp("2022-05-26")
    assert first["days"] == 31
