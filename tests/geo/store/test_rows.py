"""Rows read a page at a time, and the counts summed in the database, equal the filtered incidents' own."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from geo import drilldown
from geo.clearance import clearance_counts
from geo.filters import IncidentFilter, apply_filter
from geo.hotspots.cells import in_cell
from geo.hotspots.grid import make_grid
from geo.store import rows
from geo.store.counts import Window
from geo.store.rows import Cell, Selection
from geo.store.schema import utc_now
from geo.store.store import Store
from geo.trends import weekday_hour

_SAME = datetime(2024, 3, 5, 8, 30)
_ROWS = [  # id, time, offence, lon, lat, unit, status, precision
    ("b-2", _SAME, "trom_cap_tai_san", 105.70, 19.95, "15361", "Đã xử lý", "minute"),
    ("B-1", _SAME, "danh_bac", 105.71, 19.96, "15361", "", "minute"),  # same time: by id ("B" < "b")
    ("a_9", _SAME, "danh_bac", None, None, "15379", "  ", "minute"),  # placed by its unit only
    ("c", datetime(2024, 3, 31, 23, 59), "trom_cap_tai_san", 105.70, 19.95, "15379", "Đang điều tra", "day"),
    (
        "d",
        datetime(2024, 4, 1, 0, 0),
        "trom_cap_tai_san",
        105.72,
        19.97,
        "15361",
        "ĐÃ KHỞI TỐ vụ án",
        "month",
    ),
    ("e", datetime(2024, 2, 29, 13, 5), "danh_bac", 105.70, 19.95, "15361", "Cleared", "minute"),
    ("f", datetime(2024, 3, 3, 0, 0), "trom_cap_tai_san", 105.70, 19.951, "15379", "Đã xử lý", "minute"),
]


def _insert(store: Store) -> None:
    now = utc_now()
    records = [
        {
            "incident_id": i,
            "occurred_at": when,
            "offence_code": offence,
            "lon": lon,
            "lat": lat,
            "commune_code": unit,
            "description": f"=mô tả {i}",
            "status": status,
            "address": f"số {i}",
            "precision": precision,
            "batch_id": "fixture",
            "imported_at": now,
        }
        for i, when, offence, lon, lat, unit, status, precision in _ROWS
    ]
    with store.engine.begin() as conn:
        conn.execute(store.tables.incidents.insert(), records)


@pytest.fixture
def store(store_url: str) -> Store:
    found = Store.open(store_url, demo=False)
    _insert(found)
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store.open(f"sqlite:///{tmp_path_factory.mktemp('rows') / 'demo.sqlite'}", demo=True)


def _direct(store: Store, window: Window, *, details: bool = False) -> pd.DataFrame:
    flt = IncidentFilter(window.start, window.end, offences=window.offences, communes=window.communes)
    return apply_filter(store.incidents(details=details), flt).reset_index(drop=True)


WINDOWS = [
    Window(date(2024, 1, 1), date(2024, 12, 31)),
    Window(date(2024, 3, 1), date(2024, 3, 31)),
    Window(date(2024, 3, 5), date(2024, 3, 5), offences=("danh_bac",)),
    Window(date(2024, 2, 1), date(2024, 4, 30), communes=("15379",)),
    Window(date(2030, 1, 1), date(2030, 1, 31)),
]


@pytest.mark.parametrize("window", WINDOWS, ids=lambda w: f"{w.start}-{w.end}")
def test_pages_are_the_filtered_incidents_in_order_on_both_stores(store: Store, window: Window) -> None:
    for details in (False, True):
        expected = _direct(store, window, details=details)
        with store.engine.connect() as conn:
            assert rows.count(conn, store.tables, Selection(window)) == len(expected)
            oldest = rows.page(
                conn, store.tables, Selection(window), limit=100, order="oldest", details=details
            )
            newest = rows.page(conn, store.tables, Selection(window), limit=100, details=details)
            second = rows.page(conn, store.tables, Selection(window), offset=2, limit=2, details=details)
            sliced = list(rows.slices(conn, store.tables, Selection(window), details=details, size=2))
        pd.testing.assert_frame_equal(oldest, expected)
        pd.testing.assert_frame_equal(newest, drilldown.newest_first(expected))
        pd.testing.assert_frame_equal(
            second, drilldown.newest_first(expected).iloc[2:4].reset_index(drop=True)
        )
        whole = pd.concat(sliced, ignore_index=True) if sliced else expected.iloc[0:0]
        pd.testing.assert_frame_equal(whole, expected)


def test_a_units_rows_and_its_newer_units_codes(store: Store) -> None:
    window = WINDOWS[0]
    expected = drilldown.of_commune(_direct(store, window), "15379")
    units = rows.units_of("N", (("15379", "N"), ("15361", "M")))
    with store.engine.connect() as conn:
        got = rows.page(conn, store.tables, Selection(window, units=units), limit=50)
        assert rows.count(conn, store.tables, Selection(window, units=units)) == len(expected) == 3
        assert rows.count(conn, store.tables, Selection(window, units=rows.units_of("X", (("a", "b"),)))) == 0
    pd.testing.assert_frame_equal(got, expected)


def test_a_cells_rows_are_the_ones_in_cell_finds(store_url: str) -> None:
    demo = Store.open(store_url, demo=True)  # PostGIS narrows by the points' GiST index, SQLite by lon/lat
    grid = make_grid(demo.communes())
    window = Window(date(2025, 1, 1), date(2026, 10, 31))
    frame = _direct(demo, window)
    x, y = grid.project(frame["lon"].to_numpy(dtype=float), frame["lat"].to_numpy(dtype=float))
    busiest = pd.Series(grid.cell_index(x, y)).pipe(lambda s: s[s >= 0]).value_counts().index[:3]
    for index in busiest:
        expected = drilldown.newest_first(in_cell(grid, frame, int(index)))
        selection = Selection(window, cell=Cell.of(grid, int(index)))
        with demo.engine.connect() as conn:
            assert rows.count(conn, demo.tables, selection) == len(expected) > 0
            got = rows.page(conn, demo.tables, selection, offset=1, limit=3)
        pd.testing.assert_frame_equal(got, expected.iloc[1:4].reset_index(drop=True))


@pytest.mark.parametrize("window", WINDOWS, ids=lambda w: f"{w.start}-{w.end}")
def test_weekday_hour_and_status_summed_in_the_database(store: Store, window: Window) -> None:
    expected = _direct(store, window)
    with store.engine.connect() as conn:
        table = rows.weekday_hour(conn, store.tables, window)
        status = rows.status_counts(conn, store.tables, window)
    pd.testing.assert_frame_equal(table, weekday_hour(expected))
    if expected.empty:
        assert status.empty
    else:
        pd.testing.assert_frame_equal(status, clearance_counts(expected), check_names=False)


def test_weekday_hour_on_the_demo_store(demo: Store) -> None:
    window = Window(date(2025, 11, 1), date(2026, 10, 31))
    with demo.engine.connect() as conn:
        table = rows.weekday_hour(conn, demo.tables, window)
    assert int(table.to_numpy().sum()) > 1000
    np.testing.assert_array_equal(table.to_numpy(), weekday_hour(_direct(demo, window)).to_numpy())


def test_seconds_and_coverage_without_reading_every_incident(store: Store) -> None:
    from geo.incidents import covered_until

    every = store.incidents()
    with store.engine.connect() as conn:
        assert not rows.has_seconds(conn, store.tables, Selection(WINDOWS[0]))
        span = rows.coverage_frame(conn, store.tables)
    assert covered_until(span) == covered_until(every) == date(2024, 4, 30)  # "d" is a month-only record
    assert span["occurred_at"].min() == every["occurred_at"].min()
    with store.engine.begin() as conn:
        t = store.tables.incidents
        conn.execute(
            t.update().where(t.c.incident_id == "e").values(occurred_at=datetime(2024, 2, 29, 13, 5, 7))
        )
    with store.engine.connect() as conn:
        assert rows.has_seconds(conn, store.tables, Selection(WINDOWS[0]))
        assert not rows.has_seconds(conn, store.tables, Selection(WINDOWS[1]))
