"""Bản đồ điểm nóng: filtered incidents as points or cells, heat, choropleth and boundaries."""

import streamlit as st

from geo import settings
from geo.aggregate import commune_counts
from geo.filters import apply_filter
from geo.maps import LAYERS, build_map
from ui import filters, loaders, page, widgets
from ui.i18n import fmt_date, fmt_int, lang, t

page.header("nav.map", caption=t("map.caption"))
flt = filters.current()
plan = loaders.plan()
communes = loaders.communes()
matched = apply_filter(loaders.incidents(), flt)

layer_names = {
    "boundaries": t("map.boundaries"),
    "choropleth": t("map.choropleth"),
    "points": t("map.points"),
    "heat": t("map.heat"),
}
layers = st.pills(
    t("map.layers"),
    LAYERS,
    selection_mode="multi",
    default=["boundaries", "points", "heat"],
    format_func=layer_names.get,
    key="map.layers",
)

st.caption(t("filter.summary", n=fmt_int(len(matched)), start=fmt_date(flt.start), end=fmt_date(flt.end)))
if matched.empty:
    st.info(t("map.none"))
if page.assets_ready():
    build = build_map(
        communes,
        matched,
        targets=plan.targets,
        layers=tuple(layers),
        days=flt.days,
        lang=lang(),
        texts=widgets.map_texts(),
    )
    if build.points_mode == "points":
        st.caption(t("map.mode_points", n=fmt_int(build.n_markers)))
    elif build.points_mode == "cells":
        st.caption(
            t(
                "map.mode_cells",
                n=fmt_int(build.n_incidents),
                cells=fmt_int(build.n_markers),
                cell=int(settings.HEAT_CELL_M),
            )
        )
    widgets.show_map(build, key="hotspot-map", height=640)

st.subheader(t("map.table"))
widgets.commune_table(commune_counts(matched, communes, days=flt.days), targets=plan.targets)
