"""AppTest of issue 13 item 3: the period presets (CompStat), "now" beside the plan's verdict, the clearance rate."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def _app(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


@pytest.mark.usefixtures("demo_env")
def test_picking_28_days_changes_the_period_and_the_comparison() -> None:
    at = _app()
    preset = at.selectbox(key="flt.preset")
    assert preset.value == "12m"
    assert at.date_input(key="flt.period").value == (date(2025, 11, 1), date(2026, 10, 31))
    total_12m = at.metric[0].value
    assert (
        "Kỳ: 12 tháng trọn vẹn gần nhất (01/11/2025 – 31/10/2026), so với cùng kỳ năm trước 01/11/2024 – 31/10/2025."
        in _captions(at)
    )
    preset.set_value("28d").run()
    assert not at.exception, at.exception
    # Relative to the data's last day (31/10/2026), not the wall clock; against the same 28 days a year earlier.
    assert at.date_input(key="flt.period").value == (date(2026, 10, 4), date(2026, 10, 31))
    captions = _captions(at)
    assert (
        "Kỳ: 28 ngày gần nhất (04/10/2026 – 31/10/2026), so với cùng kỳ năm trước 04/10/2025 – 31/10/2025."
        in captions
    )
    assert "Tính đến ngày cuối của dữ liệu (31/10/2026), không theo ngày hôm nay." in captions
    assert at.query_params["period"] == "28d"
    total_28d = at.metric[0].value
    assert int(total_28d.replace(".", "")) < int(total_12m.replace(".", ""))
    delta = at.metric[0].proto.delta
    assert "%" in delta
    assert "so với cùng kỳ năm trước" in delta
    table = at.dataframe[0].value
    assert table["Số vụ"].sum() == int(total_28d.replace(".", ""))
    # Editing the dates by hand makes the period custom, and the URL says so.
    at.date_input(key="flt.period").set_value((date(2026, 1, 1), date(2026, 3, 31))).run()
    assert at.selectbox(key="flt.preset").value == "custom"
    assert "Kỳ: 01/01/2026 – 31/03/2026, so với cùng kỳ năm trước 01/01/2025 – 31/03/2025." in _captions(at)


@pytest.mark.usefixtures("demo_env")
def test_a_link_keeps_the_preset() -> None:
    at = _app({"period": "ytd"})
    assert at.selectbox(key="flt.preset").value == "ytd"
    assert at.date_input(key="flt.period").value == (date(2026, 1, 1), date(2026, 10, 31))
    at = _app({"period": "7d", "from": "2024-01-01", "to": "2024-03-31"})
    assert at.date_input(key="flt.period").value == (date(2026, 10, 25), date(2026, 10, 31))
    at = _app({"from": "2024-01-01", "to": "2024-03-31"})  # a link from before the presets: custom dates
    assert at.selectbox(key="flt.preset").value == "custom"
    assert at.date_input(key="flt.period").value == (date(2024, 1, 1), date(2024, 3, 31))


@pytest.mark.usefixtures("demo_env")
def test_overview_shows_the_plans_verdict_with_its_window_and_the_verdict_now() -> None:
    at = _app()
    text = _markdown(at)
    assert (
        "Đánh giá theo kế hoạch: 12 tháng 26/05/2023–25/05/2024 so với 12 tháng trước đó (26/05/2022–25/05/2023)"
        in text
    )
    assert "— đã qua 29 tháng, không phải tình hình hiện nay" in text
    assert "Hiện nay (11/2025–10/2026, cùng mốc): tính chung 3 xã số vụ giảm" in text
    # One "now" line per target card, each with its own verdict.
    assert text.count('class="antt-now"') == 4
    assert "Hiện nay (11/2025–10/2026): ✔ Chuyển biến tích cực, số vụ giảm 47%." in text
    assert "Hiện nay (11/2025–10/2026): ✖ Diễn biến phức tạp hơn, số vụ tăng 35%." in text
    assert "theo kế hoạch 26/05/2023–25/05/2024" in text


@pytest.mark.usefixtures("demo_env")
def test_clearance_rate_on_the_overview_and_in_the_commune_table() -> None:
    at = _app()
    clearance = [m for m in at.metric if m.label == "Tỷ lệ giải quyết"]
    assert len(clearance) == 1
    value = clearance[0].value
    assert value.endswith("%")
    assert "," in value  # Vietnamese decimal comma
    assert 65 < float(value.rstrip("%").replace(",", ".")) < 80  # the demo marks about 72% «Đã xử lý»
    assert "điểm % so với cùng kỳ năm trước" in clearance[0].proto.delta
    table = at.dataframe[0].value
    assert "Tỷ lệ giải quyết" in table.columns


@pytest.mark.usefixtures("demo_env")
def test_without_a_status_the_overview_says_so_instead_of_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import loaders

    frame = loaders._incidents(*loaders.key()).assign(status="")
    monkeypatch.setattr(loaders, "incidents", lambda: frame)
    at = _app()
    assert "Tỷ lệ giải quyết" not in [m.label for m in at.metric]
    assert any(c.value.startswith("Tỷ lệ giải quyết: chưa có") for c in at.caption)
    assert not any("0,0%" in m.value for m in at.metric)
    assert "Tỷ lệ giải quyết" not in at.dataframe[0].value.columns


@pytest.mark.usefixtures("demo_env")
def test_now_and_then_and_the_clearance_rate_in_english() -> None:
    at = _app()
    at.radio(key="ui.lang").set_value("en").run()
    assert not at.exception, at.exception
    text = _markdown(at)
    assert "evaluation: 12 months 26/05/2023–25/05/2024 against the 12 months before" in text
    assert "Now (11/2025–10/2026, same baseline): the 3 communes together down 9%" in text
    assert "Now (11/2025–10/2026): ✖ Situation worsening, incidents up 35%." in text
    clearance = [m for m in at.metric if m.label == "Clearance rate"]
    assert len(clearance) == 1
    assert clearance[0].value == "72.1%"
    assert "Period: Last 12 complete months (01/11/2025 – 31/10/2026)" in _captions(at)
