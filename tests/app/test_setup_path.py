"""A new store walks the set-up path on /data: boundaries → population → plan → incidents, each saying what is missing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.store.store import Store, close_all

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


@pytest.fixture
def new_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A store that is not the demo: no units, no plan, no incidents."""
    url = f"sqlite:///{tmp_path / 'moi.sqlite'}"
    Store.open(url)
    monkeypatch.setenv("ANTT_DATABASE_URL", url)
    yield url
    close_all()


def _uploader(at: AppTest, label: str) -> object:
    return next(u for u in at.file_uploader if u.label.startswith(label))


def _texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in [*at.markdown, *at.info, *at.caption, *at.success, *at.warning])


def test_a_new_store_walks_the_set_up_path(new_store: str) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    # Only the data page while the area has no units; every step is still missing.
    assert "Thiết lập khu vực" in [h.value for h in at.subheader]
    text = _texts(at)
    for step in ("1. Ranh giới", "2. Dân số", "3. Kế hoạch", "4. Vụ việc"):
        assert f"○ **{step}**" in text
    assert "Kho chưa có ranh giới khu vực" in text  # the incident tab says what to do first
    assert "Chưa thiết lập khu vực" in "\n".join(str(c.value) for c in at.sidebar.caption)

    boundaries = _uploader(at, "Tệp ranh giới xã")
    boundaries.set_value(("ranh_gioi.geojson", (DATA / "ranh_gioi_vn2000.geojson").read_bytes(), "")).run()
    assert not at.exception, at.exception
    assert not at.checkbox  # no "new area" choice: there is no area yet
    next(b for b in at.button if b.label.startswith("Thay ranh giới")).click().run()
    assert not at.exception, at.exception
    store = Store.open(new_store)
    assert len(store.communes()) == 13
    assert "✔ **1. Ranh giới**" in _texts(at)

    table = "Tên xã,Dân số,Năm\n" + "".join(
        f"{name},{1000 + i},2024\n" for i, name in enumerate(store.communes()["name"])
    )
    _uploader(at, "Bảng dân số").set_value(("dan_so.csv", table.encode(), "")).run()
    assert not at.exception, at.exception
    next(b for b in at.button if b.label.startswith("Ghi dân số")).click().run()
    assert not at.exception, at.exception
    assert (Store.open(new_store).communes()["population"] >= 1000).all()
    text = _texts(at)
    assert "✔ **2. Dân số**" in text
    assert "○ **3. Kế hoạch**" in text

    # Every page is there now, and none shows a traceback on a store with no plan and no incidents.
    for page in ("pages/overview.py", "pages/map.py", "pages/trends.py", "pages/targets.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    assert any("Chưa có kế hoạch" in i.value for i in at.info)  # /targets, the plan step

    at.date_input(key="plan.start").set_value(date(2024, 1, 1))
    at.multiselect(key="plan.targets").set_value(["15379"])
    next(b for b in at.button if b.label == "Lưu kế hoạch").click().run()
    assert not at.exception, at.exception
    assert Store.open(new_store).plan().targets == ("15379",)
    at.switch_page("pages/data.py").run()
    text = _texts(at)
    assert "✔ **3. Kế hoạch**" in text
    assert "○ **4. Vụ việc**" in text
