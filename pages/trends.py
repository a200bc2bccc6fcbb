"""Xu hướng: monthly series, offence mix and its change, weekday × hour, communes that stand out."""

from functools import partial

import pandas as pd
import streamlit as st

from geo.plan import marked
from geo.taxonomy import group_name, offence_name
from geo.taxonomy import groups as offence_groups
from geo.trends import mix_of, top_communes
from ui import counts, filters, loaders, page, theme, trend_charts, widgets
from ui.i18n import fmt_date, fmt_int, lang, number_format, t

WEEKDAY_HOUR_OPEN = "trends.open.weekday_hour"

page.header("nav.trends", caption=t("trends.caption"))
flt = filters.current()
plan = loaders.plan()
communes = loaders.communes()
# Counted on the prepared arrays or, with push-down, in the database (`ui.counts`): no copy of the rows.
n_now = counts.total(flt)
earlier = flt.year_earlier()
language = lang()
names = dict(zip(communes["code"], communes["name"], strict=True))
star = {c: marked(names[c], target=c in plan.targets) for c in names}

st.caption(t("filter.summary", n=fmt_int(n_now), start=fmt_date(flt.start), end=fmt_date(flt.end)))
if not n_now:
    st.info(t("trends.none"))
    st.stop()

st.subheader(t("trends.monthly"))
st.caption(t("trends.legend_hint"))
# Each chart is built once per store version, filter and language (`trend_charts.show`); only the tab
# shown is built (switching tabs reruns the page).
key = (*loaders.key(), flt.start, flt.end, flt.groups, flt.offences, flt.communes, language)
by_group, by_commune = st.tabs(
    [t("trends.tab.group"), t("trends.tab.commune")], key="trends.tab", on_change="rerun"
)


def _group_lines() -> object:
    groups = [g for g in offence_groups() if not flt.groups or g in flt.groups]
    series = counts.monthly(flt, by="offence_group", keys=groups)
    series["name"] = [group_name(g, lang=language) for g in series["key"]]
    return trend_charts.monthly_lines(series, legend=t("trends.group"), plan_start=plan.start)


def _commune_lines() -> object:
    codes = sorted(flt.communes or names, key=lambda c: names.get(c, c))
    series = counts.monthly(flt, by="commune_code", keys=codes)
    series["name"] = [star.get(c, c) for c in series["key"]]
    return trend_charts.monthly_lines(series, legend=t("trends.commune"), plan_start=plan.start)


if by_group.open is not False:
    with by_group:
        trend_charts.show((*key, "monthly.group"), _group_lines)
if by_commune.open is not False:
    with by_commune:
        trend_charts.show((*key, "monthly.commune"), _commune_lines)

st.subheader(t("trends.mix"))
st.caption(t("trends.mix_caption", start=fmt_date(earlier.start), end=fmt_date(earlier.end)))
mix = mix_of(counts.offences(flt), counts.offences(earlier))
mix["name"] = [offence_name(c, lang=language) for c in mix["offence_code"]]
view = pd.DataFrame(
    {
        t("trends.col.offence"): mix["name"],
        t("trends.group"): [group_name(g, lang=language) for g in mix["offence_group"]],
        t("trends.count"): mix["count"],
        t("trends.col.share"): mix["share"],
        t("trends.col.previous"): mix["previous"],
        t("trends.col.change"): mix["change"],
        t("trends.col.share_change"): mix["share_change"],
    }
)
formats = {
    t("trends.count"): number_format(),
    t("trends.col.share"): number_format(1),
    t("trends.col.previous"): number_format(),
    t("trends.col.change"): number_format(signed=True),
    t("trends.col.share_change"): number_format(1, signed=True),
}
st.dataframe(widgets.localized(view, formats), hide_index=True, width="stretch", height=theme.TABLE_HEIGHT)
st.markdown(f"**{t('trends.mix_chart')}**")
trend_charts.show((*key, "mix"), lambda: trend_charts.share_changes(mix))

# Built only while open: with push-down the database reads every timed incident of the period for it
# (no prepared table keeps hours; 3.3 s for a year of a province's 10 million).
st.subheader(t("trends.weekday_hour"))
weekday_hour = st.expander(t("trends.lazy.weekday_hour"), key=WEEKDAY_HOUR_OPEN, on_change="rerun")
if weekday_hour.open:
    with weekday_hour:
        trend_charts.show(
            (*key, "weekday_hour"), lambda: trend_charts.weekday_hour_heatmap(counts.weekday_hour(flt))
        )

st.subheader(t("trends.top"))
table = counts.unit_table(flt, communes, previous=earlier, clearance=False)  # the page shows none
if flt.communes:
    table = table[table["code"].isin(flt.communes)]
table["label"] = [star.get(c, c) for c in table["code"]]
columns = st.columns(3)
panels = (
    ("trends.top_rate", "rate", True, theme.TARGET, "trends.rate", ""),
    ("trends.top_rise", "change", True, theme.RISE, "trends.change", "trends.no_rise"),
    ("trends.top_fall", "change", False, theme.FALL, "trends.change", "trends.no_fall"),
)
for column, (title, field, largest, colour, axis, empty) in zip(columns, panels, strict=True):
    with column:
        st.markdown(f"**{t(title)}**")
        top = top_communes(table, column=field, n=5, largest=largest, signed=field == "change")
        if top.empty:
            st.caption(t(empty))
        else:
            bars = partial(trend_charts.commune_bars, top, column=field, title=t(axis), colour=colour)
            trend_charts.show((*key, title), bars)
