"""The login gate of the router, logout, changing one's own password, and the session's identity.

A login is required whenever the app listens beyond 127.0.0.1 (``server.address``), or everywhere
with ``ANTT_REQUIRE_LOGIN=1``; on localhost without it the person at the machine acts as an admin
(`LOCAL`). The router calls `gate` once per run, before ``st.navigation``: it ends a session idle for
`geo.settings.SESSION_IDLE_MINUTES`, re-reads the account (a disabled account or a changed role takes
effect on the next click) and stores the `Identity` the pages ask about through `identity` and `can`.

With ``ANTT_PROXY_USER_KEY`` set, the name comes from a reverse proxy instead of the form: Streamlit
copies the proxy's header into ``st.user`` (``server.trustedUserHeaders``) and the store's account of
that name gives the role.

With ``ANTT_OIDC_PROVIDER`` set, the login page offers the unit's identity provider (``st.login``);
Streamlit's identity cookie fills ``st.user`` with the token's claims, `geo.auth.oidc` turns them into
the name of a store account, which must exist and be active; its role applies. Logout calls
``st.logout()`` (the cookie goes, and the provider's session where it offers an end-session endpoint),
and so does the idle timeout. ``ANTT_OIDC_PASSWORDS=0`` removes the password form. See docs/auth.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import streamlit as st
from streamlit.errors import StreamlitAuthError

from geo import AppError, settings
from geo.auth import oidc, passwords, users
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
_VIA = f"{_PREFIX}via"
_REFUSED = f"{_PREFIX}oidc.refused"


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
    oidc: bool = False
    """Logged in through the unit's identity provider (which owns the password)."""


APP_PATHS = ("overview", "map", "trends", "targets", "present", "data", "account", "admin")
"""Every page address of the app: before login each one shows the login form."""

LOCAL = Identity("local", Role.ADMIN, local=True)
"""The identity on localhost while no login is required."""


def required() -> bool:
    """Return True when this server asks for a login (beyond localhost, forced, or behind a proxy)."""
    address = st.get_option("server.address")
    forced = settings.require_login() or bool(settings.PROXY_USER_KEY) or oidc.configured() is not None
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
    config = oidc.configured()
    if config is not None and not setup_problems(config) and _REFUSED not in st.session_state:
        claims = _claims()
        if claims is not None:
            return _from_oidc(config, claims)
    name = st.session_state.get(_USER)
    if not isinstance(name, str):
        return None
    if st.session_state.get(_VIA) == "oidc" or (config is not None and not config.passwords):
        _end(None)  # the identity cookie is gone, or passwords are no longer allowed here
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
        users.external_login(loaders.store(), user.name, via="proxy")
        st.session_state[_USER] = user.name
    found = Identity(user.name, user.role, proxied=True)
    st.session_state[_IDENTITY] = found
    return found


def _claims() -> dict[str, object] | None:
    """Return the identity token's claims when Streamlit's identity cookie says logged in, else None."""
    claims = st.user.to_dict()
    return dict(claims) if claims.get("is_logged_in") is True else None


def _auth_secrets() -> dict[str, object] | None:
    """Return the ``[auth]`` section of ``.streamlit/secrets.toml`` (None without one)."""
    if not st.secrets.load_if_toml_exists():
        return None
    section = st.secrets.to_dict().get("auth")
    return section if isinstance(section, dict) else None


def setup_problems(config: oidc.Config) -> list[str]:
    """Return, in the current language, why ``st.login`` cannot work with this server's settings."""
    headers = st.get_option("server.trustedUserHeaders")
    found = oidc.setup_problems(
        _auth_secrets(), config, trusted_headers=headers if isinstance(headers, dict) else None
    )
    return [t(f"oidc.problem.{p.code}", **{k: md(v) for k, v in p.fields.items()}) for p in found]


def _from_oidc(config: oidc.Config, claims: dict[str, object]) -> Identity | None:
    """Return the identity the provider's token names (a store account, active), or refuse it.

    The first run of a session with the identity cookie is its login (recorded); later runs apply the
    idle timeout and re-read the account, as for a password session.
    """
    store, now = loaders.store(), utc_now()
    claimed = oidc.account_name(claims, config.claims)
    other = oidc.wrong_provider(claims, config)
    detail: dict[str, object] = {"provider": config.provider, "claim": claimed.claim}
    if other is not None:
        _refuse(oidc.Problem.PROVIDER, claimed, {**detail, "provider": other}, want=config.provider)
        return None
    if claimed.problem is not None:
        _refuse(claimed.problem, claimed, detail)
        return None
    current = st.session_state.get(_USER) == claimed.name and st.session_state.get(_VIA) == "oidc"
    if oidc.too_old(claims, now, config.max_age):
        if current:
            audit.record(
                store, user=claimed.name, action="logout", detail={"reason": "expired", "via": "oidc"}
            )
        _oidc_end(t("oidc.expired", h=f"{config.max_age.total_seconds() / 3600:g}"))
        return None
    if current:
        seen = st.session_state.get(_SEEN)
        if idle_expired(seen if isinstance(seen, datetime) else None, now):
            audit.record(store, user=claimed.name, action="logout", detail={"reason": "idle", "via": "oidc"})
            _oidc_end(t("auth.expired", m=_minutes(settings.SESSION_IDLE_MINUTES * 60)))
            return None
        user = users.get_user(store, claimed.name)
        if user is None or not user.active:
            audit.record(
                store, user=claimed.name, action="logout", detail={"reason": "disabled", "via": "oidc"}
            )
            _refuse(oidc.Problem.UNKNOWN if user is None else oidc.Problem.DISABLED, claimed, None)
            return None
    else:
        answer = users.external_login(store, claimed.name, via="oidc", detail=detail)
        if answer.user is None:
            disabled = answer.outcome is users.Outcome.DISABLED
            _refuse(oidc.Problem.DISABLED if disabled else oidc.Problem.UNKNOWN, claimed, None)
            return None
        user = answer.user
        st.session_state[_USER] = user.name
        st.session_state[_VIA] = "oidc"
    st.session_state[_SEEN] = now
    found = Identity(user.name, user.role, oidc=True)
    st.session_state[_IDENTITY] = found
    return found


def _refuse(
    problem: oidc.Problem, claimed: oidc.Claimed, detail: dict[str, object] | None, *, want: str = ""
) -> None:
    """Refuse the provider's identity for this session: the reason kept for the login page.

    ``detail`` given: recorded as a failed login (a refusal by the store is recorded by
    `users.external_login`, an account that goes while logged in as its logout). The identity cookie
    stays until the person presses the button that logs out of the provider (``st.logout``), so the
    message naming the account stays readable; nothing of the app is shown meanwhile.
    """
    if detail is not None:
        user = claimed.name if problem is not oidc.Problem.INVALID and claimed.name else "oidc:?"
        entry = {"via": "oidc", "reason": problem.value, **detail}
        if problem is oidc.Problem.INVALID:
            entry["value"] = claimed.name
        audit.record(loaders.store(), user=user, action="login_failed", detail=entry)
    got = str(detail.get("provider", "")) if detail else ""
    message = t(
        f"oidc.refused.{problem.value}",
        name=md(claimed.name),
        claim=md(claimed.claim),
        got=md(got),
        want=md(want),
    )
    _end(None)
    st.session_state[_REFUSED] = message


def _oidc_end(message: str) -> None:
    """End this session and the identity cookie (``st.logout``): the next visit logs in again."""
    _end(message)
    st.logout()


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
    config = oidc.configured()
    st.caption(t("auth.intro") if config is None else t("oidc.intro"))
    if flash:
        st.info(flash)
    store = loaders.store()
    if not users.has_admin(store):
        st.error(t("auth.no_admin"))
        return
    if config is not None:
        _oidc_login(config)
        if not config.passwords:
            return
        st.caption(t("oidc.or_password"))
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


def _oidc_login(config: oidc.Config) -> None:
    """The provider's part of the login page: its button, or why it cannot be used now."""
    refused = st.session_state.get(_REFUSED)
    if isinstance(refused, str):
        st.error(refused)
        if _claims() is not None and st.button(t("oidc.switch"), key=f"{_PREFIX}oidc.switch"):
            st.session_state.pop(_REFUSED, None)
            st.logout()
            st.stop()
        return
    problems = setup_problems(config)
    if problems:
        st.error(t("oidc.misconfigured", problems="; ".join(problems)))
        return
    if st.button(t("oidc.button"), key=f"{_PREFIX}oidc.login", type="primary", icon=":material/badge:"):
        try:
            st.login(config.provider)
        except StreamlitAuthError as error:  # Authlib missing, or a setting Streamlit refuses
            st.error(t("oidc.error", detail=md(error)))


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
    found = identity()
    if found.name:
        via = {"via": "oidc"} if found.oidc else {}
        audit.record(loaders.store(), user=found.name, action="logout", detail={"reason": "user", **via})
    _end(t("auth.logged_out"))
    if found.oidc:  # the identity cookie goes too; no rerun, which could drop the redirect to /auth/logout
        st.logout()
        st.stop()
    st.rerun()


def account_page() -> None:
    """The own-account page: who I am, and changing my password (first thing after a reset)."""
    found = identity()
    st.title(t("auth.nav.account"))
    st.markdown(t("auth.account.caption", name=md(found.name), role=role_label(found.role)))
    if found.oidc:
        st.info(t("oidc.password_elsewhere"))
        return
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
