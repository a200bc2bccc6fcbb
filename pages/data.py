"""Dữ liệu: import incidents and official boundaries, import history with undo, exports (for analysts)."""

import streamlit as st

from ui import basemap, data_admin, importer, page, setup
from ui.i18n import t

page.header("nav.data", caption=t("data.caption"))
importer.flash()
importer.localize_uploaders()
incomplete = bool(setup.missing_steps())
if incomplete:
    setup.steps_section()
incidents, boundaries, population, area, history, export = st.tabs(
    [
        t("data.tab.incidents"),
        t("data.tab.boundaries"),
        t("data.tab.population"),
        t("data.tab.setup"),
        t("data.tab.history"),
        t("data.tab.export"),
    ]
)
with area:
    if not incomplete:
        setup.steps_section()
    setup.area_section()
    setup.history_section()
    setup.taxonomy_section()
    basemap.admin_section()
with incidents:
    importer.incidents_section()
with boundaries:
    importer.boundaries_section()
with population:
    setup.population_section()
with history:
    data_admin.history_section()
with export:
    data_admin.export_section()
