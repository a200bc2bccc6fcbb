"""Secondary sections of the pages other than /map are built only while open (issue 14), and right when opened."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from geo.filters import apply_filter
from geo.trends import monthly_series

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("demo_env")


def _app(page: str, state: dict[str, Any] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _titles(chart: Any) -> list[str]:
    spec = json.loads(chart.proto.spec)
    titles = []
    for layer in spec.get("layer", [spec]):
        colour = layer.get("encoding", {}).get("color", {})
        if isinstance(colour, dict) and colour.get("title"):
            titles.append(colour["title"])
    return titles


def _legends(at: AppTest) -> list[str]:
    """The colour legend titles of the charts sent (the monthly lines name their split)."""
    return [title for chart in at.get("vega_lite_chart") for title in _titles(chart)]


def test_trends_builds_only_the_monthly_tab_shown() -> None:
    at = _app("pages/trends.py")
    assert [tab.label for tab in at.tabs] == ["Theo nhóm vụ việc", "Theo xã, thị trấn"]
    assert "Nhóm" in _legends(at)
    assert "Xã, thị trấn" not in _legends(at)  # the other tab: not built
    at.session_state["trends.tab"] = "Theo xã, thị trấn"
    at.run()
    assert not at.exception, at.exception
    assert "Xã, thị trấn" in _legends(at)
    assert "Nhóm" not in _legends(at)


def test_the_monthly_chart_by_unit_counts_as_the_incidents_do() -> None:
    from ui import filters, loaders

    at = _app("pages/trends.py", {"trends.tab": "Theo xã, thị trấn"})
    flt = at.session_state[filters.KEY_VALUE]
    chart = next(c for c in at.get("vega_lite_chart") if "Xã, thị trấn" in _titles(c))
    frames = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]
    drawn = next(f for f in frames if {"month", "key", "count"} <= set(f.columns))
    communes = loaders._communes(*loaders.key())
    direct = monthly_series(
        apply_filter(loaders._incidents(*loaders.key()), flt),
        start=flt.start,
        end=flt.end,
        by="commune_code",
        keys=communes["code"].astype(str).tolist(),
    )
    assert len(drawn) == len(direct)
    assert drawn.groupby("key")["count"].sum().to_dict() == direct.groupby("key")["count"].sum().to_dict()


def test_targets_sections_are_closed_until_opened_and_then_show_their_content() -> None:
    at = _app("pages/targets.py")
    assert not any("«xã tổng hợp»" in c.value for c in at.caption)
    assert not any(m.value.startswith("**Trước: ") for m in at.markdown)
    opened = _app("pages/targets.py", {"targets.open.events": True, "targets.open.maps": True})
    assert any("«xã tổng hợp»" in c.value or "xã tổng hợp" in c.value for c in opened.caption)
    assert any(m.value.startswith("**Trước: ") for m in opened.markdown)
    assert any(m.value.startswith("**Sau: ") for m in opened.markdown)
