"""The admin page's parts: accounts (list, add, change role, disable, reset) and the activity log (read, export)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import streamlit as st

from geo import AppError, settings
from geo.auth import passwords, users
from geo.auth.roles import Role
from geo.io.export import export_bytes
from geo.store import audit
from ui import auth, loaders
from ui.i18n import lang, md, t

_PREFIX = "admin."
_FLASH = f"{_PREFIX}flash"
_LOG_ROWS = 2000
_VIETNAM = timedelta(hours=7)
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _when(value: datetime | None) -> str:
    """Return a stored UTC time in Vietnam time, dd/mm/yyyy HH:MM (empty when missing)."""
    return "" if value is None else (value + _VIETNAM).strftime("%d/%m/%Y %H:%M")


def flash() -> None:
    """Show the message left by the last change (kept across the rerun that follows it)."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message)


def users_section() -> None:
    """List the accounts; forms to add one and to change one."""
    if auth.identity().local:
        st.info(t("admin.local"))
    store = loaders.store()
    accounts = users.users(store)
    if not accounts:
        st.info(t("admin.none"))
    else:
        st.dataframe(_accounts_table(accounts), hide_index=True, width="stretch")
    left, right = st.columns(2)
    with left:
        _add_form()
    if accounts:
        with right:
            _edit_form(accounts)


def _status(user: users.User) -> str:
    if not user.active:
        return t("admin.status.disabled")
    if users.is_locked(user):
        return t("admin.status.locked", time=_when(user.locked_until))
    if user.must_change:
        return t("admin.status.must_change")
    return t("admin.status.active")


def _accounts_table(accounts: list[users.User]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("admin.col.name"): [u.name for u in accounts],
            t("admin.col.role"): [auth.role_label(u.role) for u in accounts],
            t("admin.col.status"): [_status(u) for u in accounts],
            t("admin.col.created"): [_when(u.created_at) for u in accounts],
            t("admin.col.last_login"): [_when(u.last_login_at) for u in accounts],
        }
    )


def _password_problem(password: str, name: str) -> str | None:
    key = passwords.problem(password, name=name)
    return None if key is None else passwords.describe(key, lang())


def _add_form() -> None:
    st.subheader(t("admin.add.title"))
    with st.form(f"{_PREFIX}add", clear_on_submit=True):
        name = st.text_input(t("auth.name"), key=f"{_PREFIX}add.name", max_chars=64)
        role = st.selectbox(
            t("admin.col.role"), list(Role), format_func=auth.role_label, key=f"{_PREFIX}add.role"
        )
        password = st.text_input(
            t("auth.password"),
            type="password",
            key=f"{_PREFIX}add.password",
            help=t("auth.pw.hint", n=settings.PASSWORD_MIN_LENGTH),
        )
        again = st.text_input(t("auth.pw.again"), type="password", key=f"{_PREFIX}add.again")
        submitted = st.form_submit_button(t("admin.add.submit"), type="primary")
    if not submitted:
        return
    problem = t("auth.pw.mismatch") if password != again else _password_problem(password, name)
    if problem:
        st.error(problem)
        return
    try:
        user = users.add_user(loaders.store(), name, password, role, by=auth.user_name())
    except AppError as error:
        st.error(md(error))
        return
    st.session_state[_FLASH] = t("admin.add.done", name=md(user.name), role=auth.role_label(user.role))
    st.rerun()


_ACTIONS = ("role", "disable", "enable", "reset")


def _edit_form(accounts: list[users.User]) -> None:
    st.subheader(t("admin.edit.title"))
    with st.form(f"{_PREFIX}edit"):
        name = st.selectbox(t("admin.edit.pick"), [u.name for u in accounts], key=f"{_PREFIX}edit.name")
        action = st.radio(
            t("admin.edit.action"),
            _ACTIONS,
            format_func=lambda a: t(f"admin.action.{a}"),
            key=f"{_PREFIX}edit.action",
        )
        role = st.selectbox(
            t("admin.edit.role"), list(Role), format_func=auth.role_label, key=f"{_PREFIX}edit.role"
        )
        password = st.text_input(t("admin.edit.password"), type="password", key=f"{_PREFIX}edit.password")
        submitted = st.form_submit_button(t("admin.edit.submit"))
    if not (submitted and name):
        return
    store, by = loaders.store(), auth.user_name()
    try:
        if action == "role":
            users.set_role(store, name, role, by=by)
        elif action in ("disable", "enable"):
            users.set_active(store, name, action == "enable", by=by)
        else:
            problem = _password_problem(password, name)
            if problem:
                st.error(problem)
                return
            users.reset_password(store, name, password, by=by)
    except AppError as error:
        st.error(md(error))
        return
    st.session_state[_FLASH] = t("admin.edit.done", name=md(name))
    st.rerun()


def audit_frame(entries: list[audit.Entry]) -> pd.DataFrame:
    """Return the log as a table with headers and activity names in the current language."""
    return pd.DataFrame(
        {
            t("audit.col.time"): [e.local_time().strftime("%d/%m/%Y %H:%M:%S") for e in entries],
            t("audit.col.user"): [e.user for e in entries],
            t("audit.col.action"): [t(f"audit.action.{e.action}") for e in entries],
            t("audit.col.detail"): [audit.summary(e.detail) for e in entries],
        }
    )


def audit_section() -> None:
    """The activity log, newest first, filtered by activity and user, with an Excel download."""
    left, right = st.columns(2)
    action = left.selectbox(
        t("audit.filter.action"),
        ["", *sorted(audit.ACTIONS)],
        format_func=lambda a: t(f"audit.action.{a}") if a else t("filter.all"),
        key=f"{_PREFIX}log.action",
    )
    who = right.text_input(t("audit.filter.user"), key=f"{_PREFIX}log.user", max_chars=64).strip().lower()
    store = loaders.store()
    entries = audit.entries(store, user=who or None, action=action or None, limit=_LOG_ROWS)
    if not entries:
        st.info(t("audit.empty"))
        return
    st.caption(t("audit.shown", n=len(entries)))
    table = audit_frame(entries)
    st.dataframe(table, hide_index=True, width="stretch")
    sheet = t("audit.sheet")
    by = auth.user_name()
    filters = {"action": action or "*", "user": who or "*"}

    def build() -> bytes:
        audit.record(store, user=by, action="export", detail={"what": "audit", **filters, "rows": len(table)})
        return export_bytes({sheet: table}, fmt="xlsx")

    st.download_button(
        t("audit.download"), data=build, file_name="nhat_ky.xlsx", mime=_XLSX, key=f"{_PREFIX}log.download"
    )
