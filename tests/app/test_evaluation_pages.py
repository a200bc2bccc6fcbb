"""AppTest of the meeting view on / and of /targets: the demo verdicts, the evidence, the plan settings."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.cli.main import main
from geo.evaluation.assess import Evaluation, evaluate
from geo.plan import Plan
from geo.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
DEMO_WORDS = {
    "Vĩnh Hùng": "Chuyển biến tích cực",
    "Vĩnh Long": "Chưa rõ chuyển biến",
    "Vĩnh Thịnh": "Diễn biến phức tạp hơn",
}


def _app(page: str | None = None, *, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)  # straight to the page, as a link to it opens (no overview run first)
    at.run()
    assert not at.exception, at.exception
    return at


def _cards(at: AppTest) -> dict[str, str]:
    """Commune name → the card's whole text (verdict word, icon, change sentence)."""
    cards = {}
    for element in at.markdown:
        if 'class="antt-card"' in element.value:
            name = re.search(r"font-weight:700;color:#222\">([^<]+)</div>", element.value).group(1)
            cards[name] = " ".join(re.sub(r"<[^>]+>", " ", element.value).split())
    return cards


def _window_counts(url: str) -> dict[str, tuple[int, int]]:
    """Plain counts per commune, 12 months before and after 26/05/2023 (independent of geo.evaluation.assess)."""
    incidents = Store.open(url).incidents()
    times, start = incidents["occurred_at"], pd.Timestamp("2023-05-26")
    before = (
        incidents[(times >= start - pd.DateOffset(years=1)) & (times < start)].groupby("commune_code").size()
    )
    after = (
        incidents[(times >= start) & (times < start + pd.DateOffset(years=1))].groupby("commune_code").size()
    )
    return {code: (int(before[code]), int(after[code])) for code in before.index}


def test_overview_shows_the_demo_verdicts_in_words_icons_and_colours(
    demo_env: str, demo_store_url: str
) -> None:
    at = _app()
    cards = _cards(at)
    assert set(cards) == set(DEMO_WORDS)
    for name, word in DEMO_WORDS.items():
        assert word in cards[name]
    assert "✔ Chuyển biến tích cực" in cards["Vĩnh Hùng"]
    assert "✖ Diễn biến phức tạp hơn" in cards["Vĩnh Thịnh"]
    assert "? Chưa rõ chuyển biến" in cards["Vĩnh Long"]
    counts = _window_counts(demo_store_url)
    before, after = counts["15379"]
    found = re.search(r"Số vụ giảm (\d+)% so với cùng kỳ \((\d+) → (\d+) vụ\)", cards["Vĩnh Hùng"])
    assert found is not None
    assert (int(found.group(2)), int(found.group(3))) == (before, after)
    # the page weights the two windows by their length in days (2024 is a leap year): ±1 point
    assert abs(int(found.group(1)) - 100 * (before - after) / before) <= 1
    before, after = counts["15388"]
    found = re.search(r"Số vụ tăng (\d+)%", cards["Vĩnh Thịnh"])
    assert found is not None
    assert abs(int(found.group(1)) - 100 * (after - before) / before) <= 1
    headline = next(m.value for m in at.markdown if "antt-headline" in m.value)
    assert "Vĩnh Hùng: chuyển biến tích cực" in headline
    both = [sum(counts[c][i] for c in ("15361", "15379", "15388")) for i in (0, 1)]
    found = re.search(r"Tính chung 3 xã: số vụ giảm (\d+)%", headline)
    assert found is not None
    assert abs(int(found.group(1)) - 100 * (both[0] - both[1]) / both[0]) <= 1
    assert "chưa thấy chuyển biến rõ" in headline
    assert [link.label for link in at.page_link].count("Xem số liệu chi tiết") == 3
    # The district figures of the chosen period stay below the verdicts.
    assert len(at.dataframe[0].value) == 13


@pytest.mark.usefixtures("demo_env")
def test_overview_in_english() -> None:
    at = _app()
    at.radio(key="ui.lang").set_value("en").run()
    cards = _cards(at)
    assert "Positive change" in cards["Vĩnh Hùng"]
    assert "Situation worsening" in cards["Vĩnh Thịnh"]
    assert "No clear change" in cards["Vĩnh Long"]


def _engine(url: str) -> Evaluation:
    """What geo.evaluation.assess computes for the demo store (the page must show exactly this)."""
    store = Store.open(url)
    return evaluate(store.incidents(), store.communes(), store.plan())


def _vi(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def test_targets_page_shows_the_evidence_for_each_target(demo_env: str, demo_store_url: str) -> None:
    hung = next(t for t in _engine(demo_store_url).targets if t.key == "15379")
    res, effect = hung.overall.res, hung.overall.effect
    assert res is not None
    assert effect is not None
    assert effect.hi < 1  # the demo's designed improvement, on the calibrated interval
    assert res.lo > 1
    at = _app("pages/targets.py")
    assert at.title[0].value == "Xã trọng điểm"
    assert any("Kết luận: ? **Chưa rõ chuyển biến**" in m.value for m in at.markdown)
    at.segmented_control(key="eval.target").set_value("15379").run()
    assert not at.exception
    assert any("Kết luận: ✔ **Chuyển biến tích cực**" in m.value for m in at.markdown)
    assert at.query_params["target"] == "15379"
    labels = [m.label for m in at.metric]
    assert labels[:7] == [
        "Tỷ số so với xã đối chứng",
        "Xã giáp ranh so với xã đối chứng",
        "Trước kế hoạch",
        "RES (hiệu quả tương đối)",
        "WDD (số vụ chênh lệch)",
        "WDQ (lan tỏa hay dồn sang)",
        "Mô hình bảng (cả 3 xã)",
    ]
    # Every statistic explains itself on hover.
    assert all(m.help for m in at.metric[:3])
    assert at.metric[0].value == _vi(effect.ratio)
    assert any(f"KTC 95%: {_vi(effect.lo)} – {_vi(effect.hi)}" in c.value for c in at.caption)
    assert any(f"mức giảm từ {round(100 * effect.detectable_fall)}%" in c.value for c in at.caption)
    assert any("trong 26 cách" in c.value.lower() for c in at.caption)
    assert at.metric[3].value == _vi(res.estimate)
    assert any(f"KTC 95%: {_vi(res.lo)} – {_vi(res.hi)}" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert len(table) == 5
    before, after = _window_counts(demo_store_url)["15379"]
    assert table.iloc[-1]["Trước"] == before
    assert table.iloc[-1]["Sau"] == after
    assert any("Vĩnh Hòa, Minh Tân, Vĩnh An" in c.value for c in at.caption)
    assert any("Hồi quy về trung bình" in m.value for m in at.markdown)
    # The model cross-checks, the maps and the hot cells are sections built only when opened.
    labels = [e.label for e in at.expander]
    assert "Diễn biến từng quý so với các xã đối chứng" in labels
    assert "Trước và sau trên bản đồ (cùng thang màu)" in labels
    assert not any("«xã tổng hợp»" in c.value for c in at.caption)  # closed: not built
    assert not any("quý ra ngoài dải" in c.value for c in at.caption)
    assert not any(m.value.startswith("**Trước: ") for m in at.markdown)
    at.session_state["targets.open.events"] = True
    at.run()
    assert not at.exception, at.exception
    # The synthetic-control cross-check agrees with the verdict.
    synthetic = hung.synthetic
    assert synthetic is not None
    assert synthetic.ratio is not None
    assert synthetic.ratio < 1
    assert any(f"bằng {_vi(synthetic.ratio)} lần «xã tổng hợp»" in c.value for c in at.caption)
    # The event study beside the verdict: the quarters outside the comparison units' band, as computed.
    events = hung.events
    assert events is not None
    assert events.outside_band(after=True) >= 3  # the designed fall shows from the first quarters on
    after = int((events.table["bin"] >= 0).sum())
    sentence = f"từ ngày bắt đầu: {events.outside_band(after=True)}/{after} quý ra ngoài dải"
    assert any(sentence in c.value and "Kiểm định xu hướng trước kế hoạch" in c.value for c in at.caption)


def test_the_before_and_after_maps_are_built_only_when_opened(demo_env: str, demo_store_url: str) -> None:
    at = _app("pages/targets.py", params={"target": "15379"})
    assert not any(m.value.startswith("**Trước: ") for m in at.markdown)  # closed: not built
    at.session_state["targets.open.maps"] = True
    at.run()
    assert not at.exception, at.exception
    w = _engine(demo_store_url).windows
    day = pd.Timedelta(days=1)
    texts = [m.value for m in at.markdown]
    assert f"**Trước: {w.before_start:%d/%m/%Y} – {w.start - day:%d/%m/%Y}**" in texts
    assert f"**Sau: {w.start:%d/%m/%Y} – {w.after_end - day:%d/%m/%Y}**" in texts
    at.session_state["targets.open.maps"] = False  # closed again: gone
    at.run()
    assert not any(m.value.startswith("**Trước: ") for m in at.markdown)


def test_link_from_a_card_opens_that_target(demo_env: str, demo_store_url: str) -> None:
    panel = _engine(demo_store_url).combined.panel
    assert panel is not None
    at = _app("pages/targets.py", params={"target": "15388"})
    assert any("Kết luận: ✖ **Diễn biến phức tạp hơn**" in m.value for m in at.markdown)
    at.segmented_control(key="eval.target").set_value("all").run()
    assert any("Kết luận: ? **Chưa rõ chuyển biến**" in m.value for m in at.markdown)
    assert at.metric[6].value == _vi(panel.rate_ratio)
    assert any("khác nhau rõ rệt" in c.value for c in at.caption)


def test_plan_settings_are_saved_and_used_by_pages_and_cli(fresh_store: str, capsys) -> None:
    at = _app("pages/targets.py")
    at.date_input(key="plan.start").set_value(date(2024, 1, 1))
    at.multiselect(key="plan.targets").set_value(["15379", "15388"])
    at.number_input(key="plan.after").set_value(6)
    next(b for b in at.button if b.label == "Lưu kế hoạch").click().run()
    assert not at.exception, at.exception
    saved = Store.open(fresh_store).plan()
    assert (saved.start, saved.targets, saved.after_months) == (date(2024, 1, 1), ("15379", "15388"), 6)
    overview = _app()
    assert set(_cards(overview)) == {"Vĩnh Hùng", "Vĩnh Thịnh"}
    assert main(["evaluate", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["plan"]["start"] == "2024-01-01"
    assert [t["code"] for t in data["targets"]] == ["15379", "15388"]
    assert data["plan"]["windows"]["after_months"] == 6


def test_a_plan_outside_the_data_is_reported_not_raised(fresh_store: str) -> None:
    Store.open(fresh_store).save_plan(Plan(name="x", start=date(2030, 1, 1), targets=("15379",)))
    at = _app()
    assert any("nằm ngoài dữ liệu" in e.value for e in at.error)
    assert len(at.dataframe[0].value) == 13
    targets = _app("pages/targets.py")
    assert any("nằm ngoài dữ liệu" in e.value for e in targets.error)
    assert targets.expander[0].label == "Cài đặt kế hoạch"


def test_overview_says_how_the_baseline_guards_against_regression_to_the_mean(demo_env: str) -> None:
    at = _app()
    assert any("hồi quy về trung bình" in c.value for c in at.caption)
    # Vĩnh Long's designed −10% is too small for these data: the card says how large a fall could be seen.
    assert "Chỉ phát hiện chắc được mức giảm từ" in _cards(at)["Vĩnh Long"]


def test_evaluation_settings_are_saved_and_change_the_baseline(fresh_store: str, capsys) -> None:
    at = _app("pages/targets.py")
    at.radio(key="eval.selection").set_value("counts")
    at.selectbox(key="eval.primary").set_value("all")
    next(b for b in at.button if b.label == "Lưu cách đánh giá").click().run()
    assert not at.exception, at.exception
    saved = Store.open(fresh_store).plan()
    assert (saved.selection, saved.primary) == ("counts", "all")
    overview = _app()
    assert any("Mốc so sánh: 24 tháng trước kế hoạch" in c.value for c in overview.caption)
    assert main(["evaluate", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["plan"]["selection"] == "counts"
    assert data["plan"]["windows"]["before_months"] == 24
    assert data["plan"]["windows"]["before"][0] == "2021-05-26"
    # The evaluation settings are registered when first saved; a later change is kept and shown.
    at = _app("pages/targets.py")
    assert any("Cách đánh giá lưu lần đầu ngày" in c.value for c in at.caption)
    at.radio(key="eval.selection").set_value("other")
    next(b for b in at.button if b.label == "Lưu cách đánh giá").click().run()
    at = _app("pages/targets.py")
    assert any(
        "sau khi kế hoạch đã bắt đầu; trước đó cách chọn xã là Vì số vụ việc đang cao" in c.value
        for c in at.caption
    )


def test_saving_the_plan_form_keeps_what_it_does_not_show(fresh_store: str) -> None:
    """How the targets were chosen and the primary outcome are not on the form: saving it keeps them."""
    from dataclasses import replace

    store = Store.open(fresh_store)
    store.save_plan(replace(store.plan(), selection="counts", primary="ttxh"))
    at = _app("pages/targets.py")
    at.number_input(key="plan.after").set_value(6)
    next(b for b in at.button if b.label == "Lưu kế hoạch").click().run()
    assert not at.exception, at.exception
    saved = Store.open(fresh_store).plan()
    assert (saved.after_months, saved.selection, saved.primary) == (6, "counts", "ttxh")


@pytest.mark.usefixtures("demo_env")
def test_the_overview_table_counts_by_the_2025_communes_on_request() -> None:
    """Data spanning 01/07/2025 needs both layers (issue 10): the same incidents, three new communes."""
    at = _app()
    before = at.dataframe[-1].value
    assert len(before) == 13
    at.segmented_control(key="units.layer").set_value("newer").run()
    assert not at.exception, at.exception
    after = at.dataframe[-1].value
    assert sorted(after.iloc[:, 0]) == ["Xã Biện Thượng", "Xã Tây Đô", "Xã Vĩnh Lộc"]
    counts = next(c for c in after.columns if c.startswith("Số vụ"))
    assert after[counts].sum() == before[counts].sum()
    assert any("01/07/2025" in c.value for c in at.caption)
