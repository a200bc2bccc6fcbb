"""The store's prepared aggregates equal a direct count of its incidents after every kind of write."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from geo.demo import read_outline
from geo.hotspots import grid as gridmod
from geo.io.boundary_import import import_boundaries
from geo.io.incident_import import Validation, validate_incidents
from geo.io.tables import read_table
from geo.store import aggregates, writes
from geo.store.counts import Window
from geo.store.schema import SCHEMA_VERSION
from geo.store.store import Store

NOW = datetime(2026, 11, 27, 12, 0)
DATA = Path(__file__).resolve().parents[2] / "data"
HEADER = "Mã vụ,Ngày xảy ra,Tội danh,Kinh độ,Vĩ độ,Mô tả,Xã\n"


def checked(store: Store, text: str) -> Validation:
    return validate_incidents(read_table(text.encode(), name="t.csv"), store.communes(), now=NOW)


def stored(store: Store, table: str) -> pd.DataFrame:
    """The aggregate table as stored, sorted on its keys."""
    keys = aggregates.UNIT_KEYS if table == "unit_counts" else aggregates.PIXEL_KEYS
    with store.engine.connect() as conn:
        frame = pd.read_sql(
            sa.select(store.tables.unit_counts if table == "unit_counts" else store.tables.pixel_counts), conn
        )
    frame = frame[[*keys, "n"]].astype({"n": "int64"})
    if table == "pixel_counts":
        frame = frame.astype({"gx": "int64", "gy": "int64"})
    return frame.sort_values(list(keys)).reset_index(drop=True)


def assert_counts_match(store: Store) -> None:
    """Both aggregate tables equal a count made directly from every stored incident."""
    incidents = store.incidents()
    with store.engine.connect() as conn:
        grid = aggregates.stored_grid(conn, store.tables)
    assert grid is not None
    assert grid == aggregates.grid_for(store.communes())
    units = aggregates.unit_counts(incidents).sort_values(list(aggregates.UNIT_KEYS)).reset_index(drop=True)
    pixels = aggregates.pixel_counts(incidents, grid).sort_values(list(aggregates.PIXEL_KEYS))
    pd.testing.assert_frame_equal(stored(store, "unit_counts"), units, check_dtype=False)
    pd.testing.assert_frame_equal(
        stored(store, "pixel_counts"), pixels.reset_index(drop=True), check_dtype=False
    )
    assert stored(store, "unit_counts")["n"].sum() == len(incidents)
    located = incidents["lon"].notna() & incidents["lat"].notna()
    assert stored(store, "pixel_counts")["n"].sum() == int(located.sum())
    assert_reads_match(store, pixels)


EVERYTHING = Window(date(2000, 1, 1), date(2199, 12, 31))
"""Whole months around every incident: on PostgreSQL the stored rows read unsummed (and kept per revision)."""


def assert_reads_match(store: Store, pixels: pd.DataFrame) -> None:
    """What the pages read (pixels, busiest blocks) equals the direct count ``pixels``.

    Called after every write of the tests above with the same window each time: on PostgreSQL the
    window's stored rows are kept per store revision (`geo.store.counts._stored_rows`), so rows read
    before a write must not be the ones read after it.
    """
    per_pixel = pixels.groupby(["gx", "gy"])["n"].sum().reset_index()
    got = store.pixel_counts(EVERYTHING)
    top, total = store.busiest_blocks(EVERYTHING, block=2, limit=3)
    assert total == int(per_pixel["n"].sum())
    if per_pixel.empty:
        assert got.empty
        assert top.empty
        return
    pd.testing.assert_frame_equal(got, per_pixel, check_dtype=False)
    blocks = (
        per_pixel.assign(gx=per_pixel["gx"] // 2, gy=per_pixel["gy"] // 2)
        .groupby(["gx", "gy"])["n"]
        .sum()
        .reset_index()
    )
    order = np.lexsort((blocks["gy"].to_numpy(), blocks["gx"].to_numpy(), -blocks["n"].to_numpy()))
    pd.testing.assert_frame_equal(top, blocks.iloc[order[:3]].reset_index(drop=True), check_dtype=False)


def test_the_demo_store_starts_with_its_aggregates(store_url: str) -> None:
    store = Store.open(store_url, demo=True)
    assert_counts_match(store)
    assert len(stored(store, "unit_counts")) < len(store.incidents())  # a summary, not a copy


def test_import_update_and_undo_keep_the_aggregates(store_url: str) -> None:
    store = Store.open(store_url, demo=False)
    assert stored(store, "unit_counts").empty
    first = store.import_incidents(
        checked(
            store,
            HEADER
            + "A,15/01/2024,Đánh bạc,105.6163,20.06,,\n"
            + "B,16/01/2024,Trộm cắp tài sản,105.6163,20.06,,\n"
            + "C,31/01/2024 23:59,Trộm cắp tài sản,105.62,20.07,,\n"
            + "D,01/02/2024,Trộm cắp tài sản,,,,Vĩnh Hùng\n",
        )
    )
    assert_counts_match(store)
    # An update moves A to another month and offence, B to another place; E is new; C and D unchanged.
    second = store.import_incidents(
        checked(
            store,
            HEADER
            + "A,15/03/2024,Trộm cắp tài sản,105.6163,20.06,,\n"
            + "B,16/01/2024,Trộm cắp tài sản,105.59,20.08,,\n"
            + "C,31/01/2024 23:59,Trộm cắp tài sản,105.62,20.07,,\n"
            + "E,02/02/2024,Đánh bạc,,,,Vĩnh Hùng\n",
        )
    )
    assert (second.accepted, second.updated) == (1, 2)
    assert_counts_match(store)
    store.undo(second.batch_id)
    assert_counts_match(store)
    store.undo(first.batch_id)
    assert_counts_match(store)
    assert stored(store, "unit_counts").empty
    assert stored(store, "pixel_counts").empty


def test_replacing_the_demo_data_and_undoing_it_keep_the_aggregates(store_url: str) -> None:
    store = Store.open(store_url, demo=True)
    first = store.import_incidents(checked(store, HEADER + "Z,15/01/2024,Đánh bạc,105.6163,20.06,,\n"))
    assert_counts_match(store)
    assert stored(store, "unit_counts")["n"].sum() == 1
    store.undo(first.batch_id)
    assert store.is_demo()
    assert_counts_match(store)


def test_boundary_replacement_and_its_undo_rebuild_the_aggregates(store_url: str) -> None:
    store = Store.open(store_url, demo=False)
    store.import_incidents(
        validate_incidents(read_table(DATA / "vu_viec_lon_xon.csv"), store.communes(), now=NOW)
    )
    before = stored(store, "unit_counts")
    boundaries = import_boundaries(
        DATA / "ranh_gioi_vn2000.geojson", outline=read_outline(), previous=store.communes()
    )
    outcome = store.replace_communes(boundaries)
    assert_counts_match(store)
    store.undo(outcome.batch_id)
    assert_counts_match(store)
    pd.testing.assert_frame_equal(stored(store, "unit_counts"), before)


def test_a_store_made_before_version_7_gets_its_aggregates_when_opened(store_url: str) -> None:
    store = Store.open(store_url, demo=True)
    with store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE unit_counts"))
        conn.execute(sa.text("DROP TABLE pixel_counts"))
        conn.execute(store.tables.meta.delete().where(store.tables.meta.c.key == aggregates.META_KEY))
        conn.execute(
            store.tables.meta.update().where(store.tables.meta.c.key == "schema_version").values(value="6")
        )
    store.close()
    reopened = Store.open(store_url)
    assert reopened.schema_version() == SCHEMA_VERSION
    assert_counts_match(reopened)


def test_pixels_add_up_to_the_cells_of_the_hotspot_grid() -> None:
    """A grid cell of the analyses is a block of whole pixels: summing pixels gives its exact count."""
    rng = np.random.default_rng(7)
    communes = Store.open("sqlite://", demo=False).communes()
    grid = gridmod.make_grid(communes)
    lon = rng.uniform(105.55, 105.68, 3000)
    lat = rng.uniform(20.0, 20.12, 3000)
    pixel = aggregates.grid_for(communes)
    assert pixel.crs == grid.crs
    gx, gy = pixel.pixels(lon, lat)
    per = round(grid.cell_m / pixel.pixel_m)
    col = gx // per - round(grid.x0 / grid.cell_m)
    row = gy // per - round(grid.y0 / grid.cell_m)
    ok = (col >= 0) & (col < grid.nx) & (row >= 0) & (row < grid.ny)
    flat = np.where(ok, row * grid.nx + col, -1)
    flat[ok] = np.where(grid.inside.ravel()[flat[ok]], flat[ok], -1)
    from_pixels = np.bincount(flat[flat >= 0], minlength=grid.nx * grid.ny).reshape(grid.shape)
    x, y = grid.project(lon, lat)
    np.testing.assert_array_equal(from_pixels, gridmod.cell_counts(grid, x, y))
    assert from_pixels.sum() > 1000


def test_points_without_coordinates_have_no_pixel() -> None:
    grid = aggregates.Grid("EPSG:32648")
    gx, gy = grid.pixels(np.array([105.6, np.nan]), np.array([20.0, np.nan]))
    assert gx[1] == gy[1] == -1
    assert gx[0] > 0
    frame = pd.DataFrame(
        {
            "commune_code": ["a", "a"],
            "occurred_at": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "offence_code": ["x", "x"],
            "lon": [105.6, np.nan],
            "lat": [20.0, np.nan],
        }
    )
    assert aggregates.pixel_counts(frame, grid)["n"].tolist() == [1]
    assert aggregates.unit_counts(frame)["n"].tolist() == [2]


@pytest.mark.parametrize("raw", [None, "", "{", "[]", '{"crs": "EPSG:32648"}'])
def test_a_missing_or_damaged_grid_meta_reads_as_none(raw: str | None) -> None:
    assert aggregates.Grid.from_json(raw) is None


def test_a_rebuild_read_in_many_slices_counts_the_same(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(store_url, demo=False)
    store.import_incidents(
        checked(
            store,
            HEADER
            + "".join(f"R{i},{10 + i % 3}/01/2024,Trộm cắp tài sản,105.61{i % 4},20.06,,\n" for i in range(9))
            + "S,01/02/2024,Đánh bạc,,,,Vĩnh Hùng\n",
        )
    )
    monkeypatch.setattr(aggregates, "_READ_SLICE", 2)  # five slices, each added onto the last
    boundaries = import_boundaries(
        DATA / "ranh_gioi_vn2000.geojson", outline=read_outline(), previous=store.communes()
    )
    store.replace_communes(boundaries)
    assert_counts_match(store)
    assert stored(store, "unit_counts")["n"].sum() == 10


def test_a_large_first_import_builds_the_aggregates_indexes_once_and_counts_the_same(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writes, "_REBUILD_FROM", 2)  # reindexing from 2 rows: the large-import path
    monkeypatch.setattr(aggregates, "_WRITE_SLICE", 3)  # several slices of tuples
    store = Store.open(store_url, demo=False)

    def indexes() -> set[str]:
        inspector = sa.inspect(store.engine)
        return {i["name"] for t in ("unit_counts", "pixel_counts") for i in inspector.get_indexes(t)}

    before = indexes()
    store.import_incidents(
        checked(
            store,
            HEADER
            + "".join(
                f"L{i},{1 + i % 27}/0{1 + i % 3}/2024,{'Đánh bạc' if i % 2 else 'Trộm cắp tài sản'},"
                f"105.6{i % 5},20.0{6 + i % 2},,\n"
                for i in range(40)
            )
            + "P,01/02/2024,Đánh bạc,,,,Vĩnh Hùng\n",
        )
    )
    assert_counts_match(store)
    assert indexes() == before
    assert stored(store, "unit_counts")["n"].sum() == 41
    store.import_incidents(checked(store, HEADER + "L1,02/02/2024,Đánh bạc,105.62,20.07,,\n"))  # an update
    assert_counts_match(store)


def test_the_counts_of_mixed_and_text_columns_are_the_same() -> None:
    grid = aggregates.Grid("EPSG:32648")
    frame = pd.DataFrame(
        {
            "commune_code": ["a", "b", "a", "b"],
            "occurred_at": pd.to_datetime(["2024-01-02", "2024-01-30", "2024-02-05", "2024-01-09"]),
            "offence_code": ["x", "x", "y", "x"],
            "lon": [105.61, 105.61, np.nan, 105.62],
            "lat": [20.06, 20.06, np.nan, 20.07],
        }
    )
    mixed = frame.assign(commune_code=pd.Series(["a", "b", "a", "b"], dtype="category").astype(object))
    mixed.loc[1, "commune_code"] = np.str_("b")  # not a plain str: converted as text
    for counted in (aggregates.unit_counts, lambda f: aggregates.pixel_counts(f, grid)):
        pd.testing.assert_frame_equal(counted(frame), counted(mixed))
    pixels = aggregates.pixel_counts(frame, grid)
    assert pixels["n"].sum() == 3
    assert pixels["commune_code"].tolist() == ["a", "b", "b"]
