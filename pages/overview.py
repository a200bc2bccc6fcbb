"""Tổng quan: the meeting view — are the target communes improving? — then the district at a glance."""

import streamlit as st

from ui import (
    brief,
    compstat,
    counts,
    drilldown,
    evaluation,
    filters,
    loaders,
    mapdata,
    page,
    theme,
    units,
    widgets,
)
from ui.i18n import t

page.header("nav.overview")
result = evaluation.checked()

if result is not None:
    holding = evaluation.now()  # the same question over the latest 12 complete months
    evaluation.headline(result, holding)
    cards, district = st.columns([5, 7], gap="medium")
    with cards:
        for target in result.targets:
            evaluation.card(target, holding, window=evaluation.card_window(result))
        evaluation.notes(result, holding)
    with district:
        if page.assets_ready():
            evaluation.show_verdict_map(key="overview-map", height=theme.OVERVIEW_MAP_HEIGHT)
        evaluation.verdict_legend()

# Below the verdicts, so the cards and the map stay above the fold on a projector.
brief.download_buttons(filters.current())
st.page_link("pages/present.py", label=t("present.open"), icon=":material/slideshow:")
st.divider()
st.subheader(t("overview.period_section"))
flt = filters.current()
before = flt.year_earlier()
plan = loaders.plan()
communes = loaders.communes()
# Counted on the prepared arrays, or with push-down in the database (`ui.counts`): no copy of the rows.
codes = (counts.units(flt), counts.units(before))
table = counts.unit_table(flt, units.with_kept_groups(communes, codes), previous=before)

st.caption(compstat.period_caption(flt))
compstat.metrics(table, (counts.clearance(flt), counts.clearance(before)), targets=plan.targets)

st.subheader(t("overview.table"))
regrouped, units_shown, recoded = units.choose(communes, *codes)
recode: tuple[tuple[str, str], ...] = ()
if regrouped:  # the newer units: no target marks (a new commune is not the plan's target commune)
    pairs = {
        old: new
        for frame, new_frame in zip(codes, recoded, strict=True)
        for old, new in zip(frame["commune_code"], new_frame["commune_code"].astype(str), strict=True)
    }
    recode = tuple(pairs.items())
    shown = counts.unit_table(flt, units_shown, previous=before, recode=pairs)
    row = widgets.commune_table(shown, targets=(), show_code=False, selectable=True)
else:
    row = widgets.commune_table(table, targets=plan.targets, show_code=False, selectable=True)
st.caption(t("drill.hint_table"))
drilldown.pick_commune("overview.table", row, mapdata.counted(flt, recode), units_shown)
drilldown.show(flt, page="overview")
