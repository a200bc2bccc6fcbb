"""Bản đồ điểm nóng: filtered incidents as points or cells, heat, choropleth and boundaries."""

import streamlit as st

from geo import settings
from geo.aggregate import commune_counts
from geo.filters import apply_filter
from geo.maps.district import LAYERS, build_map
from ui import basemap, drilldown, filters, hotspots, loaders, page, theme, units, widgets
from ui.i18n import fmt_date, fmt_int, lang, t

page.header("nav.map", caption=t("map.caption"))
flt = filters.current()
plan = loaders.plan()
communes = loaders.communes()
matched = apply_filter(loaders.incidents(), flt)
names = drilldown.unit_names(communes)

layer_names = {
    "boundaries": t("map.boundaries"),
    "choropleth": t("map.choropleth"),
    "points": t("map.points"),
    "heat": t("map.heat"),
    "density": t("hot.layer.density"),
    "gistar": t("hot.layer.gistar"),
    "emerging": t("hot.layer.emerging"),
}
layers = st.pills(
    t("map.layers"),
    LAYERS + hotspots.LAYERS,
    selection_mode="multi",
    default=["boundaries", "points", "density"],
    format_func=layer_names.__getitem__,
    key="map.layers",
)
method = hotspots.method_controls()

st.caption(t("filter.summary", n=fmt_int(len(matched)), start=fmt_date(flt.start), end=fmt_date(flt.end)))
if matched.empty:
    st.info(t("map.none"))
assets = page.assets_ready()
if assets:
    build = build_map(
        communes,
        drilldown.for_popups(matched),
        targets=plan.targets,
        layers=tuple(layers),
        days=flt.days,
        lang=lang(),
        texts=widgets.map_texts(),
        breaks=widgets.rate_breaks(flt),
        focus=flt.communes,
    )
    hotspots.add_layers(build.map, layers, flt, method)
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
    if build.n_unlocated:
        st.caption(hotspots.unlocated_caption(matched, communes))
    basemap.search_box(build.map, communes)
    click = widgets.show_map(build, key="hotspot-map", height=theme.MAP_HEIGHT, clicks=True)
    target = hotspots.click_target(click, communes, flt, layers, method)
    drilldown.pick("map.click", click, target, matched, names=names, grid=hotspots.frame().grid)
    st.caption(t("drill.hint"))
    hotspots.method_captions(layers, method)
    if "emerging" in layers:
        hotspots.emerging_caption(flt, method.standardise)

st.subheader(t("map.table"))
regrouped, units_shown, (counted,) = units.choose(communes, matched)
row = widgets.commune_table(
    commune_counts(counted, units_shown, days=flt.days),
    targets=() if regrouped else plan.targets,
    selectable=True,
)
drilldown.pick_commune("map.table", row, counted, units_shown)

cell = hotspots.hot_cells_section(flt, method)
drilldown.pick("map.cells", cell, cell, matched, names=names, grid=hotspots.frame().grid)
drilldown.show(flt, page="map")
if assets:
    hotspots.time_section(flt)
    hotspots.compare_section(flt)
