"""/map does only the work a change needs: the map is built once per filter, closed sections compute nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import geo.hotspots.series
import ui.mapdata
from ui import mapdata

ROOT = Path(__file__).resolve().parents[2]


def _counting(monkeypatch: pytest.MonkeyPatch, target: str, original: Any) -> list[int]:
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, counted)
    return calls


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _main_map_script(at: AppTest) -> str:
    return str(at.get("component_instance")[0].proto.json_args)


@pytest.mark.usefixtures("demo_env")
def test_the_main_map_is_built_once_per_filter_and_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    st.cache_data.clear()
    mapdata._main_map.clear()
    builds = _counting(monkeypatch, "ui.mapdata.build_map", ui.mapdata.build_map)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/map.py")
    _run(at)
    assert len(builds) == 1
    first = _main_map_script(at)
    _run(at)  # nothing changed: the same map, not built again
    assert len(builds) == 1
    assert _main_map_script(at) == first
    at.multiselect(key="flt.groups").set_value(["ma_tuy"])
    _run(at)
    assert len(builds) == 2
    drugs = _main_map_script(at)
    assert drugs != first
    at.multiselect(key="flt.groups").set_value([])
    _run(at)  # back to a filter seen before: the map already rendered
    assert len(builds) == 2
    assert _main_map_script(at) == first
    again = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    again.switch_page("pages/map.py")
    _run(again)  # a new session on the same filter reuses it too
    assert len(builds) == 2
    assert _main_map_script(again) == first


@pytest.mark.usefixtures("demo_env")
def test_closed_sections_compute_nothing_until_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    st.cache_data.clear()
    st.cache_resource.clear()
    compared = _counting(
        monkeypatch, "geo.hotspots.series.compare_periods", geo.hotspots.series.compare_periods
    )
    monthly = _counting(
        monkeypatch, "geo.hotspots.series.monthly_density", geo.hotspots.series.monthly_density
    )
    periods = _counting(
        monkeypatch, "geo.hotspots.series.period_analysis", geo.hotspots.series.period_analysis
    )
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/map.py")
    _run(at)
    assert (len(compared), len(monthly), len(periods)) == (0, 0, 0)  # the density layer needs no Gi*
    assert len(at.get("component_instance")) == 1  # one map: the main one
    at.session_state["map.open.cells"] = True
    _run(at)
    assert len(periods) == 1
    assert (len(compared), len(monthly)) == (0, 0)
    at.session_state["map.open.time"] = True
    _run(at)
    assert len(monthly) == 1
    assert len(at.get("component_instance")) == 2  # the month map joins the main one
    at.session_state["map.open.compare"] = True
    _run(at)
    assert len(compared) == 1
    assert len(at.get("component_instance")) == 4  # and the before and after maps
    at.session_state["map.open.compare"] = False
    at.session_state["map.open.time"] = False
    _run(at)
    assert len(at.get("component_instance")) == 1


@pytest.mark.usefixtures("demo_env")
def test_the_rate_breaks_are_chosen_only_for_a_choropleth(monkeypatch: pytest.MonkeyPatch) -> None:
    """The breaks read the whole span's rates per unit: a map without the choropleth layer does not ask."""
    import ui.widgets

    st.cache_data.clear()
    mapdata._main_map.clear()
    chosen = _counting(monkeypatch, "ui.widgets.span_rate_breaks", ui.widgets.span_rate_breaks)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/map.py")
    _run(at)  # default layers: boundaries, points, density
    at.multiselect(key="flt.groups").set_value(["ma_tuy"])
    _run(at)
    assert chosen == []
    at.session_state["map.layers"] = ["boundaries", "choropleth"]
    _run(at)
    assert len(chosen) == 1
