"""Xã trọng điểm: the evidence behind the verdicts, for analysts; and the plan settings."""

import streamlit as st

from ui import evaluation, evidence, glossary, page, plan_form
from ui.i18n import fmt_int, md, t

page.header("nav.targets", caption=t("targets.caption"))
result = evaluation.checked()

if result is not None:
    target = evidence.pick(result)
    item = target.primary
    icon = evaluation.VERDICT_STYLE[item.verdict][0]
    st.markdown(f"### {t('targets.verdict', icon=icon, verdict=evaluation.verdict_word(item.verdict))}")
    st.markdown(evaluation.change_sentence(item))
    reason = evaluation.reason_sentence(item)
    if reason:
        st.markdown(reason)
    st.caption(" ".join([plan_form.baseline_note(result), *plan_form.registration_notes(result)]))
    names = result.names
    st.caption(
        t(
            "targets.areas",
            buffer=md(", ".join(names[c] for c in target.areas.buffer)) or t("targets.none"),
            control=md(", ".join(names[c] for c in target.areas.control)) or t("targets.none"),
        )
    )
    if result.windows.shortened:
        st.warning(
            t("targets.shortened", before=result.windows.before_months, after=result.windows.after_months)
        )
    if result.outside["total"]:
        st.caption(t("targets.outside", n=fmt_int(result.outside["total"])))

    st.subheader(t("targets.indicators"))
    evidence.calibrated(target)
    st.markdown(f"**{t('calib.cli_descriptive')}**")
    evidence.indicators(target, result)
    st.subheader(t("targets.table"))
    evidence.group_table(target)
    st.subheader(t("targets.chart"))
    if not evidence.show_trend_chart(target, result):
        st.caption(t("targets.trend_none"))
    # The model cross-checks, the maps and the hot cells are built only when their section is opened.
    evidence.lazy_events(target.key)
    if page.assets_ready():
        evidence.lazy_maps(target.key)
    evidence.lazy_hotspots()
    evidence.caveats()

with st.expander(t("plan.header"), expanded=result is None):
    plan_form.plan_form()
    plan_form.selection_form()
glossary.expander()
