"""/map with its counts pushed down to the database reads no incident rows and shows what it shows without."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["boundaries", "choropleth", "points", "heat"]


def _no_rows(*args: Any, **kwargs: Any) -> pd.DataFrame:
    raise AssertionError("a push-down page read every incident")


def _map_page(settings: dict[str, Any]) -> AppTest:
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/map.py")
    at.session_state["map.layers"] = LAYERS
    period = settings.get("flt.period")
    for key, value in settings.items():
        if key != "flt.period":
            at.session_state[key] = value
    at.run()
    if period is not None:
        at.date_input(key="flt.period").set_value(period).run()
    assert not at.exception, at.exception
    return at


def _shown(at: AppTest) -> dict[str, Any]:
    maps = [re.sub(r"[0-9a-f]{32}", "", str(c.proto.json_args)) for c in at.get("component_instance")]
    return {
        "captions": [c.value for c in at.caption],
        "tables": [frame.value.to_dict() for frame in at.dataframe],
        "maps": maps,
    }


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"flt.groups": ["ma_tuy"]},
        {"flt.communes": ["15361"]},
        {"flt.period": (date(2021, 1, 1), date(2026, 10, 31))},
    ],
    ids=["default", "one-group", "one-unit", "whole-period-as-cells"],
)
def test_the_map_page_is_the_same_from_counts_and_reads_no_rows(
    fresh_store: str, monkeypatch: pytest.MonkeyPatch, settings: dict[str, Any]
) -> None:
    monkeypatch.setenv("ANTT_PUSHDOWN", "0")
    expected = _shown(_map_page(settings))
    monkeypatch.setenv("ANTT_PUSHDOWN", "1")
    monkeypatch.setattr(Store, "incidents", _no_rows)
    got = _shown(_map_page(settings))
    assert got["captions"] == expected["captions"]
    assert got["tables"] == expected["tables"]
    assert got["maps"] == expected["maps"]
    assert len(got["maps"]) == 1
    assert got["tables"]
    assert any("vụ việc" in caption for caption in got["captions"])
    if (
        "flt.period" in settings
    ):  # the whole period is too many to draw one by one: cells made by the database
        assert any("gộp thành" in caption for caption in got["captions"])
