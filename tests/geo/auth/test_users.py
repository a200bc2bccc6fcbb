"""Accounts in the store (SQLite and PostGIS): changes, rules, logins with throttling — all audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from geo._errors import ConfigError
from geo.auth import users
from geo.auth.roles import Role
from geo.auth.users import Outcome
from geo.store import audit
from geo.store.schema import utc_now
from geo.store.store import Store

PW = "ba con mèo trèo cây cau"


def _actions(store: Store) -> list[str]:
    return [e.action for e in reversed(audit.entries(store))]


def test_adding_listing_and_reading_accounts(store: Store) -> None:
    assert users.users(store) == []
    assert not users.has_admin(store)
    admin = users.add_user(store, " Chi.Huy ", PW, "admin", by="os:root")
    users.add_user(store, "lan", PW + "!", Role.VIEWER, by="chi.huy")
    assert admin.name == "chi.huy"
    assert admin.role is Role.ADMIN
    assert admin.active
    assert [u.name for u in users.users(store)] == ["chi.huy", "lan"]
    assert users.get_user(store, "CHI.HUY") == admin
    assert users.get_user(store, "nobody") is None
    assert users.has_admin(store)
    entries = audit.entries(store)
    assert [(e.user, e.action, e.detail) for e in entries] == [
        ("chi.huy", "user_add", {"name": "lan", "role": "viewer"}),
        ("os:root", "user_add", {"name": "chi.huy", "role": "admin"}),
    ]
    as_json = admin.to_dict()
    assert as_json["role"] == "admin"
    assert "password_hash" not in as_json
    assert as_json["last_login_at"] is None


def test_hashes_are_stored_never_passwords(store: Store) -> None:
    users.add_user(store, "lan", PW, "viewer")
    with store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$2b$")
    assert PW not in stored


@pytest.mark.parametrize(
    ("name", "password", "role", "message"),
    [
        ("a", PW, "viewer", "không hợp lệ"),
        ("Lê Văn", PW, "viewer", "không hợp lệ"),
        ("<script>", PW, "viewer", "không hợp lệ"),
        ("lan", "short", "viewer", "ít nhất 8 ký tự"),
        ("lan", "lan", "viewer", "ít nhất 8 ký tự"),
        ("lan.nguyen", "LAN.NGUYEN", "viewer", "trùng tên đăng nhập"),
        ("lan", PW, "root", "Vai trò «root» không có"),
    ],
)
def test_bad_accounts_are_refused_in_vietnamese(
    store: Store, name: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        users.add_user(store, name, password, role)
    assert users.users(store) == []


def test_a_name_is_taken_once(store: Store) -> None:
    users.add_user(store, "lan", PW, "viewer")
    with pytest.raises(ConfigError, match="«lan» đã có"):
        users.add_user(store, "LAN", PW, "admin")


def test_the_last_active_admin_can_be_neither_disabled_nor_demoted(store: Store) -> None:
    users.add_user(store, "boss", PW, "admin")
    with pytest.raises(ConfigError, match="quản trị viên cuối cùng"):
        users.set_active(store, "boss", False)
    with pytest.raises(ConfigError, match="quản trị viên cuối cùng"):
        users.set_role(store, "boss", "analyst")
    assert users.get_user(store, "boss").active  # type: ignore[union-attr]
    users.add_user(store, "deputy", PW, "admin")
    assert users.set_role(store, "boss", "analyst").role is Role.ANALYST
    assert not users.set_active(store, "boss", False).active
    assert users.set_active(store, "boss", True).active
    assert _actions(store) == ["user_add", "user_add", "user_role", "user_disable", "user_enable"]
    with pytest.raises(ConfigError, match="Không có tài khoản «ghost»"):
        users.set_active(store, "ghost", False)


def test_logging_in(store: Store) -> None:
    users.add_user(store, "lan", PW, "analyst")
    ok = users.authenticate(store, "Lan", PW)
    assert ok.outcome is Outcome.OK
    assert ok.user is not None
    assert ok.user.role is Role.ANALYST
    assert ok.user.last_login_at is not None
    assert users.authenticate(store, "lan", "wrong password").outcome is Outcome.BAD
    assert users.authenticate(store, "ghost", PW).outcome is Outcome.BAD
    entries = audit.entries(store)
    assert [(e.user, e.action, e.detail.get("reason")) for e in entries[:3]] == [
        ("ghost", "login_failed", "unknown"),
        ("lan", "login_failed", "password"),
        ("lan", "login", None),
    ]


def test_failed_logins_are_slowed_then_locked_and_a_reset_unlocks(store: Store) -> None:
    users.add_user(store, "lan", PW, "analyst")
    users.add_user(store, "boss", PW, "admin")
    t0 = utc_now()
    answers = [users.authenticate(store, "lan", "wrong", now=t0 + timedelta(seconds=s)) for s in (0, 1, 2)]
    assert [(a.outcome, a.wait_s) for a in answers] == [(Outcome.BAD, 0), (Outcome.BAD, 0), (Outcome.BAD, 5)]
    early = users.authenticate(store, "lan", PW, now=t0 + timedelta(seconds=4))
    assert (early.outcome, early.wait_s) == (Outcome.WAIT, 3)  # even the right password waits
    fourth = users.authenticate(store, "lan", "wrong", now=t0 + timedelta(seconds=7))
    assert (fourth.outcome, fourth.wait_s) == (Outcome.BAD, 10)
    fifth = users.authenticate(store, "lan", "wrong", now=t0 + timedelta(seconds=17))
    assert (fifth.outcome, fifth.wait_s) == (Outcome.LOCKED, 900)
    still = users.authenticate(store, "lan", PW, now=t0 + timedelta(minutes=10))
    assert still.outcome is Outcome.LOCKED
    locked = users.get_user(store, "lan")
    assert locked is not None
    assert users.is_locked(locked, now=t0 + timedelta(minutes=10))
    assert "lockout" in _actions(store)
    users.reset_password(store, "lan", "mật khẩu tạm thời", by="boss")
    back = users.authenticate(store, "lan", "mật khẩu tạm thời", now=t0 + timedelta(minutes=11))
    assert back.outcome is Outcome.OK
    assert back.user is not None
    assert back.user.must_change
    assert not users.is_locked(back.user)


def test_an_unknown_name_is_throttled_like_a_real_one(store: Store) -> None:
    t0 = utc_now()
    answers = [
        users.authenticate(store, "ghost", "x", now=t0 + timedelta(seconds=s)) for s in (0, 1, 2, 8, 18)
    ]
    assert [a.outcome for a in answers] == [Outcome.BAD] * 4 + [Outcome.LOCKED]
    assert users.authenticate(store, "ghost", "x", now=t0 + timedelta(seconds=19)).outcome is Outcome.LOCKED
    assert users.authenticate(store, "ghost2", "x", now=t0 + timedelta(seconds=19)).outcome is Outcome.BAD


def test_a_disabled_account_cannot_log_in(store: Store) -> None:
    users.add_user(store, "boss", PW, "admin")
    users.add_user(store, "lan", PW, "viewer")
    users.set_active(store, "lan", False, by="boss")
    assert users.authenticate(store, "lan", PW).outcome is Outcome.DISABLED
    assert audit.entries(store, action="login_failed")[0].detail == {"reason": "disabled"}


def test_changing_ones_own_password(store: Store) -> None:
    users.add_user(store, "lan", PW, "viewer")
    users.reset_password(store, "lan", "tạm thời 123", by="boss")
    with pytest.raises(ConfigError, match="Mật khẩu hiện tại không đúng"):
        users.change_password(store, "lan", "wrong", "mật khẩu mới toanh")
    with pytest.raises(ConfigError, match="phải khác mật khẩu hiện tại"):
        users.change_password(store, "lan", "tạm thời 123", "tạm thời 123")
    with pytest.raises(ConfigError, match="ít nhất 8"):
        users.change_password(store, "lan", "tạm thời 123", "ngắn")
    changed = users.change_password(store, "lan", "tạm thời 123", "mật khẩu mới toanh")
    assert not changed.must_change
    assert users.authenticate(store, "lan", "mật khẩu mới toanh").outcome is Outcome.OK
    assert users.authenticate(store, "lan", "tạm thời 123").outcome is Outcome.BAD
    last = audit.entries(store, action="password_change")[0]
    assert (last.user, last.detail) == ("lan", {"name": "lan"})
    with pytest.raises(ConfigError, match="Mật khẩu hiện tại không đúng"):
        users.change_password(store, "ghost", "x", "y" * 10)


def test_reset_can_keep_the_password(store: Store) -> None:
    users.add_user(store, "lan", PW, "viewer")
    kept = users.reset_password(store, "lan", "một mật khẩu khác", must_change=False)
    assert not kept.must_change
    with pytest.raises(ConfigError, match="ít nhất 8"):
        users.reset_password(store, "lan", "x")
