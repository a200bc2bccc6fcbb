"""Logging in with a real browser (ANTT_REQUIRE_LOGIN=1): the form alone, a refusal, the pages of the role."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from geo import settings
from geo.auth import users
from geo.store import audit
from geo.store.store import Store, close_all
from tests.browser._helpers import open_offline, serve

pytestmark = pytest.mark.browser

PASSWORD = "mật khẩu của lãnh đạo"


@pytest.fixture(scope="module")
def login_app(demo_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server that requires a login, on a copy of the demo store with a viewer (and an admin)."""
    path = tmp_path_factory.mktemp("login") / "antt.sqlite"
    shutil.copy(demo_store_url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    store = Store.open(url)
    users.add_user(store, "lan", PASSWORD, "viewer", by="test")
    users.add_user(store, "boss", PASSWORD + "!", "admin", by="test")
    close_all()
    with serve(url, env={"ANTT_REQUIRE_LOGIN": "1"}) as base:
        yield base, url


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "BCRYPT_ROUNDS", 4)


def _wait_text(page: Any, text: str, *, timeout_ms: int = 60000) -> None:
    page.get_by_text(text, exact=False).first.wait_for(state="visible", timeout=timeout_ms)


def _form(page: Any, name: str, password: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_logging_in_as_a_viewer(browser: Any, login_app: tuple[str, str], artifacts_dir: Path) -> None:
    base, url = login_app
    page, blocked = open_offline(browser, base + "/map", width=1400, height=1000)
    _wait_text(page, "đăng nhập bằng tài khoản do quản trị viên cấp")
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts_dir / "login_form.png"), full_page=True)
    body = page.inner_text("body")
    assert "Bản đồ điểm nóng" not in body  # no page list, no map, no figures
    assert "Tổng quan" not in body
    assert page.locator("iframe").count() == 0
    _form(page, "lan", "sai mật khẩu")
    _wait_text(page, "Sai tên đăng nhập hoặc mật khẩu.")
    _form(page, "lan", PASSWORD)
    _wait_text(page, "Đang đăng nhập:")
    page.get_by_role("heading", name="Bản đồ điểm nóng").first.wait_for(
        timeout=60000
    )  # the link asked for /map
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "login_viewer.png"), full_page=True)
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Bản đồ điểm nóng" in nav
    assert "Tài khoản" in nav
    assert "Dữ liệu" not in nav
    assert "Quản trị" not in nav
    page.get_by_role("button", name="Đăng xuất").click()
    _wait_text(page, "Đã đăng xuất.")
    assert page.get_by_text("Traceback").count() == 0
    assert blocked == []
    actions = [(e.user, e.action) for e in reversed(audit.entries(Store.open(url)))]
    assert actions[-3:] == [("lan", "login_failed"), ("lan", "login"), ("lan", "logout")]


def test_identity_from_a_reverse_proxy_header(browser: Any, demo_store_url: str, tmp_path: Path) -> None:
    """Streamlit copies the proxy's X-Remote-User into st.user (server.trustedUserHeaders); no form."""
    path = tmp_path / "antt.sqlite"
    shutil.copy(demo_store_url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    users.add_user(Store.open(url), "lan", PASSWORD, "viewer", by="test")
    close_all()
    env = {
        "ANTT_PROXY_USER_KEY": "antt_user",
        "STREAMLIT_SERVER_TRUSTED_USER_HEADERS": '{"X-Remote-User": "antt_user"}',
    }
    with serve(url, env=env) as base:
        texts = {}
        for name in ("lan", "ghost", ""):
            headers = {"X-Remote-User": name} if name else {}
            proxy = SimpleNamespace(new_page=partial(browser.new_page, extra_http_headers=headers))
            page, blocked = open_offline(proxy, base + "/trends")
            wanted = {"lan": "Đang đăng nhập:", "ghost": "«ghost»", "": "không gửi tên người dùng"}[name]
            _wait_text(page, wanted)
            texts[name] = page.inner_text("body")
            assert blocked == []
            page.close()
    assert "Xu hướng" in texts["lan"]
    assert "Đăng xuất" not in texts["lan"]
    assert "Tên đăng nhập" not in texts["ghost"] + texts[""]  # never a form behind the proxy
    assert "Tổng quan" not in texts["ghost"] + texts[""]
    logins = audit.entries(Store.open(url), action="login")
    assert [(e.user, e.detail) for e in logins] == [("lan", {"via": "proxy"})]
