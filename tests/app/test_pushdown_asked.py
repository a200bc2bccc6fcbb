"""What push-down asks the database, and how often: the located counts once per filter, no status count without statuses."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest
import streamlit as st

from geo.filters import IncidentFilter
from geo.store import rows, schema
from geo.store.counts import Window
from geo.store.store import Store
from tests.app._pages import refuse_every_row


def _fresh_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def _count_located(monkeypatch: pytest.MonkeyPatch) -> list[Window]:
    """Record every window `Store.located_counts` is asked for (and refuse to read every row)."""
    asked: list[Window] = []
    original = Store.located_counts

    def counting(self: Store, window: Window) -> pd.DataFrame:
        asked.append(window)
        return original(self, window)

    monkeypatch.setattr(Store, "located_counts", counting)
    refuse_every_row(monkeypatch)
    return asked


def test_the_located_counts_are_asked_once_per_store_version_and_filter(
    fresh_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import loaders, source

    original = Store.located_counts
    asked = _count_located(monkeypatch)
    _fresh_caches()
    year = IncidentFilter(date(2025, 11, 1), date(2026, 10, 31))
    unit = IncidentFilter(date(2025, 11, 1), date(2026, 10, 31), communes=("15361",))
    first = source.located_counts(year)
    assert source.located_counts(year).equals(first)  # the caption and the located total: one query
    assert len(asked) == 1
    direct = original(Store.open(fresh_store), Window.of(year))
    pd.testing.assert_frame_equal(first, direct)
    assert int(first["n"].sum()) > 0
    source.located_counts(unit)
    source.located_counts(unit)
    assert len(asked) == 2
    store = loaders.store()
    with store.engine.begin() as conn:  # a write: the store's version changes, the counts are asked again
        schema.bump_revision(conn, store.tables)
    source.located_counts(year)
    assert len(asked) == 3


def test_a_map_without_points_asks_the_located_counts_once_per_filter(
    fresh_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/map's located total and its unlocated caption share one query; another layer set, same filter: none."""
    from tests.app._pages import page

    asked = _count_located(monkeypatch)
    at = page("map", {"map.layers": ["boundaries", "choropleth"]})
    assert len(asked) == 1
    at.session_state["map.layers"] = ["boundaries"]
    at.run()
    assert not at.exception
    assert len(asked) == 1


def _unit_export(url: str, fmt: str) -> Any:
    from ui import data_admin

    _fresh_caches()
    store = Store.open(url)
    made = data_admin._export(
        url,
        store.version(),
        IncidentFilter(date(2025, 11, 1), date(2026, 10, 31)),
        what="communes",
        fmt=fmt,
        sheet="Theo xã",
        language="vi",
        now=datetime(2026, 11, 2, 9, 30),
    )
    return made if fmt == "csv" else pd.read_excel(io.BytesIO(made), header=None).to_dict("list")


@pytest.mark.parametrize("statuses", [True, False], ids=["with-statuses", "without"])
def test_the_per_unit_export_counts_no_status(
    fresh_store: str, monkeypatch: pytest.MonkeyPatch, statuses: bool
) -> None:
    """Its table has no clearance column (`geo.io.export.commune_table`): nothing to count, whatever the ledger."""
    store = Store.open(fresh_store)
    assert store.has_status()
    if not statuses:
        with store.engine.begin() as conn:
            conn.execute(store.tables.incidents.update().values(status=""))
    monkeypatch.delenv("ANTT_PUSHDOWN", raising=False)
    arrays = {fmt: _unit_export(fresh_store, fmt) for fmt in ("csv", "xlsx")}

    def refused(*args: Any, **kwargs: Any) -> pd.DataFrame:
        raise AssertionError("statuses counted for a table that shows none")

    refuse_every_row(monkeypatch)
    monkeypatch.setattr(rows, "status_counts", refused)
    pushed = {fmt: _unit_export(fresh_store, fmt) for fmt in ("csv", "xlsx")}
    assert pushed == arrays
    header = pushed["csv"].decode("utf-8-sig").splitlines()[0]
    assert "Dân số" in header
