"""Altair charts of the /trends page, built from the tables of `geo.trends` (labels already translated)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, TypeVar

import altair as alt
import pandas as pd
import streamlit as st

from geo.formatting import chart_locale
from ui import theme
from ui.i18n import lang, t

_to_spec: Callable[[Any], Any] | None
try:  # Streamlit's own conversion of a chart (Arrow datasets, its theme rules): what `st.altair_chart` sends
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec as _to_spec
except ImportError:  # pragma: no cover - another Streamlit: draw with st.altair_chart every time
    _to_spec = None

_Chart = TypeVar("_Chart", alt.Chart, alt.LayerChart)

# Ticks on month starts only: Vega's default puts mid-month ticks on short spans, so labels repeat.
_MONTH_AXIS = alt.Axis(format="%m/%Y", tickCount={"interval": "month", "step": 1}, labelOverlap="greedy")


@st.cache_resource(show_spinner=False, max_entries=256)
def _spec(key: tuple[Hashable, ...], _build: Callable[[], Any]) -> dict[str, Any]:
    assert _to_spec is not None
    return dict(_to_spec(_build()))


def show(key: tuple[Hashable, ...], build: Callable[[], Any]) -> None:
    """Draw the Altair chart ``build`` returns, full width, as ``st.altair_chart`` would.

    The chart is built and converted to its Vega-Lite spec once per ``key`` and process (building
    and validating an Altair chart is most of a /trends rerun); ``key`` names everything the chart
    shows (store version, filter, language, which chart).
    """
    if _to_spec is None:  # pragma: no cover
        st.altair_chart(build(), width="stretch")
        return
    st.vega_lite_chart(spec=copy.deepcopy(_spec(key, build)), width="stretch")  # Streamlit edits the spec


def localized(chart: _Chart) -> _Chart:
    """Return ``chart`` with the language's number and date marks (Vega-Lite ``config.locale``).

    Axis labels, legends and tooltips then read 1.234 and 0,5 in Vietnamese (1,234 and 0.5 in
    English), as the tables do. Apply it last: a configured chart cannot be layered again.
    """
    return chart.configure(locale=chart_locale(lang()))


def monthly_lines(series: pd.DataFrame, *, legend: str, plan_start: date | None = None) -> alt.LayerChart:
    """Monthly lines per ``name`` with a clickable legend (the clicked series stays bright)."""
    pick = alt.selection_point(fields=["name"], bind="legend")
    lines = (
        alt.Chart(series)
        .mark_line(point=alt.OverlayMarkDef(size=18))
        .encode(
            x=alt.X("month:T", title=t("trends.month"), axis=_MONTH_AXIS),
            y=alt.Y("count:Q", title=t("trends.count")),
            color=alt.Color(
                "name:N",
                title=legend,
                scale=alt.Scale(scheme="tableau10"),
                legend=alt.Legend(orient="right", labelLimit=220),
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.12)),
            tooltip=[
                alt.Tooltip("name:N", title=legend),
                alt.Tooltip("month:T", title=t("trends.month"), format="%m/%Y"),
                alt.Tooltip("count:Q", title=t("trends.count"), format=",d"),
            ],
        )
        .add_params(pick)
    )
    layers: list[alt.Chart] = [lines]
    if plan_start is not None and series["month"].min() <= pd.Timestamp(plan_start) <= series["month"].max():
        rule = pd.DataFrame({"day": [pd.Timestamp(plan_start)], "label": [t("trends.plan_start")]})
        base = alt.Chart(rule)
        layers.append(base.mark_rule(strokeDash=[5, 4], color=theme.TARGET).encode(x="day:T"))
        layers.append(
            base.mark_text(align="left", dx=4, dy=-6, color=theme.TARGET, fontSize=12).encode(
                x="day:T", y=alt.value(8), text="label:N"
            )
        )
    return localized(alt.LayerChart(layer=layers).properties(height=theme.TREND_CHART_HEIGHT))


def share_changes(mix: pd.DataFrame, *, n: int = 10) -> alt.Chart:
    """Horizontal bars of the ``n`` largest changes in share (percentage points), rises red, falls blue."""
    top = mix.reindex(mix["share_change"].abs().sort_values(ascending=False).index).head(n)
    return localized(
        alt.Chart(top)
        .mark_bar()
        .encode(
            y=alt.Y("name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
            x=alt.X("share_change:Q", title=t("trends.col.share_change")),
            color=alt.condition(alt.datum.share_change > 0, alt.value(theme.RISE), alt.value(theme.FALL)),
            tooltip=[
                alt.Tooltip("name:N", title=t("trends.col.offence")),
                alt.Tooltip("share:Q", title=t("trends.col.share"), format=".1f"),
                alt.Tooltip("previous_share:Q", title=t("trends.col.previous_share"), format=".1f"),
                alt.Tooltip("share_change:Q", title=t("trends.col.share_change"), format="+.1f"),
            ],
        )
        .properties(height=max(120, 28 * len(top)))
    )


def weekday_hour_heatmap(table: pd.DataFrame) -> alt.Chart:
    """A weekday × hour heat table with the count in each cell's tooltip."""
    days = t("trends.weekdays").split(",")
    long = table.reset_index().melt(id_vars="weekday", var_name="hour", value_name="count")
    long["day"] = [days[d] for d in long["weekday"]]
    return localized(
        alt.Chart(long)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=t("trends.hour"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("day:N", title=None, sort=days),
            color=alt.Color("count:Q", title=t("trends.count"), scale=alt.Scale(scheme="orangered")),
            tooltip=[
                alt.Tooltip("day:N", title=t("trends.weekday")),
                alt.Tooltip("hour:O", title=t("trends.hour")),
                alt.Tooltip("count:Q", title=t("trends.count"), format=",d"),
            ],
        )
        .properties(height=theme.SMALL_CHART_HEIGHT)
    )


def commune_bars(table: pd.DataFrame, *, column: str, title: str, colour: str) -> alt.Chart:
    """Horizontal bars of ``column`` per commune (``label`` column), largest on top."""
    fmt = ",.1f" if column == "rate" else "+,d"
    return localized(
        alt.Chart(table)
        .mark_bar(color=colour)
        .encode(
            y=alt.Y(
                "label:N",
                sort="-x" if column == "rate" else None,
                title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=180),
            ),
            x=alt.X(f"{column}:Q", title=title),
            tooltip=[
                alt.Tooltip("label:N", title=t("trends.commune")),
                alt.Tooltip(f"{column}:Q", title=title, format=fmt),
                alt.Tooltip("count:Q", title=t("trends.count"), format=",d"),
            ],
        )
        .properties(height=max(120, 36 * len(table)))
    )
