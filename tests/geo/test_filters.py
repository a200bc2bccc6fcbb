"""Incident filters: validation, URL round trip, application."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo._errors import ConfigError
from geo.filters import IncidentFilter, apply_filter, default_filter


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
