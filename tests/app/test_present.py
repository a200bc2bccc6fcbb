"""AppTest of /present: the verdicts slide by slide, the Tiếp / Trước buttons, the way out, a store with no plan."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.plan import Plan
from geo.store.store import Store
from geo.words import word
from ui.i18n import LANG_KEY

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ("15361", "15379", "15388")  # the demo plan's targets, in its order


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/present.py").run()
    assert not at.exception, at.exception
    return at


def _html(at: AppTest) -> str:
    return "".join(element.value for element in at.markdown)


def _slide(at: AppTest) -> tuple[str, str]:
    """The big card's target ("all" for the targets together) and the row marked current ("" for none)."""
    text = _html(at)
    big = re.search(r'class="antt-present-card" data-target="([^"]+)"', text)
    current = re.search(r'class="antt-present-row" data-target="([^"]+)"[^>]*aria-current="true"', text)
    assert big is not None
    return big.group(1), current.group(1) if current else ""


def _button(at: AppTest, key: str) -> object:
    return next(button for button in at.button if button.key == key)


def test_present_steps_through_the_targets_and_wraps(demo_env: str) -> None:
    at = _app()
    text = _html(at)
    assert _slide(at) == ("all", "")
    assert word("present.together", "vi", n=3) in text
    for code in TARGETS:  # every target is on every slide, one line each with its verdict
        assert f'class="antt-present-row" data-target="{code}"' in text
    assert word("present.demo", "vi") in text  # demo data says so on the projector too
    assert "1/4" in text
    seen = []
    for _ in TARGETS:
        _button(at, "present.next").click().run()
        assert not at.exception, at.exception
        seen.append(_slide(at))
    assert seen == [(code, code) for code in TARGETS]
    assert "4/4" in _html(at)
    _button(at, "present.next").click().run()  # past the last slide: back to the first
    assert _slide(at) == ("all", "")
    _button(at, "present.prev").click().run()  # and backwards from the first: the last
    assert _slide(at) == (TARGETS[-1], TARGETS[-1])
    _button(at, "present.pageup").click().run()  # what a clicker's "back" sends
    assert _slide(at) == (TARGETS[-2], TARGETS[-2])


def test_present_buttons_carry_the_keyboard_shortcuts(demo_env: str) -> None:
    at = _app()
    shortcuts = {
        button.key: button.proto.shortcut for button in at.button if (button.key or "").startswith("present.")
    }
    assert shortcuts == {
        "present.prev": "left",
        "present.next": "right",
        "present.exit": "escape",
        "present.pageup": "pageup",
        "present.pagedown": "pagedown",
    }
    labels = {button.key: button.label for button in at.button}
    assert labels["present.next"] == "Tiếp ›"


def test_present_leaves_for_the_overview(demo_env: str) -> None:
    at = _app()
    _button(at, "present.exit").click().run()
    assert not at.exception, at.exception
    assert not any('class="antt-present-card"' in element.value for element in at.markdown)
    assert any('class="antt-card"' in element.value for element in at.markdown)  # the overview's cards
    # … and the overview links back to the presentation.
    links = [link for link in at.get("page_link") if link.proto.page == "present"]
    assert [link.proto.label for link in links] == [
        "Trình chiếu trong cuộc họp (toàn màn hình, từng xã trọng điểm)"
    ]


def test_present_in_english(demo_env: str) -> None:
    at = _app()
    at.radio(key=LANG_KEY).set_value("en").run()
    assert not at.exception, at.exception
    text = _html(at)
    assert word("present.together", "en", n=3) in text
    assert _button(at, "present.next").label == "Next ›"


@pytest.fixture
def no_plan_env(fresh_store: str) -> str:
    """The demo data with its plan taken away (a new area before the analyst sets one)."""
    store = Store.open(fresh_store)
    with store.engine.begin() as conn:
        store.set_meta(conn, "plan", json.dumps(Plan.unset().to_dict(), ensure_ascii=False))
    assert not Store.open(fresh_store).plan().is_set
    return fresh_store


def test_present_without_a_plan_says_so_and_offers_the_way_back(no_plan_env: str) -> None:
    at = _app()
    assert [info.value for info in at.info] == [word("plan.none", "vi")]
    assert [button.key for button in at.button if (button.key or "").startswith("present.")] == [
        "present.exit"
    ]
    assert not any('class="antt-present-card"' in element.value for element in at.markdown)


def test_present_with_a_plan_outside_the_data_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'outside.sqlite'}"
    store = Store.open(url, demo=True)
    store.save_plan(Plan(name="Kế hoạch thử", start=date(2030, 1, 1), targets=("15379",)))
    monkeypatch.setenv("ANTT_DATABASE_URL", url)
    at = _app()
    assert len(at.error) == 1
    assert "nằm ngoài dữ liệu" in at.error[0].value
    assert [button.key for button in at.button if (button.key or "").startswith("present.")] == [
        "present.exit"
    ]
