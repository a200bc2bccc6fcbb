"""Streamlit glue of the hotspot analytics: cached results keyed on plain values, layers and sections.

Every computation is cached with ``st.cache_data`` on the store's URL and version plus the filter's
plain values, so moving the month slider or toggling a layer never recomputes the grid analytics;
maps are built on every run from the cached arrays (a `folium.Map` is never cached).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.scriptrunner import get_script_run_ctx

from geo import AppError, settings
from geo.aggregate import unlocated_by_commune
from geo.dates import months_between
from geo.evaluation.periods import windows_for
from geo.filters import IncidentFilter, apply_filter
from geo.formatting import format_number
from geo.hotspots import series
from geo.hotspots.cells import cell_at
from geo.hotspots.emerging import CLASSES, STANDARDISE, Emerging, Standardise, hot_class_shares
from geo.hotspots.gistar import INFERENCES, GiConvention
from geo.maps import hotspot_layers as hm
from geo.maps.basemap import read_config
from geo.maps.district import build_map
from ui import drilldown, loaders, mapview, units, widgets
from ui.i18n import fmt_date, fmt_int, lang, md, number_format, t

LAYERS = ("density", "gistar", "emerging")
"""Hotspot layer keys offered next to `geo.maps.district.LAYERS` on /map."""

INFERENCE_KEY = "hot.method.inference"
FDR_KEY = "hot.method.fdr"
STANDARDISE_KEY = "hot.method.standardise"


@dataclass(frozen=True)
class Method:
    """The statistical conventions the user chose for the hot spot layers (defaults: the recommended ones)."""

    gi: GiConvention = field(default_factory=GiConvention)
    standardise: Standardise = settings.EMERGING_STANDARDISE


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


def gi_method(convention: GiConvention) -> str:
    """Name a Gi* map's p-value convention and whether FDR applies, in the page's language."""
    if convention.inference == "permutation":
        inference = t("hot.gi_method.permutation", n=fmt_int(convention.permutations))
    else:
        inference = t("hot.gi_method.normal")
    return t("hot.gi_method", inference=inference, fdr=t(f"hot.gi_method.fdr.{str(convention.fdr).lower()}"))


def emerging_method(standardise: Standardise) -> str:
    """Name the emerging analysis's standardisation, in the page's language."""
    return t(f"hot.em_method.{standardise}")


class _Plain(TypedDict):
    start: date
    end: date
    groups: tuple[str, ...]
    offences: tuple[str, ...]
    communes: tuple[str, ...]


def plain(flt: IncidentFilter) -> _Plain:
    """The filter as plain values, the cache key of the period analytics."""
    return _Plain(
        start=flt.start, end=flt.end, groups=flt.groups, offences=flt.offences, communes=flt.communes
    )


def _select(
    start: date, end: date, groups: tuple[str, ...], offences: tuple[str, ...], communes: tuple[str, ...]
) -> pd.DataFrame:
    flt = IncidentFilter(start=start, end=end, groups=groups, offences=offences, communes=communes)
    return apply_filter(loaders.incidents(), flt)


@st.cache_resource(show_spinner=False, max_entries=3)
def _selected(
    url: str,
    version: str,
    *,
    start: date,
    end: date,
    groups: tuple[str, ...],
    offences: tuple[str, ...],
    communes: tuple[str, ...],
) -> pd.DataFrame:
    return loaders.freeze(_select(start, end, groups, offences, communes))


def selected(flt: IncidentFilter) -> pd.DataFrame:
    """Return the incidents of ``flt``: one read-only frame per filter for the latest filters (copy it to change it).

    A filter's analyses, counts and map share it instead of each selecting (copying) the rows again.
    """
    return _selected(*loaders.key(), **plain(flt))


def _select_all(
    groups: tuple[str, ...], offences: tuple[str, ...], communes: tuple[str, ...]
) -> pd.DataFrame:
    """The incidents of the offences and communes chosen, over the whole data span.

    Raises
    ------
    geo.DataError
        When the store holds no incident.
    """
    first, last = series.data_span(loaders.incidents())
    return _select(first, last, groups, offences, communes)


@st.cache_resource(show_spinner=False, max_entries=loaders.VERSIONS)
def _frame(url: str, version: str) -> series.GridFrame:
    found = series.grid_frame(loaders.communes())
    loaders.freeze(found.cells)
    for array in (found.ids, found.grid.inside):
        array.flags.writeable = False
    return found


def frame() -> series.GridFrame:
    """Return the district grid: one read-only object per process and store version (not unpickled per call)."""
    return _frame(*loaders.key())


@st.cache_data(show_spinner=False, max_entries=8)
def _period(
    url: str,
    version: str,
    *,
    start: date,
    end: date,
    groups: tuple[str, ...],
    offences: tuple[str, ...],
    communes: tuple[str, ...],
    inference: str = "permutation",
    fdr: bool = True,
) -> series.Period:
    convention = GiConvention(inference="normal" if inference == "normal" else "permutation", fdr=fdr)
    return series.period_analysis(
        _frame(url, version),
        _selected(url, version, start=start, end=end, groups=groups, offences=offences, communes=communes),
        start=start,
        end=end,
        communes=communes,
        convention=convention,
    )


def period(flt: IncidentFilter, convention: GiConvention | None = None) -> series.Period:
    """Return counts, yearly density and Gi* classes of the filtered period (cached)."""
    conv = convention or GiConvention()
    return _period(*loaders.key(), **plain(flt), inference=conv.inference, fdr=conv.fdr)


@st.cache_data(show_spinner=False, max_entries=16)
def _density(
    url: str,
    version: str,
    *,
    start: date,
    end: date,
    groups: tuple[str, ...],
    offences: tuple[str, ...],
    communes: tuple[str, ...],
) -> np.ndarray:
    return series.period_density(
        _frame(url, version),
        _selected(url, version, start=start, end=end, groups=groups, offences=offences, communes=communes),
        start=start,
        end=end,
        communes=communes,
    )


def density(flt: IncidentFilter) -> np.ndarray:
    """Return the yearly density of the filtered period per cell (cached; no Gi* is run for it)."""
    return _density(*loaders.key(), **plain(flt))


@st.cache_data(show_spinner=False, max_entries=4)
def _emerging(
    url: str,
    version: str,
    groups: tuple[str, ...],
    offences: tuple[str, ...],
    communes: tuple[str, ...],
    *,
    standardise: str = settings.EMERGING_STANDARDISE,
) -> Emerging | str:
    fr = _frame(url, version)
    try:
        return series.emerging_analysis(
            fr,
            _select_all(groups, offences, communes),
            communes=communes,
            standardise="cube" if standardise == "cube" else "step",
        )
    except AppError as err:
        return err.message


def emerging(flt: IncidentFilter, standardise: Standardise = settings.EMERGING_STANDARDISE) -> Emerging | str:
    """Return the emerging hot spot analysis over the whole data span, or why there is none (cached)."""
    return _emerging(*loaders.key(), flt.groups, flt.offences, flt.communes, standardise=standardise)


def texts(method: Method | None = None) -> hm.HotspotTexts:
    """Return the hotspot layers' words in the current language (naming ``method``'s conventions)."""
    method = method or Method()
    return hm.HotspotTexts(
        gi_method=gi_method(method.gi),
        emerging_method=emerging_method(method.standardise),
        density=t("hot.density"),
        density_unit=t("hot.density_unit"),
        gi=t("hot.gi"),
        emerging=t("hot.emerging"),
        commune=t("map.commune"),
        count=t("hot.count"),
        confidence=t("hot.confidence"),
        gi_labels={b: t(f"hot.gi.{b}") for b in (3, 2, 1, -1, -2, -3)},
        emerging_labels={c: (t(f"hot.em.{c}"), t(f"hot.em.{c}.why")) for c in CLASSES if c != "none"},
    )


def _decimal() -> Callable[[float], str]:
    """`ui.i18n.fmt_num` (one decimal) in the current language, read once: a layer formats every cell."""
    language = lang()
    return lambda value: format_number(value, 1, lang=language)


def _commune_names() -> dict[str, str]:
    communes = loaders.communes()
    return dict(zip(communes["code"], communes["name"], strict=True))


def _names(fr: series.GridFrame) -> list[str]:
    names = _commune_names()
    return [names.get(c, c) for c in fr.cell_codes()]


def add_layers(
    fmap: folium.Map, layers: list[str] | tuple[str, ...], flt: IncidentFilter, method: Method | None = None
) -> None:
    """Add the chosen hotspot layers (`LAYERS`) and their legend to a map built by `geo.maps.district.build_map`.

    The legend names the conventions of ``method`` (default: the recommended ones).
    """
    chosen = [layer for layer in LAYERS if layer in layers]
    if not chosen:
        return
    method = method or Method()
    fr, words = frame(), texts(method)
    names = _names(fr)
    hm.ensure_pane(fmap)
    legend = []
    if "density" in chosen:
        hm.density_layer(fr.cells, density=density(flt), communes=names, texts=words, fmt=_decimal()).add_to(
            fmap
        )
        legend.append(hm.density_legend(words))
    if "gistar" in chosen:
        per = period(flt, method.gi)
        hm.gi_layer(fr.cells, bins=per.bins, counts=per.counts, communes=names, texts=words).add_to(fmap)
        legend.append(hm.gi_legend(words))
    if "emerging" in chosen:
        result = emerging(flt, method.standardise)
        if isinstance(result, Emerging):
            category = fr.per_cell(result.category)
            hm.emerging_layer(fr.cells, category=category, communes=names, texts=words).add_to(fmap)
            legend.append(hm.emerging_legend(words, present=sorted(set(category))))
    if legend:
        hm.HotspotLegend("".join(legend)).add_to(fmap)
    hm.controls_last(fmap)


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
    names = _commune_names()
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
            return _cell_target(table, int(hits[0]), _commune_names())
    return drilldown.at_click(click, communes)


@st.cache_data(show_spinner=False, max_entries=4)
def _monthly(
    url: str,
    version: str,
    *,
    start: date,
    end: date,
    groups: tuple[str, ...],
    offences: tuple[str, ...],
    communes: tuple[str, ...],
) -> series.MonthlyDensity:
    return series.monthly_density(
        _frame(url, version),
        _selected(url, version, start=start, end=end, groups=groups, offences=offences, communes=communes),
        start=start,
        end=end,
        communes=communes,
    )


def _base_map(days: int, legend: str) -> folium.Map:
    plan = loaders.plan()
    empty = loaders.incidents().iloc[0:0]
    build = build_map(
        loaders.communes(),
        empty,
        targets=plan.targets,
        layers=("boundaries",),
        days=days,
        lang=lang(),
        texts=widgets.map_texts(),
    )
    hm.ensure_pane(build.map)
    hm.HotspotLegend(legend).add_to(build.map)
    return build.map


def _basemap_config() -> str:
    """The basemap settings as text: a cache key of every rendered map (`geo.maps.basemap.read_config`)."""
    return repr(read_config())


@st.cache_resource(show_spinner=False, max_entries=4)
def _month_base(url: str, version: str, *, days: int, language: str, basemap_config: str) -> mapview.Rendered:
    """The month slider's map without its month layers, rendered once (the layers come as feature groups)."""
    return mapview.render(_base_map(days, hm.density_legend(texts())), key=TIME_MAP_KEY)


def _month_layers(
    url: str,
    version: str,
    *,
    start: date,
    end: date,
    groups: tuple[str, ...],
    offences: tuple[str, ...],
    communes: tuple[str, ...],
    step: int,
    language: str,
) -> tuple[int, list[folium.FeatureGroup]]:
    """The incidents of the month ``step`` of the period, and its layers: density, and points when few enough."""
    monthly = _monthly(
        url, version, start=start, end=end, groups=groups, offences=offences, communes=communes
    )
    first, last = series.month_window(monthly.months[step], start=start, end=end)
    month = _select(first, last, groups, offences, communes)
    fr, words = _frame(url, version), texts()
    layers = [
        hm.density_layer(
            fr.cells, density=monthly.yearly[step], communes=_names(fr), texts=words, fmt=_decimal()
        )
    ]
    if len(month) <= settings.POINTS_MAX:
        layers.append(
            hm.points_layer(lon=month["lon"].to_numpy(), lat=month["lat"].to_numpy(), name=t("map.points"))
        )
    return len(month), layers


@st.cache_resource(show_spinner=False, max_entries=48)
def _month_rendered(
    url: str,
    version: str,
    *,
    start: date,
    end: date,
    groups: tuple[str, ...],
    offences: tuple[str, ...],
    communes: tuple[str, ...],
    step: int,
    language: str,
    days: int,
    basemap_config: str,
) -> tuple[int, mapview.Rendered]:
    """The month ``step``'s map: the rendered base map with that month's layers (cached per month)."""
    n, layers = _month_layers(
        url,
        version,
        start=start,
        end=end,
        groups=groups,
        offences=offences,
        communes=communes,
        step=step,
        language=language,
    )
    base = _month_base(url, version, days=days, language=language, basemap_config=basemap_config)
    return n, mapview.with_groups(base, layers)


PLAY_KEY = "hot.time.play"
MONTH_KEY = "hot.time.month"
TIME_MAP_KEY = "hot-time-map"


def time_section(flt: IncidentFilter, *, heading: bool = True) -> None:
    """A month slider (with a play toggle) stepping the incident and density layers through the period."""
    months = _monthly(*loaders.key(), **plain(flt)).months
    if len(months) < 2:
        return
    if heading:
        st.subheader(t("hot.time.header"))
    labels = [f"{m:%m/%Y}" for m in months]
    if st.session_state.get(MONTH_KEY) not in labels:
        st.session_state[MONTH_KEY] = labels[-1]
    playing = st.toggle(t("hot.time.play"), key=PLAY_KEY)

    @st.fragment(run_every=1.5 if playing else None)
    def player() -> None:
        if playing:
            position = labels.index(st.session_state[MONTH_KEY])
            st.session_state[MONTH_KEY] = labels[(position + 1) % len(labels)]
        label = st.select_slider(t("hot.time.month"), options=labels, key=MONTH_KEY)
        step = labels.index(label)
        n, rendered = _month_rendered(
            *loaders.key(),
            **plain(flt),
            step=step,
            language=lang(),
            days=flt.days,
            basemap_config=_basemap_config(),
        )
        if n <= settings.POINTS_MAX:
            st.caption(t("hot.time.caption", n=fmt_int(n), month=label))
        else:
            st.caption(t("hot.time.too_many", n=fmt_int(n)))
        mapview.show(rendered, key=TIME_MAP_KEY, height=520, returned_objects=[])

    player()


@st.cache_data(show_spinner=False, max_entries=4)
def _compare(
    url: str, version: str, groups: tuple[str, ...], offences: tuple[str, ...], communes: tuple[str, ...]
) -> series.Comparison:
    windows = windows_for(loaders.incidents(), loaders.plan())
    return series.compare_periods(
        _frame(url, version),
        _select_all(groups, offences, communes),
        before_start=windows.before_start,
        start=windows.start,
        after_end=windows.after_end,
        before_months=windows.before_months,
        after_months=windows.after_months,
        communes=communes,
    )


def compare_section(flt: IncidentFilter, *, heading: bool = True) -> None:
    """Two density maps side by side: the plan's before and after windows, on the same fixed scale."""
    try:
        result = _compare(*loaders.key(), flt.groups, flt.offences, flt.communes)
    except AppError as err:
        st.info(t("error.data", msg=md(err.message)))
        return
    if heading:
        st.subheader(t("hot.compare.header"))
    st.caption(
        t(
            "hot.compare.caption",
            before=result.before_months,
            after=result.after_months,
            start=fmt_date(result.start),
        )
    )
    maps = _compare_rendered(
        *loaders.key(),
        flt.groups,
        flt.offences,
        flt.communes,
        days=flt.days,
        language=lang(),
        basemap_config=_basemap_config(),
    )
    columns = st.columns(2)
    spans = (
        (result.before_start, result.before_last, "hot.compare.before", COMPARE_MAP_KEYS[0]),
        (result.start, result.after_last, "hot.compare.after", COMPARE_MAP_KEYS[1]),
    )
    for column, (a, b, label, key), rendered in zip(columns, spans, maps, strict=True):
        with column:
            st.markdown(f"**{t(label, start=fmt_date(a), end=fmt_date(b))}**")
            mapview.show(rendered, key=key, height=440, returned_objects=[])


COMPARE_MAP_KEYS = ("hot-before-map", "hot-after-map")


@st.cache_resource(show_spinner=False, max_entries=8)
def _compare_rendered(
    url: str,
    version: str,
    groups: tuple[str, ...],
    offences: tuple[str, ...],
    communes: tuple[str, ...],
    *,
    days: int,
    language: str,
    basemap_config: str,
) -> tuple[mapview.Rendered, mapview.Rendered]:
    """The before and after density maps, rendered once per filter, language and basemap."""
    result = _compare(url, version, groups, offences, communes)
    fr, words = _frame(url, version), texts()
    names = _names(fr)
    out = []
    for analysis, key in zip((result.before, result.after), COMPARE_MAP_KEYS, strict=True):
        fmap = _base_map(days, hm.density_legend(words))
        hm.density_layer(
            fr.cells, density=analysis.density, communes=names, texts=words, fmt=_decimal()
        ).add_to(fmap)
        hm.controls_last(fmap)
        out.append(mapview.render(fmap, key=key))
    return out[0], out[1]


CELLS_OPEN = "map.open.cells"
TIME_OPEN = "map.open.time"
COMPARE_OPEN = "map.open.compare"
"""Keys of /map's secondary sections (expanders): each is built only while open (`st.session_state[key]`)."""


def _section(label: str, key: str) -> DeltaGenerator | None:
    """An expander that reruns its fragment when opened or closed; return it while open, else None."""
    box = st.expander(label, key=key, on_change="rerun")
    return box if box.open else None


def _fragment_rerun() -> bool:
    """True while only a fragment reruns (not the whole page)."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


@st.fragment
def lazy_hot_cells(
    flt: IncidentFilter, method: Method, names: dict[str, str], incidents: drilldown.Incidents
) -> None:
    """The hot-cell table in an expander, built only while open; a selected row opens its cell's list.

    Its widgets rerun only this fragment; a row that opens a list reruns the page, which shows it.
    """
    box = _section(t("hot.table"), CELLS_OPEN)
    if box is None:
        return
    with box:
        cell = hot_cells_section(flt, method, heading=False)
    opened = drilldown.pick("map.cells", cell, cell, incidents, names=names, grid=frame().grid)
    if opened and _fragment_rerun():
        st.rerun()


@st.fragment
def lazy_time(flt: IncidentFilter) -> None:
    """The month slider in an expander (over a period of two months or more), built only while open."""
    if len(months_between(flt.start, flt.end)) < 2:
        return
    box = _section(t("hot.time.header"), TIME_OPEN)
    if box is not None:
        with box:
            time_section(flt, heading=False)


@st.fragment
def lazy_compare(flt: IncidentFilter) -> None:
    """The before/after density maps in an expander, built only while open."""
    box = _section(t("hot.compare.header"), COMPARE_OPEN)
    if box is not None:
        with box:
            compare_section(flt, heading=False)


def target_shares(flt: IncidentFilter) -> pd.DataFrame | None:
    """Return each target's hot cells and the share diminishing or historical (None without an analysis)."""
    result = emerging(flt)
    if not isinstance(result, Emerging):
        return None
    return hot_class_shares(result, frame().communes, list(loaders.plan().targets))


def targets_section(flt: IncidentFilter) -> None:
    """Show, per target commune, the share of its hot cells that are diminishing or historical."""
    shares = target_shares(flt)
    st.subheader(t("hot.targets.header"))
    if shares is None:
        emerging_caption(flt)
        return
    st.caption(t("hot.targets.caption"))
    names = _commune_names()
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


def unlocated_caption(incidents: pd.DataFrame, communes: pd.DataFrame) -> str:
    """Return how many of ``incidents`` the point and density layers leave out (no coordinates), per commune."""
    counts = unlocated_by_commune(incidents)
    names = units.names(communes)
    shown = ", ".join(
        f"{md(names.get(str(code), str(code)))} {fmt_int(n)}" for code, n in counts.head(8).items()
    )
    unit = md(loaders.area().unit_word)
    more = " " + t("unlocated.more", n=fmt_int(len(counts) - 8), unit=unit) if len(counts) > 8 else ""
    return t("unlocated.caption", n=fmt_int(int(counts.sum())), where=shown + more)
