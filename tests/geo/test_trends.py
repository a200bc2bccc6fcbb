"""Tests of the trend tables: monthly series, offence mix, weekday × hour, top communes."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from geo.trends import monthly_series, offence_mix, top_communes, weekday_hour


def incidents(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Incidents from (timestamp, offence code, commune code) triples."""
    return pd.DataFrame(
        {
            "occurred_at": pd.to_datetime([r[0] for r in rows]),
            "offence_code": [r[1] for r in rows],
            "commune_code": [r[2] for r in rows],
        }
    )


def test_monthly_series_fills_empty_months_with_zero():
    frame = incidents(
        [("2024-01-05", "danh_bac", "A"), ("2024-03-09", "danh_bac", "A"), ("2024-03-30", "x", "B")]
    )
    series = monthly_series(frame, start=date(2024, 1, 1), end=date(2024, 4, 15))
    assert series["month"].dt.strftime("%m").tolist() == ["01", "02", "03", "04"]
    assert series["count"].tolist() == [1, 0, 2, 0]


def test_monthly_series_by_key_includes_absent_keys():
    frame = incidents([("2024-01-05", "danh_bac", "A"), ("2024-02-09", "danh_bac", "A")])
    series = monthly_series(
        frame, start=date(2024, 1, 1), end=date(2024, 2, 28), by="commune_code", keys=["A", "B"]
    )
    assert series["key"].tolist() == ["A", "B", "A", "B"]
    assert series["count"].tolist() == [1, 0, 1, 0]


def test_offence_mix_shares_and_change():
    now = incidents([("2024-01-01", "trom_cap_tai_san", "A")] * 3 + [("2024-01-02", "danh_bac", "A")])
    before = incidents([("2023-01-01", "trom_cap_tai_san", "A"), ("2023-01-02", "danh_bac", "A")])
    mix = offence_mix(now, before).set_index("offence_code")
    assert mix.loc["trom_cap_tai_san", "share"] == 75.0
    assert mix.loc["trom_cap_tai_san", "previous_share"] == 50.0
    assert mix.loc["trom_cap_tai_san", "share_change"] == 25.0
    assert mix.loc["danh_bac", "change"] == 0
    assert mix.loc["danh_bac", "offence_group"] == "ttxh"
    assert list(mix.index) == ["trom_cap_tai_san", "danh_bac"]


def test_offence_mix_of_empty_periods():
    empty = incidents([])
    assert offence_mix(empty, empty).empty


def test_weekday_hour_counts():
    frame = incidents(
        [("2024-01-01 08:30", "x", "A"), ("2024-01-01 08:59", "x", "A"), ("2024-01-07 23:00", "x", "A")]
    )
    table = weekday_hour(frame)
    assert table.shape == (7, 24)
    assert table.loc[0, 8] == 2  # Monday 1 January 2024, 8 o'clock
    assert table.loc[6, 23] == 1  # Sunday
    assert table.to_numpy().sum() == 3


def test_top_communes_skips_unknown_values():
    table = pd.DataFrame({"code": ["A", "B", "C", "D"], "rate": [3.0, np.nan, 9.0, 3.0]})
    assert top_communes(table, column="rate", n=2)["code"].tolist() == ["C", "A"]
    assert top_communes(table, column="rate", n=2, largest=False)["code"].tolist() == ["A", "D"]


def test_top_rises_and_falls_never_list_the_other_sign() -> None:
    table = pd.DataFrame({"code": ["a", "b", "c", "d"], "change": [5, -3, 0, 2]})
    assert list(top_communes(table, column="change", largest=True, signed=True)["code"]) == ["a", "d"]
    assert list(top_communes(table, column="change", largest=False, signed=True)["code"]) == ["b"]
    assert list(top_communes(table, column="change", largest=False, n=2)["code"]) == ["b", "c"]


def test_weekday_hour_counts_only_times_known_to_the_minute() -> None:
    frame = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(["2024-01-01 14:30", "2024-01-01 00:00", "2024-01-01 00:00"]),
            "precision": ["minute", "day", "month"],
        }
    )
    table = weekday_hour(frame)
    assert int(table.to_numpy().sum()) == 1
    assert table.loc[0, 14] == 1
