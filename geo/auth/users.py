"""Accounts in the store: add, list, disable, reset, change role or password, log in — each change audited.

Names are case-insensitive (kept in lower case): letters, digits and ``. _ @ -``, 2 to 64 characters.
The last active admin can be neither disabled nor demoted, so the store always keeps a way in once it
has one. Failed logins are counted per name in the store (shared by every session and every dashboard
instance on the same store); names without an account are counted in this process only, with the same
rules, so the answer never tells whether a name exists.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo._errors import ConfigError
from geo.auth import passwords, throttle
from geo.auth.roles import Role, parse_role
from geo.store import audit
from geo.store.schema import utc_now

if TYPE_CHECKING:
    from geo.store.store import Store

NAME_PATTERN: Final = re.compile(r"[a-z0-9._@-]{2,64}")
"""What a user name may hold (after lower-casing)."""

_UNKNOWN_MAX = 10_000


@dataclass(frozen=True)
class User:
    """One account (never its hash)."""

    name: str
    role: Role
    active: bool
    must_change: bool
    created_at: datetime
    last_login_at: datetime | None
    failures: int
    locked_until: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """Return the account for JSON (times as ISO text, UTC)."""
        return {
            "name": self.name,
            "role": self.role.value,
            "active": self.active,
            "must_change": self.must_change,
            "created_at": self.created_at.isoformat(sep=" ", timespec="seconds"),
            "last_login_at": _iso(self.last_login_at),
            "failures": self.failures,
            "locked_until": _iso(self.locked_until),
        }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(sep=" ", timespec="seconds")


class Outcome(StrEnum):
    """How a login attempt ended."""

    OK = "ok"
    BAD = "bad"
    """Wrong name or password (the two are never told apart)."""
    WAIT = "wait"
    """Too many failures: try again in `Login.wait_s` seconds (the password was not checked)."""
    LOCKED = "locked"
    """Locked for `Login.wait_s` seconds more (the password was not checked)."""
    DISABLED = "disabled"
    """Right password, but the account is disabled."""


@dataclass(frozen=True)
class Login:
    """The answer to a login attempt."""

    outcome: Outcome
    user: User | None = None
    wait_s: int = 0


def normalise_name(name: str) -> str:
    """Return ``name`` as stored (stripped, lower case).

    Raises
    ------
    ConfigError
        The name is not 2–64 letters, digits or ``. _ @ -``.
    """
    clean = name.strip().lower()
    if not NAME_PATTERN.fullmatch(clean):
        raise ConfigError(
            f"Tên đăng nhập «{name}» không hợp lệ: cần 2–64 ký tự gồm chữ không dấu, số và . _ @ -"
        )
    return clean


def _check_password(password: str, name: str) -> None:
    key = passwords.problem(password, name=name)
    if key is not None:
        raise ConfigError(passwords.describe(key))


def _user(row: Any) -> User:
    return User(
        name=str(row.name),
        role=Role(row.role),
        active=bool(row.active),
        must_change=bool(row.must_change),
        created_at=row.created_at,
        last_login_at=row.last_login_at,
        failures=int(row.failures),
        locked_until=row.locked_until,
    )


def users(store: Store) -> list[User]:
    """Return every account, by name."""
    t = store.tables.users
    with store.engine.connect() as conn:
        return [_user(r) for r in conn.execute(sa.select(t).order_by(t.c.name)).all()]


def get_user(store: Store, name: str) -> User | None:
    """Return the account ``name`` (any case), or None."""
    t = store.tables.users
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(t).where(t.c.name == name.strip().lower())).one_or_none()
    return None if row is None else _user(row)


def has_admin(store: Store) -> bool:
    """Return True when the store has at least one active admin."""
    t = store.tables.users
    with store.engine.connect() as conn:
        return _active_admins(conn, t) > 0


def _active_admins(conn: Connection, t: sa.Table) -> int:
    query = sa.select(sa.func.count()).select_from(t).where(t.c.role == Role.ADMIN.value, t.c.active)
    return int(conn.execute(query).scalar_one())


def add_user(store: Store, name: str, password: str, role: Role | str, *, by: str = "") -> User:
    """Create an account (audited as ``user_add`` by ``by``).

    Raises
    ------
    ConfigError
        Bad name, role or password, or the name is taken.
    """
    clean = normalise_name(name)
    chosen = parse_role(role)
    _check_password(password, clean)
    hashed = passwords.hash_password(password)
    t = store.tables.users
    now = utc_now()
    with store.engine.begin() as conn:
        if conn.execute(sa.select(t.c.name).where(t.c.name == clean)).first() is not None:
            raise ConfigError(f"Tên đăng nhập «{clean}» đã có.")
        conn.execute(
            t.insert().values(
                name=clean,
                role=chosen.value,
                password_hash=hashed,
                active=True,
                must_change=False,
                created_at=now,
                updated_at=now,
                failures=0,
            )
        )
        audit.write(conn, store.tables, user=by, action="user_add", detail={"name": clean, "role": chosen})
    user = get_user(store, clean)
    assert user is not None
    return user


def _change(
    store: Store, name: str, *, by: str, action: str, values: dict[str, Any], detail: dict[str, Any]
) -> User:
    """Update one account and audit it, refusing to leave the store without an active admin."""
    clean = name.strip().lower()
    t = store.tables.users
    with store.engine.begin() as conn:
        row = conn.execute(sa.select(t).where(t.c.name == clean)).one_or_none()
        if row is None:
            raise ConfigError(f"Không có tài khoản «{name}».")
        conn.execute(t.update().where(t.c.name == clean).values(updated_at=utc_now(), **values))
        if row.role == Role.ADMIN.value and row.active and _active_admins(conn, t) == 0:
            raise ConfigError(
                f"«{clean}» là quản trị viên cuối cùng đang hoạt động: hãy tạo một quản trị viên khác trước."
            )
        audit.write(conn, store.tables, user=by, action=action, detail={"name": clean, **detail})
    user = get_user(store, clean)
    assert user is not None
    return user


def set_active(store: Store, name: str, active: bool, *, by: str = "") -> User:
    """Disable (``active=False``) or enable an account; a disabled account cannot log in."""
    action = "user_enable" if active else "user_disable"
    return _change(store, name, by=by, action=action, values={"active": active}, detail={})


def set_role(store: Store, name: str, role: Role | str, *, by: str = "") -> User:
    """Give an account another role."""
    chosen = parse_role(role)
    return _change(
        store, name, by=by, action="user_role", values={"role": chosen.value}, detail={"role": chosen}
    )


def reset_password(store: Store, name: str, password: str, *, by: str = "", must_change: bool = True) -> User:
    """Set a new password chosen by an admin, unlock the account, and (by default) ask for a change at login."""
    clean = name.strip().lower()
    _check_password(password, clean)
    values = {
        "password_hash": passwords.hash_password(password),
        "must_change": must_change,
        "failures": 0,
        "last_failure_at": None,
        "locked_until": None,
    }
    return _change(
        store, clean, by=by, action="user_reset", values=values, detail={"must_change": must_change}
    )


def change_password(store: Store, name: str, old: str, new: str) -> User:
    """Change one's own password (the old one is checked; audited as ``password_change``).

    Raises
    ------
    ConfigError
        The old password is wrong, or the new one breaks a rule or equals the old one.
    """
    clean = name.strip().lower()
    t = store.tables.users
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(t).where(t.c.name == clean)).one_or_none()
    if row is None or not passwords.verify(old, row.password_hash):
        raise ConfigError(passwords.describe("auth.pw.wrong_old"))
    if new == old:
        raise ConfigError(passwords.describe("auth.pw.same"))
    _check_password(new, clean)
    values = {"password_hash": passwords.hash_password(new), "must_change": False}
    return _change(store, clean, by=clean, action="password_change", values=values, detail={})


# -- logging in ------------------------------------------------------------------------------
_UNKNOWN: dict[str, throttle.Attempts] = {}
_UNKNOWN_LOCK = threading.Lock()


def authenticate(
    store: Store,
    name: str,
    password: str,
    *,
    now: datetime | None = None,
    policy: throttle.Policy = throttle.DEFAULT,
) -> Login:
    """Check a login attempt at ``now`` (naive UTC; default the clock), throttled per name, audited.

    Every attempt is recorded: ``login`` on success, ``login_failed`` (with the reason) otherwise, and
    ``lockout`` when a failure locks the name.
    """
    when = now or utc_now()
    clean = name.strip().lower()[:64]
    t = store.tables.users
    with store.engine.begin() as conn:
        row = conn.execute(sa.select(t).where(t.c.name == clean)).one_or_none()
        if row is None:
            return _unknown(store, conn, clean, password=password, when=when, policy=policy)
        state = throttle.Attempts(int(row.failures), row.last_failure_at, row.locked_until)
        gate = throttle.gate(state, when, policy)
        if not gate.allowed:
            outcome = Outcome.LOCKED if gate.locked else Outcome.WAIT
            _failure(store, conn, clean, reason=outcome.value)
            return Login(outcome, wait_s=gate.wait_s)
        if not passwords.verify(password, row.password_hash):
            after = throttle.failed(state, when, policy)
            conn.execute(
                t.update()
                .where(t.c.name == clean)
                .values(failures=after.failures, last_failure_at=when, locked_until=after.locked_until)
            )
            _failure(store, conn, clean, reason="password", failures=after.failures)
            return _refused(store, conn, clean, before=state, after=after, when=when, policy=policy)
        if not row.active:
            _failure(store, conn, clean, reason="disabled")
            return Login(Outcome.DISABLED)
        conn.execute(
            t.update()
            .where(t.c.name == clean)
            .values(failures=0, last_failure_at=None, locked_until=None, last_login_at=when)
        )
        audit.write(conn, store.tables, user=clean, action="login")
        row = conn.execute(sa.select(t).where(t.c.name == clean)).one()
    return Login(Outcome.OK, _user(row))


def external_login(
    store: Store, name: str, *, via: str, detail: dict[str, Any] | None = None, now: datetime | None = None
) -> Login:
    """Log in ``name`` vouched for by someone else (``via``: ``oidc``, ``proxy``), in one transaction.

    The identity provider or the reverse proxy has authenticated the person; the store decides whether
    that name may come in and with which role. ``OK`` with the account when it exists and is active
    (``login`` recorded with ``via`` and ``detail``, the last login time set; the failed-password count
    is left alone, it guards the password form only); else ``BAD`` (no such account) or ``DISABLED``,
    with ``login_failed`` recorded. The name is not secret here, so the answer may tell them apart.
    """
    clean = name.strip().lower()[:64]
    extra = {"via": via, **(detail or {})}
    t = store.tables.users
    with store.engine.begin() as conn:
        row = conn.execute(sa.select(t).where(t.c.name == clean)).one_or_none()
        if row is None:
            _failure(store, conn, clean, reason="unknown", **extra)
            return Login(Outcome.BAD)
        if not row.active:
            _failure(store, conn, clean, reason="disabled", **extra)
            return Login(Outcome.DISABLED)
        conn.execute(t.update().where(t.c.name == clean).values(last_login_at=now or utc_now()))
        audit.write(conn, store.tables, user=clean, action="login", detail=extra)
        row = conn.execute(sa.select(t).where(t.c.name == clean)).one()
    return Login(Outcome.OK, _user(row))


def _failure(store: Store, conn: Connection, name: str, *, reason: str, **detail: Any) -> None:
    audit.write(conn, store.tables, user=name, action="login_failed", detail={"reason": reason, **detail})


def _refused(
    store: Store,
    conn: Connection,
    name: str,
    *,
    before: throttle.Attempts,
    after: throttle.Attempts,
    when: datetime,
    policy: throttle.Policy,
) -> Login:
    """Return the answer to a wrong password: locked now, a wait for the next one, or just refused."""
    if throttle.just_locked(before, after):
        until = after.locked_until.isoformat(sep=" ", timespec="seconds") if after.locked_until else ""
        audit.write(conn, store.tables, user=name, action="lockout", detail={"until": until})
    gate = throttle.gate(after, when, policy)
    if gate.locked:
        return Login(Outcome.LOCKED, wait_s=gate.wait_s)
    return Login(Outcome.BAD, wait_s=gate.wait_s)


def _unknown(
    store: Store, conn: Connection, name: str, *, password: str, when: datetime, policy: throttle.Policy
) -> Login:
    """Answer an attempt on a name without an account exactly as a wrong password would be answered."""
    with _UNKNOWN_LOCK:
        state = _UNKNOWN.get(name, throttle.Attempts())
    gate = throttle.gate(state, when, policy)
    if not gate.allowed:
        outcome = Outcome.LOCKED if gate.locked else Outcome.WAIT
        _failure(store, conn, name, reason=outcome.value)
        return Login(outcome, wait_s=gate.wait_s)
    passwords.check_dummy(password)
    after = throttle.failed(state, when, policy)
    with _UNKNOWN_LOCK:
        if len(_UNKNOWN) >= _UNKNOWN_MAX:
            _UNKNOWN.clear()
        _UNKNOWN[name] = after
    _failure(store, conn, name, reason="unknown", failures=after.failures)
    return _refused(store, conn, name, before=state, after=after, when=when, policy=policy)


def forget_unknown() -> None:
    """Forget the failed attempts on names without an account (tests)."""
    with _UNKNOWN_LOCK:
        _UNKNOWN.clear()


def is_locked(user: User, *, now: datetime | None = None) -> bool:
    """Return True while ``user`` is locked out by failed logins."""
    return user.locked_until is not None and (now or utc_now()) < user.locked_until
