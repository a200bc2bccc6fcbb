"""The pages' counts with push-down (`ui.counts` on the aggregates and `geo.store.rows`) equal the arrays', on both stores."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import streamlit as st

from geo import prepared
from geo.filters import IncidentFilter
from geo.store.store import Store

FILTERS = [
    IncidentFilter(date(2025, 11, 1), date(2026, 10, 31)),
    IncidentFilter(date(2024, 3, 15), date(2025, 2, 10), groups=("ttxh",)),
    IncidentFilter(date(2023, 1, 1), date(2023, 12, 31), communes=("15361", "15379")),
    IncidentFilter(date(2024, 2, 10), date(2024, 2, 20)),  # inside one month
    IncidentFilter(date(2026, 10, 4), date(2026, 10, 31), offences=("trom_cap_tai_san",)),
]


@pytest.fixture
def pushed(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    store = Store.open(store_url, demo=True)
    monkeypatch.setenv("ANTT_DATABASE_URL", store_url)
    monkeypatch.setenv("ANTT_PUSHDOWN", "1")
    st.cache_data.clear()
    st.cache_resource.clear()
    return store


def test_the_pages_counts_equal_the_arrays_on_both_stores(pushed: Store) -> None:
    from ui import counts

    found = prepared.prepare(pushed.incidents())
    communes = pushed.communes()
    for flt in FILTERS:
        at = counts.select_in(found, flt)
        earlier = counts.select_in(found, flt.year_earlier())
        assert counts.total(flt) == len(at) > 0
        for by, keys in (("offence_group", ["ttxh", "ma_tuy"]), ("commune_code", ["15361", "15379", "x"])):
            pd.testing.assert_frame_equal(
                counts.monthly(flt, by=by, keys=keys),
                prepared.monthly_at(found, at, start=flt.start, end=flt.end, by=by, keys=keys),
            )
        pd.testing.assert_series_equal(counts.offences(flt), prepared.offence_counts(found, at))
        pd.testing.assert_frame_equal(counts.weekday_hour(flt), prepared.weekday_hour_at(found, at))
        pd.testing.assert_frame_equal(
            counts.unit_table(flt, communes, previous=flt.year_earlier()),
            prepared.prepared_counts(found, communes, at, days=flt.days, previous=earlier),
        )
        assert counts.clearance(flt) == pytest.approx(prepared.clearance_at(found, at))
