"""/map's results per filter, cached on plain values, so a rerun redraws without recomputing (issue 14).

A rerun with nothing changed, or back to a filter seen before, reads everything /map shows from
here: the number of incidents, the per-unit table and the main map already rendered to text
(`ui.mapview`). The filtered incidents themselves are selected only on a cache miss, or when a
drill-down list opens (`matched`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from geo import settings
from geo.aggregate import RATE_BREAKS, commune_counts, unlocated_by_commune
from geo.filters import IncidentFilter
from geo.maps.basemap import read_config
from geo.maps.district import build_map
from geo.maps.mapcounts import MapCounts, cells_from_blocks
from geo.maps.search import Place
from geo.prepared import count_table
from geo.store.rows import Selection
from ui import basemap, drilldown, hotspots, loaders, mapview, sections, source, units, widgets
from ui.i18n import fmt_int, lang, md, t

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
    flt = _filter(start, end, groups, offences, communes)
    if source.pushdown():
        per_unit = source.unit_counts(flt)
        return Summary(int(per_unit["n"].sum()), tuple(per_unit["commune_code"].astype(str)))
    found = matched(flt)
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
    if not source.pushdown():
        return commune_counts(recoded(matched(flt), recode), _units, days=flt.days)
    per_unit = _recoded_counts(source.unit_counts(flt).set_index("commune_code")["n"], recode)
    if not loaders.has_status():  # a ledger without statuses: no clearance column, nothing to count
        return count_table(_units, per_unit, days=flt.days)
    status = loaders.store().status_counts(source.window(flt))
    if recode and len(status):
        mapping = dict(recode)
        status = status.groupby(status.index.map(lambda code: mapping.get(str(code), str(code)))).sum()
    return count_table(
        _units, per_unit, days=flt.days, status=status if status["with_status"].sum() else None
    )


def _recoded_counts(counts: pd.Series, recode: tuple[tuple[str, str], ...]) -> pd.Series:
    """Return counts per unit code re-coded by ``recode`` (old → new) and summed under the new codes."""
    if not recode:
        return counts
    mapping = dict(recode)
    return counts.groupby(counts.index.map(lambda code: mapping.get(str(code), str(code)))).sum()


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


def listed(flt: IncidentFilter, recode: tuple[tuple[str, str], ...] = ()) -> drilldown.Incidents:
    """Return what /map's lists (a unit row, a clicked place, a hot cell) read their incidents from.

    With push-down the filter itself (`ui.drilldown.Source`: the store reads each list a page at a
    time); otherwise the process's shared incidents, selected when a list opens.
    """
    if source.pushdown():
        return drilldown.Source(flt, recode)
    return counted(flt, recode) if recode else partial(matched, flt)


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
    found = None if source.pushdown() else matched(flt)
    build = build_map(
        shared,
        _counted(flt, layers) if found is None else drilldown.for_popups(found),
        targets=loaders.plan().targets,
        layers=layers,
        days=flt.days,
        lang=language,
        texts=widgets.map_texts(),
        # The breaks scan the whole span (every unit's rate): only a choropleth shows them.
        breaks=widgets.rate_breaks(flt) if "choropleth" in layers else RATE_BREAKS,
        focus=flt.communes,
    )
    hotspots.add_layers(build.map, layers, flt, _method)
    if _place is not None:
        basemap.centre_on(build.map, _place)
    caption = ""
    if build.n_unlocated:
        left_out = unlocated_by_commune(found) if found is not None else _unlocated(flt)
        caption = unlocated_caption(left_out, shared)
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


POINTS_READ_MAX = 20_000
"""Most rows a push-down map reads to draw its few located incidents one by one (unlocated ones included)."""


def _counted(flt: IncidentFilter, layers: tuple[str, ...]) -> MapCounts:
    """The map's counts from the database: per unit, located, the busiest map cells and (when few) the rows."""
    store, window = loaders.store(), source.window(flt)
    per_unit = source.unit_counts(flt).set_index("commune_code")["n"]
    grid = store.aggregate_grid()
    block = max(1, round(settings.HEAT_CELL_M / grid.pixel_m)) if grid is not None else 1
    if grid is not None and {"points", "heat"} & set(layers):
        blocks, n_located = store.busiest_blocks(window, block=block, limit=settings.HEAT_MAX_CELLS)
    else:
        blocks = pd.DataFrame({"gx": [], "gy": [], "n": []})
        n_located = int(source.located_counts(flt)["n"].sum())
    n = int(per_unit.sum())
    points = None
    if "points" in layers and 0 < n_located <= settings.POINTS_MAX and n <= POINTS_READ_MAX:
        rows = store.page(Selection(window), limit=n, order="oldest")
        points = drilldown.for_popups(rows[rows["lon"].notna() & rows["lat"].notna()])
    return MapCounts(
        per_unit=per_unit[per_unit > 0],
        n=n,
        n_located=n_located,
        cells=cells_from_blocks(
            blocks,
            cell_m=block * grid.pixel_m if grid is not None else settings.HEAT_CELL_M,
            crs=grid.crs if grid is not None else settings.CRS_METRIC,
        ),
        points=points,
    )


def _unlocated(flt: IncidentFilter) -> pd.Series:
    """Incidents without coordinates per unit code, largest first (counts from the database)."""
    per_unit = source.unit_counts(flt).set_index("commune_code")["n"]
    located = source.located_counts(flt).set_index("commune_code")["n"]
    left_out = per_unit.sub(located, fill_value=0).astype(int)
    left_out = left_out[left_out > 0]
    return left_out.iloc[np.lexsort((left_out.index.to_numpy(dtype=str), -left_out.to_numpy()))]


def unlocated_caption(counts: pd.Series, communes: pd.DataFrame) -> str:
    """Return how many incidents the point and density layers leave out (no coordinates), per unit (``counts``)."""
    names = units.names(communes)
    shown = ", ".join(
        f"{md(names.get(str(code), str(code)))} {fmt_int(n)}" for code, n in counts.head(8).items()
    )
    unit = md(loaders.area().unit_word)
    more = " " + t("unlocated.more", n=fmt_int(len(counts) - 8), unit=unit) if len(counts) > 8 else ""
    return t("unlocated.caption", n=fmt_int(int(counts.sum())), where=shown + more)


TABLE_OPEN = "map.open.table"
"""Key of /map's unit table section (an expander built only while open, like `ui.hotspots`' sections)."""


@st.fragment
def lazy_unit_table(flt: IncidentFilter, communes: pd.DataFrame, targets: tuple[str, ...]) -> None:
    """/map's per-unit table in an expander, built only while open; a selected row opens its unit's list.

    Closed, the page sends no table (the browser loads no data grid for it). Its layer choice reruns
    only this fragment; a row that opens a list reruns the page, which shows it.
    """
    box = sections.lazy(t("map.table"), TABLE_OPEN)
    if box is None:
        return
    with box:
        regrouped, units_shown, (codes,) = units.choose(communes, codes_frame(flt))
        recode = (
            tuple(zip(codes_frame(flt)["commune_code"], codes["commune_code"].astype(str), strict=True))
            if regrouped
            else ()
        )
        row = widgets.commune_table(
            commune_table(flt, units_shown, recode), targets=() if regrouped else targets, selectable=True
        )
    opened = drilldown.pick_commune("map.table", row, listed(flt, recode), units_shown)
    if opened and sections.fragment_rerun():
        st.rerun()
