"""AppTest of the hotspot analytics: /map layers, hot cells, month slider and comparison; /trends; /targets."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import geo.hotspots.grid
from geo.evaluation.periods import windows_for
from geo.hotspots.emerging import choose_steps
from geo.store.store import Store
from ui import mapdata

ROOT = Path(__file__).resolve().parents[2]


def _app(page: str, *, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(page).run()  # straight to the page, as a link to it opens (no overview run first)
    assert not at.exception, at.exception
    return at


def _headers(at: AppTest) -> list[str]:
    return [h.value for h in at.main.subheader]


CELLS, TIME, COMPARE = "map.open.cells", "map.open.time", "map.open.compare"
"""Keys of /map's secondary sections (expanders built only while open)."""


def _open(at: AppTest, *keys: str) -> AppTest:
    """Open /map's sections ``keys`` (as a click on their expanders does) and rerun."""
    for key in keys:
        at.session_state[key] = True
    at.run()
    assert not at.exception, at.exception
    return at


def _sections(at: AppTest) -> list[str]:
    return [e.label for e in at.main.expander]


def _last_month(store: Store) -> str:
    """The month the slider starts on: the last month with data (mm/yyyy)."""
    return f"{store.incidents()['occurred_at'].max():%m/%Y}"


def _day(value: object) -> str:
    return f"{value:%d/%m/%Y}"


@pytest.mark.usefixtures("demo_env")
def test_map_lists_hot_cells_with_their_commune_and_trend():
    at = _app("pages/map.py", params={"from": "2021-01-01", "to": "2026-10-31"})
    assert "Các ô điểm nóng (Gi*) trong khoảng thời gian đã chọn" in _sections(at)
    assert not any(
        "Xu hướng (toàn bộ thời gian)" in d.value.columns for d in at.dataframe
    )  # closed: not built
    _open(at, CELLS)
    table = next(d.value for d in at.dataframe if "Xu hướng (toàn bộ thời gian)" in d.value.columns)
    assert len(table) >= 20
    assert table["Mức tin cậy"].str.startswith("Điểm nóng, tin cậy").all()
    assert {"Vĩnh Thịnh", "Vĩnh Hùng", "Thị trấn Vĩnh Lộc"} <= set(table["Xã, thị trấn"])
    thinh = table[table["Xã, thị trấn"] == "Vĩnh Thịnh"]["Xu hướng (toàn bộ thời gian)"]
    assert thinh.isin(["Điểm nóng gia tăng", "Điểm nóng dai dẳng", "Điểm nóng mới"]).mean() >= 0.75


@pytest.mark.usefixtures("demo_env")
def test_map_layers_include_density_gistar_and_emerging(demo_store: Store):
    steps = choose_steps(demo_store.incidents()["occurred_at"].to_numpy())
    span = f"{steps.count} {'tháng' if steps.months_per_step == 1 else 'quý'}"
    at = _app("pages/map.py")
    pills = at.pills(key="map.layers")
    assert {"Mật độ (ô lưới)", "Điểm nóng Gi*", "Xu hướng điểm nóng"} <= set(pills.options)
    assert "density" in pills.value  # server-side density by default, not Leaflet.heat
    assert "heat" not in pills.value
    pills.set_value(["boundaries", "gistar", "emerging"]).run()
    assert not at.exception, at.exception
    assert any("Emerging Hot Spot" in c.value and span in c.value for c in at.caption)
    labels = [e.label for e in at.expander]
    assert "Xu hướng điểm nóng" in labels


@pytest.mark.usefixtures("demo_env")
def test_month_slider_steps_without_recomputing(monkeypatch, demo_store: Store):
    last = _last_month(demo_store)
    calls = []
    original = geo.hotspots.grid.pixel_density

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr("geo.hotspots.grid.pixel_density", counting)
    st.cache_data.clear()
    mapdata._main_map.clear()  # the main map rendered by an earlier test computes nothing
    at = _app("pages/map.py")
    assert "Diễn biến theo tháng" in _sections(at)
    assert not at.select_slider  # closed: the month maps are not built
    _open(at, TIME)
    slider = at.select_slider(key="hot.time.month")
    assert slider.value == last
    assert any(f"trong tháng {last}" in c.value for c in at.caption)
    computed = len(calls)
    assert computed >= 1
    earlier = slider.options[0]
    assert earlier != last
    slider.set_value(earlier).run()
    assert not at.exception, at.exception
    assert any(f"trong tháng {earlier}" in c.value for c in at.caption)
    assert len(calls) == computed  # the slider reads cached results


@pytest.mark.usefixtures("demo_env")
def test_map_compares_before_and_after_the_plan(demo_store: Store):
    w = windows_for(demo_store.incidents(), demo_store.plan())
    one_day = timedelta(days=1)
    at = _app("pages/map.py")
    assert "So sánh trước và sau khi triển khai kế hoạch" in _sections(at)
    assert not any(m.value.startswith("**Trước: ") for m in at.markdown)  # closed: not built
    _open(at, COMPARE)
    texts = [m.value for m in at.markdown]
    assert f"**Trước: {_day(w.before_start)} – {_day(w.start - one_day)}**" in texts
    assert f"**Sau: {_day(w.start)} – {_day(w.after_end - one_day)}**" in texts
    # the month counts are the evaluation windows' own, not an estimate from the days
    caption = f"Mật độ {w.before_months} tháng trước và {w.after_months} tháng từ ngày {_day(w.start)}"
    assert any(c.value.startswith(caption) for c in at.caption)


@pytest.mark.usefixtures("demo_env")
def test_trends_page_follows_the_filters():
    at = _app("pages/trends.py")
    assert at.title[0].value == "Xu hướng"
    assert _headers(at) == [
        "Số vụ việc theo tháng",
        "Cơ cấu vụ việc và thay đổi so với cùng kỳ năm trước",
        "Vụ việc theo thứ trong tuần và giờ trong ngày",
        "Các xã nổi bật",
    ]
    mix = at.dataframe[0].value
    total = int(mix["Số vụ"].sum())
    assert any(f"{total:,}".replace(",", ".") + " vụ việc" in c.value for c in at.caption)
    assert mix["Tỷ trọng (%)"].sum() == pytest.approx(100, abs=0.5)
    at.multiselect(key="flt.groups").set_value(["ma_tuy"]).run()
    assert not at.exception, at.exception
    drugs = at.dataframe[0].value
    assert set(drugs["Nhóm"]) == {"Tội phạm về ma túy"}
    assert drugs["Số vụ"].sum() < total


@pytest.mark.usefixtures("demo_env")
def test_trends_page_in_english():
    at = _app("pages/trends.py")
    at.radio(key="ui.lang").set_value("en").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Trends"
    assert "Incidents per month" in _headers(at)


@pytest.mark.usefixtures("demo_env")
def test_targets_show_the_share_of_fading_hot_cells():
    at = _open(_app("pages/targets.py"), "targets.open.hotspots")  # an expander on /targets (built when open)
    assert "Điểm nóng trong các xã trọng điểm" in _headers(at)
    table = next(d.value for d in at.dataframe if "Đang giảm / đã hết nóng" in d.value.columns)
    rows = table.set_index("Xã, thị trấn")
    assert rows.loc["Vĩnh Hùng", "Tỷ lệ"] > 0
    assert rows.loc["Vĩnh Thịnh", "Tỷ lệ"] == 0
    assert rows.loc["Vĩnh Thịnh", "Ô điểm nóng"] >= 5


TREND = "Xu hướng (toàn bộ thời gian)"
WHOLE_SPAN = {"from": "2021-01-01", "to": "2026-10-31"}


def _hot_table(at: AppTest):
    return next(d.value for d in at.dataframe if TREND in d.value.columns)


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


@pytest.mark.usefixtures("demo_env")
def test_the_gi_convention_is_named_and_can_be_switched_to_arcgis():
    at = _open(_app("pages/map.py", params=WHOLE_SPAN), CELLS)
    at.pills(key="map.layers").set_value(["boundaries", "gistar"]).run()
    strict = "Gi*, p từ 9.999 hoán vị có điều kiện (chặt hơn ArcGIS), hiệu chỉnh FDR ở từng mức tin cậy"
    assert any(strict in c for c in _captions(at) if c.startswith("Điểm nóng thống kê: "))
    assert any(strict in c for c in _captions(at) if c.startswith("Ô lưới 250 m"))  # the hot-cell table's
    permutation = len(_hot_table(at))

    at.button_group(key="hot.method.inference").set_value("normal").run()
    assert not at.exception, at.exception
    arcgis = "Gi*, p từ xấp xỉ chuẩn của z (như ArcGIS), hiệu chỉnh FDR ở từng mức tin cậy"
    assert any(arcgis in c for c in _captions(at))
    assert not any(strict in c for c in _captions(at))
    normal = len(_hot_table(at))
    assert normal > permutation  # the normal approximation finds more hot cells on sparse counts

    at.toggle(key="hot.method.fdr").set_value(False).run()
    assert not at.exception, at.exception
    assert any("Gi*, p từ xấp xỉ chuẩn của z (như ArcGIS), không hiệu chỉnh FDR" in c for c in _captions(at))
    assert len(_hot_table(at)) > normal


@pytest.mark.usefixtures("demo_env")
def test_the_emerging_standardisation_is_named_and_changes_the_classes():
    at = _open(_app("pages/map.py", params=WHOLE_SPAN), CELLS)
    at.pills(key="map.layers").set_value(["boundaries", "emerging"]).run()
    caption = next(c for c in _captions(at) if "Emerging Hot Spot" in c)
    assert "mỗi kỳ so với chính kỳ đó" in caption
    step = _hot_table(at)[TREND].value_counts().to_dict()

    at.button_group(key="hot.method.standardise").set_value("cube").run()
    assert not at.exception, at.exception
    caption = next(c for c in _captions(at) if "Emerging Hot Spot" in c)
    assert "mỗi kỳ so với toàn bộ các kỳ như ArcGIS" in caption
    cube = _hot_table(at)[TREND].value_counts().to_dict()
    assert cube != step


@pytest.mark.usefixtures("demo_env")
def test_the_density_limits_are_stated_under_the_map_in_both_languages():
    at = _app("pages/map.py")
    assert any(c.startswith("Mật độ có hiệu chỉnh biên") and "400 m" in c for c in _captions(at))
    at.radio(key="ui.lang").set_value("en").run()
    assert not at.exception, at.exception
    assert any(c.startswith("Density is edge-corrected") for c in _captions(at))
    at.pills(key="map.layers").set_value(["boundaries", "gistar"]).run()
    assert any(
        "Gi*, p from 9,999 conditional permutations (stricter than ArcGIS), FDR-corrected" in c
        for c in _captions(at)
    )
