"""/map's hot spot layers and sections from the store's pixel counts: no incident row read, the same numbers."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.store.aggregates import Grid
from geo.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["boundaries", "density", "gistar", "emerging"]
SECTIONS = ("map.open.cells", "map.open.time", "map.open.compare")
"""/map's hot-cell table, month slider and before/after maps (expanders built only while open)."""


def _no_rows(*args: Any, **kwargs: Any) -> pd.DataFrame:
    raise AssertionError("a push-down page read every incident")


def _map_page(settings: dict[str, Any]) -> AppTest:
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    at.switch_page("pages/map.py")
    at.session_state["map.layers"] = LAYERS
    for key in SECTIONS:
        at.session_state[key] = True
    for key, value in settings.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _shown(at: AppTest) -> dict[str, Any]:
    maps = [re.sub(r"[0-9a-f]{32}", "", str(c.proto.json_args)) for c in at.get("component_instance")]
    return {
        "captions": [c.value for c in at.caption],
        "infos": [i.value for i in at.info],
        "tables": [frame.value.to_dict() for frame in at.dataframe],
        "maps": maps,
    }


def _hot_cells(shown: dict[str, Any]) -> dict[str, Any]:
    return next(table for table in shown["tables"] if "Xu hướng (toàn bộ thời gian)" in table)


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"flt.groups": ["ma_tuy"]},
        {"flt.communes": ["15361"]},
        {"flt.preset": "custom", "flt.period": (date(2021, 1, 1), date(2026, 10, 31))},
    ],
    ids=["default", "one-group", "one-unit", "whole-period"],
)
def test_the_hot_spot_layers_are_the_same_from_pixel_counts_and_read_no_rows(
    fresh_store: str, monkeypatch: pytest.MonkeyPatch, settings: dict[str, Any]
) -> None:
    monkeypatch.setenv("ANTT_PUSHDOWN", "0")
    expected = _shown(_map_page(settings))
    monkeypatch.setenv("ANTT_PUSHDOWN", "1")
    monkeypatch.setattr(Store, "incidents", _no_rows)
    got = _shown(_map_page(settings))
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
    expected = _hot_cells(_shown(_map_page({})))
    monkeypatch.setenv("ANTT_PUSHDOWN", "1")
    monkeypatch.setattr(Store, "aggregate_grid", lambda self: Grid("EPSG:32649"))  # another UTM zone's pixels
    asked = []
    monkeypatch.setattr(Store, "pixel_counts", lambda self, *a, **k: asked.append(1))
    assert _hot_cells(_shown(_map_page({}))) == expected
    assert not asked
