"""Quản trị: accounts and the activity log (admins only; the router lists this page for them alone)."""

import streamlit as st

from ui import admin, page
from ui.i18n import t

page.header("auth.nav.admin", caption=t("admin.caption"))
admin.flash()
accounts, log = st.tabs([t("admin.tab.users"), t("admin.tab.audit")])
with accounts:
    admin.users_section()
with log:
    admin.audit_section()
