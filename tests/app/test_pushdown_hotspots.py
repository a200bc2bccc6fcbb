"""/map's hot spot layers and sections from the store's pixel counts: no incident row read, the same numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geo.store.aggregates import Grid
from geo.store.store import Store
from tests.app._pages import map_shown, page, refuse_every_row

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["boundaries", "density", "gistar", "emerging"]
SECTIONS = ("map.open.cells", "map.open.time", "map.open.compare")
"""/map's hot-cell table, month slider and before/after maps (expanders built only while open)."""


def _map_page(settings: dict[str, Any]) -> AppTest:
    return page("map", {"map.layers": LAYERS, **dict.fromkeys(SECTIONS, True), **settings})


def _hot_cells(shown: dict[str, Any]) -> dict[str, Any]:
    return next(table for table in shown["tables"] if "Xu hướng (toàn bộ thời gian)" in table)


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"flt.groups": ["ma_tuy"]},
        {"flt.communes": ["15361"]},
        {"flt.period": (date(2021, 1, 1), date(2026, 10, 31))},
    ],
    ids=["default", "one-group", "one-unit", "whole-period"],
)
def test_the_hot_spot_layers_are_the_same_from_pixel_counts_and_read_no_rows(
    fresh_store: str, monkeypatch: pytest.MonkeyPatch, settings: dict[str, Any]
) -> None:
    monkeypatch.setenv("ANTT_PUSHDOWN", "0")
    expected = map_shown(_map_page(settings))
    refuse_every_row(monkeypatch)
    got = map_shown(_map_page(settings))
    table = _hot_cells(got)
    assert len(table["Số vụ"]) > 0  # the Gi* hot cells, with their counts and trend
    assert table == _hot_cells(expected)
    assert got["tables"] == expected["tables"]
    assert got["captions"] == expected["captions"]
    assert got["infos"] == expected["infos"]
    assert len(got["maps"]) == 4  # the main map, the month map, the before and the after maps
    assert got["maps"] == expected["maps"]
    assert any(
        caption.startswith("Xu hướng điểm nóng tính trên toàn bộ dữ liệu") for caption in got["captions"]
    )


def test_aggregates_of_other_pixels_are_not_used_the_rows_are(
    fresh_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTT_PUSHDOWN", "0")
    expected = _hot_cells(map_shown(_map_page({})))
    monkeypatch.setenv("ANTT_PUSHDOWN", "1")
    monkeypatch.setattr(Store, "aggregate_grid", lambda self: Grid("EPSG:32649"))  # another UTM zone's pixels
    asked = []
    monkeypatch.setattr(Store, "pixel_counts", lambda self, *a, **k: asked.append(1))
    assert _hot_cells(map_shown(_map_page({}))) == expected
    assert not asked
