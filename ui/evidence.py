"""Evidence views of the Xã trọng điểm page: the target picker, indicators, table by offence group, maps.

The charts (monthly trend, event study, synthetic control) are in `ui.evidence_charts`, importable
from here too; the secondary sections are built only while open (`ui.sections.lazy`).
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from geo import settings
from geo.evaluation.assess import Assessment, Evaluation, TargetEvaluation
from geo.evaluation.effects import WDQ_REASONS, p_text
from geo.maps.district import RATE_COLOURS, build_map, rate_labels
from geo.taxonomy import group_name
from ui import evaluation, hotspots, loaders, mapview, theme, widgets
from ui.evidence_charts import event_section, show_trend_chart, synthetic_section, trend_chart
from ui.filters import current as current_filter
from ui.i18n import fmt_date, fmt_int, fmt_num, lang, md, number_format, t
from ui.sections import lazy

__all__ = [
    "EVENTS_OPEN",
    "HOTSPOTS_OPEN",
    "MAPS_OPEN",
    "before_after_maps",
    "calibrated",
    "caveats",
    "event_section",
    "group_table",
    "indicators",
    "lazy_events",
    "lazy_hotspots",
    "lazy_maps",
    "pick",
    "randomisation_sentence",
    "show_trend_chart",
    "synthetic_section",
    "trend_chart",
]


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
