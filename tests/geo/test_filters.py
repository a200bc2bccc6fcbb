"""Incident filters: validation, URL round trip, application."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo._errors import ConfigError
from geo.filters import IncidentFilter, apply_filter, default_filter, preset_period, year_earlier_day


def _frame() -> pd.DataFrame:
    """Four incidents in two communes across two groups, sorted by time."""
    return pd.DataFrame(
        {
            "incident_id": ["a", "b", "c", "d"],
            "occurred_at": pd.to_datetime(
                ["2024-01-01 08:00", "2024-01-31 23:59", "2024-02-01 00:00", "2024-03-05 00:00"]
            ),
            "offence_code": ["trom_cap_tai_san", "danh_bac", "trom_cap_tai_san", "tang_tru_ma_tuy"],
            "offence_group": ["ttxh", "ttxh", "ttxh", "ma_tuy"],
            "commune_code": ["1", "2", "1", "2"],
        }
    )


def test_end_day_is_included_and_start_before_end_enforced() -> None:
    jan = IncidentFilter(start=date(2024, 1, 1), end=date(2024, 1, 31))
    assert list(apply_filter(_frame(), jan)["incident_id"]) == ["a", "b"]
    with pytest.raises(ConfigError, match="phải sau ngày bắt đầu"):
        IncidentFilter(start=date(2024, 2, 1), end=date(2024, 1, 1))


def test_groups_offences_and_communes_combine() -> None:
    base = IncidentFilter(start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert list(
        apply_filter(_frame(), IncidentFilter(**{**base.__dict__, "groups": ("ma_tuy",)}))["incident_id"]
    ) == ["d"]
    only = IncidentFilter(**{**base.__dict__, "offences": ("trom_cap_tai_san",), "communes": ("1",)})
    assert list(apply_filter(_frame(), only)["incident_id"]) == ["a", "c"]


def test_unsorted_frames_filter_the_same() -> None:
    flt = IncidentFilter(start=date(2024, 1, 15), end=date(2024, 2, 29))
    shuffled = _frame().iloc[[3, 1, 0, 2]]
    assert sorted(apply_filter(shuffled, flt)["incident_id"]) == sorted(
        apply_filter(_frame(), flt)["incident_id"]
    )


def test_input_frame_is_not_changed() -> None:
    frame = _frame()
    copy = frame.copy()
    apply_filter(frame, IncidentFilter(start=date(2024, 1, 1), end=date(2024, 1, 1)))
    pd.testing.assert_frame_equal(frame, copy)


def test_year_earlier_handles_leap_day() -> None:
    flt = IncidentFilter(start=date(2024, 2, 29), end=date(2024, 3, 31)).year_earlier()
    assert (flt.start, flt.end) == (date(2023, 2, 28), date(2023, 3, 31))


def test_url_params_round_trip_and_bad_values_fall_back() -> None:
    default = IncidentFilter(start=date(2025, 11, 1), end=date(2026, 10, 31))
    flt = IncidentFilter(
        start=date(2024, 1, 1), end=date(2024, 3, 31), groups=("ma_tuy",), communes=("15388",)
    )
    parsed = IncidentFilter.from_params(flt.to_params(), default=default, commune_codes={"15388"})
    assert parsed == flt
    junk = {"from": "31/12/2024", "to": "2024-99-01", "group": "ma_tuy,<script>", "commune": "99999"}
    parsed = IncidentFilter.from_params(junk, default=default, commune_codes={"15388"})
    assert (parsed.start, parsed.end, parsed.groups, parsed.communes) == (
        default.start,
        default.end,
        ("ma_tuy",),
        (),
    )


@given(st.dictionaries(st.sampled_from(["from", "to", "group", "offence", "commune"]), st.text(max_size=40)))
def test_any_url_gives_a_valid_filter(params: dict[str, str]) -> None:
    default = IncidentFilter(start=date(2025, 1, 1), end=date(2025, 12, 31))
    flt = IncidentFilter.from_params(params, default=default, commune_codes={"15349"})
    assert flt.start <= flt.end
    assert set(flt.communes) <= {"15349"}


def test_default_is_the_last_twelve_complete_months() -> None:
    frame = _frame()
    assert default_filter(frame) == IncidentFilter(start=date(2024, 1, 1), end=date(2024, 2, 29))
    frame.loc[3, "occurred_at"] = pd.Timestamp("2024-03-31 10:00")
    assert default_filter(frame) == IncidentFilter(start=date(2024, 1, 1), end=date(2024, 3, 31))


# --- period presets (CompStat): relative to the data's last day, against the same period a year earlier ---


def test_presets_are_relative_to_the_data_end() -> None:
    end = date(2026, 10, 31)
    assert preset_period("7d", end) == (date(2026, 10, 25), end)
    assert preset_period("28d", end) == (date(2026, 10, 4), end)
    assert preset_period("month", end) == (date(2026, 10, 1), end)
    assert preset_period("quarter", end) == (date(2026, 10, 1), end)
    assert preset_period("ytd", end) == (date(2026, 1, 1), end)
    assert preset_period("12m", end) == (date(2025, 11, 1), end)
    assert preset_period("custom", end) == (date(2025, 11, 1), end)
    # Mid-month: this month and quarter run to the last day; the 12 months end at the last whole month.
    mid = date(2026, 8, 17)
    assert preset_period("quarter", mid) == (date(2026, 7, 1), mid)
    assert preset_period("12m", mid) == (date(2025, 8, 1), date(2026, 7, 31))
    # The data's first day bounds a period.
    assert preset_period("ytd", end, first=date(2026, 3, 5)) == (date(2026, 3, 5), end)


def test_presets_over_a_leap_day() -> None:
    assert preset_period("7d", date(2024, 3, 2)) == (date(2024, 2, 25), date(2024, 3, 2))
    assert preset_period("month", date(2024, 2, 29)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert preset_period("12m", date(2024, 2, 29)) == (date(2023, 3, 1), date(2024, 2, 29))
    assert preset_period("28d", date(2024, 2, 29)) == (date(2024, 2, 2), date(2024, 2, 29))


def test_year_earlier_of_each_preset() -> None:
    def earlier(preset: str, end: date) -> tuple[date, date]:
        start, last = preset_period(preset, end)
        flt = IncidentFilter(start=start, end=last, preset=preset).year_earlier()
        return flt.start, flt.end

    # Rolling days keep their length: 7 days through 29/02/2024 → 7 days through 28/02/2023.
    assert earlier("7d", date(2024, 2, 29)) == (date(2023, 2, 22), date(2023, 2, 28))
    assert earlier("28d", date(2025, 3, 1)) == (date(2024, 2, 3), date(2024, 3, 1))
    # A month through its last day: the whole month a year earlier (February 2024 has 29 days).
    assert earlier("month", date(2025, 2, 28)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert earlier("ytd", date(2025, 2, 28)) == (date(2024, 1, 1), date(2024, 2, 29))
    assert earlier("ytd", date(2024, 2, 29)) == (date(2023, 1, 1), date(2023, 2, 28))
    assert earlier("month", date(2026, 10, 15)) == (date(2025, 10, 1), date(2025, 10, 15))
    assert earlier("quarter", date(2026, 10, 31)) == (date(2025, 10, 1), date(2025, 10, 31))
    assert earlier("12m", date(2025, 2, 28)) == (date(2023, 3, 1), date(2024, 2, 29))
    # A custom range through a month end: the month end a year earlier (30/04 stays 30/04).
    flt = IncidentFilter(start=date(2024, 3, 1), end=date(2025, 2, 28)).year_earlier()
    assert (flt.start, flt.end) == (date(2023, 3, 1), date(2024, 2, 29))
    assert year_earlier_day(date(2025, 4, 30), end=True) == date(2024, 4, 30)


def test_the_url_keeps_the_preset_and_follows_the_data_end() -> None:
    default = IncidentFilter(start=date(2025, 11, 1), end=date(2026, 10, 31), preset="12m")
    flt = IncidentFilter(start=date(2026, 10, 4), end=date(2026, 10, 31), preset="28d")
    assert flt.to_params()["period"] == "28d"
    same = IncidentFilter.from_params(
        flt.to_params(), default=default, commune_codes=set(), last_day=date(2026, 10, 31)
    )
    assert same == flt
    # Opened after more data came in: the latest 28 days of the data, not the dates in the link.
    later = IncidentFilter.from_params(
        flt.to_params(), default=default, commune_codes=set(), last_day=date(2026, 12, 31)
    )
    assert (later.start, later.end, later.preset) == (date(2026, 12, 4), date(2026, 12, 31), "28d")
    custom = {"from": "2024-01-01", "to": "2024-03-31", "period": "custom"}
    parsed = IncidentFilter.from_params(
        custom, default=default, commune_codes=set(), last_day=date(2026, 10, 31)
    )
    assert (parsed.start, parsed.end, parsed.preset) == (date(2024, 1, 1), date(2024, 3, 31), "custom")
    # An old link with dates only is a custom range; a bad preset is the default's.
    dates = {"from": "2024-01-01", "to": "2024-03-31"}
    old = IncidentFilter.from_params(dates, default=default, commune_codes=set(), last_day=date(2026, 10, 31))
    assert (old.start, old.end, old.preset) == (date(2024, 1, 1), date(2024, 3, 31), "custom")
    bad = IncidentFilter.from_params(
        {"period": "<b>"}, default=default, commune_codes=set(), last_day=date(2026, 10, 31)
    )
    assert (bad.start, bad.end, bad.preset) == (default.start, default.end, "12m")
