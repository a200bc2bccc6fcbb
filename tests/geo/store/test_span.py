"""The stored incidents' span, unit codes and located counts, read without the rows, equal the rows' own."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from geo.filters import IncidentFilter, apply_filter
from geo.incidents import covered_until
from geo.store.counts import Window
from geo.store.span import Span
from geo.store.store import Store


def test_span_and_codes_equal_the_incidents_on_both_stores(store_url: str) -> None:
    store = Store.open(store_url, demo=True)
    frame = store.incidents()
    got = store.span()
    assert got.n == len(frame) > 0
    assert got.first == frame["occurred_at"].min().to_pydatetime()
    assert got.last == frame["occurred_at"].max().to_pydatetime()
    assert got.covered == covered_until(frame)
    assert store.unit_codes() == sorted(frame["commune_code"].astype(str).unique().tolist())
    for window in (
        Window(date(2025, 11, 1), date(2026, 10, 31)),
        Window(date(2023, 5, 26), date(2024, 3, 3), communes=("15361",)),
    ):
        flt = IncidentFilter(window.start, window.end, communes=window.communes)
        chosen = apply_filter(frame, flt)
        located = chosen[chosen["lon"].notna() & chosen["lat"].notna()]
        expected = located["commune_code"].value_counts().to_dict()
        assert store.located_counts(window).set_index("commune_code")["n"].to_dict() == expected


def test_a_month_only_record_in_the_last_month_covers_the_month(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('span') / 's.sqlite'}", demo=True)
    last = store.span()
    assert last.last is not None
    assert last.covered == last.last.date()
    t = store.tables.incidents
    with store.engine.begin() as conn:
        newest = conn.execute(
            sa.select(t.c.incident_id).order_by(t.c.occurred_at.desc()).limit(1)
        ).scalar_one()
        month_start = datetime(last.last.year, last.last.month, 1)
        conn.execute(
            t.update().where(t.c.incident_id == newest).values(occurred_at=month_start, precision="month")
        )
    frame = store.incidents()
    got = store.span()
    assert got.covered == covered_until(frame) == (pd.Timestamp(month_start) + pd.offsets.MonthEnd(0)).date()


def test_an_empty_store_spans_nothing(tmp_path_factory: pytest.TempPathFactory) -> None:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('empty') / 'e.sqlite'}", demo=False)
    assert store.span() == Span(None, None, None, 0)
    assert store.unit_codes() == []


@pytest.mark.parametrize(
    "window",
    [
        Window(date(2021, 1, 1), date(2026, 10, 31), offences=("danh_bac",)),
        Window(date(2023, 5, 26), date(2024, 3, 3), communes=("15361",)),
        Window(date(2024, 2, 10), date(2024, 2, 20)),
        Window(date(2030, 1, 1), date(2030, 2, 1)),
    ],
    ids=str,
)
def test_window_span_is_the_first_and_last_match(
    tmp_path_factory: pytest.TempPathFactory, window: Window
) -> None:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('ws') / 'w.sqlite'}", demo=True)
    flt = IncidentFilter(window.start, window.end, offences=window.offences, communes=window.communes)
    chosen = apply_filter(store.incidents(), flt)
    got = store.window_span(window)
    if chosen.empty:
        assert got is None
        return
    assert got == (chosen["occurred_at"].min().to_pydatetime(), chosen["occurred_at"].max().to_pydatetime())


def test_has_status_follows_the_rows(tmp_path_factory: pytest.TempPathFactory) -> None:
    from geo.clearance import has_status

    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('st') / 's.sqlite'}", demo=True)
    assert store.has_status() == has_status(store.incidents(details=True))
    with store.engine.begin() as conn:
        conn.execute(store.tables.incidents.update().values(status="  "))
    assert not store.has_status()
    assert not has_status(store.incidents(details=True))
