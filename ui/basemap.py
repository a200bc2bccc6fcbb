"""Streamlit glue of the basemap: the admin's import and tile-server URL on /data, and the map's place search."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from folium.template import Template

from geo import AppError, settings
from geo.auth.roles import Permission
from geo.formatting import format_megabytes
from geo.maps import basemap
from geo.maps.search import Place, address_index, find_places
from geo.store import audit
from ui import auth, loaders
from ui.i18n import fmt_date, fmt_int, fmt_num, lang, md, t

_PREFIX = "basemap."
_FLASH = f"{_PREFIX}flash"
_LIMIT_CSS = """<style>
.st-key-basemap-file [data-testid="stFileUploaderDropzoneInstructions"] span::after { content: "HINT"; }
</style>"""
SEARCH_KEY = "map.search"
"""The place search's text (the /map page's own key)."""


def _describe(found: basemap.Basemap) -> str:
    kind = t("basemap.vector") if found.vector else t("basemap.raster", fmt=found.tile_type.upper())
    try:
        day = fmt_date(
            datetime.fromisoformat(found.imported_at).astimezone(ZoneInfo(settings.TIMEZONE)).date()
        )
    except ValueError:
        day = ""
    return t(
        "basemap.current",
        name=found.source_name,
        kind=kind,
        tiles=fmt_int(found.tiles),
        zmin=found.min_zoom,
        zmax=found.max_zoom,
        size=fmt_num(found.size / 1024 / 1024, 1),
        day=day,
    )


def admin_section() -> None:
    """The basemap on /data (admin): import an MBTiles/PMTiles file, remove it, a tile-server URL."""
    st.subheader(t("basemap.header"))
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message)
    if not auth.allowed(Permission.SETTINGS):
        return
    limit_mb = max(1, settings.BASEMAP_MAX_BYTES // (1024 * 1024))
    st.caption(md(t("basemap.hint", mb=fmt_int(limit_mb))))
    config = basemap.read_config()
    if config.basemap is not None:
        st.info(md(_describe(config.basemap)))
    else:
        st.caption(t("basemap.none"))
    upload = st.file_uploader(
        t("basemap.upload"), type=["mbtiles", "pmtiles"], key=f"{_PREFIX}file", max_upload_size=limit_mb
    )
    # The page's uploaders all say the import limit (ui.importer); this one takes the basemap's.
    hint = t("data.upload.hint", mb=format_megabytes(settings.BASEMAP_MAX_BYTES, 0, lang=lang()))
    st.html(_LIMIT_CSS.replace("HINT", hint.replace("\\", "").replace('"', "'")))
    cols = st.columns(2)
    if upload is not None and cols[0].button(t("basemap.import"), type="primary", key=f"{_PREFIX}import"):
        _import(upload)
    slot = cols[1] if upload is not None else cols[0]
    if config.basemap is not None and slot.button(t("basemap.remove"), key=f"{_PREFIX}remove"):
        basemap.remove()
        audit.record(loaders.store(), user=auth.user_name(), action="basemap", detail={"removed": True})
        st.session_state[_FLASH] = t("basemap.removed")
        st.rerun()
    _url_form(config.tile_url)
    st.caption(_source_text(config))


def _import(upload: object) -> None:
    name = str(getattr(upload, "name", "basemap"))
    staged = basemap.staging_path()
    try:
        with staged.open("wb") as out:
            upload.seek(0)  # type: ignore[attr-defined]
            while chunk := upload.read(1024 * 1024):  # type: ignore[attr-defined]
                out.write(chunk)
        found = basemap.install(staged, name=name)
    except AppError as error:
        st.error(t("error.data", msg=md(error)))
        return
    finally:
        staged.unlink(missing_ok=True)
    audit.record(
        loaders.store(), user=auth.user_name(), action="basemap", detail={"file": name, "tiles": found.tiles}
    )
    st.session_state[_FLASH] = t(
        "basemap.imported", name=name, tiles=fmt_int(found.tiles), zmin=found.min_zoom, zmax=found.max_zoom
    )
    st.rerun()


def _url_form(saved: str) -> None:
    with st.form(f"{_PREFIX}url"):
        url = st.text_input(t("basemap.url"), value=saved, max_chars=500, help=t("basemap.url.help"))
        submitted = st.form_submit_button(t("basemap.url.save"))
    if not submitted:
        return
    try:
        stored = basemap.save_tile_url(url)
    except AppError as error:
        st.error(t("error.data", msg=md(error)))
        return
    audit.record(
        loaders.store(),
        user=auth.user_name(),
        action="basemap",
        detail={"tile_url": "set" if stored else "cleared"},
    )
    st.session_state[_FLASH] = t("basemap.url.saved") if stored else t("basemap.url.cleared")
    st.rerun()


def _source_text(config: basemap.Config) -> str:
    if config.basemap is not None:
        text = t("basemap.source.file")
    elif config.tile_url or settings.TILE_URL:
        text = t("basemap.source.url", url=config.tile_url or settings.TILE_URL)
    else:
        text = t("basemap.source.none")
    if settings.TILE_URL:
        text += " " + t("basemap.url.env", url=settings.TILE_URL)
    return md(text)


# --- The place search --------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=2)
def _addresses(url: str, version: str) -> pd.DataFrame:
    return address_index(loaders.store().incidents(details=True))


def _label(place: Place) -> str:
    if place.kind == "coordinate":
        return t("basemap.search.coordinate", label=place.label)
    if place.kind == "commune":
        return t("basemap.search.commune", label=place.label)
    return t("basemap.search.address", label=place.label, n=fmt_int(place.count))


class CentreOn(folium.MacroElement):
    """Centre the map on a found place (fit a commune's bounds) and mark it with a labelled ring."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var o = {{ this.options|tojson }};
            var m = {{ this._parent.get_name() }};
            if (o.bounds) { m.fitBounds(o.bounds, {padding: [24, 24]}); }
            else { m.setView([o.lat, o.lon], o.zoom); }
            L.circleMarker([o.lat, o.lon], {radius: 9, color: "#111", weight: 3, fill: false,
                                            className: "antt-found"})
                .bindTooltip(o.label, {permanent: true, direction: "top"}).addTo(m);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, place: Place) -> None:
        super().__init__()
        self._name = "CentreOn"
        bounds = None
        if place.bounds is not None:
            west, south, east, north = place.bounds
            bounds = [[south, west], [north, east]]
        self.options = {
            "lat": place.lat,
            "lon": place.lon,
            "zoom": place.zoom or 15,
            "bounds": bounds,
            "label": html.escape(place.label),
        }


def search_box(fmap: folium.Map, communes: gpd.GeoDataFrame) -> Place | None:
    """A search box above the map: a commune, a hamlet or address, or a coordinate; centre ``fmap`` there."""
    place = search_place(communes)
    if place is not None:
        centre_on(fmap, place)
    return place


def centre_on(fmap: folium.Map, place: Place) -> None:
    """Centre ``fmap`` on a place found by `search_place`."""
    CentreOn(place).add_to(fmap)


def search_place(communes: gpd.GeoDataFrame) -> Place | None:
    """A search box above the map: a commune, a hamlet or address, or a coordinate; return the place chosen."""
    text = st.text_input(
        t("basemap.search.label"),
        key=SEARCH_KEY,
        placeholder=t("basemap.search.placeholder"),
        max_chars=200,
    )
    if not text.strip():
        return None
    places = find_places(text, communes, _addresses(*loaders.key()))
    if not places:
        st.caption(md(t("basemap.search.none", text=text.strip())))
        return None
    place = places[0]
    if len(places) > 1:
        place = st.selectbox(t("basemap.search.pick"), places, format_func=_label, key=f"{SEARCH_KEY}.pick")
    return place
