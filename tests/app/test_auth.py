"""Login and roles through the router (ANTT_REQUIRE_LOGIN=1): the gate, the page list per role, the audit."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo import settings
from geo.auth import users
from geo.store import audit
from geo.store.schema import utc_now
from geo.store.store import Store, close_all
from ui.auth import APP_PATHS

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
PASSWORDS = {"boss": "mật khẩu quản trị", "an": "mật khẩu phân tích", "lan": "mật khẩu lãnh đạo"}
LOGIN = ["", *APP_PATHS]  # the login form (or the account page) only, at every address of the app
ANALYSIS = ["", "map", "trends", "targets", "present"]  # the overview is the default page: url ""


@pytest.fixture
def store(demo_store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A copy of the demo store with an admin, an analyst and a viewer; login required on localhost."""
    path = tmp_path / "antt.sqlite"
    shutil.copy(demo_store_url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    monkeypatch.setattr(settings, "BCRYPT_ROUNDS", 4)
    monkeypatch.setenv("ANTT_DATABASE_URL", url)
    monkeypatch.setenv("ANTT_REQUIRE_LOGIN", "1")
    users.forget_unknown()
    opened = Store.open(url)
    for name, role in (("boss", "admin"), ("an", "analyst"), ("lan", "viewer")):
        users.add_user(opened, name, PASSWORDS[name], role, by="test")
    yield opened
    users.forget_unknown()
    close_all()


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _pages(at: AppTest) -> list[str]:
    """The url paths of the pages the router registered for this session."""
    return [str(info.get("url_pathname", "")) for info in at._registered_pages.values()]


def _files(at: AppTest) -> list[str]:
    """The page files (pages/*.py) the router registered: none before login."""
    return [str(info["script_path"]) for info in at._registered_pages.values() if info.get("script_path")]


def _login(at: AppTest, name: str, password: str | None = None) -> AppTest:
    at.text_input(key="auth.name").input(name)
    at.text_input(key="auth.password").input(PASSWORDS.get(name, "") if password is None else password)
    next(b for b in at.button if b.label == "Đăng nhập").click().run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "error", "success")
        for e in at.get(kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_an_anonymous_visitor_sees_only_the_login_form_and_no_data(store: Store) -> None:
    at = _app()
    assert [t.value for t in at.title] == ["Đăng nhập"]
    assert _pages(at) == LOGIN
    assert _files(at) == []
    assert [i.label for i in at.text_input] == ["Tên đăng nhập", "Mật khẩu"]
    assert at.text_input(key="auth.password").proto.type == at.text_input(key="auth.password").proto.PASSWORD
    for kind in ("dataframe", "table", "metric", "multiselect", "download_button", "tabs"):
        assert len(at.get(kind)) == 0, kind
    assert "vụ việc" not in _texts(at)
    assert "Vĩnh Lộc" not in _texts(at)
    with pytest.raises(ValueError, match="Known pages"):
        at.switch_page("pages/map.py")
    with pytest.raises(ValueError, match="Known pages"):
        at.switch_page("pages/data.py")


def test_a_wrong_password_is_refused_recorded_and_then_slowed(store: Store) -> None:
    at = _app()
    _login(at, "lan", "sai mật khẩu")
    assert [e.value for e in at.error] == ["Sai tên đăng nhập hoặc mật khẩu."]
    assert _pages(at) == LOGIN
    _login(at, "ghost", "sai mật khẩu")
    assert [e.value for e in at.error] == ["Sai tên đăng nhập hoặc mật khẩu."]  # no hint the name is unknown
    _login(at, "lan", "sai nữa")
    _login(at, "lan", "sai lần ba")
    assert any("vui lòng chờ" in w.value for w in at.warning)
    _login(at, "lan")  # even the right password waits now
    assert [e.value for e in at.error] == ["Đăng nhập sai nhiều lần: vui lòng chờ 5 giây rồi thử lại."]
    assert _pages(at) == LOGIN
    failed = audit.entries(store, action="login_failed")
    assert [(e.user, e.detail["reason"]) for e in reversed(failed)] == [
        ("lan", "password"),
        ("ghost", "unknown"),
        ("lan", "password"),
        ("lan", "password"),
        ("lan", "wait"),
    ]


def test_a_locked_account_says_so(store: Store) -> None:
    start = utc_now() - timedelta(minutes=1)
    for seconds in (0, 1, 2, 8, 20):
        users.authenticate(store, "an", "wrong", now=start + timedelta(seconds=seconds))
    at = _login(_app(), "an")
    assert at.error[0].value.startswith("Tài khoản tạm khóa vì đăng nhập sai nhiều lần: thử lại sau 15 phút")


def test_a_viewer_gets_every_analysis_page_but_no_import_export_or_admin(store: Store) -> None:
    at = _login(_app(), "lan")
    assert at.title[0].value == "Tổng quan"
    assert _pages(at) == [*ANALYSIS, "account"]
    assert "Đang đăng nhập: **lan** (lãnh đạo (chỉ xem))" in [c.value for c in at.sidebar.caption]
    for page in ("pages/data.py", "pages/admin.py"):
        with pytest.raises(ValueError, match="Known pages"):
            at.switch_page(page)
    at.switch_page("pages/targets.py").run()
    assert not at.exception, at.exception
    assert "plan.form" not in str([f.key for f in at.get("form")])
    assert not any(b.label == "Lưu kế hoạch" for b in at.button)
    assert [e.action for e in audit.entries(store, user="lan")] == ["login"]


def test_an_analyst_imports_and_exports_but_does_not_administer(store: Store) -> None:
    at = _login(_app(), "an")
    assert _pages(at) == [*ANALYSIS, "data", "account"]
    with pytest.raises(ValueError, match="Known pages"):
        at.switch_page("pages/admin.py")
    at.switch_page("pages/data.py").run()
    assert at.title[0].value == "Dữ liệu"
    labels = [tab.label for tab in at.tabs]
    assert "Nhập vụ việc" in labels
    assert "Xuất dữ liệu" in labels
    refused = [
        i.value for i in at.info if i.value.startswith("Vai trò của bạn (cán bộ phân tích) không được")
    ]
    assert len(refused) == 4  # boundaries, population, area settings, basemap: admins only
    downloads = {d.key for d in at.get("download_button")}
    assert downloads == {"data.inc.template", "data.exp.incidents", "data.exp.communes"}
    at.file_uploader[0].set_value(("vu_viec.csv", (DATA / "vu_viec_lon_xon.csv").read_bytes(), "")).run()
    next(b for b in at.button if b.key == "data.inc.commit").click().run()
    assert not at.exception, at.exception
    batches = store.batches()
    assert batches.iloc[0]["user_name"] == "an"
    entry = audit.entries(store, action="import")[0]
    assert entry.user == "an"
    assert entry.detail["file"] == "vu_viec.csv"


def test_an_admin_sees_users_and_the_audit_log(store: Store) -> None:
    at = _login(_app(), "boss")
    assert _pages(at) == [*ANALYSIS, "data", "account", "admin"]
    at.switch_page("pages/admin.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Quản trị"
    assert [tab.label for tab in at.tabs] == ["Tài khoản", "Nhật ký hoạt động"]
    accounts = at.dataframe[0].value
    assert accounts["Tên đăng nhập"].tolist() == ["an", "boss", "lan"]
    assert accounts["Vai trò"].tolist() == ["cán bộ phân tích", "quản trị viên", "lãnh đạo (chỉ xem)"]
    log = at.dataframe[1].value
    assert log.iloc[0]["Hoạt động"] == "Đăng nhập"
    assert log.iloc[0]["Người thực hiện"] == "boss"
    assert "Thêm tài khoản" in log["Hoạt động"].tolist()
    assert any(b.label == "Tải nhật ký (Excel)" for b in at.get("download_button"))


def test_an_admin_adds_and_changes_accounts_on_the_page(store: Store) -> None:
    at = _login(_app(), "boss")
    at.switch_page("pages/admin.py").run()
    at.text_input(key="admin.add.name").input("minh")
    at.selectbox(key="admin.add.role").set_value(users.Role.ANALYST)
    at.text_input(key="admin.add.password").input("ngắn")
    at.text_input(key="admin.add.again").input("ngắn")
    next(b for b in at.button if b.label == "Thêm tài khoản").click().run()
    assert [e.value for e in at.error] == ["Mật khẩu cần ít nhất 8 ký tự."]
    at.text_input(key="admin.add.name").input("minh")
    at.selectbox(key="admin.add.role").set_value(users.Role.ANALYST)
    at.text_input(key="admin.add.password").input("mật khẩu của minh")
    at.text_input(key="admin.add.again").input("mật khẩu của minh")
    next(b for b in at.button if b.label == "Thêm tài khoản").click().run()
    assert not at.exception, at.exception
    assert "Đã thêm tài khoản «minh» (cán bộ phân tích)." in [s.value for s in at.success]
    added = users.get_user(store, "minh")
    assert added is not None
    assert added.role is users.Role.ANALYST
    at.selectbox(key="admin.edit.name").set_value("boss")
    at.radio(key="admin.edit.action").set_value("disable")
    next(b for b in at.button if b.label == "Thực hiện").click().run()
    assert any("quản trị viên cuối cùng" in e.value for e in at.error)
    at.selectbox(key="admin.edit.name").set_value("lan")
    at.radio(key="admin.edit.action").set_value("disable")
    next(b for b in at.button if b.label == "Thực hiện").click().run()
    assert not users.get_user(store, "lan").active  # type: ignore[union-attr]
    assert [(e.user, e.action) for e in audit.entries(store, limit=2)] == [
        ("boss", "user_disable"),
        ("boss", "user_add"),
    ]


def test_logout_and_the_idle_timeout_end_the_session(store: Store) -> None:
    at = _login(_app(), "an")
    at.sidebar.button(key="auth.logout").click().run()
    assert _pages(at) == LOGIN
    assert "Đã đăng xuất." in [i.value for i in at.info]
    at = _login(at, "an")
    assert _pages(at)[0] == ""
    at.session_state["auth.seen"] = utc_now() - timedelta(minutes=31)
    at.run()
    assert _pages(at) == LOGIN
    assert any("sau 30 phút không thao tác" in i.value for i in at.info)
    reasons = [e.detail["reason"] for e in audit.entries(store, action="logout")]
    assert reasons == ["idle", "user"]


def test_a_disabled_account_is_logged_out_at_its_next_click(store: Store) -> None:
    at = _login(_app(), "lan")
    users.set_active(store, "lan", False, by="boss")
    at.run()
    assert _pages(at) == LOGIN


def test_after_a_reset_the_user_must_change_the_password_first(store: Store) -> None:
    users.reset_password(store, "lan", "mật khẩu tạm thời", by="boss")
    at = _login(_app(), "lan", "mật khẩu tạm thời")
    assert _pages(at) == LOGIN  # the account page only, as the default page
    assert at.title[0].value == "Tài khoản"
    assert any("đặt lại" in w.value for w in at.warning)
    at.text_input(key="auth.pw.old").input("mật khẩu tạm thời")
    at.text_input(key="auth.pw.new").input("mật khẩu mới của lan")
    at.text_input(key="auth.pw.again").input("mật khẩu khác")
    next(b for b in at.button if b.label == "Đổi mật khẩu").click().run()
    assert [e.value for e in at.error] == ["Hai lần nhập mật khẩu mới không khớp."]
    at.text_input(key="auth.pw.old").input("sai")
    at.text_input(key="auth.pw.new").input("mật khẩu mới của lan")
    at.text_input(key="auth.pw.again").input("mật khẩu mới của lan")
    next(b for b in at.button if b.label == "Đổi mật khẩu").click().run()
    assert [e.value for e in at.error] == ["Mật khẩu hiện tại không đúng."]
    at.text_input(key="auth.pw.old").input("mật khẩu tạm thời")
    at.text_input(key="auth.pw.new").input("mật khẩu mới của lan")
    at.text_input(key="auth.pw.again").input("mật khẩu mới của lan")
    next(b for b in at.button if b.label == "Đổi mật khẩu").click().run()
    assert not at.exception, at.exception
    assert _pages(at) == [*ANALYSIS, "account"]
    assert audit.entries(store, limit=1)[0].action == "password_change"


def test_the_login_page_in_english(store: Store) -> None:
    at = _app()
    at.radio(key="ui.lang").set_value("en").run()
    assert at.title[0].value == "Log in"
    _login_en = [i.label for i in at.text_input]
    assert _login_en == ["User name", "Password"]


def test_without_an_admin_nobody_can_log_in(
    demo_store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "antt.sqlite"
    shutil.copy(demo_store_url.removeprefix("sqlite:///"), path)
    monkeypatch.setenv("ANTT_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("ANTT_REQUIRE_LOGIN", "1")
    at = _app()
    assert at.error[0].value.startswith("Chưa có tài khoản quản trị nào")
    assert len(at.text_input) == 0
    close_all()


def test_identity_from_a_reverse_proxy(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # AppTest's st.user holds {"email": "test@example.com"}, as a proxy header mapped to "email" would.
    monkeypatch.setattr(settings, "PROXY_USER_KEY", "email")
    at = _app()
    assert _pages(at) == LOGIN
    assert "«test@example.com»" in at.error[0].value
    users.add_user(store, "test@example.com", "mật khẩu qua proxy", "viewer", by="boss")
    at = _app()
    assert _pages(at) == ANALYSIS  # no account page: the proxy owns passwords and sessions
    assert not any(b.key == "auth.logout" for b in at.sidebar.button)
    at.run()
    logins = audit.entries(store, user="test@example.com", action="login")
    assert [e.detail for e in logins] == [{"via": "proxy"}]


def test_on_localhost_without_the_setting_nobody_logs_in(demo_env: str) -> None:
    at = _app()
    assert at.title[0].value == "Tổng quan"
    assert "admin" in _pages(at)
    assert "account" not in _pages(at)


def test_a_download_is_recorded_with_what_which_filter_and_how_many_rows(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    from geo.filters import IncidentFilter
    from ui import auth

    flt = IncidentFilter(
        date(2024, 1, 1), date(2024, 6, 30), groups=("ma_tuy",), offences=(), communes=("15388",)
    )
    monkeypatch.delenv("ANTT_REQUIRE_LOGIN")  # on localhost: the person at the machine
    build = auth.audited(lambda: b"data", what="incidents", fmt="xlsx", flt=flt, rows=42)
    assert audit.entries(store, action="export") == []
    assert build() == b"data"
    entries = audit.entries(store, action="export")
    assert len(entries) == 1
    assert entries[0].user == "local"
    assert entries[0].detail == {
        "what": "incidents",
        "format": "xlsx",
        "rows": 42,
        "from": "2024-01-01",
        "to": "2024-06-30",
        "groups": ["ma_tuy"],
        "offences": [],
        "communes": ["15388"],
    }


def test_the_launcher_reads_the_address_from_the_command_line_the_environment_or_the_config(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ui import serve

    monkeypatch.delenv("STREAMLIT_SERVER_ADDRESS", raising=False)
    assert serve.listen_address(["--server.port", "1", "--server.address", "0.0.0.0"]) == "0.0.0.0"
    assert serve.listen_address(["--server.address=10.1.2.3"]) == "10.1.2.3"
    assert serve.listen_address([]) == "127.0.0.1"  # .streamlit/config.toml
    monkeypatch.setenv("STREAMLIT_SERVER_ADDRESS", "192.168.1.9")
    assert serve.listen_address([]) == "192.168.1.9"


def test_the_launcher_refuses_the_network_while_no_admin_exists(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ui import serve

    assert serve.refusal("127.0.0.1") is None
    assert serve.refusal("0.0.0.0") is None  # the store has an admin
    with store.engine.begin() as conn:  # no account at all, as in a store from before accounts
        conn.execute(store.tables.users.delete())
    message = serve.refusal("0.0.0.0")
    assert message is not None
    assert message.startswith("Không mở máy chủ trên địa chỉ 0.0.0.0")
    assert "python -m geo users add TÊN --role admin" in message
    assert "Not serving on *" in (serve.refusal(None, lang="en") or "")
    monkeypatch.setattr("sys.argv", ["ui.serve", "--server.address", "0.0.0.0"])
    assert serve.main() == 2
    assert "chưa có tài khoản quản trị" in capsys.readouterr().err


def test_python_m_ui_serve_stops_at_once_on_the_network_without_an_admin(tmp_path: Path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    Store.open(url, demo=False)
    close_all()
    result = subprocess.run(
        [sys.executable, "-m", "ui.serve", "--server.address", "0.0.0.0", "--server.port", "1"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "ANTT_DATABASE_URL": url, "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "chưa có tài khoản quản trị" in result.stderr


def test_an_admin_resets_a_password_changes_a_role_and_filters_the_log(store: Store) -> None:
    at = _login(_app(), "boss")
    at.switch_page("pages/admin.py").run()

    def apply(name: str, action: str, **values: object) -> None:
        at.selectbox(key="admin.edit.name").set_value(name)
        at.radio(key="admin.edit.action").set_value(action)
        if "role" in values:
            at.selectbox(key="admin.edit.role").set_value(values["role"])
        if "password" in values:
            at.text_input(key="admin.edit.password").input(str(values["password"]))
        next(b for b in at.button if b.label == "Thực hiện").click().run()
        assert not at.exception, at.exception

    apply("lan", "role", role=users.Role.ANALYST)
    assert users.get_user(store, "lan").role is users.Role.ANALYST  # type: ignore[union-attr]
    apply("lan", "reset", password="lan")
    assert [e.value for e in at.error] == ["Mật khẩu cần ít nhất 8 ký tự."]
    apply("lan", "reset", password="mật khẩu tạm của lan")
    assert "Đã cập nhật tài khoản «lan»." in [s.value for s in at.success]
    apply("an", "disable")
    apply("an", "enable")
    for seconds in (0, 1, 2, 8, 20):
        users.authenticate(store, "minh", "x", now=utc_now() + timedelta(seconds=seconds))
    start = utc_now()
    for seconds in (0, 1, 2, 8, 20):
        users.authenticate(store, "an", "wrong", now=start + timedelta(seconds=seconds))
    at.run()
    status = dict(
        zip(at.dataframe[0].value["Tên đăng nhập"], at.dataframe[0].value["Trạng thái"], strict=True)
    )
    assert status["lan"] == "chờ đổi mật khẩu"
    assert status["an"].startswith("tạm khóa đến ")
    assert status["boss"] == "đang hoạt động"
    at.selectbox(key="admin.log.action").set_value("user_role").run()
    log = at.dataframe[1].value
    assert log["Hoạt động"].tolist() == ["Đổi vai trò"]
    assert log["Chi tiết"].tolist() == ["name=lan, role=analyst"]
    at.selectbox(key="admin.log.action").set_value("").run()
    at.text_input(key="admin.log.user").input("GHOST").run()
    assert "Nhật ký chưa có mục nào khớp." in [i.value for i in at.info]


def test_the_log_download_is_itself_recorded(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import admin

    monkeypatch.delenv("ANTT_REQUIRE_LOGIN")
    captured = {}
    monkeypatch.setattr(admin.st, "download_button", lambda *a, **k: captured.update(k))
    monkeypatch.setattr(admin.st, "dataframe", lambda *a, **k: None)
    admin.audit_section()
    data = captured["data"]()
    assert data.startswith(b"PK")  # an XLSX workbook
    entry = audit.entries(store, action="export")[0]
    assert entry.user == "local"
    assert entry.detail == {"what": "audit", "action": "*", "user": "*", "rows": 3}


# -- OIDC (st.login): AppTest sets st.user as Streamlit's identity cookie would -------------------
AUTH = {
    "redirect_uri": "https://antt.cong-an.vn/oauth2callback",
    "cookie_secret": "0123456789abcdef" * 4,
    "keycloak": {
        "client_id": "ban-do-antt",
        "client_secret": "bí mật",
        "server_metadata_url": "https://sso.bocongan.vn/realms/cand/.well-known/openid-configuration",
    },
}
OIDC_BUTTON = "Đăng nhập bằng tài khoản của đơn vị (OIDC)"


@pytest.fixture
def oidc_store(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The accounts store, with OIDC through the provider «keycloak»; the unit's e-mail names accounts."""
    monkeypatch.setattr(settings, "OIDC_PROVIDER", "keycloak")
    users.add_user(store, "an@ca.thanhhoa.gov.vn", "mật khẩu không dùng tới", "analyst", by="boss")
    return store


def _oidc_app(user: dict[str, object] | None = None, secrets: dict[str, object] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.secrets = {"auth": AUTH} if secrets is None else secrets
    at.user = {"is_logged_in": False} if user is None else user
    at.run()
    assert not at.exception, at.exception
    return at


def _claims(email: str, **more: object) -> dict[str, object]:
    """st.user after a Keycloak login: the id token's claims, as Streamlit keeps them in its cookie."""
    now = utc_now().replace(tzinfo=UTC).timestamp()
    return {
        "is_logged_in": True,
        "provider": "keycloak",
        "email": email,
        "email_verified": True,
        "name": "Nguyễn Văn An",
        "iat": now,
        "sub": "f3a1",
    } | more


def test_with_oidc_the_login_page_offers_the_unit_account_beside_the_password(
    oidc_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _oidc_app()
    assert _pages(at) == LOGIN
    assert _files(at) == []
    assert [b.label for b in at.button if b.label == OIDC_BUTTON] == [OIDC_BUTTON]
    assert [i.label for i in at.text_input] == ["Tên đăng nhập", "Mật khẩu"]  # passwords still allowed
    for kind in ("dataframe", "metric", "download_button"):
        assert len(at.get(kind)) == 0, kind
    asked: list[str | None] = []
    monkeypatch.setattr("streamlit.login", asked.append)
    next(b for b in at.button if b.label == OIDC_BUTTON).click().run()
    assert asked == ["keycloak"]
    monkeypatch.setattr(settings, "OIDC_PASSWORDS", False)
    at = _oidc_app()
    assert any(b.label == OIDC_BUTTON for b in at.button)
    assert len(at.text_input) == 0  # the identity provider only


def test_an_oidc_login_of_an_active_analyst_gets_the_analyst_pages(oidc_store: Store) -> None:
    at = _oidc_app(_claims("An@CA.ThanhHoa.gov.vn"))
    assert at.title[0].value == "Tổng quan"
    assert _pages(at) == [*ANALYSIS, "data", "account"]
    assert "Đang đăng nhập: **an@ca.thanhhoa.gov.vn** (cán bộ phân tích)" in [
        c.value for c in at.sidebar.caption
    ]
    at.run()  # a later click of the same session is not a new login
    logins = audit.entries(oidc_store, action="login", user="an@ca.thanhhoa.gov.vn")
    assert [e.detail for e in logins] == [{"via": "oidc", "provider": "keycloak", "claim": "email"}]
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception
    assert "Nhập vụ việc" in [tab.label for tab in at.tabs]
    at._page_hash = next(h for h, info in at._registered_pages.items() if info["url_pathname"] == "account")
    at.run()
    assert at.title[0].value == "Tài khoản"
    assert any("mật khẩu do hệ thống xác thực của đơn vị quản lý" in i.value for i in at.info)
    assert len(at.text_input) == 0  # no password form: the provider owns the password


def test_an_oidc_name_without_an_account_is_refused_by_name_and_sees_no_data(oidc_store: Store) -> None:
    at = _oidc_app(_claims("ghost@ca.thanhhoa.gov.vn"))
    assert _pages(at) == LOGIN
    assert _files(at) == []
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    assert "chưa có tài khoản «ghost@ca.thanhhoa.gov.vn»" in errors[0]
    assert not any(b.label == OIDC_BUTTON for b in at.button)
    for kind in ("dataframe", "metric", "download_button", "tabs"):
        assert len(at.get(kind)) == 0, kind
    assert "Vĩnh Lộc" not in _texts(at)
    at.run()  # recorded once per session, not at every click
    failed = audit.entries(oidc_store, action="login_failed")
    assert [(e.user, e.detail) for e in failed] == [
        (
            "ghost@ca.thanhhoa.gov.vn",
            {"via": "oidc", "reason": "unknown", "provider": "keycloak", "claim": "email"},
        )
    ]
    next(b for b in at.button if b.key == "auth.oidc.switch").click().run()
    assert at.user == {"is_logged_in": False}  # st.logout: the identity cookie goes
    at.run()
    assert any(b.label == OIDC_BUTTON for b in at.button)


def test_a_disabled_account_is_refused_at_login_and_at_its_next_click(oidc_store: Store) -> None:
    users.set_active(oidc_store, "an@ca.thanhhoa.gov.vn", False, by="boss")
    at = _oidc_app(_claims("an@ca.thanhhoa.gov.vn"))
    assert _pages(at) == LOGIN
    assert "«an@ca.thanhhoa.gov.vn» đã bị vô hiệu hóa" in at.error[0].value
    users.set_active(oidc_store, "an@ca.thanhhoa.gov.vn", True, by="boss")
    at = _oidc_app(_claims("an@ca.thanhhoa.gov.vn"))
    assert _pages(at)[0] == ""
    users.set_active(oidc_store, "an@ca.thanhhoa.gov.vn", False, by="boss")
    at.run()
    assert _pages(at) == LOGIN
    assert "«an@ca.thanhhoa.gov.vn» đã bị vô hiệu hóa" in at.error[0].value
    reasons = [e.detail.get("reason") for e in audit.entries(oidc_store, user="an@ca.thanhhoa.gov.vn")]
    assert reasons[:3] == ["disabled", None, "disabled"]  # logout, login, login_failed (newest first)


def test_an_unusable_claim_is_refused_and_recorded(oidc_store: Store) -> None:
    at = _oidc_app(_claims("an@ca.thanhhoa.gov.vn", email_verified=False))
    assert "chưa được hệ thống xác thực của đơn vị xác minh" in at.error[0].value
    at = _oidc_app(_claims("an@ca.thanhhoa.gov.vn", provider="google"))
    assert "nhà cung cấp «google», không phải «keycloak»" in at.error[0].value
    no_email = _claims("x")
    del no_email["email"]
    at = _oidc_app(no_email)
    assert "không gửi thông tin «email»" in at.error[0].value
    assert _pages(at) == LOGIN
    reasons = [e.detail["reason"] for e in reversed(audit.entries(oidc_store, action="login_failed"))]
    assert reasons == ["unverified", "provider", "no_claim"]


def test_oidc_logout_the_idle_timeout_and_an_old_login_end_the_identity_cookie(oidc_store: Store) -> None:
    at = _oidc_app(_claims("an@ca.thanhhoa.gov.vn"))
    at.sidebar.button(key="auth.logout").click().run()
    assert at.user == {"is_logged_in": False}
    at.run()
    assert _pages(at) == LOGIN
    at = _oidc_app(_claims("an@ca.thanhhoa.gov.vn"))
    at.session_state["auth.seen"] = utc_now() - timedelta(minutes=31)
    at.run()
    assert at.user == {"is_logged_in": False}
    assert _pages(at) == LOGIN
    old = utc_now().replace(tzinfo=UTC).timestamp() - 13 * 3600
    at = _oidc_app(_claims("an@ca.thanhhoa.gov.vn", iat=old))
    assert at.user == {"is_logged_in": False}
    assert _pages(at) == LOGIN
    logouts = [e.detail for e in reversed(audit.entries(oidc_store, action="logout"))]
    assert logouts == [{"reason": "user", "via": "oidc"}, {"reason": "idle", "via": "oidc"}]


def test_oidc_says_what_is_missing_from_the_settings_and_keeps_the_password_form(
    oidc_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _oidc_app(secrets={"other": {"x": 1}})
    assert "chưa có mục [auth] trong .streamlit/secrets.toml" in at.error[0].value
    assert not any(b.label == OIDC_BUTTON for b in at.button)
    assert [i.label for i in at.text_input] == ["Tên đăng nhập", "Mật khẩu"]
    at = _oidc_app(_claims("an@ca.thanhhoa.gov.vn"), secrets={"other": {"x": 1}})
    assert _pages(at) == LOGIN  # a cookie is not trusted while the settings are incomplete
    real = st.get_option
    headers = {"X-Email": "email"}  # a proxy's header would override the cookie's claims
    monkeypatch.setattr(
        st, "get_option", lambda key: headers if key == "server.trustedUserHeaders" else real(key)
    )
    at = _oidc_app(_claims("an@ca.thanhhoa.gov.vn"))
    assert _pages(at) == LOGIN
    assert "server.trustedUserHeaders" in at.error[0].value
    _login(at, "an")
    assert _pages(at) == [*ANALYSIS, "data", "account"]
