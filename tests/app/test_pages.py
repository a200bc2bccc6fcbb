"""AppTest of every page through the router: what a user sees, following the filters."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
BANNER = "Dữ liệu minh họa — không phải số liệu thực"


def _app(page: str | None = None, *, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)  # straight to the page, as a link to it opens (no overview run first)
    at.run()
    assert not at.exception, at.exception
    return at


def _table(at: AppTest, index: int = 0) -> object:
    return at.dataframe[index].value


@pytest.mark.usefixtures("demo_env")
def test_overview_shows_banner_totals_and_all_communes() -> None:
    at = _app()
    assert at.title[0].value == "Tổng quan"
    assert any(BANNER in w.value for w in at.warning)
    labels = [m.label for m in at.metric]
    assert labels == ["Tổng số vụ việc", "3 xã trọng điểm", "Các xã còn lại", "Tỷ lệ giải quyết"]
    table = _table(at)
    assert len(table) == 13
    total = int(at.metric[0].value.replace(".", ""))
    assert total == table["Số vụ"].sum()
    assert sum(n.startswith("★ ") for n in table["Xã, thị trấn"]) == 3
    assert (table["Cùng kỳ năm trước"] > 0).all()


@pytest.mark.usefixtures("demo_env")
def test_map_table_follows_the_filters() -> None:
    at = _app("pages/map.py")
    assert at.title[0].value == "Bản đồ điểm nóng"
    at.session_state["map.open.table"] = True  # the unit table is built while its section is open
    at.run()
    all_total = _table(at)["Số vụ"].sum()
    at.multiselect(key="flt.communes").set_value(["15388"]).run()
    table = _table(at)
    assert table.loc[table["Mã"] == "15388", "Số vụ"].iloc[0] == table["Số vụ"].sum()
    at.multiselect(key="flt.groups").set_value(["ma_tuy"]).run()
    drugs = _table(at)["Số vụ"].sum()
    assert 0 < drugs < table["Số vụ"].sum() < all_total
    assert at.query_params["group"] == "ma_tuy"
    assert at.query_params["commune"] == "15388"
    assert any(f"{drugs} vụ việc" in c.value for c in at.caption)


@pytest.mark.usefixtures("demo_env")
def test_a_shared_link_reopens_the_same_view() -> None:
    at = _app("pages/map.py", params={"from": "2024-01-01", "to": "2024-03-31", "commune": "15379"})
    assert at.date_input(key="flt.period").value == (
        __import__("datetime").date(2024, 1, 1),
        __import__("datetime").date(2024, 3, 31),
    )
    assert at.multiselect(key="flt.communes").value == ["15379"]
    assert any("01/01/2024" in c.value and "31/03/2024" in c.value for c in at.caption)


@pytest.mark.usefixtures("demo_env")
def test_english_switch() -> None:
    at = _app()
    at.radio(key="ui.lang").set_value("en").run()
    assert at.title[0].value == "Overview"
    assert any("Demo data — not real figures" in w.value for w in at.warning)


@pytest.mark.usefixtures("demo_env")
@pytest.mark.parametrize("page", [None, "pages/map.py", "pages/trends.py", "pages/targets.py"])
def test_a_link_to_a_period_without_data_opens_empty_pages(page: str | None) -> None:
    """A shared link whose period lies before the first incident opens every page, with no traceback."""
    at = _app(page, params={"from": "2020-01-01", "to": "2020-01-31"})
    assert at.date_input(key="flt.period").value == (
        __import__("datetime").date(2020, 1, 1),
        __import__("datetime").date(2020, 1, 31),
    )
