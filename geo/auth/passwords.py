"""Password hashing (bcrypt, a maintained library) and the rules a new password must meet.

Examples
--------
>>> hashed = hash_password("đúng-mật-khẩu", rounds=4)
>>> verify("đúng-mật-khẩu", hashed), verify("sai", hashed), verify("x", "not a hash")
(True, False, False)
>>> problem("ngắn", name="lan")
'auth.pw.short'
>>> problem("lan.nguyen", name="Lan.Nguyen")
'auth.pw.name'
>>> problem("dài-đủ-và-khác-tên", name="lan") is None
True
"""

from __future__ import annotations

from functools import cache
from typing import Final

import bcrypt

from geo import settings
from geo.words import word

MAX_BYTES: Final = 72
"""bcrypt reads at most this many bytes of a password; longer ones are refused, never cut silently."""

COMMON: Final = frozenset(
    {"12345678", "123456789", "1234567890", "password", "password1", "matkhau", "matkhau1", "matkhau123",
     "admin123", "qwertyui", "11111111", "88888888", "abc12345", "iloveyou", "congan123", "antt1234"}
)  # fmt: skip
"""Passwords refused whatever the length (the ones tried first)."""


def hash_password(password: str, *, rounds: int | None = None) -> str:
    """Return the bcrypt hash of ``password`` (cost `settings.BCRYPT_ROUNDS` unless given)."""
    salt = bcrypt.gensalt(rounds or settings.BCRYPT_ROUNDS)
    return bcrypt.hashpw(password.encode("utf-8"), salt).decode("ascii")


def verify(password: str, hashed: str) -> bool:
    """Return True when ``password`` matches ``hashed`` (False for a malformed hash or an overlong password)."""
    data = password.encode("utf-8", "surrogatepass")
    if len(data) > MAX_BYTES:
        return False
    try:
        return bool(bcrypt.checkpw(data, hashed.encode("ascii")))
    except (ValueError, UnicodeEncodeError):
        return False


def check_dummy(password: str) -> None:
    """Spend the time of one check on a name that has no account (no timing hint that it is unknown)."""
    verify(password, _dummy_hash())


@cache
def _dummy_hash() -> str:
    return hash_password("no account has this password")


def problem(password: str, *, name: str) -> str | None:
    """Return the word key (``geo.words``) of the first rule ``password`` breaks, or None.

    Rules: at least `settings.PASSWORD_MIN_LENGTH` characters, at most `MAX_BYTES` bytes of UTF-8,
    not the user's name, not one of the most common passwords. The ``auth.pw.short`` and
    ``auth.pw.long`` words take ``n``: the limit.
    """
    if len(password) < settings.PASSWORD_MIN_LENGTH:
        return "auth.pw.short"
    try:
        size = len(password.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate
        return "auth.pw.invalid"
    if size > MAX_BYTES:
        return "auth.pw.long"
    if password.strip().casefold() == name.strip().casefold():
        return "auth.pw.name"
    if password.casefold() in COMMON:
        return "auth.pw.common"
    return None


def describe(key: str, lang: str = "vi") -> str:
    """Return the message of a `problem` key in ``lang``, with its limit filled in."""
    limit = {"auth.pw.short": settings.PASSWORD_MIN_LENGTH, "auth.pw.long": MAX_BYTES}.get(key, 0)
    return word(key, lang, n=limit)
