"""Reusable display pieces: the map component, its class breaks and the per-commune table."""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler
from streamlit_folium import st_folium

from geo import aggregate
from geo.aggregate import span_rate_breaks
from geo.filters import IncidentFilter
from geo.maps.district import MapBuild, MapTexts
from geo.plan import marked
from geo.prepared import count_table
from geo.taxonomy import fold
from ui import loaders, source
from ui.i18n import fmt_int, md, number_format, t

TABLE_PAGE_ROWS = 25
"""Rows per page of a long per-commune table."""

TABLE_PAGED_ABOVE = 30
"""A per-commune table longer than this gets a name search and pages (shorter ones show whole)."""


def map_texts() -> MapTexts:
    """Return the map's words in the current language."""
    return MapTexts(
        boundaries=t("map.boundaries"),
        choropleth=t("map.choropleth"),
        points=t("map.points"),
        heat=t("map.heat"),
        target=t("map.target"),
        commune=t("map.commune"),
        incidents_unit=t("map.unit"),
        approximate=t("map.approximate"),
        aggregated=t("map.aggregated"),
        no_population=t("map.no_population"),
        address=t("drill.address"),
        status=t("drill.status"),
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _rate_breaks(
    url: str, version: str, groups: tuple[str, ...], offences: tuple[str, ...]
) -> tuple[float, ...]:
    if source.pushdown():
        return _rate_breaks_counted(groups, offences)
    incidents = loaders.incidents()
    times = incidents["occurred_at"].to_numpy()
    keep = ~np.isnat(times)  # the whole data span: every incident with a time
    if groups:
        keep &= incidents["offence_group"].isin(groups).to_numpy()
    if offences:
        keep &= incidents["offence_code"].isin(offences).to_numpy()
    # Only what a unit's rate needs: its incidents' units and times (no copy of every column).
    chosen = pd.DataFrame(
        {"occurred_at": times[keep], "commune_code": incidents["commune_code"].to_numpy()[keep]}
    )
    return span_rate_breaks(chosen, loaders.communes())


def _rate_breaks_counted(groups: tuple[str, ...], offences: tuple[str, ...]) -> tuple[float, ...]:
    """`span_rate_breaks` from the database: every unit's count over the offences' own span (no row read)."""
    stored = loaders.span()
    if stored.first is None or stored.last is None:
        return aggregate.RATE_BREAKS
    every = IncidentFilter(
        start=stored.first.date(), end=stored.last.date(), groups=groups, offences=offences
    )
    counted = source.unit_counts(every, by=("commune_code", "month"))  # one query: the units and the months
    edges = loaders.store().window_span(
        source.window(every), months=counted["month"].astype(str).unique().tolist()
    )
    if edges is None:
        return aggregate.RATE_BREAKS
    days = (edges[1].date() - edges[0].date()).days + 1
    per_unit = counted.groupby("commune_code")["n"].sum()
    return aggregate.rate_breaks(count_table(loaders.communes(), per_unit, days=days)["rate"])


def rate_breaks(flt: IncidentFilter) -> tuple[float, ...]:
    """Return the choropleth's class breaks for the offences of ``flt`` (cached until the store changes).

    Chosen once from every unit's rate over the whole data span (`geo.aggregate.span_rate_breaks`),
    whatever the filter's dates and communes, so a colour means the same rate in every period.
    """
    return _rate_breaks(*loaders.key(), flt.groups, flt.offences)


def swatch(colour: str, *, border: str = "1px solid #999") -> str:
    """Return the HTML of a small colour box for a legend drawn with ``st.markdown`` (colours are ours)."""
    return (
        f'<span style="display:inline-block;width:1.1em;height:0.9em;background:{colour};'
        f'border:{border};vertical-align:-1px"></span>'
    )


def show_map(
    build: MapBuild, *, key: str, height: int = 620, clicks: bool = False
) -> tuple[float, float] | None:
    """Render a built map; panning never reruns the page.

    With ``clicks``, a click on the map (not on a point, whose popup opens instead) reruns the page
    and its ``(lat, lon)`` is returned, until the next click; otherwise None.
    """
    returned = ["last_clicked"] if clicks else []
    out = st_folium(build.map, key=key, height=height, use_container_width=True, returned_objects=returned)
    clicked = out.get("last_clicked") if clicks and isinstance(out, dict) else None
    if not isinstance(clicked, dict):
        return None
    try:
        return float(clicked["lat"]), float(clicked["lng"])
    except (KeyError, TypeError, ValueError):
        return None


def localized(view: pd.DataFrame, formats: Mapping[str, Callable[[float], str]]) -> Styler:
    """Return ``view`` styled so its numbers read in the UI language (1.234,5 in Vietnamese).

    Only the displayed text changes: sorting and the values a test reads stay numeric.
    """
    present: dict[Any, Any] = {column: fmt for column, fmt in formats.items() if column in view.columns}
    return view.style.format(present, na_rep="")


def text_table(table: pd.DataFrame) -> None:
    """Show a small static table with every cell and header as written.

    `st.table` reads its cells as markdown: a value from an imported file could become a link, an
    image the browser fetches, a formula or bold text. Each cell goes through `ui.i18n.md` first.
    """
    shown = table.astype(str).map(md)
    shown.columns = [md(column) for column in table.columns]
    st.table(shown, hide_index=True)


def _page_of(table: pd.DataFrame, *, key: str) -> pd.DataFrame | None:
    """Draw the name search and page selector of a long table; return the rows to show (None: no match)."""
    search_key, page_key = f"{key}.search", f"{key}.page"
    left, right = st.columns([3, 1])
    with left:
        query = st.text_input(
            t("table.search"), key=search_key, on_change=lambda: st.session_state.update({page_key: 1})
        )
    folded = fold(query)
    if folded:
        table = table[[folded in fold(str(name)) for name in table["name"]]]
    if table.empty:
        st.info(t("table.no_match", query=md(query.strip())))
        return None
    pages = math.ceil(len(table) / TABLE_PAGE_ROWS)
    if int(st.session_state.get(page_key, 1)) > pages:
        st.session_state[page_key] = pages
    with right:
        page = int(st.number_input(t("table.page"), min_value=1, max_value=pages, step=1, key=page_key))
    first = (page - 1) * TABLE_PAGE_ROWS
    shown = table.iloc[first : first + TABLE_PAGE_ROWS]
    st.caption(
        t("table.rows", first=fmt_int(first + 1), last=fmt_int(first + len(shown)), n=fmt_int(len(table)))
    )
    return shown


def commune_table(
    table: pd.DataFrame,
    *,
    targets: tuple[str, ...],
    show_code: bool = True,
    key: str = "communes",
    selectable: bool = False,
) -> str | None:
    """Show the per-commune counts (from `geo.aggregate.commune_counts`) with translated headers.

    Up to `TABLE_PAGED_ABOVE` rows every commune is shown without an inner scroll bar; a longer table
    gets a search by name (without diacritics: `geo.taxonomy.fold`) and pages of `TABLE_PAGE_ROWS`
    rows, its widgets keyed under ``key``. ``show_code=False`` hides the GSO code (meeting view).
    With ``selectable`` a row can be selected; return the code of the selected commune (else None).
    The selection is keyed on the rows shown, so a new page, search or order starts unselected.
    """
    if len(table) > TABLE_PAGED_ABOVE:
        page = _page_of(table, key=key)
        if page is None:
            return None
        table = page
    view = pd.DataFrame(
        {
            t("col.commune"): [
                marked(n, target=c in targets) for c, n in zip(table["code"], table["name"], strict=True)
            ],
            t("col.code"): table["code"],
            t("col.count"): table["count"],
        }
    )
    formats = {t("col.count"): number_format()}
    if "previous" in table:
        view[t("col.previous")] = table["previous"]
        view[t("col.change")] = table["change"]
        view[t("col.change_pct")] = table["change_pct"]
        formats[t("col.previous")] = number_format()
        formats[t("col.change")] = number_format(signed=True)
        formats[t("col.change_pct")] = number_format(1, signed=True, suffix="%")
    view[t("col.rate")] = table["rate"]
    view[t("col.population")] = table["population"]
    formats[t("col.rate")] = number_format(1)
    formats[t("col.population")] = number_format()
    if "clearance" in table:  # a status is imported (geo.clearance): blank where a unit has none
        view[t("clearance.col")] = table["clearance"]
        formats[t("clearance.col")] = number_format(1, suffix="%")
    if not show_code:
        view = view.drop(columns=t("col.code"))
    if not selectable:
        st.dataframe(localized(view, formats), hide_index=True, width="stretch", height="content")
        return None
    return selected_row(localized(view, formats), list(table["code"].astype(str)), key=f"{key}.rows")


def selected_row(
    view: pd.DataFrame | Styler, ids: list[str], *, key: str, height: int | Literal["content"] = "content"
) -> str | None:
    """Show ``view`` with one row selectable; return the id (from ``ids``, one per row) of the selected row.

    The widget's key carries a digest of ``ids``, so a table whose rows change (a filter, a page)
    starts with no selection instead of pointing at whatever row now sits at the old position.
    """
    digest = zlib.crc32("\x1f".join(ids).encode("utf-8"))
    event = st.dataframe(
        view,
        hide_index=True,
        width="stretch",
        height=height,
        on_select="rerun",
        selection_mode="single-row",
        key=f"{key}.{digest:08x}",
    )
    rows = event.selection.rows if event is not None else []
    return ids[rows[0]] if rows and 0 <= rows[0] < len(ids) else None
