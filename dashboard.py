"""Router of the dashboard: page config, language, shared sidebar filters, navigation."""

from __future__ import annotations

import streamlit as st

from ui import errors, filters, loaders
from ui.i18n import LANG_KEY, md, t

st.set_page_config(page_title="Bản đồ điểm nóng ANTT", page_icon="🗺️", layout="wide")

with st.sidebar:
    st.radio(
        t("lang.label"),
        ["vi", "en"],
        key=LANG_KEY,
        horizontal=True,
        format_func=lambda code: "Tiếng Việt" if code == "vi" else "English",
    )

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
    st.Page("pages/data.py", title=t("nav.data"), icon=":material/database:", url_path="data"),
]
if loaders.communes().empty:
    # A new area has no units yet: only the set-up path on /data makes sense (DESIGN §2, issue 9).
    pages = [page for page in pages if page.url_path == "data"]
navigation = st.navigation(pages)
with errors.boundary():
    st.sidebar.caption(f"**{t('app.title')}** · {md(loaders.area().name or t('app.no_area'))}")
    filters.sidebar()
    navigation.run()
