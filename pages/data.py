"""Dữ liệu: import incidents and official boundaries, import history with undo, exports (for analysts)."""

import streamlit as st

from ui import data_admin, importer, page
from ui.i18n import t

page.header("nav.data", caption=t("data.caption"))
importer.flash()
importer.localize_uploaders()
incidents, boundaries, history, export = st.tabs(
    [t("data.tab.incidents"), t("data.tab.boundaries"), t("data.tab.history"), t("data.tab.export")]
)
with incidents:
    importer.incidents_section()
with boundaries:
    importer.boundaries_section()
with history:
    data_admin.history_section()
with export:
    data_admin.export_section()
