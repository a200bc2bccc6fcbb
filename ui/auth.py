"""The login gate of the router, logout, changing one's own password, and the session's identity.

A login is required whenever the app listens beyond 127.0.0.1 (``server.address``), or everywhere
with ``ANTT_REQUIRE_LOGIN=1``; on localhost without it the person at the machine acts as an admin
(`LOCAL`). The router calls `gate` once per run, before ``st.navigation``: it ends a session idle for
`geo.settings.SESSION_IDLE_MINUTES`, re-reads the account (a disabled account or a changed role takes
effect on the next click) and stores the `Identity` the pages ask about through `identity` and `can`.

With ``ANTT_PROXY_USER_KEY`` set, the name comes from a reverse proxy instead of the form: Streamlit
copies the proxy's header into ``st.user`` (``server.trustedUserHeaders``) and the store's account of
that name gives the role.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import streamlit as st

from geo import AppError, settings
from geo.auth import passwords, users
from geo.auth.roles import Permission, Role
from geo.auth.roles import can as role_can
from geo.auth.roles import may_undo as role_may_undo
from geo.auth.sessions import idle_expired, login_required
from geo.filters import IncidentFilter
from geo.store import audit
from geo.store.schema import utc_now
from ui import loaders
from ui.i18n import LANG_KEY, lang, md, t

_PREFIX = "auth."
_USER = f"{_PREFIX}user"
_SEEN = f"{_PREFIX}seen"
_FLASH = f"{_PREFIX}flash"
_IDENTITY = f"{_PREFIX}identity"


@dataclass(frozen=True)
class Identity:
    """Who this session acts as."""

    name: str
    role: Role
    must_change: bool = False
    local: bool = False
    """No login is required here: the person at this machine."""
    proxied: bool = False
    """Named by the reverse proxy (which logs in and out, and owns the password)."""


APP_PATHS = ("overview", "map", "trends", "targets", "data", "account", "admin")
"""Every page address of the app: before login each one shows the login form."""

LOCAL = Identity("local", Role.ADMIN, local=True)
"""The identity on localhost while no login is required."""


def required() -> bool:
    """Return True when this server asks for a login (beyond localhost, forced, or behind a proxy)."""
    address = st.get_option("server.address")
    forced = settings.require_login() or bool(settings.PROXY_USER_KEY)
    return login_required(None if address is None else str(address), forced=forced)


def gate() -> Identity | None:
    """Return the identity of this session, or None while it must log in (the router shows `login_page`)."""
    if not required():
        st.session_state[_IDENTITY] = LOCAL
        return LOCAL
    st.session_state.pop(_IDENTITY, None)
    store = loaders.store()
    if settings.PROXY_USER_KEY:
        return _from_proxy()
    name = st.session_state.get(_USER)
    if not isinstance(name, str):
        return None
    now = utc_now()
    seen = st.session_state.get(_SEEN)
    if idle_expired(seen if isinstance(seen, datetime) else None, now):
        audit.record(store, user=name, action="logout", detail={"reason": "idle"})
        _end(t("auth.expired", m=_minutes(settings.SESSION_IDLE_MINUTES * 60)))
        return None
    user = users.get_user(store, name)
    if user is None or not user.active:
        _end(t("auth.disabled"))
        return None
    st.session_state[_SEEN] = now
    found = Identity(user.name, user.role, must_change=user.must_change)
    st.session_state[_IDENTITY] = found
    return found


def _from_proxy() -> Identity | None:
    """Return the identity named by the reverse proxy, recording its first run as a login."""
    value = st.user.get(settings.PROXY_USER_KEY)
    name = str(value).strip().lower() if value else ""
    user = users.get_user(loaders.store(), name) if name else None
    if user is None or not user.active:
        st.session_state[_FLASH] = t("auth.proxy_unknown", name=md(name)) if name else t("auth.proxy_missing")
        return None
    if st.session_state.get(_USER) != user.name:
        audit.record(loaders.store(), user=user.name, action="login", detail={"via": "proxy"})
        st.session_state[_USER] = user.name
    found = Identity(user.name, user.role, proxied=True)
    st.session_state[_IDENTITY] = found
    return found


def identity() -> Identity:
    """Return who this run acts as (set by `gate`; `LOCAL` when no login is required)."""
    found = st.session_state.get(_IDENTITY)
    if isinstance(found, Identity):
        return found
    return LOCAL if not required() else Identity("", Role.VIEWER)


def can(permission: Permission) -> bool:
    """Return True when this session may do ``permission``."""
    found = identity()
    return bool(found.name) and role_can(found.role, permission)


def allowed(permission: Permission) -> bool:
    """Return `can` ``permission``; when not, say so in place of the part of the page it guards."""
    if can(permission):
        return True
    st.info(t("auth.not_allowed", role=role_label(identity().role)))
    return False


def may_undo(kind: str) -> bool:
    """Return True when this session may undo a batch of ``kind`` (a boundary change needs an admin)."""
    found = identity()
    return bool(found.name) and role_may_undo(found.role, kind)


def audited(
    build: Callable[[], bytes], *, what: str, fmt: str, flt: IncidentFilter, rows: int
) -> Callable[[], bytes]:
    """Return ``build`` recording an ``export`` entry (what, format, filter, rows) each time it runs.

    The download button runs it when clicked, outside the page's run: who and which store are taken now.
    """
    store, name = loaders.store(), user_name()
    detail = {"what": what, "format": fmt, "rows": rows, **audit.describe_filter(flt)}

    def run() -> bytes:
        data = build()
        audit.record(store, user=name, action="export", detail=detail)
        return data

    return run


def user_name() -> str:
    """Return the name recorded in the audit trail and the import history for this session."""
    return identity().name


def role_label(role: Role) -> str:
    """Return the role's name in the current language."""
    return t(f"auth.role.{role.value}")


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def _end(message: str | None) -> None:
    """End the session: forget everything but the language, keep ``message`` for the login form."""
    for key in list(st.session_state):
        if key != LANG_KEY:
            del st.session_state[key]
    if message:
        st.session_state[_FLASH] = message


# -- pages and sidebar -------------------------------------------------------------------------
def login_page() -> None:
    """The only page of a session that has not logged in: the form (or why none can be shown)."""
    st.title(t("auth.title"))
    flash = st.session_state.pop(_FLASH, None)
    if settings.PROXY_USER_KEY:
        st.error(flash or t("auth.proxy_missing"))
        return
    st.caption(t("auth.intro"))
    if flash:
        st.info(flash)
    store = loaders.store()
    if not users.has_admin(store):
        st.error(t("auth.no_admin"))
        return
    with st.form(f"{_PREFIX}login", clear_on_submit=True):
        name = st.text_input(t("auth.name"), key=f"{_PREFIX}name", max_chars=64)
        password = st.text_input(t("auth.password"), type="password", key=f"{_PREFIX}password")
        submitted = st.form_submit_button(t("auth.submit"), type="primary")
    if not submitted:
        return
    answer = users.authenticate(store, name, password)
    if answer.outcome is users.Outcome.OK and answer.user is not None:
        st.session_state[_USER] = answer.user.name
        st.session_state[_SEEN] = utc_now()
        st.rerun()
    elif answer.outcome is users.Outcome.LOCKED:
        st.error(t("auth.locked", m=_minutes(answer.wait_s)))
    elif answer.outcome is users.Outcome.WAIT:
        st.error(t("auth.wait", s=answer.wait_s))
    elif answer.outcome is users.Outcome.DISABLED:
        st.error(t("auth.disabled"))
    else:
        st.error(t("auth.bad"))
        if answer.wait_s:
            st.warning(t("auth.wait", s=answer.wait_s))


def sidebar() -> None:
    """Show who is logged in, with the logout button (nothing on localhost without login)."""
    found = identity()
    if found.local or not found.name:
        return
    st.sidebar.caption(t("auth.signed_in", name=md(found.name), role=role_label(found.role)))
    if settings.PROXY_USER_KEY:
        return
    if st.sidebar.button(t("auth.logout"), key=f"{_PREFIX}logout", icon=":material/logout:"):
        logout()


def logout() -> None:
    """End this session now (recorded), and go back to the login form."""
    name = user_name()
    if name:
        audit.record(loaders.store(), user=name, action="logout", detail={"reason": "user"})
    _end(t("auth.logged_out"))
    st.rerun()


def account_page() -> None:
    """The own-account page: who I am, and changing my password (first thing after a reset)."""
    found = identity()
    st.title(t("auth.nav.account"))
    st.markdown(t("auth.account.caption", name=md(found.name), role=role_label(found.role)))
    if found.must_change:
        st.warning(t("auth.must_change"))
    st.subheader(t("auth.pw.title"))
    with st.form(f"{_PREFIX}pw.form", clear_on_submit=True):
        old = st.text_input(t("auth.pw.old"), type="password", key=f"{_PREFIX}pw.old")
        new = st.text_input(
            t("auth.pw.new"),
            type="password",
            key=f"{_PREFIX}pw.new",
            help=t("auth.pw.hint", n=settings.PASSWORD_MIN_LENGTH),
        )
        again = st.text_input(t("auth.pw.again"), type="password", key=f"{_PREFIX}pw.again")
        submitted = st.form_submit_button(t("auth.pw.save"), type="primary")
    if not submitted:
        return
    if new != again:
        st.error(t("auth.pw.mismatch"))
        return
    if new == old:
        st.error(t("auth.pw.same"))
        return
    problem = passwords.problem(new, name=found.name)
    if problem is not None:
        st.error(passwords.describe(problem, lang()))
        return
    try:
        users.change_password(loaders.store(), found.name, old, new)
    except AppError:  # the only refusal left: the current password is wrong
        st.error(t("auth.pw.wrong_old"))
        return
    st.success(t("auth.pw.done"))
    if found.must_change:
        st.rerun()
