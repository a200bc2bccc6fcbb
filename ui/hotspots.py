"""Streamlit glue of the hotspot analytics on /map and /targets: the method, the hot-cell table, the sections.

The analyses are cached on plain values in `ui.hotspot_data` (from the store's pixel counts on
push-down, from the rows otherwise); the maps are drawn in `ui.hotspot_maps`. This module offers
the widgets and sections the pages place, and keeps every name the pages use importable from here.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from geo import settings
from geo.dates import months_between
from geo.filters import IncidentFilter
from geo.hotspots import series
from geo.hotspots.cells import cell_at
from geo.hotspots.emerging import CLASSES, STANDARDISE, Emerging, Standardise
from geo.hotspots.gistar import INFERENCES, GiConvention
from ui import drilldown, sections, widgets
from ui.hotspot_data import (
    Method,
    Query,
    density,
    emerging,
    frame,
    period,
    plain,
    selected,
    target_shares,
)
from ui.hotspot_maps import (
    LAYERS,
    add_layers,
    commune_names,
    compare_section,
    emerging_method,
    gi_method,
    texts,
    time_section,
)
from ui.i18n import fmt_date, md, number_format, t

__all__ = [
    "LAYERS",
    "Method",
    "Query",
    "add_layers",
    "click_target",
    "compare_section",
    "density",
    "emerging",
    "emerging_caption",
    "frame",
    "gi_method",
    "hot_cells_section",
    "lazy_compare",
    "lazy_hot_cells",
    "lazy_time",
    "method_captions",
    "method_controls",
    "period",
    "plain",
    "selected",
    "target_shares",
    "targets_section",
    "texts",
    "time_section",
]

INFERENCE_KEY = "hot.method.inference"
FDR_KEY = "hot.method.fdr"
STANDARDISE_KEY = "hot.method.standardise"


def method_controls() -> Method:
    """Offer the Gi* p-value convention, the FDR correction and the emerging standardisation; return the choice."""
    with st.expander(t("hot.method.header")):
        inference = st.segmented_control(
            t("hot.method.inference"),
            INFERENCES,
            default=INFERENCES[0],
            required=True,
            format_func=lambda v: t(f"hot.method.inference.{v}"),
            key=INFERENCE_KEY,
            help=t("hot.method.inference.help"),
        )
        fdr = st.toggle(t("hot.method.fdr"), value=True, key=FDR_KEY, help=t("hot.method.fdr.help"))
        standardise = st.segmented_control(
            t("hot.method.standardise"),
            STANDARDISE,
            default=STANDARDISE[0],
            required=True,
            format_func=lambda v: t(f"hot.method.standardise.{v}"),
            key=STANDARDISE_KEY,
            help=t("hot.method.standardise.help"),
        )
    return Method(
        GiConvention(inference="normal" if inference == "normal" else "permutation", fdr=bool(fdr)),
        "cube" if standardise == "cube" else "step",
    )


def method_captions(layers: list[str] | tuple[str, ...], method: Method) -> None:
    """Under the map: the Gi* convention in use and what the density's edge correction still misses."""
    if "gistar" in layers:
        st.caption(t("hot.gi_caption", method=gi_method(method.gi)))
    if "density" in layers:
        st.caption(t("hot.density_limits", bw=int(settings.KDE_BANDWIDTH_M), cell=int(settings.GRID_CELL_M)))


def emerging_caption(flt: IncidentFilter, standardise: Standardise = settings.EMERGING_STANDARDISE) -> None:
    """Explain the emerging layer's span and method, or why it is missing."""
    result = emerging(flt, standardise)
    if isinstance(result, str):
        st.info(t("hot.emerging_unavailable", msg=md(result)))
        return
    steps = result.steps
    unit = t("hot.unit.month" if steps.months_per_step == 1 else "hot.unit.quarter")
    first, last = series.steps_span(steps)
    st.caption(
        t(
            "hot.emerging_caption",
            start=fmt_date(first),
            end=fmt_date(last),
            steps=steps.count,
            unit=unit,
            method=emerging_method(result.standardise),
        )
    )
    with st.expander(t("hot.emerging")):
        present = set(result.category[result.category != ""].ravel())
        for code in CLASSES:
            if code != "none":
                mark = "●" if code in present else "○"
                st.markdown(f"{mark} **{t(f'hot.em.{code}')}** — {t(f'hot.em.{code}.why')}")


def hot_cells_section(
    flt: IncidentFilter, method: Method | None = None, *, heading: bool = True
) -> drilldown.Target | None:
    """Show the Gi* hot cells of the period with their commune and emerging class; return the selected cell.

    A row can be selected: its cell is returned as a drill-down target (`ui.drilldown`), else None.
    ``heading=False`` leaves out the section's heading (an expander's label names it).
    """
    method = method or Method()
    if heading:
        st.subheader(t("hot.table"))
    per = period(flt, method.gi)
    st.caption(
        t(
            "hot.caption",
            cell=int(settings.GRID_CELL_M),
            bw=int(settings.KDE_BANDWIDTH_M),
            method=gi_method(per.convention),
        )
    )
    table = per.table
    if table.empty:
        st.info(t("hot.table_none"))
        return None
    names = commune_names()
    result = emerging(flt, method.standardise)
    trend = result.category.ravel()[table["cell"]] if isinstance(result, Emerging) else [""] * len(table)
    view = pd.DataFrame(
        {
            t("hot.col.rank"): np.arange(1, len(table) + 1),
            t("col.commune"): [names.get(c, c) for c in table["commune_code"]],
            t("hot.count"): table["count"],
            t("hot.confidence"): [t(f"hot.gi.{b}") for b in table["gi_bin"]],
            t("hot.col.trend"): [t(f"hot.em.{c}") if c and c != "none" else "" for c in trend],
            t("hot.col.where"): [
                f"{a:.5f}, {b:.5f}" for a, b in zip(table["lat"], table["lon"], strict=True)
            ],
        }
    )
    formats = {t("hot.col.rank"): number_format(), t("hot.count"): number_format()}
    ids = [str(int(c)) for c in table["cell"]]
    picked = widgets.selected_row(
        widgets.localized(view, formats), ids, key="hot.cells", height=min(420, 38 + 35 * len(view))
    )
    return None if picked is None else _cell_target(table, ids.index(picked), names)


def _cell_target(table: pd.DataFrame, row: int, names: dict[str, str]) -> drilldown.Target:
    """The drill-down target of row ``row`` of a hot-cell table (`series.Period.table`, hottest first)."""
    found = table.iloc[row]
    return drilldown.cell(
        int(found["cell"]),
        rank=row + 1,
        commune_name=names.get(str(found["commune_code"]), str(found["commune_code"])),
        where=f"{found['lat']:.5f}, {found['lon']:.5f}",
    )


def click_target(
    click: tuple[float, float] | None,
    communes: gpd.GeoDataFrame,
    flt: IncidentFilter,
    layers: list[str] | tuple[str, ...],
    method: Method | None = None,
) -> drilldown.Target | None:
    """Return what a click on /map's map (``(lat, lon)``) opens: the hot cell under it, else its commune.

    A hot cell only while the Gi* layer is drawn (its cells are what the user sees and clicks);
    otherwise, and outside every hot cell, the commune under the click (None outside every one).
    """
    if click is not None and "gistar" in layers:
        table = period(flt, (method or Method()).gi).table
        hits = np.flatnonzero(table["cell"].to_numpy() == cell_at(frame().grid, click[1], click[0]))
        if len(hits):
            return _cell_target(table, int(hits[0]), commune_names())
    return drilldown.at_click(click, communes)


CELLS_OPEN = "map.open.cells"
TIME_OPEN = "map.open.time"
COMPARE_OPEN = "map.open.compare"
"""Keys of /map's secondary sections (expanders): each is built only while open (`st.session_state[key]`)."""


@st.fragment
def lazy_hot_cells(
    flt: IncidentFilter, method: Method, names: dict[str, str], incidents: drilldown.Incidents
) -> None:
    """The hot-cell table in an expander, built only while open; a selected row opens its cell's list.

    Its widgets rerun only this fragment; a row that opens a list reruns the page, which shows it.
    """
    box = sections.lazy(t("hot.table"), CELLS_OPEN)
    if box is None:
        return
    with box:
        cell = hot_cells_section(flt, method, heading=False)
    opened = drilldown.pick("map.cells", cell, cell, incidents, names=names, grid=frame().grid)
    if opened and sections.fragment_rerun():
        st.rerun()


@st.fragment
def lazy_time(flt: IncidentFilter) -> None:
    """The month slider in an expander (over a period of two months or more), built only while open."""
    if len(months_between(flt.start, flt.end)) < 2:
        return
    box = sections.lazy(t("hot.time.header"), TIME_OPEN)
    if box is not None:
        with box:
            time_section(flt, heading=False)


@st.fragment
def lazy_compare(flt: IncidentFilter) -> None:
    """The before/after density maps in an expander, built only while open."""
    box = sections.lazy(t("hot.compare.header"), COMPARE_OPEN)
    if box is not None:
        with box:
            compare_section(flt, heading=False)


def targets_section(flt: IncidentFilter) -> None:
    """Show, per target commune, the share of its hot cells that are diminishing or historical."""
    shares = target_shares(flt)
    st.subheader(t("hot.targets.header"))
    if shares is None:
        emerging_caption(flt)
        return
    st.caption(t("hot.targets.caption"))
    names = commune_names()
    view = pd.DataFrame(
        {
            t("col.commune"): [names.get(c, c) for c in shares["commune_code"]],
            t("hot.targets.hot_cells"): shares["hot_cells"],
            t("hot.targets.fading"): shares["fading_cells"],
            t("hot.targets.share"): (100 * shares["share"]).round(0),
        }
    )
    formats = {
        t("hot.targets.hot_cells"): number_format(),
        t("hot.targets.fading"): number_format(),
        t("hot.targets.share"): number_format(suffix="%"),
    }
    st.dataframe(widgets.localized(view, formats), hide_index=True, width="stretch")
