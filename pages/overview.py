"""Tổng quan: the district at a glance for the chosen period."""

import streamlit as st

from geo.aggregate import commune_counts
from geo.filters import apply_filter
from geo.maps import build_map
from ui import filters, loaders, page, widgets
from ui.i18n import fmt_date, fmt_int, lang, t

page.header("nav.overview", caption=t("overview.caption"))
flt = filters.current()
plan = loaders.plan()
communes = loaders.communes()
incidents = loaders.incidents()
now = apply_filter(incidents, flt)
before = apply_filter(incidents, flt.year_earlier())
table = commune_counts(now, communes, days=flt.days, previous=before)

st.caption(t("overview.period", start=fmt_date(flt.start), end=fmt_date(flt.end)))
is_target = table["code"].isin(plan.targets)
cols = st.columns(3)
for col, label, mask in (
    (cols[0], "overview.total", slice(None)),
    (cols[1], "overview.targets_total", is_target),
    (cols[2], "overview.others_total", ~is_target),
):
    current, previous = int(table.loc[mask, "count"].sum()), int(table.loc[mask, "previous"].sum())
    col.metric(
        t(label),
        fmt_int(current),
        delta=f"{current - previous:+d} {t('overview.vs_last_year', n=fmt_int(previous))}",
        delta_color="inverse",
    )

if page.assets_ready():
    build = build_map(
        communes,
        now,
        targets=plan.targets,
        layers=("choropleth", "boundaries"),
        days=flt.days,
        lang=lang(),
        texts=widgets.map_texts(),
    )
    widgets.show_map(build, key="overview-map", height=560)

st.subheader(t("overview.table"))
widgets.commune_table(table, targets=plan.targets)
