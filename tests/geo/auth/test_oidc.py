"""OIDC without a provider: settings, claims to account names, the secrets.toml checks, external logins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from geo import settings
from geo.auth import oidc, users
from geo.auth.oidc import Problem
from geo.auth.users import Outcome
from geo.store import audit
from geo.store.schema import utc_now
from geo.store.store import Store

SECRET = "0123456789abcdef" * 4
GOOD: dict[str, Any] = {
    "redirect_uri": "https://antt.cong-an.vn/oauth2callback",
    "cookie_secret": SECRET,
    "keycloak": {
        "client_id": "ban-do-antt",
        "client_secret": "s3cret",
        "server_metadata_url": "https://sso.bocongan.vn/realms/cand/.well-known/openid-configuration",
    },
}


def _config(provider: str = "keycloak", claims: tuple[str, ...] = ("email",)) -> oidc.Config:
    return oidc.Config(provider, claims, passwords=True, max_age=timedelta(hours=12))


def _codes(auth: dict[str, Any] | None, config: oidc.Config, **kw: Any) -> list[tuple[str, dict[str, str]]]:
    return [(p.code, dict(p.fields)) for p in oidc.setup_problems(auth, config, **kw)]


def test_the_settings_turn_oidc_on_and_name_the_claims(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "OIDC_PROVIDER", "")
    assert oidc.configured() is None
    monkeypatch.setattr(settings, "OIDC_PROVIDER", " keycloak ")
    monkeypatch.setattr(settings, "OIDC_USER_CLAIM", "preferred_username, email")
    monkeypatch.setattr(settings, "OIDC_PASSWORDS", False)
    monkeypatch.setattr(settings, "OIDC_MAX_HOURS", 8.0)
    found = oidc.configured()
    assert found == oidc.Config("keycloak", ("preferred_username", "email"), False, timedelta(hours=8))
    assert found.section == "auth.keycloak"
    assert _config("default").section == "auth"
    assert oidc.claim_keys(" , ") == ("email",)


def test_the_first_present_claim_names_the_account_in_lower_case() -> None:
    keys = ("preferred_username", "email")
    assert oidc.account_name({"preferred_username": "Nguyen.Van.An", "email": "x@y.vn"}, keys) == (
        oidc.Claimed("nguyen.van.an", "preferred_username")
    )
    assert oidc.account_name({"preferred_username": "  ", "email": "An@CA.vn"}, keys) == oidc.Claimed(
        "an@ca.vn", "email"
    )
    missing = oidc.account_name({"sub": "f3a1", "name": "Nguyễn Văn An"}, keys)
    assert missing == oidc.Claimed("", "preferred_username, email", Problem.NO_CLAIM)
    assert oidc.account_name({"email": True}, ("email",)).problem is Problem.NO_CLAIM


def test_a_claim_that_cannot_be_an_account_name_is_refused_as_it_reads() -> None:
    found = oidc.account_name({"upn": "Nguyễn Văn An"}, ("upn",))
    assert found == oidc.Claimed("Nguyễn Văn An", "upn", Problem.INVALID)
    odd = oidc.account_name({"upn": "<b>x</b>\ud800\n" + "a" * 200}, ("upn",))
    assert odd.problem is Problem.INVALID
    assert "\ud800" not in odd.name
    assert len(odd.name) == 80
    odd.name.encode("utf-8")  # storable and printable


def test_an_unverified_email_does_not_log_in_but_an_absent_flag_does() -> None:
    assert oidc.account_name({"email": "an@ca.vn", "email_verified": False}, ("email",)).problem is (
        Problem.UNVERIFIED
    )
    assert oidc.account_name({"email": "an@ca.vn", "email_verified": True}, ("email",)).problem is None
    assert oidc.account_name({"email": "an@ca.vn"}, ("email",)).problem is None  # ADFS sends no flag
    # The flag is about the e-mail address only.
    claims = {"preferred_username": "an", "email_verified": False}
    assert oidc.account_name(claims, ("preferred_username",)).problem is None


def test_an_identity_cookie_of_another_provider_is_told_apart() -> None:
    assert oidc.wrong_provider({"provider": "keycloak"}, _config()) is None
    assert oidc.wrong_provider({}, _config()) is None
    assert oidc.wrong_provider({"provider": "google"}, _config()) == "google"


def test_a_login_older_than_the_limit_is_too_old() -> None:
    now = datetime(2026, 12, 1, 12, 0)
    claims = {"iat": datetime(2026, 12, 1, 0, 30, tzinfo=UTC).timestamp()}
    assert oidc.issued_at(claims) == datetime(2026, 12, 1, 0, 30)
    assert not oidc.too_old(claims, now, timedelta(hours=12))
    assert oidc.too_old(claims, now, timedelta(hours=11))
    # auth_time (when the person typed the password) wins over iat (a refreshed token).
    both = {"auth_time": claims["iat"] - 86400, "iat": claims["iat"]}
    assert oidc.too_old(both, now, timedelta(hours=12))
    assert not oidc.too_old({}, now, timedelta(hours=1))
    assert oidc.issued_at({"iat": "yesterday"}) is None
    assert oidc.issued_at({"iat": True}) is None
    assert oidc.issued_at({"iat": 1e300}) is None


def test_a_complete_configuration_has_no_problem() -> None:
    assert _codes(GOOD, _config()) == []
    flat = {k: v for k, v in GOOD.items() if k != "keycloak"} | GOOD["keycloak"]
    assert _codes(flat, _config("default")) == []
    local = GOOD | {"redirect_uri": "http://localhost:{port}/oauth2callback"}
    assert _codes(local, _config()) == []


def test_every_missing_or_unsafe_setting_is_named() -> None:
    assert _codes(None, _config()) == [("no_auth", {})]
    assert _codes(GOOD, _config("google")) == [("no_section", {"section": "auth.google"})]
    broken = {
        "redirect_uri": "antt.cong-an.vn/callback",
        "cookie_secret": "ngắn",
        "keycloak": {"client_id": "ban-do-antt", "server_metadata_url": "/realms/cand"},
    }
    assert _codes(broken, _config()) == [
        ("redirect", {"value": "antt.cong-an.vn/callback"}),
        ("secret", {"n": "32"}),
        ("missing", {"key": "client_secret", "section": "auth.keycloak"}),
        ("url", {"value": "/realms/cand"}),
    ]
    wrong_path = GOOD | {"redirect_uri": "https://antt.cong-an.vn/"}
    assert _codes(wrong_path, _config()) == [("redirect", {"value": "https://antt.cong-an.vn/"})]
    nothing = {"keycloak": {}}
    assert [c for c, _ in _codes(nothing, _config())] == ["missing"] * 5


def test_trusted_headers_and_an_underscore_are_refused() -> None:
    assert _codes(GOOD, _config(), trusted_headers={"X-Email": "email"}) == [("headers", {})]
    assert _codes(GOOD, _config(), trusted_headers={}) == []
    assert ("provider_name", {"provider": "bo_cong_an"}) in _codes(GOOD, _config("bo_cong_an"))


def test_an_external_login_needs_an_active_account_and_is_audited(store: Store) -> None:
    users.add_user(store, "an@ca.vn", "mật khẩu phân tích", "analyst", by="test")
    answer = users.external_login(store, "An@CA.vn", via="oidc", detail={"provider": "keycloak"})
    assert answer.outcome is Outcome.OK
    assert answer.user is not None
    assert answer.user.name == "an@ca.vn"
    assert answer.user.last_login_at is not None
    assert users.external_login(store, "ghost@ca.vn", via="oidc").outcome is Outcome.BAD
    users.set_active(store, "an@ca.vn", False, by="test")
    assert users.external_login(store, "an@ca.vn", via="oidc").outcome is Outcome.DISABLED
    logins = [(e.user, e.action, e.detail) for e in reversed(audit.entries(store)) if "login" in e.action]
    assert logins == [
        ("an@ca.vn", "login", {"via": "oidc", "provider": "keycloak"}),
        ("ghost@ca.vn", "login_failed", {"via": "oidc", "reason": "unknown"}),
        ("an@ca.vn", "login_failed", {"via": "oidc", "reason": "disabled"}),
    ]


def test_an_external_login_leaves_the_password_lock_alone(store: Store) -> None:
    users.add_user(store, "lan", "mật khẩu lãnh đạo", "viewer", by="test")
    start = utc_now() - timedelta(minutes=1)
    for seconds in (0, 1, 2, 8, 20):  # five failures, each after the wait: locked
        users.authenticate(store, "lan", "sai", now=start + timedelta(seconds=seconds))
    locked = users.get_user(store, "lan")
    assert locked is not None
    assert users.is_locked(locked)
    assert users.external_login(store, "lan", via="oidc").outcome is Outcome.OK
    after = users.get_user(store, "lan")
    assert after is not None
    assert users.is_locked(after)  # the password form stays locked; the provider vouched for the person
