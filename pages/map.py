"""Bản đồ điểm nóng: filtered incidents as points or cells, heat, choropleth and boundaries."""

import streamlit as st

from geo import settings
from geo.maps.district import LAYERS
from ui import basemap, drilldown, filters, hotspots, loaders, mapdata, mapview, page, theme
from ui.i18n import fmt_date, fmt_int, t

page.header("nav.map", caption=t("map.caption"))
flt = filters.current()
plan = loaders.plan()
communes = loaders.communes()
found = mapdata.summary(flt)  # counts per filter are cached: the incidents are selected only on a miss
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

st.caption(t("filter.summary", n=fmt_int(found.n), start=fmt_date(flt.start), end=fmt_date(flt.end)))
if found.n == 0:
    st.info(t("map.none"))
assets = page.assets_ready()
if assets:
    captions = st.container()  # above the search box, as the map's captions always were
    place = basemap.search_place(communes)
    shown = mapdata.main_map(flt, layers, method, place)  # built and rendered once per filter and layers
    with captions:
        if shown.points_mode == "points":
            st.caption(t("map.mode_points", n=fmt_int(shown.n_markers)))
        elif shown.points_mode == "cells":
            st.caption(
                t(
                    "map.mode_cells",
                    n=fmt_int(shown.n_incidents),
                    cells=fmt_int(shown.n_markers),
                    cell=int(settings.HEAT_CELL_M),
                )
            )
        if shown.n_unlocated:
            st.caption(shown.unlocated_caption)
    out = mapview.show(
        shown.rendered, key=mapdata.MAP_KEY, height=theme.MAP_HEIGHT, returned_objects=["last_clicked"]
    )
    click = mapview.clicked(out)
    target = hotspots.click_target(click, communes, flt, layers, method)
    cell = target is not None and target.kind != "commune"  # the grid is built only for a cell's list
    drilldown.pick(
        "map.click",
        click,
        target,
        mapdata.listed(flt),
        names=names,
        grid=hotspots.frame().grid if cell else None,
    )
    st.caption(t("drill.hint"))
    hotspots.method_captions(layers, method)
    if "emerging" in layers:
        hotspots.emerging_caption(flt, method.standardise)

mapdata.lazy_unit_table(flt, communes, plan.targets)
hotspots.lazy_hot_cells(flt, method, names, mapdata.listed(flt))
drilldown.show(flt, page="map")
if assets:
    hotspots.lazy_time(flt)
    hotspots.lazy_compare(flt)
