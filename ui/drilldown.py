"""Streamlit glue of the drill-down: a click on a commune, a hot cell or a table row opens its incidents.

Each source (the map, a table) reports what it points at with `pick` on every run; when that differs
from what the same source pointed at before, the list of the new target opens (`show`, once per
pick, in a dialog over the page: the page stays where it was, whichever source was clicked). The
list is a table of text — `st.dataframe` shows cells as written, never as markdown or HTML —
paged by `geo.drilldown.PAGE_ROWS`, with CSV and Excel downloads for the roles allowed to export.

A source gives its incidents as `Source` (the page's filter and how its table re-codes units): the
list then reads its total and the page shown from the database (`geo.store.rows`), so no process
reads every incident for it (push-down, issue 14); a frame or a function returning one (the older
form) still works.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import drilldown, settings
from geo.auth.roles import Permission
from geo.dates import now_local
from geo.filters import IncidentFilter
from geo.hotspots.cells import in_cell
from geo.hotspots.grid import Grid
from geo.io.export import describe, export_bytes, file_name, incident_table
from geo.store import rows
from geo.store.rows import Cell, Selection
from geo.store.store import Store
from ui import auth, loaders
from ui import source as sources
from ui.i18n import fmt_date, fmt_int, lang, md, t

PAGE_KEY = "drill.page"
_SEEN = "drill.seen"
_OPEN = "drill.open"
LIST_HEIGHT = 460
"""Most pixels the list's table takes in the dialog (it scrolls inside beyond), so the pager stays in view."""
_MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class Target:
    """What a list is opened for: a commune (by code) or a grid cell (by flat index), and its name."""

    kind: Literal["commune", "cell"]
    code: str
    label: str
    """The heading's words (plain text: escaped when shown)."""


def unit_names(units: pd.DataFrame) -> dict[str, str]:
    """Return the name of each unit by code."""
    return dict(zip(units["code"].astype(str), units["name"].astype(str), strict=True))


def commune(code: str, names: Mapping[str, str]) -> Target:
    """Return the target of the commune ``code``."""
    return Target("commune", str(code), t("drill.commune", name=names.get(str(code), str(code))))


def at_click(click: tuple[float, float] | None, communes: gpd.GeoDataFrame) -> Target | None:
    """Return the commune under a map click (``(lat, lon)``), or None (no click, or outside every unit)."""
    if click is None:
        return None
    code = drilldown.commune_at(communes, click[1], click[0])
    if code is None:
        return None
    return commune(code, unit_names(communes))


def cell(index: int, *, rank: int, commune_name: str, where: str) -> Target:
    """Return the target of the hot cell with flat index ``index`` (its rank and place name the heading)."""
    return Target("cell", str(int(index)), t("drill.cell", rank=rank, name=commune_name, where=where))


@dataclass(frozen=True)
class Source:
    """The incidents a source counts, named by the page's filter: the list is read from the store a page at a time.

    ``recode`` pairs the stored unit codes with the ones the source's table shows (the newer layer of
    `ui.units.choose`; empty: as stored), so a row of a newer unit lists the incidents of the stored
    units it counts.
    """

    flt: IncidentFilter
    recode: tuple[tuple[str, str], ...] = ()


Incidents = Source | pd.DataFrame | Callable[[], pd.DataFrame]
"""A source's incidents: its filter (`Source`), or a frame or a function returning one (called when a list opens)."""

DOWNLOAD_MAX_ROWS = {"csv": 200_000, "xlsx": 100_000}
"""Most incidents a list's download holds when read from the store (past it: a note to narrow the filter)."""


def pick(
    source: str,
    value: object,
    target: Target | None,
    incidents: Incidents,
    *,
    names: Mapping[str, str],
    grid: Grid | None = None,
) -> bool:
    """Record what ``source`` points at now (``value``: a click, a selected row); a change opens ``target``.

    ``incidents`` are the ones the source counts (the page's filtered incidents, in the units its
    table shows, named by ``names``), or a function returning them (called only when a list opens);
    ``grid`` is the hot spot grid (`ui.hotspots.frame`) for a cell.
    The same value on the next run opens nothing, so closing the dialog and using the page again does
    not bring the list back; a new click or row does. A source whose value went (a row deselected, a
    table redrawn) opens nothing either. Return True when a list was opened.
    """
    seen: dict[str, object] = st.session_state.setdefault(_SEEN, {})
    if source in seen and seen[source] == value:
        return False
    seen[source] = value
    if target is None:
        return False
    chosen: pd.DataFrame | Selection
    if isinstance(incidents, Source):
        found = selection(incidents, target, grid)
        if found is None:
            return False
        chosen = found
        # The rows carry their stored codes: each is named as the table names the unit counting it.
        names = {**names, **{old: names.get(new, new) for old, new in incidents.recode}}
    else:
        frame = incidents() if callable(incidents) else incidents
        if target.kind == "commune":
            chosen = drilldown.of_commune(frame, target.code)
        elif grid is not None:
            chosen = drilldown.newest_first(in_cell(grid, frame, int(target.code)))
        else:
            return False
    st.session_state[_open_key(source)] = (target, chosen, dict(names))
    st.session_state[PAGE_KEY] = 1
    return True


def selection(incidents: Source, target: Target, grid: Grid | None = None) -> Selection | None:
    """Return the store's rows a list of ``target`` shows (None: a cell without its grid)."""
    window = sources.window(incidents.flt)
    if target.kind == "commune":
        return Selection(window, units=rows.units_of(target.code, incidents.recode))
    if grid is None:
        return None
    return Selection(window, cell=Cell.of(grid, int(target.code)))


def _open_key(source: str) -> str:
    """The session key of the list open on the page of ``source`` ("map.table" → the map page's)."""
    return f"{_OPEN}.{source.split('.', maxsplit=1)[0]}"


def pick_commune(source: str, code: str | None, incidents: Incidents, units: pd.DataFrame) -> bool:
    """`pick` the commune of a selected table row (``incidents`` and ``units`` are the table's)."""
    names = unit_names(units)
    return pick(source, code, None if code is None else commune(code, names), incidents, names=names)


def show(flt: IncidentFilter, *, page: str) -> None:
    """Show the list open on ``page`` (the first part of its sources' names) in a dialog, until closed.

    Call once per run, after every source's `pick`. The dialog stays open across reruns of the page
    (its pager reruns only the dialog) and closes for good when the user dismisses it.
    """
    key = f"{_OPEN}.{page}"
    opened = st.session_state.get(key)
    if opened is None:
        return
    target, chosen, names = opened

    def close() -> None:
        st.session_state.pop(key, None)

    st.dialog(t("drill.title"), width="large", on_dismiss=close)(_incident_list)(target, chosen, flt, names)


def for_popups(incidents: pd.DataFrame) -> pd.DataFrame:
    """Return the map's incidents with their addresses when few enough to draw one by one (popups)."""
    if len(incidents) > settings.POINTS_MAX:
        return incidents
    return with_addresses(incidents)


def with_addresses(incidents: pd.DataFrame) -> pd.DataFrame:
    """Return ``incidents`` with each one's imported address (a new frame; the shared one is not changed).

    The store reads the addresses of these incidents only, where it can (``Store.addresses``);
    otherwise every address is read once per store version.
    """
    out = incidents.copy()
    lookup = getattr(loaders.store(), "addresses", None)
    if callable(lookup):
        found = pd.Series(lookup(tuple(incidents["incident_id"].astype(str))))
    else:
        found = _addresses(*loaders.key())
    out["address"] = incidents["incident_id"].map(found).fillna("").astype(str)
    return out


@st.cache_resource(show_spinner=False, max_entries=2)
def _addresses(url: str, version: str) -> pd.Series:
    """Address per incident id (read once per store version: the pages' frame carries no address)."""
    details = loaders.store().incidents(details=True)
    return pd.Series(details["address"].to_numpy(), index=details["incident_id"].to_numpy())


def _incident_list(
    target: Target, chosen: pd.DataFrame | Selection, flt: IncidentFilter, names: dict[str, str]
) -> None:
    """The dialog's body: heading, the page of incidents, the pager and the downloads."""
    st.markdown(f"**{md(target.label)}**")
    n = _stored_count(*loaders.key(), chosen) if isinstance(chosen, Selection) else len(chosen)
    st.caption(t("drill.caption", n=fmt_int(n), start=fmt_date(flt.start), end=fmt_date(flt.end)))
    if n == 0:
        st.info(t("drill.none"))
        return
    pages = drilldown.page_count(n)
    if int(st.session_state.get(PAGE_KEY, 1)) > pages:
        st.session_state[PAGE_KEY] = 1
    exporting = auth.can(Permission.EXPORT)
    pager, *buttons = st.columns([2, 1, 1] if exporting else [1], vertical_alignment="bottom")
    number = 1
    if pages > 1:
        with pager:
            number = int(
                st.number_input(t("drill.page", n=pages), min_value=1, max_value=pages, step=1, key=PAGE_KEY)
            )
    if exporting:
        _downloads(buttons, target, chosen, flt, n=n)
    number = min(number, pages)
    first = (number - 1) * drilldown.PAGE_ROWS
    if isinstance(chosen, Selection):  # the page read from the store, its addresses with it
        shown = _stored_page(*loaders.key(), chosen, first)
    else:
        shown = with_addresses(drilldown.page_of(chosen, number))
    st.caption(t("table.rows", first=fmt_int(first + 1), last=fmt_int(first + len(shown)), n=fmt_int(n)))
    listed = drilldown.incident_list(shown, names, lang=lang())
    listed.columns = [t(f"drill.col.{c}") for c in listed.columns]
    st.dataframe(listed, hide_index=True, width="stretch", height=min(LIST_HEIGHT, 38 + 35 * len(listed)))


@st.cache_data(show_spinner=False, max_entries=32)
def _stored_count(url: str, version: str, chosen: Selection) -> int:
    store = loaders.store()
    with store.engine.connect() as conn:
        return rows.count(conn, store.tables, chosen)


@st.cache_data(show_spinner=False, max_entries=32)
def _stored_page(url: str, version: str, chosen: Selection, first: int) -> pd.DataFrame:
    """The list's page starting at row ``first`` (newest first), with the stored addresses."""
    store = loaders.store()
    with store.engine.connect() as conn:
        return rows.page(conn, store.tables, chosen, offset=first, limit=drilldown.PAGE_ROWS, details=True)


@st.cache_data(show_spinner=False, max_entries=8)
def _export(
    url: str,
    version: str,
    ids: tuple[str, ...] | Selection,
    flt: IncidentFilter,
    *,
    label: str,
    fmt: str,
    sheet: str,
    language: str,
    now: datetime,
) -> bytes:
    """Build the list's file from the store (it runs when a button is pressed, off the page's run).

    The rows are the list's (its ids, or its `Selection` read from the store), in its order, with the export's columns (`geo.io.export.incident_table`:
    text that would start a formula neutralised); the XLSX starts with its description, titled with
    the list's heading.
    """
    store = Store.open(url)
    communes = store.communes()
    if isinstance(ids, Selection):  # read from the store: the list's rows, newest first, bounded
        with store.engine.connect() as conn:
            details = rows.coverage_frame(conn, store.tables)
            limit = DOWNLOAD_MAX_ROWS[fmt]
            chosen = rows.page(conn, store.tables, ids, limit=limit, details=True)
    else:
        details = store.incidents(details=True)
        order = pd.Series(range(len(ids)), index=list(ids))
        chosen = details[details["incident_id"].isin(order.index)]
        chosen = chosen.iloc[order.reindex(chosen["incident_id"]).to_numpy().argsort(kind="stable")]
    table = incident_table(chosen, communes, lang=language)
    about = describe(
        flt,
        what="incidents",
        incidents=details,
        communes=communes,
        area=store.area().name,
        demo=store.is_demo(),
        now=now,
        rows=len(table),
        lang=language,
    )
    about = replace(about, title=f"{about.title} — {label}")
    return export_bytes({sheet: table}, fmt=fmt, describe={sheet: about})


def _downloads(
    columns: list[Any], target: Target, chosen: pd.DataFrame | Selection, flt: IncidentFilter, *, n: int
) -> None:
    """Excel and CSV of the whole list (every page), each download recorded in the activity log."""
    url, version = loaders.key()
    ids = chosen if isinstance(chosen, Selection) else tuple(chosen["incident_id"].astype(str))
    now = now_local().replace(second=0, microsecond=0)
    stem = f"vu_viec_{'xa' if target.kind == 'commune' else 'o'}_{target.code}"
    for column, fmt in zip(columns, ("xlsx", "csv"), strict=True):
        if isinstance(chosen, Selection) and n > DOWNLOAD_MAX_ROWS[fmt]:
            most = fmt_int(DOWNLOAD_MAX_ROWS[fmt])
            column.caption(t("data.exp.too_many", n=fmt_int(n), most=most, fmt=fmt.upper()))
            continue
        build = auth.audited(
            partial(
                _export,
                url,
                version,
                ids,
                flt,
                label=target.label,
                fmt=fmt,
                sheet=t("export.sheet.incidents"),
                language=lang(),
                now=now,
            ),
            what=f"drill.{target.kind}.{target.code}",
            fmt=fmt,
            flt=flt,
            rows=n,
        )
        column.download_button(
            t(f"drill.download_{fmt}"),
            data=build,
            file_name=file_name(stem, flt, fmt=fmt, demo=loaders.is_demo()),
            mime=_MIME[fmt],
            key=f"drill.download.{fmt}",
            width="stretch",
        )
