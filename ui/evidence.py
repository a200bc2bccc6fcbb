"""Evidence views of the Xã trọng điểm page: indicators, table by offence group, monthly chart, maps."""

from __future__ import annotations

import html

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from geo import settings
from geo.dates import shift_months
from geo.evaluation.assess import Assessment, Evaluation, TargetEvaluation
from geo.evaluation.effects import WDQ_REASONS, p_text
from geo.evaluation.event_study import MIN_PLACEBO_UNITS
from geo.evaluation.synthetic import MAX_PRE_MISFIT, MIN_DONORS
from geo.maps.district import RATE_COLOURS, build_map, rate_labels
from geo.taxonomy import group_name
from ui import evaluation, hotspots, loaders, mapview, theme, trend_charts, widgets
from ui.filters import current as current_filter
from ui.i18n import fmt_date, fmt_int, fmt_num, lang, md, number_format, t
from ui.sections import lazy
from ui.trend_charts import localized

_URL_KEY = "eval.target_url"


def pick(result: Evaluation) -> TargetEvaluation:
    """Draw the target picker (one target or all together), synced with ``?target=``."""
    by_key = {target.key: target for target in (*result.targets, result.combined)}
    options = list(by_key)
    wanted = st.query_params.get("target")
    # A link from the overview changes the URL: follow it; otherwise keep the widget's own value.
    if wanted in options and wanted != st.session_state.get(_URL_KEY):
        st.session_state[evaluation.TARGET_KEY] = wanted
    if st.session_state.get(evaluation.TARGET_KEY) not in options:
        st.session_state[evaluation.TARGET_KEY] = options[0]
    labels = {key: md(target.name) for key, target in by_key.items()}
    labels[result.combined.key] = t("targets.all", n=len(result.targets))
    key = st.segmented_control(
        t("targets.pick"), options, key=evaluation.TARGET_KEY, format_func=labels.__getitem__, required=True
    )
    key = key if key in options else options[0]
    st.query_params["target"] = key
    st.session_state[_URL_KEY] = key
    return by_key[key]


def _ci(lo: float | None, hi: float | None, digits: int = 2) -> str:
    if lo is None or hi is None:
        return ""
    return t("targets.ci", lo=fmt_num(lo, digits), hi=fmt_num(hi, digits))


def _p(value: float | None) -> str:
    return p_text(value, lang())


def randomisation_sentence(item: Assessment) -> str:
    """Return the permutation test in words ("Trong 26 cách giao kế hoạch cho 1 xã bất kỳ, …")."""
    inference, e = item.inference, item.effect
    ri = inference.randomisation if inference else None
    if ri is None or e is None:
        return ""
    key = "calib.randomisation" if e.ratio <= 1 else "calib.randomisation_up"
    text = t(key, ways=fmt_int(ri.assignments), k=ri.chosen, larger=fmt_int(ri.larger), p=_p(ri.p_value))
    if ri.dates > 1:
        text += " " + t("calib.randomisation_dates", n=ri.dates - 1)
    return text


def calibrated(target: TargetEvaluation) -> None:
    """Draw the figures the verdict rests on: the calibrated rate ratio, power, buffer, pre-trend, permutations."""
    item = target.primary
    inference, e = item.inference, item.effect
    cols = st.columns(3)
    cols[0].metric(
        t("calib.ratio"), fmt_num(e.ratio, 2) if e else t("targets.undefined"), help=t("calib.ratio_help")
    )
    if e is not None:
        cols[0].caption(f"{_ci(e.lo, e.hi)} · {_p(e.p_value)}", help=t("calib.ci_help"))
        cols[0].caption(t("calib.power", fall=fmt_int(100 * e.detectable_fall)), help=t("calib.power_help"))
        cols[0].caption(t("calib.model_ci", lo=fmt_num(e.model_lo, 2), hi=fmt_num(e.model_hi, 2)))
    buffer = inference.buffer if inference else None
    cols[1].metric(
        t("calib.buffer"),
        fmt_num(buffer.ratio, 2) if buffer else t("targets.undefined"),
        help=t("calib.buffer_help"),
    )
    cols[1].caption(
        f"{_ci(buffer.lo, buffer.hi)} · {_p(buffer.p_value)}" if buffer else t("calib.buffer_none")
    )
    pre = inference.pretrend if inference else None
    cols[2].metric(
        t("calib.pretrend"),
        fmt_num(pre.ratio, 2) if pre else t("targets.undefined"),
        help=t("calib.pretrend_help"),
    )
    cols[2].caption(f"{_ci(pre.lo, pre.hi)} · {_p(pre.p_value)}" if pre else t("calib.pretrend_none"))
    notes = [randomisation_sentence(item)]
    if inference is not None and inference.between is not None:
        notes.append(t("calib.between", sd=fmt_int(100 * inference.between.sd)))
    if inference is not None and inference.heterogeneity is not None and inference.heterogeneity < 0.05:
        notes.append(t("calib.heterogeneity", p=_p(inference.heterogeneity)))
    notes.append(t("calib.association"))
    st.caption(" ".join(note for note in notes if note), help=t("calib.randomisation_help"))


def indicators(target: TargetEvaluation, result: Evaluation) -> None:
    """Draw RES, WDD, WDQ, the panel model and the trend, each with its interval and one-line meaning."""
    item = target.primary
    cols = st.columns(4)
    res = item.res
    cols[0].metric(
        t("targets.res"),
        fmt_num(res.estimate, 2) if res else t("targets.undefined"),
        help=t("calib.res_hover"),
    )
    cols[0].caption(f"{_ci(res.lo, res.hi) if res else ''}  \n{t('targets.res_help')}")
    wdd = item.wdd
    cols[1].metric(t("targets.wdd"), fmt_num(wdd.value, 0), help=t("calib.wdd_hover"))
    cols[1].caption(
        f"{_ci(wdd.lo, wdd.hi, 0)}  \n{t('targets.wdd_help', se=fmt_num(wdd.se, 1), z=fmt_num(wdd.z, 2))}"
    )
    wdq = item.wdq
    if wdq.value is None:
        reason = WDQ_REASONS[wdq.reason][0 if lang() == "vi" else 1]
        cols[2].metric(t("targets.wdq"), t("targets.undefined"), help=t("calib.wdq_hover"))
        cols[2].caption(f"{reason}  \n{t('targets.wdq_help')}")
    else:
        cols[2].metric(t("targets.wdq"), fmt_num(wdq.value, 2), help=t("calib.wdq_hover"))
        cols[2].caption(t("targets.wdq_help"))
    panel = result.combined.panel
    label = t("targets.panel", n=len(result.targets))
    if panel is None:
        cols[3].metric(label, t("targets.panel_none"), help=t("calib.panel_hover"))
    else:
        cols[3].metric(label, fmt_num(panel.rate_ratio, 2), help=t("calib.panel_hover"))
        method = t(f"targets.method.{panel.method}")
        cols[3].caption(f"{_ci(panel.lo, panel.hi)}  \n{t('targets.panel_help', method=method)}")
    trend = target.trend
    st.markdown(f"**{t('targets.trend')}**")
    if trend is None:
        st.caption(t("targets.trend_none"))
    else:
        st.caption(
            t(
                "targets.trend_help",
                months=int((trend.series["month"] < 0).sum()),
                ratio=fmt_num(trend.after_ratio, 2),
                level=fmt_num(trend.level_ratio, 2),
                level_lo=fmt_num(trend.level_ci[0], 2),
                level_hi=fmt_num(trend.level_ci[1], 2),
                slope=fmt_num(trend.slope_ratio, 3),
            )
        )
        if trend.tet_ratio is not None and trend.against_control:
            st.caption(t("calib.trend_tet"))


def _row(label: str, item: Assessment) -> dict[str, object]:
    e = item.effect
    return {
        t("col.group"): label,
        t("col.before"): item.counts["t0"],
        t("col.after"): item.counts["t1"],
        t("col.change_pct"): item.change_pct("t"),
        t("col.control_change"): item.change_pct("c"),
        t("col.rate_before"): item.rate("t"),
        t("col.rate_after"): item.rate("t", after=True),
        t("calib.col_ratio"): e.ratio if e else None,
        t("calib.col_ratio_ci"): f"{fmt_num(e.lo, 2)} – {fmt_num(e.hi, 2)}" if e else "",
        t("calib.q"): "—" if item.q_value is None else fmt_num(item.q_value, 3),
        t(
            "col.verdict"
        ): f"{evaluation.VERDICT_STYLE[item.verdict][0]} {evaluation.verdict_word(item.verdict)}",
    }


def group_table(target: TargetEvaluation) -> None:
    """Draw before/after counts, rates, the rate ratio and verdict per offence group and for all together.

    The plan's primary outcome is the verdict; the other rows are exploratory, their clear verdicts
    held to a false-discovery-rate adjusted q below 0.05.
    """
    rows = [_row(group_name(group, lang=lang()), item) for group, item in target.by_group.items()]
    rows.append(_row(t("targets.all_groups"), target.overall))
    percent = number_format(1, signed=True, suffix="%")
    decimal = number_format(1)
    view = pd.DataFrame(rows)
    formats = {
        t("col.before"): number_format(),
        t("col.after"): number_format(),
        t("col.change_pct"): percent,
        t("col.control_change"): percent,
        t("col.rate_before"): decimal,
        t("col.rate_after"): decimal,
        t("calib.col_ratio"): number_format(2),
    }
    helps = {
        t("calib.col_ratio"): t("calib.ratio_help"),
        t("calib.col_ratio_ci"): t("calib.ci_help"),
        t("calib.q"): t("calib.q_help"),
    }
    st.dataframe(
        widgets.localized(view, formats),
        hide_index=True,
        width="stretch",
        column_config={name: st.column_config.Column(help=text) for name, text in helps.items()},
    )
    primary = (
        t("calib.primary_all") if target.primary_key == "all" else group_name(target.primary_key, lang=lang())
    )
    st.caption(t("calib.exploratory", primary=primary), help=t("calib.q_help"))


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
        text += " " + t("events.pretrend", p=_p(pre.p_value))
    st.caption(text)


@st.cache_resource(show_spinner=False, max_entries=16)
def _side_map(url: str, version: str, language: str, key: str, after: bool) -> mapview.Rendered:
    result = evaluation.current()
    target = next(item for item in (*result.targets, result.combined) if item.key == key)
    w = result.windows
    build = build_map(
        loaders.communes(),
        evaluation.window_incidents(result, after=after),
        targets=target.areas.targets,
        layers=("choropleth", "boundaries"),
        days=w.after_days if after else w.before_days,
        lang=language,
        texts=widgets.map_texts(),
        outlines=dict.fromkeys(target.areas.buffer, evaluation.BUFFER_OUTLINE),
    )
    return mapview.render(evaluation.without_controls(build).map, key=f"targets-map-{int(after)}")


def before_after_maps(target: TargetEvaluation, result: Evaluation) -> None:
    """Draw the before and after choropleths side by side (fixed class breaks, so colours compare).

    Each map is rendered once per process, store version, language and target (`ui.mapview`).
    """
    w = result.windows
    columns = st.columns(2)
    periods = (
        (False, "targets.map_before", w.before_start, w.start),
        (True, "targets.map_after", w.start, w.after_end),
    )
    for column, (after, label, start, end) in zip(columns, periods, strict=True):
        with column:
            st.markdown(f"**{t(label, start=fmt_date(start), end=fmt_date(end - pd.Timedelta(days=1)))}**")
            mapview.show(
                _side_map(*loaders.key(), lang(), target.key, after),
                key=f"targets-map-{int(after)}",
                height=theme.SIDE_MAP_HEIGHT,
            )
    swatches = " &nbsp; ".join(
        f"{widgets.swatch(colour)} {html.escape(label)}"
        for colour, label in zip(RATE_COLOURS, rate_labels(), strict=True)
    )
    st.markdown(
        f"<div>{html.escape(t('map.choropleth'))}: {swatches}</div>"
        f'<div style="color:#555">{html.escape(t("targets.maps_key"))}</div>',
        unsafe_allow_html=True,
    )


def caveats() -> None:
    """Draw the caveats: regression to the mean, changes in reporting, the verdict rule."""
    with st.expander(t("targets.caveats"), expanded=True):
        st.markdown(t("targets.caveats_text", min_count=settings.MIN_COUNT_FOR_VERDICT))


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


EVENTS_OPEN = "targets.open.events"
MAPS_OPEN = "targets.open.maps"
HOTSPOTS_OPEN = "targets.open.hotspots"
"""Keys of the secondary sections of /targets (expanders): each is built only while open."""


def _target(key: str) -> tuple[TargetEvaluation, Evaluation]:
    result = evaluation.current()
    return next(item for item in (*result.targets, result.combined) if item.key == key), result


@st.fragment
def lazy_events(key: str) -> None:
    """The event study and the synthetic control of target ``key``, built only while their section is open."""
    box = lazy(t("events.title", unit=md(loaders.area().unit_word)), EVENTS_OPEN)
    if box is not None:
        target, result = _target(key)
        with box:
            event_section(target, result, heading=False)
            synthetic_section(target)


@st.fragment
def lazy_maps(key: str) -> None:
    """The before and after maps of target ``key``, built only while their section is open."""
    box = lazy(t("targets.maps"), MAPS_OPEN)
    if box is not None:
        target, result = _target(key)
        with box:
            before_after_maps(target, result)


@st.fragment
def lazy_hotspots() -> None:
    """The share of fading hot cells per target (`ui.hotspots.targets_section`), built only while open."""
    box = lazy(t("hot.targets.header"), HOTSPOTS_OPEN)
    if box is not None:
        with box:
            hotspots.targets_section(current_filter())
