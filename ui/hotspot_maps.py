"""The hot spot maps: the layers on /map's main map, the month slider's map and the before/after maps.

Maps are built from the cached analyses (`ui.hotspot_data`); a `folium.Map` is never cached, the
secondary maps are rendered once per filter (`ui.mapview`) and reused.
"""

from __future__ import annotations

from collections.abc import Callable

import folium
import pandas as pd
import streamlit as st

from geo import AppError, settings
from geo.filters import IncidentFilter
from geo.formatting import format_number
from geo.hotspots import series
from geo.hotspots.emerging import CLASSES, Emerging, Standardise
from geo.hotspots.gistar import GiConvention
from geo.incidents import FRAME, typed
from geo.maps import hotspot_layers as hm
from geo.maps.basemap import read_config
from geo.maps.district import build_map
from ui import loaders, mapview, widgets
from ui.hotspot_data import (
    Method,
    Query,
    comparison,
    density,
    emerging,
    frame,
    month_incidents,
    monthly,
    period,
)
from ui.i18n import fmt_date, fmt_int, lang, md, t

LAYERS = ("density", "gistar", "emerging")
"""Hotspot layer keys offered next to `geo.maps.district.LAYERS` on /map."""


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


def decimal() -> Callable[[float], str]:
    """`ui.i18n.fmt_num` (one decimal) in the current language, read once: a layer formats every cell."""
    language = lang()
    return lambda value: format_number(value, 1, lang=language)


def commune_names() -> dict[str, str]:
    """Return the name of every commune by its code."""
    communes = loaders.communes()
    return dict(zip(communes["code"], communes["name"], strict=True))


def cell_names(fr: series.GridFrame) -> list[str]:
    """Return the name of the commune of every cell of ``fr`` (in the order of its cells)."""
    names = commune_names()
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
    names = cell_names(fr)
    hm.ensure_pane(fmap)
    legend = []
    if "density" in chosen:
        hm.density_layer(
            fr.cells, density=density(flt), communes=names, texts=words, fmt=decimal(), grid=fr.grid
        ).add_to(fmap)
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


def _no_incidents() -> pd.DataFrame:
    """An empty incidents frame (the base maps draw boundaries only): built, not sliced from the rows."""
    return typed(pd.DataFrame(columns=list(FRAME)))


def _base_map(days: int, legend: str) -> folium.Map:
    build = build_map(
        loaders.communes(),
        _no_incidents(),
        targets=loaders.plan().targets,
        layers=("boundaries",),
        days=days,
        lang=lang(),
        texts=widgets.map_texts(),
    )
    hm.ensure_pane(build.map)
    hm.HotspotLegend(legend).add_to(build.map)
    return build.map


def basemap_config() -> str:
    """The basemap settings as text: a cache key of every rendered map (`geo.maps.basemap.read_config`)."""
    return repr(read_config())


# -- the month slider -------------------------------------------------------------------------------
PLAY_KEY = "hot.time.play"
MONTH_KEY = "hot.time.month"
TIME_MAP_KEY = "hot-time-map"


@st.cache_resource(show_spinner=False, max_entries=4)
def _month_base(url: str, version: str, *, days: int, language: str, basemap_config: str) -> mapview.Rendered:
    """The month slider's map without its month layers, rendered once (the layers come as feature groups)."""
    return mapview.render(_base_map(days, hm.density_legend(texts())), key=TIME_MAP_KEY)


def _month_layers(q: Query, step: int) -> tuple[int, list[folium.FeatureGroup]]:
    """The incidents of the month ``step`` of the period, and its layers: density, and points when few enough."""
    start, end = q.span()
    found = monthly(q)
    first, last = series.month_window(found.months[step], start=start, end=end)
    n, points = month_incidents(q.days(first, last))
    fr, words = frame(), texts()
    layers = [
        hm.density_layer(
            fr.cells, density=found.yearly[step], communes=cell_names(fr), texts=words, fmt=decimal()
        )
    ]
    if points is not None:
        layers.append(hm.points_layer(lon=points[0], lat=points[1], name=t("map.points")))
    return n, layers


@st.cache_resource(show_spinner=False, max_entries=48)
def _month_rendered(
    q: Query, step: int, *, language: str, days: int, basemap_config: str
) -> tuple[int, mapview.Rendered]:
    """The month ``step``'s map: the rendered base map with that month's layers (cached per month)."""
    n, layers = _month_layers(q, step)
    base = _month_base(q.url, q.version, days=days, language=language, basemap_config=basemap_config)
    return n, mapview.with_groups(base, layers)


def time_section(flt: IncidentFilter, *, heading: bool = True) -> None:
    """A month slider (with a play toggle) stepping the incident and density layers through the period."""
    q = Query.of(flt)
    months = monthly(q).months
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
        n, rendered = _month_rendered(
            q, labels.index(label), language=lang(), days=flt.days, basemap_config=basemap_config()
        )
        if n <= settings.POINTS_MAX:
            st.caption(t("hot.time.caption", n=fmt_int(n), month=label))
        else:
            st.caption(t("hot.time.too_many", n=fmt_int(n)))
        mapview.show(rendered, key=TIME_MAP_KEY, height=520, returned_objects=[])

    player()


# -- before and after -------------------------------------------------------------------------------
COMPARE_MAP_KEYS = ("hot-before-map", "hot-after-map")


@st.cache_resource(show_spinner=False, max_entries=8)
def _compare_rendered(
    q: Query, *, days: int, language: str, basemap_config: str
) -> tuple[mapview.Rendered, mapview.Rendered]:
    """The before and after density maps, rendered once per filter, language and basemap."""
    result = comparison(q)
    fr, words = frame(), texts()
    names = cell_names(fr)
    out = []
    for analysis, key in zip((result.before, result.after), COMPARE_MAP_KEYS, strict=True):
        fmap = _base_map(days, hm.density_legend(words))
        hm.density_layer(
            fr.cells, density=analysis.density, communes=names, texts=words, fmt=decimal()
        ).add_to(fmap)
        hm.controls_last(fmap)
        out.append(mapview.render(fmap, key=key))
    return out[0], out[1]


def compare_section(flt: IncidentFilter, *, heading: bool = True) -> None:
    """Two density maps side by side: the plan's before and after windows, on the same fixed scale."""
    q = Query.of(flt).all_time()
    try:
        result = comparison(q)
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
        q,
        days=flt.days,
        language=lang(),
        basemap_config=basemap_config(),
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
