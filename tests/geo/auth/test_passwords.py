from __future__ import annotations

import pytest

from geo import settings
from geo.auth import passwords


def test_a_hash_is_bcrypt_salted_and_verifies_only_the_password() -> None:
    first = passwords.hash_password("Mật khẩu dài đủ")
    second = passwords.hash_password("Mật khẩu dài đủ")
    assert first.startswith("$2b$04$")
    assert first != second
    assert passwords.verify("Mật khẩu dài đủ", first)
    assert not passwords.verify("mật khẩu dài đủ", first)
    assert not passwords.verify("", first)


def test_the_cost_comes_from_the_settings_unless_given() -> None:
    assert settings.BCRYPT_ROUNDS == 4  # the tests' cheap cost (12 in use)
    assert passwords.hash_password("x" * 10, rounds=5).startswith("$2b$05$")


@pytest.mark.parametrize("hashed", ["", "plain text", "$2b$04$short", "ünïcode"])
def test_a_damaged_hash_never_verifies(hashed: str) -> None:
    assert not passwords.verify("anything at all", hashed)


def test_overlong_and_surrogate_passwords_never_verify() -> None:
    hashed = passwords.hash_password("x" * 72)
    assert passwords.verify("x" * 72, hashed)
    assert not passwords.verify("x" * 73, hashed)  # bcrypt would cut it to 72: refused instead
    assert not passwords.verify("\ud800abcdefgh", hashed)


@pytest.mark.parametrize(
    ("password", "key"),
    [
        ("short", "auth.pw.short"),
        ("ắ" * 30, "auth.pw.long"),  # 30 characters, 90 bytes
        ("abc\ud800defgh", "auth.pw.invalid"),
        ("Nguyen.Lan", "auth.pw.name"),
        ("12345678", "auth.pw.common"),
        ("MatKhau123", "auth.pw.common"),
        ("ba con mèo trèo cây cau", None),
    ],
)
def test_password_rules(password: str, key: str | None) -> None:
    assert passwords.problem(password, name="nguyen.lan") == key


def test_rule_messages_name_their_limit_in_both_languages() -> None:
    assert passwords.describe("auth.pw.short") == "Mật khẩu cần ít nhất 8 ký tự."
    assert "72 bytes" in passwords.describe("auth.pw.long", "en")
    assert passwords.describe("auth.pw.name", "en") == "The password must not be the user name."


def test_checking_an_unknown_name_costs_a_real_check() -> None:
    passwords.check_dummy("whatever")  # no error, same work as a wrong password
