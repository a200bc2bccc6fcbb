"""Counts read from the prepared aggregates equal a count of the filtered incidents, for any range."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from geo.filters import IncidentFilter, apply_filter
from geo.store import aggregates
from geo.store.counts import Window
from geo.store.store import Store

WINDOWS = [
    Window(date(2021, 1, 1), date(2026, 10, 31)),  # everything, whole months
    Window(date(2025, 11, 1), date(2026, 10, 31)),  # the default view: 12 whole months
    Window(date(2024, 2, 10), date(2024, 2, 20)),  # inside one month
    Window(date(2023, 5, 26), date(2024, 3, 3)),  # cut at both ends
    Window(date(2024, 3, 1), date(2024, 3, 31)),  # exactly one month
    Window(date(2026, 10, 4), date(2026, 10, 31)),  # the last 28 days
    Window(date(2024, 1, 15), date(2024, 6, 30), offences=("trom_cap_tai_san", "danh_bac")),
    Window(date(2022, 7, 2), date(2025, 8, 30), communes=("15361", "15379")),
    Window(date(2030, 1, 1), date(2030, 2, 1)),  # after the data: nothing
]


def direct(store: Store, window: Window) -> pd.DataFrame:
    flt = IncidentFilter(window.start, window.end, offences=window.offences, communes=window.communes)
    return apply_filter(store.incidents(), flt)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store.open(f"sqlite:///{tmp_path_factory.mktemp('counts') / 'demo.sqlite'}", demo=True)


@pytest.mark.parametrize(
    "window", WINDOWS, ids=lambda w: f"{w.start}-{w.end}-{len(w.offences)}-{len(w.communes)}"
)
def test_unit_counts_equal_a_direct_count(demo: Store, window: Window) -> None:
    expected = aggregates.unit_counts(direct(demo, window))
    got = demo.unit_counts(window)
    assert got.empty == (window.start.year == 2030)  # every other window holds incidents
    if window.offences or window.communes:
        assert set(got["offence_code" if window.offences else "commune_code"]) == set(
            window.offences or window.communes
        )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


@pytest.mark.parametrize(
    "window", WINDOWS, ids=lambda w: f"{w.start}-{w.end}-{len(w.offences)}-{len(w.communes)}"
)
def test_pixel_counts_equal_a_direct_count(demo: Store, window: Window) -> None:
    grid = demo.aggregate_grid()
    assert grid is not None
    counted = aggregates.pixel_counts(direct(demo, window), grid)
    by_month = counted.groupby(["month", "gx", "gy"])["n"].sum().reset_index()
    total = counted.groupby(["gx", "gy"])["n"].sum().reset_index()
    pd.testing.assert_frame_equal(demo.pixel_counts(window, by_month=True), by_month, check_dtype=False)
    pd.testing.assert_frame_equal(demo.pixel_counts(window), total, check_dtype=False)


@pytest.mark.parametrize("by", [("commune_code",), ("month",), ("month", "offence_code")])
@pytest.mark.parametrize("window", WINDOWS[1:4], ids=lambda w: f"{w.start}-{w.end}")
def test_unit_counts_summed_in_the_database(demo: Store, window: Window, by: tuple[str, ...]) -> None:
    full = aggregates.unit_counts(direct(demo, window))
    expected = full.groupby(list(by))["n"].sum().reset_index()
    pd.testing.assert_frame_equal(demo.unit_counts(window, by=by), expected, check_dtype=False)


@pytest.mark.parametrize("by", [(), ("gx",), ("offence_code", "commune_code", "month")])
def test_unit_counts_refuse_keys_they_do_not_keep(demo: Store, by: tuple[str, ...]) -> None:
    if by == ("offence_code", "commune_code", "month"):  # the same keys in another order: the table's order
        assert list(demo.unit_counts(WINDOWS[1], by=by).columns) == [*aggregates.UNIT_KEYS, "n"]
        return
    with pytest.raises(ValueError, match="unit counts are kept by"):
        demo.unit_counts(WINDOWS[1], by=by)


@pytest.mark.parametrize("window", WINDOWS[1:4], ids=lambda w: f"{w.start}-{w.end}")
def test_blocks_of_pixels_are_the_cells_of_the_hotspot_grid(demo: Store, window: Window) -> None:
    grid = demo.aggregate_grid()
    assert grid is not None
    counted = aggregates.pixel_counts(direct(demo, window), grid)
    cells = counted.assign(gx=counted["gx"] // 4, gy=counted["gy"] // 4)
    expected = cells.groupby(["gx", "gy"])["n"].sum().reset_index()
    pd.testing.assert_frame_equal(demo.pixel_counts(window, block=4), expected, check_dtype=False)
    by_month = cells.groupby(["month", "gx", "gy"])["n"].sum().reset_index()
    pd.testing.assert_frame_equal(
        demo.pixel_counts(window, by_month=True, block=4), by_month, check_dtype=False
    )
    with pytest.raises(ValueError, match="at least 1 pixel"):
        demo.pixel_counts(window, block=0)


def test_random_ranges_on_both_stores(store_url: str) -> None:
    store = Store.open(store_url, demo=True)
    rng = np.random.default_rng(14)
    for _ in range(6):
        start = date(2021, 1, 1) + timedelta(days=int(rng.integers(0, 2100)))
        window = Window(start, start + timedelta(days=int(rng.integers(0, 500))))
        frame = direct(store, window)
        got = store.unit_counts(window)
        assert int(got["n"].sum()) == len(frame)
        pd.testing.assert_frame_equal(got, aggregates.unit_counts(frame), check_dtype=False)
        per_unit = store.unit_counts(window, by=("commune_code",))
        assert (
            per_unit.set_index("commune_code")["n"].to_dict()
            == frame["commune_code"].value_counts().to_dict()
        )
        pixels = store.pixel_counts(window)
        assert int(store.pixel_counts(window, block=4)["n"].sum()) == int(pixels["n"].sum())
        assert int(pixels["n"].sum()) == int((frame["lon"].notna() & frame["lat"].notna()).sum())


def test_a_store_without_aggregates_counts_no_pixels(tmp_path_factory: pytest.TempPathFactory) -> None:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('bare') / 'x.sqlite'}", demo=False)
    with store.engine.begin() as conn:
        conn.execute(store.tables.meta.delete().where(store.tables.meta.c.key == aggregates.META_KEY))
    assert store.pixel_counts(Window(date(2024, 1, 1), date(2024, 2, 1))).empty


def test_blocks_round_down_on_both_sides_of_zero() -> None:
    import sqlalchemy as sa

    from geo.store.counts import _floor_div

    engine = sa.create_engine("sqlite://")
    values = [-9, -5, -4, -1, 0, 3, 4, 7]
    with engine.connect() as conn:
        got = [conn.execute(sa.select(_floor_div(sa.literal(v), 4))).scalar_one() for v in values]
    assert got == [v // 4 for v in values] == [-3, -2, -1, -1, 0, 0, 1, 1]


@pytest.mark.parametrize(
    "window", WINDOWS, ids=lambda w: f"{w.start}-{w.end}-{len(w.offences)}-{len(w.communes)}"
)
@pytest.mark.parametrize("limit", [0, 7, 100_000])
def test_the_busiest_blocks_are_the_first_of_every_block(demo: Store, window: Window, limit: int) -> None:
    every = demo.pixel_counts(window, block=2)
    order = np.lexsort((every["gy"].to_numpy(), every["gx"].to_numpy(), -every["n"].to_numpy()))
    expected = every.iloc[order[:limit]].reset_index(drop=True)
    got, total = demo.busiest_blocks(window, block=2, limit=limit)
    assert total == int(every["n"].sum())
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_a_filter_becomes_a_window_of_offence_codes() -> None:
    from geo.store.counts import NO_OFFENCE
    from geo.taxonomy import group_of

    drugs = sorted(code for code, group in group_of().items() if group == "ma_tuy")
    day = date(2024, 1, 1)
    assert Window.of(IncidentFilter(day, day, groups=("ma_tuy",))).offences == tuple(drugs)
    both = IncidentFilter(day, day, groups=("ma_tuy",), offences=(drugs[0], "danh_bac"), communes=("15361",))
    assert Window.of(both) == Window(day, day, offences=(drugs[0],), communes=("15361",))
    assert Window.of(IncidentFilter(day, day, groups=("ma_tuy",), offences=("danh_bac",))).offences == (
        NO_OFFENCE,
    )
    assert Window.of(IncidentFilter(day, day)) == Window(day, day)
