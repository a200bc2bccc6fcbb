"""AppTest of every page on a store whose plan starts outside the data (issue #8 item 4).

Such a plan cannot be evaluated: the pages that show the evaluation (/ and /targets) or the
before/after comparison (/map) must say why in Vietnamese, and no page may end in a traceback
(/map once showed ``AttributeError: 'ConfigError' object has no attribute 'message'``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import ConfigError
from geo.evaluation.periods import windows_for
from geo.plan import Plan
from geo.store.store import Store
from geo.words import word

ROOT = Path(__file__).resolve().parents[2]
STARTS = {"after_the_data": date(2030, 1, 1), "before_the_data": date(2015, 1, 1)}
PAGES = ("pages/overview.py", "pages/map.py", "pages/targets.py", "pages/trends.py", "pages/data.py")


@pytest.fixture(scope="module", params=list(STARTS))
def outside_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A demo store of this module's own whose plan starts after (or before) all of its data."""
    url = f"sqlite:///{tmp_path_factory.mktemp('outside') / 'plan.sqlite'}"
    store = Store.open(url, demo=True)
    store.save_plan(Plan(name="Kế hoạch thử", start=STARTS[request.param], targets=("15379", "15388")))
    return url


@pytest.fixture
def outside_env(outside_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the app at that store; a bug raises through the page boundary (ui.errors) instead of a short box."""
    monkeypatch.setenv("ANTT_DATABASE_URL", outside_url)
    monkeypatch.setenv("ANTT_RAISE_ERRORS", "1")
    return outside_url


def _message(url: str) -> str:
    """The ConfigError text the engine gives for this plan (what the pages must show)."""
    store = Store.open(url)
    with pytest.raises(ConfigError) as caught:
        windows_for(store.incidents(), store.plan())
    assert "nằm ngoài dữ liệu" in caught.value.message
    return caught.value.message


def _run(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    if page != "pages/overview.py":
        at.switch_page(page)  # straight to the page (no overview run first)
    at.run()
    return at


def _alerts(at: AppTest) -> list[str]:
    return [a.value for kind in (at.error, at.warning, at.info) for a in kind]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_a_traceback(outside_env: str, page: str) -> None:
    at = _run(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "the page stopped before its title"
    assert word("error.bug") not in _alerts(at)


def test_the_meeting_view_says_why_there_is_no_evaluation(outside_env: str) -> None:
    at = _run("pages/overview.py")
    assert not at.exception, [e.value for e in at.exception]
    assert any(e.value == f"Không đánh giá được: {_message(outside_env)}" for e in at.error)
    assert not any('class="antt-card"' in m.value for m in at.markdown)
    assert len(at.dataframe[0].value) == 13  # the district figures are still shown


def test_the_targets_page_says_why_and_keeps_the_plan_settings(outside_env: str) -> None:
    at = _run("pages/targets.py")
    assert not at.exception, [e.value for e in at.exception]
    assert any(e.value == f"Không đánh giá được: {_message(outside_env)}" for e in at.error)
    assert at.expander[0].label == "Cài đặt kế hoạch"
    assert at.date_input(key="plan.start").value in STARTS.values()


def test_the_map_says_why_there_is_no_before_after_comparison(outside_env: str) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for section in ("map.open.cells", "map.open.time", "map.open.compare"):  # built only while open
        at.session_state[section] = True
    at.switch_page("pages/map.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # the comparison section explains itself (an info box) and the page goes on
    assert f"Lỗi dữ liệu: {_message(outside_env)}" in [i.value for i in at.info]
    assert not at.error
    headers = [h.value for h in at.main.subheader]
    assert "So sánh trước và sau khi triển khai kế hoạch" not in headers
    # the rest of the page, which does not depend on the plan's windows, is still there (open sections)
    sections = [e.label for e in at.expander]
    assert "Các ô điểm nóng (Gi*) trong khoảng thời gian đã chọn" in sections
    assert "Diễn biến theo tháng" in sections
    assert [s.key for s in at.select_slider] == ["hot.time.month"]  # the month slider is built
    assert not any(m.value.startswith("**Trước: ") for m in at.markdown)


def test_the_trends_and_data_pages_show_no_alert_about_the_plan(outside_env: str) -> None:
    for page in ("pages/trends.py", "pages/data.py"):
        at = _run(page)
        assert not at.exception, [e.value for e in at.exception]
        assert not any("nằm ngoài dữ liệu" in text for text in _alerts(at)), page
