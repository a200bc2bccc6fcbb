"""The charts of the Xã trọng điểm page: the monthly trend, the event study and the synthetic control.

Each draws one target's figure from its `geo.evaluation.assess.TargetEvaluation`; the trend chart is
converted once per store version, language and target (`ui.trend_charts.show`). The rest of the
page's evidence (indicators, the table by offence group, the maps) is `ui.evidence`.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from geo.dates import shift_months
from geo.evaluation.assess import Evaluation, TargetEvaluation
from geo.evaluation.effects import p_text
from geo.evaluation.event_study import MIN_PLACEBO_UNITS
from geo.evaluation.synthetic import MAX_PRE_MISFIT, MIN_DONORS
from ui import evaluation, loaders, theme, trend_charts
from ui.i18n import fmt_date, fmt_int, fmt_num, lang, md, t
from ui.trend_charts import localized


def trend_chart(target: TargetEvaluation, result: Evaluation) -> alt.LayerChart | None:
    """Return the monthly chart: target and control rates, the trend model, the old trend carried on."""
    trend = target.trend
    people = target.overall.population["t"]
    if trend is None or people <= 0:
        return None
    series = trend.series
    per_1000 = 1000 / people
    names = {
        "target_rate": t("targets.chart_target"),
        "control_rate": t("targets.chart_control"),
        "fitted": t("targets.chart_fit"),
        "counterfactual": t("targets.chart_counterfactual"),
    }
    frame = pd.DataFrame(
        {
            "month_start": series["month_start"],
            "target_rate": series["target_rate"],
            "control_rate": series["control_rate"],
            "fitted": series["fitted"] * per_1000,
            "counterfactual": series["counterfactual"].where(series["month"] >= -1) * per_1000,
        }
    ).melt("month_start", var_name="key", value_name="rate")
    frame["series"] = frame["key"].map(names)
    colour = alt.Color(
        "series:N",
        title=t("targets.chart_series"),
        scale=alt.Scale(
            domain=list(names.values()), range=[theme.TARGET, theme.OTHERS, theme.POINTS, theme.POINTS]
        ),
        legend=alt.Legend(orient="bottom", labelLimit=260),
    )
    dash = alt.StrokeDash(
        "series:N",
        scale=alt.Scale(domain=list(names.values()), range=[[1, 0], [4, 3], [1, 0], [6, 4]]),
        legend=None,
    )
    base = alt.Chart(frame.dropna(subset=["rate"])).encode(
        x=alt.X("month_start:T", title=t("targets.chart_month"), axis=alt.Axis(format="%m/%Y")),
        y=alt.Y("rate:Q", title=t("targets.chart_rate")),
        color=colour,
        strokeDash=dash,
        tooltip=[
            alt.Tooltip("month_start:T", format="%m/%Y"),
            "series:N",
            alt.Tooltip("rate:Q", format=".2f"),
        ],
    )
    lines = base.mark_line(strokeWidth=2.5)
    start = pd.DataFrame({"start": [pd.Timestamp(result.windows.start)], "label": [t("targets.chart_start")]})
    rule = alt.Chart(start).mark_rule(color=theme.INK, strokeWidth=2).encode(x="start:T")
    text = (
        alt.Chart(start).mark_text(align="left", dx=4, y=8, fontSize=13).encode(x="start:T", text="label:N")
    )
    return localized(alt.LayerChart(layer=[lines, rule, text]).properties(height=theme.CHART_HEIGHT))


def show_trend_chart(target: TargetEvaluation, result: Evaluation) -> bool:
    """Draw `trend_chart` (converted once per store version, language and target); False when there is none."""
    if target.trend is None or target.overall.population["t"] <= 0:
        return False
    trend_charts.show((*loaders.key(), lang(), target.key, "trend"), lambda: trend_chart(target, result))
    return True


def event_section(target: TargetEvaluation, result: Evaluation, *, heading: bool = True) -> None:
    """Draw the event study: the target quarter by quarter against its comparison units, with their band."""
    unit = md(loaders.area().unit_word)
    if heading:
        st.subheader(t("events.title", unit=unit), help=t("events.help", unit=unit))
    else:
        st.caption(t("events.help", unit=unit))
    study = target.events
    if study is None:
        st.caption(t("events.none", unit=unit))
        return
    table = study.table.copy()
    table["ratio_text"] = table["ratio"].map(lambda v: fmt_num(v, 2))
    table["band_text"] = [
        t("targets.ci", lo=fmt_num(lo, 2), hi=fmt_num(hi, 2)) if study.has_band else ""
        for lo, hi in zip(table["lo"], table["hi"], strict=True)
    ]
    table["label"] = table["month_start"].map(fmt_date)
    table["count_text"] = table["count"].map(fmt_int)
    x = alt.X("month_start:T", title=t("events.quarter"), axis=alt.Axis(format="%m/%Y"))
    values = table[["ratio", "lo", "hi"]].to_numpy(dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    low, high = min(float(values.min()), 0.8) / 1.15, max(float(values.max()), 1.25) * 1.15
    y_scale = alt.Scale(type="log", domain=[low, high], nice=False)
    ticks = [v for v in (0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 1, 1.25, 1.5, 2, 3, 5, 10) if low <= v <= high]
    y_axis = alt.Axis(values=ticks)
    tooltip = [
        alt.Tooltip("label:N", title=t("targets.chart_month")),
        alt.Tooltip("ratio_text:N", title=t("events.ratio")),
        alt.Tooltip("count_text:N", title=t("events.count")),
    ]
    if study.has_band:
        tooltip.append(alt.Tooltip("band_text:N", title=t("events.band", unit=unit)))
    layers: list[alt.Chart] = []
    if study.has_band:
        layers.append(
            alt.Chart(table)
            .mark_area(color=theme.OTHERS, opacity=0.25)
            .encode(x=x, y=alt.Y("lo:Q", scale=y_scale, axis=y_axis, title=t("events.ratio")), y2="hi:Q")
        )
    one = pd.DataFrame({"one": [1.0]})
    layers.append(alt.Chart(one).mark_rule(color=theme.INK, strokeDash=[4, 3]).encode(y="one:Q"))
    layers.append(
        alt.Chart(table)
        .mark_line(point=alt.OverlayMarkDef(size=70, color=theme.TARGET), color=theme.TARGET, strokeWidth=2.5)
        .encode(x=x, y=alt.Y("ratio:Q", scale=y_scale, axis=y_axis, title=t("events.ratio")), tooltip=tooltip)
    )
    start = pd.DataFrame({"start": [pd.Timestamp(result.windows.start)], "label": [t("targets.chart_start")]})
    layers.append(alt.Chart(start).mark_rule(color=theme.INK, strokeWidth=2).encode(x="start:T"))
    layers.append(
        alt.Chart(start).mark_text(align="left", dx=4, y=8, fontSize=13).encode(x="start:T", text="label:N")
    )
    st.altair_chart(
        localized(alt.LayerChart(layer=layers).properties(height=theme.CHART_HEIGHT)),
        width="stretch",
    )
    name = md(target.name)
    before = table[table["bin"] < 0]
    if study.has_band:
        text = t(
            "events.caption",
            name=name,
            n=study.placebo_units,
            unit=unit,
            cover=fmt_int(100 * study.coverage),
            before=study.outside_band(after=False),
            nb=len(before),
            after=study.outside_band(after=True),
            na=len(table) - len(before),
        )
    else:
        text = t("events.no_band", min=MIN_PLACEBO_UNITS, unit=unit, name=name)
    inference = target.overall.inference  # the chart counts every incident, as the overall verdict
    pre = inference.pretrend if inference else None
    if pre is not None:
        text += " " + t("events.pretrend", p=p_text(pre.p_value, lang()))
    st.caption(text)


def synthetic_section(target: TargetEvaluation) -> None:
    """Draw the cross-check by synthetic control, or say plainly why there is none."""
    sc = target.synthetic
    if sc is None:
        return
    st.markdown(f"**{t('calib.sc_title')}**", help=t("calib.sc_help"))
    if sc.reason == "few_donors":
        st.caption(t("calib.sc_few", n=MIN_DONORS))
        return
    if sc.reason == "poor_fit" or sc.ratio is None or sc.p_value is None:
        st.caption(t("calib.sc_poor", misfit=fmt_int(100 * sc.pre_misfit), max=fmt_int(100 * MAX_PRE_MISFIT)))
        return
    names = evaluation.current().names
    donors = ", ".join(
        f"{md(names.get(code, code))} {fmt_int(100 * weight)}%"
        for code, weight in sorted(sc.weights.items(), key=lambda item: -item[1])
    )
    n = sc.placebos + 1
    larger = round(sc.p_value * n) - 1
    rank = t("calib.sc_rank_top") if larger == 0 else t("calib.sc_rank", k=larger)
    st.caption(
        t(
            "calib.sc_value",
            ratio=fmt_num(sc.ratio, 2),
            donors=donors,
            n=n,
            placebos=sc.placebos,
            rank=rank,
            p=p_text(sc.p_value, lang()),
        )
    )
    names_map = {"target": t("calib.sc_target"), "synthetic": t("calib.sc_synthetic")}
    start = evaluation.current().windows.start
    series = sc.series.assign(
        month_start=[pd.Timestamp(shift_months(start, int(k))) for k in sc.series["month"]]
    )
    frame = series.drop(columns="month").melt("month_start", var_name="key", value_name="level")
    frame["series"] = frame["key"].map(names_map)
    chart = (
        alt.Chart(frame)
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("month_start:T", title=t("targets.chart_month"), axis=alt.Axis(format="%m/%Y")),
            y=alt.Y("level:Q", title=t("calib.sc_axis"), scale=alt.Scale(zero=False)),
            color=alt.Color(
                "series:N",
                title=t("targets.chart_series"),
                scale=alt.Scale(domain=list(names_map.values()), range=[theme.TARGET, theme.OTHERS]),
                legend=alt.Legend(orient="bottom"),
            ),
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"start": [pd.Timestamp(start)]}))
        .mark_rule(color=theme.INK)
        .encode(x="start:T")
    )
    st.altair_chart(
        localized(alt.LayerChart(layer=[chart, rule]).properties(height=theme.CHART_HEIGHT)),
        width="stretch",
    )
