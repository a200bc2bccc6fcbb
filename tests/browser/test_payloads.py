"""Payloads in every text field (issue 11, items 5 and 7): shown as written, never run, never fetched.

A demo-like store is built with the domain functions, every text a user or a file can put in it
holding markup: commune names, incident ids, descriptions and addresses, the file name, the user
of the import, the plan's name and note, the area's name, an account's name. Every page is opened
(as the local admin), map tooltips and popups too; no dialog may fire, no request leave 127.0.0.1,
no element of the payloads appear in the page, and their text must be readable as written.

The same server answers only the names it is served under (DNS rebinding: a forged Host → 403).
"""

from __future__ import annotations

import csv
import http.client
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from geo.area import Area
from geo.auth import users
from geo.io.incident_import import validate_incidents
from geo.io.tables import read_table
from geo.plan import Plan
from geo.store.store import Store, close_all
from geo.words import word
from tests.browser._helpers import map_frame, open_offline, serve

pytestmark = pytest.mark.browser

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
JS_LINK = "[bấm](javascript:alert(1))"
REMOTE_IMAGE = "![i](http://198.51.100.1/x.png)"
MATH = "$x$"
BACKSLASH = "\\"
BOLD = "**b**"
PAYLOADS = (IMG, SCRIPT, JS_LINK, REMOTE_IMAGE, MATH, BACKSLASH, BOLD)
ALL = " ".join(PAYLOADS)
FILE_NAME = "<img src=x onerror=alert(1)> **b** $x$.csv"
IMPORTER = "<script>alert(1)</script> **b**"
ACCOUNT = "__b__"  # names allow only . _ @ - : an underscore pair would turn bold


def _commune_name(index: int) -> str:
    return f"Xã {index} {PAYLOADS[index % len(PAYLOADS)]}"


@pytest.fixture(scope="module")
def payload_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo district with markup in every text field, built through the store's own writes."""
    url = f"sqlite:///{tmp_path_factory.mktemp('payloads') / 'antt.sqlite'}"
    store = Store.open(url, demo=False)
    communes = store.communes()
    communes["name"] = [_commune_name(i) for i in range(len(communes))]
    with store.engine.begin() as conn:
        store.write_communes(conn, communes)
    store.save_area(Area(name=f"Huyện {ALL}", unit_word="xã"), user=IMPORTER)
    plan = store.plan().to_dict()
    store.save_plan(Plan.from_dict({**plan, "name": f"Kế hoạch {ALL}", "note": ALL}), user=IMPORTER)
    points = [p.coords[0] for p in communes.geometry.representative_point()]
    out = io.StringIO()
    rows = csv.writer(out)
    rows.writerow(["Mã vụ", "Ngày xảy ra", "Tội danh", "Kinh độ", "Vĩ độ", "Địa chỉ", "Mô tả"])
    offences = ("Trộm cắp tài sản", "Cố ý gây thương tích", "Đánh bạc")
    for i in range(240):
        lon, lat = points[i % len(points)]
        payload = PAYLOADS[i % len(PAYLOADS)]
        month, year = 1 + (i % 36) // 3, 2022 + (i % 36) // 12
        rows.writerow(
            [f"V{i} {payload}", f"{1 + i % 28:02d}/{month:02d}/{year}", offences[i % 3], f"{lon:.6f}",
             f"{lat:.6f}", f"Thôn {payload}", f"{payload} mô tả {ALL}"]
        )  # fmt: skip
    checked = validate_incidents(read_table(out.getvalue().encode(), name=FILE_NAME), store.communes())
    assert len(checked.incidents) == 240, checked.report()
    store.import_incidents(checked, user=IMPORTER)
    users.add_user(store, ACCOUNT, "mật khẩu đủ dài của b", "viewer", by=IMPORTER)
    close_all()
    return url


@pytest.fixture(scope="module")
def payload_app(payload_store: str) -> Iterator[str]:
    with serve(payload_store) as base:
        yield base


def _visit(browser: Any, url: str, dialogs: list[str]) -> tuple[Any, list[str]]:
    page, blocked = open_offline(browser, url, width=1500, height=2600)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.locator('[data-testid="stSidebar"]').get_by_text("Huyện", exact=False).first.wait_for(timeout=90000)
    page.wait_for_timeout(2500)
    for _ in range(240):  # wait until the run is over
        if page.locator('[data-testid="stStatusWidget"]').count() == 0:
            break
        page.wait_for_timeout(500)
    page.wait_for_timeout(1000)
    return page, blocked


def _no_markup(page: Any) -> None:
    """No payload became an element, in the page or any of its frames (maps)."""
    for frame in page.frames:
        try:
            assert frame.locator("img[src='x']").count() == 0
            assert frame.locator("img[src*='198.51.100.1']").count() == 0
            assert frame.locator("a[href^='javascript:' i]").count() == 0
            assert frame.locator("script:text('alert(1)')").count() == 0
            assert frame.locator(".katex, math").count() == 0
        except Exception as error:  # a frame detached while Streamlit reran
            if "detached" in str(error) or "Target" in str(error):
                continue
            raise


PAGES = {
    "/": "Tổng quan",
    "/map": "Bản đồ điểm nóng",
    "/trends": "Xu hướng",
    "/targets": "Xã trọng điểm",
    "/data": "Dữ liệu",
    "/admin": "Quản trị",
}


def test_every_page_shows_the_payloads_as_text(browser: Any, payload_app: str, artifacts_dir: Path) -> None:
    dialogs: list[str] = []
    left: list[str] = []
    seen = ""
    for path, title in PAGES.items():
        page, blocked = _visit(browser, payload_app + path, dialogs)
        page.get_by_role("heading", name=title).first.wait_for(timeout=90000)
        if path == "/targets":  # the plan, with its name, is in the settings expander
            page.get_by_text("Cài đặt kế hoạch", exact=True).first.click()
            page.get_by_text("Kế hoạch hiện tại:", exact=False).first.wait_for(timeout=30000)
        if path == "/data":
            page.get_by_role("tab", name="Lịch sử nhập").click()
            page.wait_for_timeout(1500)
        page.screenshot(
            path=str(artifacts_dir / f"payloads_{path.strip('/') or 'overview'}.png"), full_page=True
        )
        body = page.inner_text("body")
        assert "Traceback" not in body
        assert "Trang gặp lỗi" not in body
        _no_markup(page)
        seen += body
        left += blocked
        page.close()
    (artifacts_dir / "payloads_text.txt").write_text(seen, encoding="utf-8")
    # The area's name is in the sidebar of every page, the plan's on / and /targets: all as written.
    assert f"Huyện {ALL}" in seen
    assert f"Kế hoạch {ALL}" in seen
    for payload in PAYLOADS:
        assert payload in seen
    assert dialogs == []
    assert left == []


def test_map_tooltips_and_popups_show_the_payloads_as_text(
    browser: Any, payload_app: str, artifacts_dir: Path
) -> None:
    dialogs: list[str] = []
    page, blocked = _visit(browser, payload_app + "/map", dialogs)
    frame = map_frame(page)
    communes = frame.locator("path.antt-commune")
    texts = []
    for index in range(min(communes.count(), 8)):
        # As a hand moves a mouse, in steps: a canvas of cells takes the mouse only once a move finds a cell
        # under it (geo.maps.hotspot_layers), so one jump straight to the spot is not what a user does.
        box = communes.nth(index).bounding_box()
        if box is None:
            continue
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
        page.wait_for_timeout(300)
        texts += frame.locator(".leaflet-tooltip").all_inner_texts()
        communes.nth(index).click(force=True)
        page.wait_for_timeout(300)
        texts += frame.locator(".leaflet-popup-content").all_inner_texts()
    points = frame.locator(".leaflet-antt-points-pane path.leaflet-interactive")
    for _ in range(8):  # open clusters until single incidents show (their popups hold the payloads)
        if points.count():
            break
        frame.locator(".marker-cluster").first.click(force=True)
        page.wait_for_timeout(1200)
    assert points.count() > 0
    for index in range(min(points.count(), 10)):
        try:
            points.nth(index).click(force=True, timeout=2000)
        except Exception:  # a point under another one
            continue
        page.wait_for_timeout(300)
        texts += frame.locator(".leaflet-popup-content").all_inner_texts()
    page.screenshot(path=str(artifacts_dir / "payloads_map_popup.png"), full_page=False)
    shown = "\n".join(texts)
    assert any(_commune_name(i) in shown for i in range(13)), shown[:500]
    assert IMG in shown or SCRIPT in shown
    _no_markup(page)
    assert dialogs == []
    assert blocked == []


# -- the Host header: DNS rebinding -----------------------------------------------------------------


def _get(base: str, path: str, host: str, *, upgrade: bool = False) -> int:
    address = urlparse(base)
    conn = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=20)
    headers = {"Host": host}
    if upgrade:
        headers |= {
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        }
    try:
        conn.request("GET", path, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def test_a_forged_host_is_refused_and_the_real_ones_served(payload_app: str) -> None:
    port = urlparse(payload_app).port
    for host in ("evil.example", f"evil.example:{port}", "localhost.evil.example", "127.0.0.1.evil.example"):
        for path in ("/", "/map", "/_stcore/health", "/app/static/vendor/leaflet/leaflet.js"):
            assert _get(payload_app, path, host) == 403, (host, path)
        assert _get(payload_app, "/_stcore/stream", host, upgrade=True) == 403
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"[::1]:{port}"):
        assert _get(payload_app, "/", host) == 200, host
        assert _get(payload_app, "/_stcore/health", host) == 200, host
    assert _get(payload_app, "/_stcore/stream", f"127.0.0.1:{port}", upgrade=True) == 101


def test_the_allowed_names_are_a_setting(payload_store: str) -> None:
    with serve(payload_store, env={"ANTT_ALLOWED_HOSTS": "antt.conganvinhloc.vn, *.cax.vn"}) as base:
        assert _get(base, "/", "antt.conganvinhloc.vn") == 200
        assert _get(base, "/", "pc06.cax.vn:8501") == 200
        assert _get(base, "/", "127.0.0.1") == 200  # the machine itself, by address
        assert _get(base, "/", os.uname().nodename + ".evil.example") == 403
        assert _get(base, "/", "conganvinhloc.vn") == 403


def test_tables_offer_no_download_of_their_own(browser: Any, payload_app: str, artifacts_dir: Path) -> None:
    """client.disableDataExport: a table's toolbar has search and full screen, no "Download as CSV"."""
    dialogs: list[str] = []
    page, blocked = _visit(browser, payload_app + "/", dialogs)
    table = page.locator('[data-testid="stDataFrame"]').first
    table.scroll_into_view_if_needed()
    table.hover()
    toolbar = page.locator('[data-testid="stElementToolbarButton"] button')
    toolbar.first.wait_for(state="attached", timeout=30000)
    labels = [toolbar.nth(i).get_attribute("aria-label") or "" for i in range(toolbar.count())]
    page.screenshot(path=str(artifacts_dir / "payloads_table_toolbar.png"), full_page=False)
    assert word("toolbar.1") in labels  # the toolbar is there ("Search", in the UI's language)…
    # …without the download (it is there when the option is off), in either language
    assert not {"Download as CSV", word("toolbar.0")} & set(labels)
    assert dialogs == []
    assert blocked == []


def test_an_uploaded_files_report_shows_its_cells_as_text(
    browser: Any, payload_app: str, tmp_path: Path, artifacts_dir: Path
) -> None:
    """The import report (`st.table`, whose cells are markdown) and the unknown offence names: as written."""
    out = io.StringIO()
    rows = csv.writer(out)
    rows.writerow(["Mã vụ", "Ngày xảy ra", "Tội danh", "Kinh độ", "Vĩ độ", "Mô tả"])
    for i, payload in enumerate(PAYLOADS):
        rows.writerow([f"U{i}", f"31/02/2024 {payload}", f"Tội {payload}", "105.6", "20.0", payload])
    upload = tmp_path / "bao cao.csv"
    upload.write_text(out.getvalue(), encoding="utf-8")
    dialogs: list[str] = []
    page, blocked = _visit(browser, payload_app + "/data", dialogs)
    page.get_by_text("Tệp vụ việc", exact=False).first.wait_for(timeout=60000)
    page.locator("input[type=file]").first.set_input_files(str(upload))
    page.get_by_text("Báo cáo kiểm tra", exact=False).first.wait_for(timeout=90000)
    page.wait_for_timeout(2500)
    page.screenshot(path=str(artifacts_dir / "payloads_report.png"), full_page=True)
    table = page.locator('[data-testid="stTable"]').first.inner_text()
    for payload in (IMG, SCRIPT, REMOTE_IMAGE, MATH, BOLD):
        assert payload in table, payload
    body = page.inner_text("body")
    assert f"Tội {REMOTE_IMAGE}" in body or f"Tội {IMG}" in body  # the unknown offence names
    assert "Traceback" not in body
    _no_markup(page)
    assert dialogs == []
    assert blocked == []
