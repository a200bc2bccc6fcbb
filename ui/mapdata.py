"""/map's results per filter, cached on plain values, so a rerun redraws without recomputing (issue 14).

A rerun with nothing changed, or back to a filter seen before, reads everything /map shows from
here: the number of incidents, the per-unit table and the main map already rendered to text
(`ui.mapview`). The filtered incidents themselves are selected only on a cache miss, or when a
drill-down list opens (`matched`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo.aggregate import commune_counts
from geo.filters import IncidentFilter
from geo.maps.basemap import read_config
from geo.maps.district import build_map
from geo.maps.search import Place
from ui import basemap, drilldown, hotspots, loaders, mapview, widgets
from ui.i18n import lang

MAP_KEY = "hotspot-map"
"""Widget key of /map's main map."""


def _filter(
    start: object, end: object, groups: tuple[str, ...], offences: tuple[str, ...], communes: tuple[str, ...]
) -> IncidentFilter:
    return IncidentFilter(start=start, end=end, groups=groups, offences=offences, communes=communes)  # type: ignore[arg-type]


def matched(flt: IncidentFilter) -> pd.DataFrame:
    """Return the incidents of ``flt`` (read-only, shared with the hotspot analyses: `ui.hotspots.selected`)."""
    return hotspots.selected(flt)


@dataclass(frozen=True)
class Summary:
    """How many incidents a filter matches, and the unit codes they carry."""

    n: int
    codes: tuple[str, ...]


@st.cache_data(show_spinner=False, max_entries=32)
def _summary(
    url: str,
    version: str,
    *,
    start: object,
    end: object,
    groups: tuple[str, ...],
    offences: tuple[str, ...],
    communes: tuple[str, ...],
) -> Summary:
    found = matched(_filter(start, end, groups, offences, communes))
    return Summary(len(found), tuple(pd.unique(found["commune_code"].astype(str))))


def summary(flt: IncidentFilter) -> Summary:
    """Return how many incidents ``flt`` matches and their unit codes (cached per filter)."""
    return _summary(*loaders.key(), **hotspots.plain(flt))


def codes_frame(flt: IncidentFilter) -> pd.DataFrame:
    """One row per unit code the filter's incidents carry (what `ui.units.choose` needs to draw its choice)."""
    return pd.DataFrame({"commune_code": list(summary(flt).codes)}, dtype=object)


@st.cache_data(show_spinner=False, max_entries=32)
def _commune_table(
    url: str,
    version: str,
    *,
    start: object,
    end: object,
    groups: tuple[str, ...],
    offences: tuple[str, ...],
    communes: tuple[str, ...],
    recode: tuple[tuple[str, str], ...],
    _units: pd.DataFrame,
) -> pd.DataFrame:
    flt = _filter(start, end, groups, offences, communes)
    return commune_counts(recoded(matched(flt), recode), _units, days=flt.days)


def recoded(incidents: pd.DataFrame, recode: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """Return ``incidents`` with their unit codes re-coded by ``recode`` (pairs old → new; empty: as they are)."""
    if not recode:
        return incidents
    return incidents.assign(commune_code=incidents["commune_code"].astype(str).map(dict(recode)))


def commune_table(
    flt: IncidentFilter, units: pd.DataFrame, recode: tuple[tuple[str, str], ...]
) -> pd.DataFrame:
    """Return the per-unit counts of ``flt`` in ``units`` (`geo.aggregate.commune_counts`; cached per filter).

    ``recode`` maps the incidents' unit codes to ``units``' (the newer layer of `ui.units.choose`),
    empty when they count as stored; ``units`` follow from the store's version, the filter and ``recode``.
    """
    return _commune_table(*loaders.key(), **hotspots.plain(flt), recode=recode, _units=units)


def counted(flt: IncidentFilter, recode: tuple[tuple[str, str], ...]) -> Callable[[], pd.DataFrame]:
    """Return a function giving the incidents the unit table counts (for its drill-down, on demand)."""
    return lambda: recoded(matched(flt), recode)


@dataclass(frozen=True)
class MainMap:
    """/map's main map rendered, with what the captions under it say."""

    rendered: mapview.Rendered
    points_mode: str
    n_markers: int
    n_incidents: int
    n_unlocated: int
    unlocated_caption: str


@st.cache_resource(show_spinner=False, max_entries=12)
def _main_map(
    url: str,
    version: str,
    *,
    start: object,
    end: object,
    groups: tuple[str, ...],
    offences: tuple[str, ...],
    communes: tuple[str, ...],
    layers: tuple[str, ...],
    inference: str,
    fdr: bool,
    standardise: str,
    language: str,
    basemap_config: str,
    place: str,
    _method: hotspots.Method,
    _place: Place | None,
) -> MainMap:
    flt = _filter(start, end, groups, offences, communes)
    shared = loaders.communes()
    found = matched(flt)
    build = build_map(
        shared,
        drilldown.for_popups(found),
        targets=loaders.plan().targets,
        layers=layers,
        days=flt.days,
        lang=language,
        texts=widgets.map_texts(),
        breaks=widgets.rate_breaks(flt),
        focus=flt.communes,
    )
    hotspots.add_layers(build.map, layers, flt, _method)
    if _place is not None:
        basemap.centre_on(build.map, _place)
    caption = hotspots.unlocated_caption(found, shared) if build.n_unlocated else ""
    return MainMap(
        mapview.render(build.map, key=MAP_KEY),
        build.points_mode,
        build.n_markers,
        build.n_incidents,
        build.n_unlocated,
        caption,
    )


def main_map(
    flt: IncidentFilter, layers: list[str] | tuple[str, ...], method: hotspots.Method, place: Place | None
) -> MainMap:
    """Return /map's main map for ``flt`` and the layers chosen, rendered once per process and reused.

    Keyed on everything the map shows: the store's version, the filter, the layers, the hotspot
    conventions, the language, the basemap settings and the searched place.
    """
    return _main_map(
        *loaders.key(),
        **hotspots.plain(flt),
        layers=tuple(layers),
        inference=method.gi.inference,
        fdr=method.gi.fdr,
        standardise=method.standardise,
        language=lang(),
        basemap_config=repr(read_config()),
        place=repr(place),
        _method=method,
        _place=place,
    )
