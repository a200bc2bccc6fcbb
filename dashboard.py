"""Router of the dashboard: page config, language, the login gate, shared sidebar filters, navigation."""

from __future__ import annotations

import streamlit as st

from geo.auth.roles import Permission
from ui import auth, errors, filters, loaders, page
from ui.i18n import LANG_KEY, md, t

st.set_page_config(page_title="Bản đồ điểm nóng ANTT", page_icon="🗺️", layout="wide")
page.print_style()  # every page prints on A4 landscape with its maps and tables whole
page.toolbar_words()  # Streamlit's table toolbars in the UI's language

with st.sidebar:
    st.radio(
        t("lang.label"),
        ["vi", "en"],
        key=LANG_KEY,
        horizontal=True,
        format_func=lambda code: "Tiếng Việt" if code == "vi" else "English",
    )

# The login gate (ui.auth): a session that must log in gets the login form as its only page, one whose
# password was reset gets its account page only; the other pages depend on the role.
# Every address of the app shows that page then (a link to /map survives the login, no "page not found").
errors.require_store()  # a missing, empty, damaged or unreachable store: its message, not a traceback
identity = auth.gate()
if identity is None or identity.must_change:
    only = auth.login_page if identity is None else auth.account_page
    title = t("auth.nav.login") if identity is None else t("auth.nav.account")
    gate = [st.Page(only, title=title, icon=":material/login:", url_path="login", default=True)]
    gate += [st.Page(only, title=title, url_path=path) for path in auth.APP_PATHS]
    st.navigation(gate, position="hidden").run()
    auth.sidebar()
    st.stop()

pages = [
    st.Page(
        "pages/overview.py",
        title=t("nav.overview"),
        icon=":material/home:",
        url_path="overview",
        default=True,
    ),
    st.Page("pages/map.py", title=t("nav.map"), icon=":material/map:", url_path="map"),
    st.Page("pages/trends.py", title=t("nav.trends"), icon=":material/trending_up:", url_path="trends"),
    st.Page("pages/targets.py", title=t("nav.targets"), icon=":material/flag:", url_path="targets"),
    st.Page("pages/present.py", title=t("present.nav"), icon=":material/slideshow:", url_path="present"),
    st.Page("pages/data.py", title=t("nav.data"), icon=":material/database:", url_path="data"),
]
if loaders.communes().empty:
    # A new area has no units yet: only the set-up path on /data makes sense (DESIGN §2, issue 9).
    pages = [page for page in pages if page.url_path == "data"]
if not (auth.can(Permission.IMPORT) or auth.can(Permission.EXPORT)):
    pages = [page for page in pages if page.url_path != "data"]
if not (identity.local or identity.proxied):  # the own-account page: password, logout
    pages.append(
        st.Page(auth.account_page, title=t("auth.nav.account"), icon=":material/person:", url_path="account")
    )
if auth.can(Permission.USERS):
    pages.append(
        st.Page(
            "pages/admin.py", title=t("auth.nav.admin"), icon=":material/shield_person:", url_path="admin"
        )
    )
navigation = st.navigation(pages)
with errors.boundary():
    auth.sidebar()
    st.sidebar.caption(f"**{t('app.title')}** · {md(loaders.area().name or t('app.no_area'))}")
    filters.sidebar()
    navigation.run()
