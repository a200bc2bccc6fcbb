"""Drill-down: selecting a commune or a hot cell opens its incidents, paged, exportable only for roles allowed to."""

from __future__ import annotations

import io
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from geo import settings
from geo.auth import users
from geo.filters import IncidentFilter
from geo.store.store import Store, close_all
from ui import drilldown

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = [
    "Ngày xảy ra",
    "Tội danh / Loại vụ việc",
    "Xã, thị trấn",
    "Địa chỉ",
    "Trạng thái",
    "Mô tả",
    "Mã vụ",
]


def _app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _select(at: AppTest, prefix: str, row: int) -> AppTest:
    """Select ``row`` of the selectable table whose key starts with ``prefix`` (as a click would) and rerun."""
    (table,) = [d for d in at.dataframe if str(d.key or "").startswith(prefix)]
    at.session_state[str(table.key)] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    return at


def _open_cells(at: AppTest) -> AppTest:
    """Open /map's hot-cell table (an expander built only while open) and rerun."""
    at.session_state["map.open.cells"] = True
    at.run()
    assert not at.exception, at.exception
    return at


def _open_table(at: AppTest) -> AppTest:
    """Open /map's unit table (an expander built only while open) and rerun."""
    at.session_state["map.open.table"] = True
    at.run()
    assert not at.exception, at.exception
    return at


def _table_value(at: AppTest, prefix: str) -> Any:
    (table,) = [d for d in at.dataframe if str(d.key or "").startswith(prefix)]
    return table.value


def _click_map(at: AppTest, lat: float, lon: float) -> AppTest:
    """Report a click on the page's first map as streamlit-folium does (its widget key hashes the map's script)."""
    key = str(at.get("component_instance")[0].proto.id).rsplit("-", 1)[-1]
    at.session_state[key] = {"last_clicked": {"lat": lat, "lng": lon}}
    at.run()
    assert not at.exception, at.exception
    return at


def _lists(at: AppTest) -> list[Any]:
    """The incident lists on the page (tables with the drill-down's columns)."""
    return [d.value for d in at.dataframe if list(d.value.columns) == COLUMNS]


def _downloads(at: AppTest) -> list[str]:
    return [str(b.key) for b in at.get("download_button") if str(b.key).startswith("drill.")]


@pytest.mark.usefixtures("demo_env")
def test_a_commune_row_on_the_overview_opens_its_incidents_paged_with_downloads() -> None:
    at = _app()
    assert _lists(at) == []
    communes = _table_value(at, "communes.rows.")
    name = str(communes.iloc[0]["Xã, thị trấn"]).removeprefix("★ ")
    count = int(communes.iloc[0]["Số vụ"])
    assert count > 50  # more than one page
    _select(at, "communes.rows.", 0)
    (rows,) = _lists(at)
    assert len(rows) == 50
    assert set(rows["Xã, thị trấn"]) == {name}
    assert any(f"Vụ việc tại {name}" in m.value for m in at.markdown)
    assert any(f"{count:,}".replace(",", ".") + " vụ việc" in c.value for c in at.caption)
    dates = rows["Ngày xảy ra"].str.slice(0, 10)
    assert dates.str.fullmatch(r"\d\d/\d\d/\d{4}").all()
    as_days = dates.str.slice(6, 10) + dates.str.slice(3, 5) + dates.str.slice(0, 2)
    assert as_days.is_monotonic_decreasing  # newest first
    assert set(rows["Trạng thái"]) <= {"Đã xử lý", "Đang điều tra", "Đã chuyển cơ quan chức năng"}
    assert sorted(_downloads(at)) == ["drill.download.csv", "drill.download.xlsx"]
    first_ids = set(rows["Mã vụ"])
    at.number_input(key="drill.page").set_value(2).run()
    assert not at.exception, at.exception
    (page_two,) = _lists(at)
    assert len(page_two) == min(50, count - 50)
    assert first_ids.isdisjoint(page_two["Mã vụ"])
    at.run()  # the list stays open (on its page) until the user closes it
    (again,) = _lists(at)
    assert set(again["Mã vụ"]) == set(page_two["Mã vụ"])


@pytest.mark.usefixtures("demo_env")
def test_the_map_unit_table_is_built_when_opened_and_its_row_opens_the_unit_list() -> None:
    at = _app("pages/map.py")
    assert not [d for d in at.dataframe if str(d.key or "").startswith("communes.rows.")]  # closed: not sent
    assert "Số vụ việc theo xã (theo bộ lọc)" in [e.label for e in at.expander]
    at = _open_table(at)
    communes = _table_value(at, "communes.rows.")
    assert len(communes) == 13
    assert sum(n.startswith("★ ") for n in communes["Xã, thị trấn"]) == 3  # the plan's targets marked
    row = int(communes["Số vụ"].to_numpy().argmin())
    name = str(communes.iloc[row]["Xã, thị trấn"]).removeprefix("★ ")
    _select(at, "communes.rows.", row)
    (rows,) = _lists(at)
    assert len(rows) == min(50, int(communes.iloc[row]["Số vụ"]))
    assert set(rows["Xã, thị trấn"]) == {name}
    at.run()  # the section stays open on the next run
    assert _table_value(at, "communes.rows.")["Số vụ"].sum() == communes["Số vụ"].sum()


@pytest.mark.usefixtures("demo_env")
def test_a_hot_cell_row_on_the_map_opens_the_incidents_of_that_cell() -> None:
    at = _open_table(_open_cells(_app("pages/map.py")))
    cells = _table_value(at, "hot.cells.")
    _select(at, "hot.cells.", 0)
    (rows,) = _lists(at)
    n = int(cells.iloc[0]["Số vụ"])
    shown = min(50, n)
    assert len(rows) == shown
    assert any("Vụ việc trong ô điểm nóng hạng 1" in m.value for m in at.markdown)
    assert set(rows["Xã, thị trấn"]) <= set(
        _table_value(at, "communes.rows.")["Xã, thị trấn"].str.removeprefix("★ ")
    )


@pytest.mark.usefixtures("demo_env")
def test_a_click_on_the_map_opens_its_commune_or_with_the_gi_layer_its_hot_cell() -> None:
    at = _open_cells(_app("pages/map.py"))
    cells = _table_value(at, "hot.cells.")
    lat, lon = (float(v) for v in str(cells.iloc[0]["Tọa độ tâm ô"]).split(", "))
    _click_map(at, lat, lon)
    assert any(m.value.startswith("**Vụ việc tại ") for m in at.markdown)  # the commune under the click
    (rows,) = _lists(at)
    assert set(rows["Xã, thị trấn"]) == {str(cells.iloc[0]["Xã, thị trấn"])}
    at.pills(key="map.layers").set_value(["boundaries", "points", "gistar"]).run()
    _click_map(at, lat + 1e-5, lon)
    assert any("Vụ việc trong ô điểm nóng hạng 1" in m.value for m in at.markdown)
    (cell_rows,) = _lists(at)
    assert len(cell_rows) == min(50, int(cells.iloc[0]["Số vụ"]))


@pytest.fixture
def viewer_store(demo_store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A copy of the demo store with an admin and a viewer; login required."""
    path = tmp_path / "antt.sqlite"
    shutil.copy(demo_store_url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    monkeypatch.setattr(settings, "BCRYPT_ROUNDS", 4)
    monkeypatch.setenv("ANTT_DATABASE_URL", url)
    monkeypatch.setenv("ANTT_REQUIRE_LOGIN", "1")
    users.forget_unknown()
    opened = Store.open(url)
    users.add_user(opened, "boss", "mật khẩu quản trị", "admin", by="test")
    users.add_user(opened, "lan", "mật khẩu lãnh đạo", "viewer", by="test")
    yield opened
    users.forget_unknown()
    close_all()


@pytest.mark.usefixtures("viewer_store")
def test_a_viewer_sees_the_list_but_no_export_button() -> None:
    at = _app()
    at.text_input(key="auth.name").input("lan")
    at.text_input(key="auth.password").input("mật khẩu lãnh đạo")
    next(b for b in at.button if b.label == "Đăng nhập").click().run()
    assert not at.exception, at.exception
    _select(at, "communes.rows.", 1)
    (rows,) = _lists(at)
    assert len(rows) > 0
    assert _downloads(at) == []


def test_the_list_export_keeps_the_list_order_and_neutralises_formulas(
    demo_store_url: str, tmp_path: Path
) -> None:
    """The file holds the listed incidents in the list's order; a description starting a formula stays text."""
    path = tmp_path / "antt.sqlite"
    shutil.copy(demo_store_url.removeprefix("sqlite:///"), path)
    with sqlite3.connect(path) as conn:
        ids = [r[0] for r in conn.execute("SELECT incident_id FROM incidents ORDER BY incident_id LIMIT 3")]
        conn.execute(
            "UPDATE incidents SET description = '=HYPERLINK(\"http://x\")' WHERE incident_id = ?", (ids[1],)
        )
    conn.close()
    url = f"sqlite:///{path}"
    flt = IncidentFilter(start=date(2021, 1, 1), end=date(2021, 12, 31))
    args = (url, "v1", (ids[2], ids[1], ids[0]), flt)
    words = {
        "label": "Vụ việc tại Vĩnh Hùng",
        "sheet": "Vụ việc",
        "language": "vi",
        "now": datetime(2026, 12, 1, 9, 0),
    }
    csv = drilldown._export(*args, fmt="csv", **words).decode("utf-8-sig")
    assert [line.split(",")[0] for line in csv.splitlines()[1:]] == [ids[2], ids[1], ids[0]]
    assert "'=HYPERLINK" in csv
    book = openpyxl.load_workbook(io.BytesIO(drilldown._export(*args, fmt="xlsx", **words)))
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert any(isinstance(v, str) and v.endswith("— Vụ việc tại Vĩnh Hùng") for v in cells)  # the title
    assert '\'=HYPERLINK("http://x")' in cells
    close_all()


def _listing(source: str) -> None:
    """A page with one source picked: a unit (a stored code, or a newer unit re-coding two) or a hot cell."""
    from datetime import date

    import streamlit as st

    from geo.filters import IncidentFilter, apply_filter
    from geo.hotspots.grid import make_grid
    from ui import drilldown, loaders

    flt = IncidentFilter(date(2025, 11, 1), date(2026, 10, 31))
    communes = loaders.communes()
    names = {**drilldown.unit_names(communes), "N": "Mới"}
    recode = (("15361", "N"), ("15379", "N"))
    kind, stored = st.session_state["kind"], st.session_state["stored"]
    grid = make_grid(communes)
    if kind == "cell":
        target = drilldown.cell(st.session_state["cell"], rank=1, commune_name="X", where="Y")
    else:
        target = drilldown.commune("N" if kind == "recode" else "15361", names)

    def frame():  # the older form: the page's incidents, re-coded as the table shows them
        found = apply_filter(loaders.incidents(), flt)
        if kind == "recode":
            found = found.assign(commune_code=found["commune_code"].map(dict(recode)))
        return found

    incidents = drilldown.Source(flt, recode if kind == "recode" else ()) if stored else frame
    drilldown.pick(source, 1, target, incidents, names=names, grid=grid)
    drilldown.show(flt, page=source.split(".", maxsplit=1)[0])


def _busiest_cell(url: str) -> int:
    from geo.filters import IncidentFilter, apply_filter
    from geo.hotspots.grid import make_grid

    store = Store.open(url)
    grid = make_grid(store.communes())
    frame = apply_filter(store.incidents(), IncidentFilter(date(2025, 11, 1), date(2026, 10, 31)))
    frame = frame[frame["lon"].notna()]
    x, y = grid.project(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    cells = grid.cell_index(x, y)
    values, counts = __import__("numpy").unique(cells[cells >= 0], return_counts=True)
    return int(values[counts.argmax()])


@pytest.mark.parametrize("kind", ["commune", "recode", "cell"])
def test_a_list_read_from_the_store_is_the_list_of_the_frame(
    fresh_store: str, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """`Source` lists (count, pages, addresses) equal the older frame's; with push-down no incident is read in bulk."""
    import streamlit as st

    cell = _busiest_cell(fresh_store)
    seen = {}
    for stored in (False, True, "pushdown"):
        if stored == "pushdown":

            def refuse(self: Store, *, details: bool = False) -> None:
                raise AssertionError("read every incident")

            monkeypatch.setenv("ANTT_PUSHDOWN", "1")
            monkeypatch.setattr(Store, "incidents", refuse)
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_function(_listing, args=("t.table",), default_timeout=120)
        at.session_state["kind"], at.session_state["stored"], at.session_state["cell"] = (
            kind,
            bool(stored),
            cell,
        )
        at.run()
        assert not at.exception, at.exception
        (first,) = _lists(at)
        pages = [first]
        if len(first) == 50:
            at.number_input(key="drill.page").set_value(2).run()
            assert not at.exception, at.exception
            pages += _lists(at)
        seen[stored] = (
            [c.value for c in at.caption],
            [m.value for m in at.markdown],
            [p.to_dict("list") for p in pages],
            _downloads(at),
        )
    assert len(seen[False][2][0]["Mã vụ"]) > 10
    for key in (True, "pushdown"):
        for got, expected in zip(seen[key][2], seen[False][2], strict=True):
            for column in expected:
                assert got[column] == expected[column], (key, column)
        assert seen[key] == seen[False]


def test_a_stored_list_export_keeps_the_list_order_and_neutralises_formulas(fresh_store: str) -> None:
    from geo.store.counts import Window
    from geo.store.rows import Selection

    store = Store.open(fresh_store)
    flt = IncidentFilter(start=date(2021, 1, 1), end=date(2021, 12, 31))
    selection = Selection(Window(flt.start, flt.end), units=("15361",))
    listed = store.incidents()
    listed = listed[(listed["commune_code"] == "15361") & (listed["occurred_at"].dt.year == 2021)]
    newest = listed.sort_values(["occurred_at", "incident_id"], ascending=[False, True])[
        "incident_id"
    ].tolist()
    with store.engine.begin() as conn:
        t = store.tables.incidents
        conn.execute(t.update().where(t.c.incident_id == newest[1]).values(description="=1+1"))
    words = {
        "label": "Vụ việc tại X",
        "sheet": "Vụ việc",
        "language": "vi",
        "now": datetime(2026, 12, 1, 9, 0),
    }
    by_ids = drilldown._export(fresh_store, "v1", tuple(newest), flt, fmt="csv", **words)
    stored = drilldown._export(fresh_store, "v2", selection, flt, fmt="csv", **words)
    assert stored == by_ids
    assert [line.split(",")[0] for line in stored.decode("utf-8-sig").splitlines()[1:]] == newest
    assert "'=1+1" in stored.decode("utf-8-sig")
