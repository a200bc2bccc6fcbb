"""A folium map rendered once and shown many times: what `streamlit_folium.st_folium` sends, kept as text.

``st_folium`` renders its map to HTML and JavaScript on every call (Jinja templates, every cell's
popup): for /map's maps that was most of a rerun. `render` does that work once and returns the
component's arguments as plain strings (`Rendered`); `show` hands them to the same component, so a
rerun that draws the same map (nothing changed, or a filter seen before, `ui.mapdata`) sends the
same text without building anything. The browser receives exactly what ``st_folium`` would send.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import folium
import streamlit as st
import streamlit_folium as sf


@dataclass(frozen=True)
class Rendered:
    """The arguments of the ``st_folium`` component for one map and one widget key (read-only)."""

    script: str
    header: str
    html: str
    map_id: str
    hash_key: str
    bounds: dict[str, dict[str, float | None]]
    zoom: Any
    feature_group: str | None
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]

    @property
    def size(self) -> int:
        """Bytes of text this map sends to the browser (script, header, html and feature groups)."""
        parts = (self.script, self.header, self.html, self.feature_group or "")
        return sum(len(p.encode("utf-8")) for p in parts)


def _links(fmap: folium.Map) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The CSS and JS links of the map's elements, as ``st_folium`` gathers them (deduplicated, in order)."""
    css: list[str] = []
    js: list[str] = []

    def walk(element: Any) -> None:
        if isinstance(element, folium.elements.JSCSSMixin):
            css.extend(href for _, href in getattr(element, "default_css", []))
            js.extend(src for _, src in getattr(element, "default_js", []))
        for child in getattr(element, "_children", {}).values():
            walk(child)

    walk(fmap)
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


def render(
    fmap: folium.Map, *, key: str, feature_groups: list[folium.FeatureGroup] | None = None
) -> Rendered:
    """Render ``fmap`` (and ``feature_groups`` added on top) as ``st_folium(fmap, key=key, …)`` would.

    The map is changed by rendering (as ``st_folium`` changes it): render a map once, then drop it.
    """
    fmap.get_root().render()
    fmap.render()
    html = sf._get_html(fmap)
    header = sf._get_header(fmap)
    leaflet = sf._get_map_string(fmap)
    map_id = sf.get_full_id(fmap)
    try:
        (south, west), (north, east) = fmap.get_bounds()
        bounds = {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}}
    except (AttributeError, TypeError, ValueError):
        bounds = {"_southWest": {"lat": None, "lng": None}, "_northEast": {"lat": None, "lng": None}}
    groups = None
    if feature_groups is not None:
        groups = "".join(
            sf._get_feature_group_string(group, map=fmap, idx=i) for i, group in enumerate(feature_groups)
        )
    css, js = _links(fmap)
    return Rendered(
        script=leaflet,
        header=header,
        html=html,
        map_id=map_id,
        hash_key=sf.generate_js_hash(leaflet, key, False),
        bounds=bounds,
        zoom=fmap.options.get("zoom"),
        feature_group=groups,
        css_links=css,
        js_links=js,
    )


def with_groups(rendered: Rendered, groups: list[folium.FeatureGroup]) -> Rendered:
    """Return ``rendered`` with ``groups`` as its feature groups, as ``st_folium(…, feature_group_to_add=groups)``.

    The groups' script names the map ``map_div`` whatever map it is drawn on, so the groups are rendered
    on a throwaway map: the rendered map is reused as it is (same widget hash: the browser keeps the
    map and swaps the groups only).
    """
    scratch = folium.Map(tiles=None)
    text = "".join(sf._get_feature_group_string(group, map=scratch, idx=i) for i, group in enumerate(groups))
    css, js = _links(scratch)
    return replace(
        rendered,
        feature_group=text,
        css_links=tuple(dict.fromkeys(rendered.css_links + css)),
        js_links=tuple(dict.fromkeys(rendered.js_links + js)),
    )


_DEFAULTS = {
    "last_clicked": None,
    "last_object_clicked": None,
    "last_object_clicked_count": None,
    "last_object_clicked_tooltip": None,
    "last_object_clicked_popup": None,
    "all_drawings": None,
    "last_active_drawing": None,
    "last_circle_radius": None,
    "last_circle_polygon": None,
    "selected_layers": None,
    "selected_tags": None,
    "last_geocoder_result": None,
}


def show(
    rendered: Rendered, *, key: str, height: int, returned_objects: list[str] | None = None
) -> dict[str, Any] | None:
    """Show a rendered map (full width) as ``st_folium`` does; return what the map reports (``returned_objects``)."""
    returned = [] if returned_objects is None else list(returned_objects)
    defaults = {
        k: v
        for k, v in (_DEFAULTS | {"bounds": rendered.bounds, "zoom": rendered.zoom}).items()
        if k in returned
    }
    hash_key = rendered.hash_key

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    out: Any = sf._component_func(
        script=rendered.script,
        header=rendered.header,
        html=rendered.html,
        id=rendered.map_id,
        key=hash_key,
        height=height,
        width=None,
        returned_objects=returned,
        default=defaults,
        zoom=None,
        center=None,
        feature_group=rendered.feature_group,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(rendered.css_links),
        js_links=list(rendered.js_links),
        on_change=on_change,
        wrap_longitude=False,
    )
    return out if isinstance(out, dict) else None


def clicked(out: dict[str, Any] | None) -> tuple[float, float] | None:
    """Return the ``(lat, lon)`` of the last click a map reported, or None."""
    found = out.get("last_clicked") if isinstance(out, dict) else None
    if not isinstance(found, dict):
        return None
    try:
        return float(found["lat"]), float(found["lng"])
    except (KeyError, TypeError, ValueError):
        return None
