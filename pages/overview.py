"""Tổng quan: the meeting view — are the target communes improving? — then the district at a glance."""

import streamlit as st

from geo.aggregate import commune_counts
from geo.filters import apply_filter
from ui import brief, compstat, drilldown, evaluation, filters, loaders, page, theme, units, widgets
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
            widgets.show_map(
                evaluation.verdict_map(result), key="overview-map", height=theme.OVERVIEW_MAP_HEIGHT
            )
        evaluation.verdict_legend()

# Below the verdicts, so the cards and the map stay above the fold on a projector.
brief.download_buttons(filters.current())
st.page_link("pages/present.py", label=t("present.open"), icon=":material/slideshow:")
st.divider()
st.subheader(t("overview.period_section"))
flt = filters.current()
plan = loaders.plan()
communes = loaders.communes()
incidents = loaders.incidents()
now = apply_filter(incidents, flt)
before = apply_filter(incidents, flt.year_earlier())
table = commune_counts(now, units.with_kept_groups(communes, [now, before]), days=flt.days, previous=before)

st.caption(compstat.period_caption(flt))
compstat.metrics(table, now, before, targets=plan.targets)

st.subheader(t("overview.table"))
regrouped, units_shown, (now, before) = units.choose(communes, now, before)
if regrouped:  # the newer units: no target marks (a new commune is not the plan's target commune)
    shown = commune_counts(now, units_shown, days=flt.days, previous=before)
    row = widgets.commune_table(shown, targets=(), show_code=False, selectable=True)
else:
    row = widgets.commune_table(table, targets=plan.targets, show_code=False, selectable=True)
st.caption(t("drill.hint_table"))
drilldown.pick_commune("overview.table", row, now, units_shown)
drilldown.show(flt, page="overview")
