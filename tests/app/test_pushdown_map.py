"""/map with its counts pushed down to the database reads no incident rows and shows what it shows without."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.app._pages import map_shown, page, refuse_every_row

LAYERS = ["boundaries", "choropleth", "points", "heat"]


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
    state = {"map.layers": LAYERS, "map.open.table": True, **settings}
    monkeypatch.setenv("ANTT_PUSHDOWN", "0")
    expected = map_shown(page("map", state))
    refuse_every_row(monkeypatch)
    got = map_shown(page("map", state))
    assert got == expected
    assert len(got["maps"]) == 1
    assert got["tables"]
    assert any("vụ việc" in caption for caption in got["captions"])
    if (
        "flt.period" in settings
    ):  # the whole period is too many to draw one by one: cells made by the database
        assert any("gộp thành" in caption for caption in got["captions"])
