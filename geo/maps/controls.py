"""Leaflet elements of our own: the legend control, a kilometre scale bar and the weighted-points cluster layer."""

from __future__ import annotations

import html
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from geo import settings
from geo.communes import metric_crs
from geo.plan import marked


class WeightedPoints(JSCSSMixin, Layer):
    """A marker-cluster layer built in the browser from a compact array.

    Each row is ``[lat, lon, count, popup_index]``, or ``[lat, lon, count]`` for a marker without a popup
    (its count shown as a tooltip); clusters show the sum of ``count``, so the same layer draws single
    incidents (count 1, with a popup) and server-aggregated cells.
    Popup HTML must already be escaped. The markers are drawn in the Leaflet pane ``pane`` (give one
    above the density cells, or their popups cannot be opened where cells lie); a click on a marker
    opens its popup and stops there, so it is not also a click on the map (a drill-down).

    ``uncluster_zoom`` (`unclustered_zoom`): from that zoom on no two markers are within the cluster
    radius, so clustering stops there (Leaflet.markercluster's ``disableClusteringAtZoom``): the map
    looks the same at every zoom, and the browser skips building the cluster levels that would only
    hold single markers (most of its work for a province's thousands of cells).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var group = L.markerClusterGroup({
                maxClusterRadius: {{ this.radius }},
                showCoverageOnHover: false,{% if this.uncluster_zoom is not none %}
                disableClusteringAtZoom: {{ this.uncluster_zoom }},{% endif %}
                iconCreateFunction: function (cluster) {
                    var total = 0;
                    cluster.getAllChildMarkers().forEach(function (m) { total += m.options.count; });
                    var size = total < 10 ? "small" : (total < 100 ? "medium" : "large");
                    return L.divIcon({html: "<div><span>" + total + "</span></div>",
                        className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40)});
                }
            });
            var rows = {{ this.rows|tojson }};
            var popups = {{ this.popups|tojson }};
            rows.forEach(function (r) {
                var m = L.circleMarker([r[0], r[1]], {radius: r[2] > 1 ? 4 + Math.min(12, Math.sqrt(r[2])) : 5,
                    count: r[2], color: "#ffffff", weight: 1, fillColor: "{{ this.colour }}", fillOpacity: 0.85,
                    className: "antt-point", pane: {{ this.pane|tojson }}, bubblingMouseEvents: false});
                if (r.length > 3 && r[3] >= 0) { m.bindPopup(popups[r[3]], {maxWidth: 320}); }
                else { m.bindTooltip(r[2] + " {{ this.unit }}"); }
                group.addLayer(m);
            });
            return group;
        })();
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        rows: list[list[float]],
        popups: list[str],
        *,
        name: str,
        unit: str,
        colour: str,
        show: bool = True,
        pane: str = "overlayPane",
        uncluster_zoom: int | None = None,
    ) -> None:
        super().__init__(name=name, overlay=True, show=show)
        self._name = "WeightedPoints"
        self.rows = rows
        self.popups = popups
        self.unit = html.escape(unit)
        self.colour = colour
        self.pane = pane
        self.radius = CLUSTER_RADIUS_PX
        self.uncluster_zoom = uncluster_zoom


CLUSTER_RADIUS_PX = 45
"""Leaflet.markercluster's ``maxClusterRadius`` of `WeightedPoints`: markers this close (pixels) cluster."""

_EARTH_PX_M = 156_543.033_928
"""Metres per pixel of a Web Mercator map at zoom 0 on the equator (256-pixel tiles)."""


def unclustered_zoom(
    lat: np.ndarray, lon: np.ndarray, *, radius_px: float = CLUSTER_RADIUS_PX, max_zoom: int = 18
) -> int | None:
    """Return the lowest zoom at which no two of the points are within ``radius_px`` of each other.

    The distance on screen of two points ``d`` metres apart at latitude φ is ``d · 2^z / (156,543 · cos φ)``
    pixels (Web Mercator is conformal); each point's nearest neighbour is found in local metres. A 10%
    margin covers the approximation. None when that zoom is above ``max_zoom`` (or two points coincide,
    or there are fewer than two points): clustering then runs at every zoom as before.

    Examples
    --------
    >>> lat = np.array([20.0, 20.0, 20.00135]); lon = np.array([105.0, 105.00144, 105.0])
    >>> unclustered_zoom(lat, lon)  # cells ≈ 150 m apart: 45 px at zoom 16 is ≈ 101 m there
    16
    """
    from scipy.spatial import cKDTree

    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    if len(lat) < 2:
        return None
    rad = np.radians(lat)
    xy = np.column_stack([np.radians(lon) * 6_371_008.8 * np.cos(rad), rad * 6_371_008.8])
    nearest, _ = cKDTree(xy).query(xy, k=2)
    scaled = nearest[:, 1] / np.cos(rad)  # metres at the equator that show as far apart on screen
    closest = float(scaled.min())
    if closest <= 0:
        return None
    zoom = max(0, int(np.ceil(np.log2(1.1 * radius_px * _EARTH_PX_M / closest))))
    return zoom if zoom <= max_zoom else None


LEGEND_SCRIPT = """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
            div.innerHTML = {{ this.legend_html|tojson }};
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
"""
"""Script of every legend control (`LegendControl`): a box of HTML in a corner of the map."""


class MetricScale(MacroElement):
    """A scale bar in kilometres only (folium's ``control_scale`` also shows miles)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


class LegendControl(MacroElement):
    """A legend control showing ``legend_html``, which must already be escaped.

    Subclasses give their CSS in a ``header`` macro of their template, followed by `LEGEND_SCRIPT`.
    """

    _template = Template(LEGEND_SCRIPT)

    def __init__(self, legend_html: str, *, css_class: str, position: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.legend_html = legend_html
        self.css_class = css_class
        self.position = position


class FittedLabels(MacroElement):
    """Unit names drawn in the browser only where they fit at the current zoom.

    ``rows`` are ``[lat, lon, text, target, dlon, dlat]`` in priority order (targets first): a point
    inside the unit, its name, 1 for a target, and the unit's width and height in degrees. On every
    ``zoomend``, ``moveend`` and ``resize`` the labels are placed greedily in that order. A label shows
    when, targets excepted, its unit spans on screen at least ``fit`` times the label's width (wide or
    tall), and when its box, at its point or moved a little within its unit (up, down, left, right),
    lies wholly in view and ``gap`` pixels clear of every label already placed. The other names stay
    on the unit's hover tooltip.

    The text travels as JSON and is written with ``textContent``, so a name is never read as HTML.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var units = {{ this.rows|tojson }};
            var gap = {{ this.gap|tojson }}, fit = {{ this.fit|tojson }};
            var group = L.layerGroup().addTo(map);
            var sizes = null, markers = [], shown = [];
            function css(r) { return r[3] ? "antt-label target" : "antt-label"; }
            function measure() {
                var box = L.DomUtil.create("div", "", map.getContainer());
                box.style.cssText = "position:absolute;left:0;top:0;visibility:hidden;pointer-events:none";
                var spans = units.map(function (r) {
                    var div = L.DomUtil.create("div", css(r), box);
                    div.style.position = "absolute";
                    var span = L.DomUtil.create("span", "", div);
                    span.textContent = r[2];
                    return span;
                });
                var out = spans.map(function (s) {
                    var b = s.getBoundingClientRect();
                    return [Math.ceil(b.width) + 2, Math.ceil(b.height) + 2];
                });
                L.DomUtil.remove(box);
                return out;
            }
            function marker(i) {
                if (!markers[i]) {
                    var r = units[i], span = document.createElement("span");
                    span.textContent = r[2];
                    markers[i] = L.marker([r[0], r[1]], {interactive: false, keyboard: false, icon: L.divIcon({
                        className: css(r), html: span, iconSize: sizes[i],
                        iconAnchor: [sizes[i][0] / 2, sizes[i][1] / 2]})});
                }
                return markers[i];
            }
            function free(b, placed) {
                for (var j = 0; j < placed.length; j++) {
                    var o = placed[j];
                    if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) { return false; }
                }
                return true;
            }
            function spot(r, w, h, view, placed) {
                var p = map.latLngToContainerPoint([r[0], r[1]]);
                var q = map.latLngToContainerPoint([r[0] + r[5], r[1] + r[4]]);
                var uw = Math.abs(q.x - p.x), uh = Math.abs(q.y - p.y);
                if (!r[3] && Math.max(uw, uh) < fit * w) { return null; }
                var dy = h + 2 * gap, dx = w / 4;
                var moves = [[0, 0]];
                if (uh / 2 >= dy + h / 2) { moves.push([0, -dy], [0, dy]); }
                if (uw / 4 >= dx) { moves.push([-dx, 0], [dx, 0]); }
                for (var k = 0; k < moves.length; k++) {
                    var x = p.x + moves[k][0], y = p.y + moves[k][1];
                    var b = [x - w / 2 - gap, y - h / 2 - gap, x + w / 2 + gap, y + h / 2 + gap];
                    if (x >= w / 2 && y >= h / 2 && x <= view.x - w / 2 && y <= view.y - h / 2 && free(b, placed)) {
                        placed.push(b);
                        return L.point(x, y);
                    }
                }
                return null;
            }
            function place() {
                var view = map.getSize();
                if (!view.x || !view.y) { return; }
                if (!sizes || (units.length && !sizes[0][0])) {
                    sizes = measure(); markers = []; shown = []; group.clearLayers();
                }
                var placed = [];
                units.forEach(function (r, i) {
                    var at = sizes[i][0] ? spot(r, sizes[i][0], sizes[i][1], view, placed) : null;
                    if (at) {
                        marker(i).setLatLng(map.containerPointToLatLng(at));
                        if (!shown[i]) { group.addLayer(markers[i]); }
                    } else if (shown[i]) {
                        group.removeLayer(markers[i]);
                    }
                    shown[i] = !!at;
                });
            }
            map.on("zoomend moveend resize", place);
            place();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[object]], *, gap: float = 2.0, fit: float = 0.6) -> None:
        super().__init__()
        self._name = "FittedLabels"
        self.rows = rows
        self.gap = gap
        self.fit = fit


def label_rows(communes: gpd.GeoDataFrame, *, targets: tuple[str, ...] = ()) -> list[list[Any]]:
    """Return the data of `geo.maps.controls.FittedLabels`: one row per unit, in placement priority.

    Each row is ``[lat, lon, text, target, dlon, dlat]``: a point inside the unit (5 decimals), its
    name (with the target mark; plain text, not HTML), 1 for a target else 0, and the unit's width and
    height in degrees.
    Targets come first, then larger units (areas within 1% of the largest count as equal), then more
    populous ones, then by code.
    """
    if communes.empty:
        return []
    metric = communes.to_crs(metric_crs(communes))
    points = gpd.GeoSeries(metric.geometry.representative_point(), crs=metric.crs).to_crs(settings.CRS_WGS84)
    xy = shapely.get_coordinates(points.to_numpy())
    bounds = communes.geometry.bounds
    area = metric.geometry.area.to_numpy()
    order = pd.DataFrame(
        {
            "target": ~communes["code"].isin(targets).to_numpy(),
            "area": -np.round(area / max(float(area.max()), 1.0), 2),
            "population": -pd.to_numeric(communes["population"], errors="coerce").fillna(0).to_numpy(),
            "code": communes["code"].astype(str).to_numpy(),
        }
    ).sort_values(["target", "area", "population", "code"], kind="stable")
    rows: list[list[Any]] = []
    for i in order.index:
        code = communes["code"].iloc[i]
        is_target = code in targets
        rows.append(
            [
                round(float(xy[i, 1]), 5),
                round(float(xy[i, 0]), 5),
                marked(str(communes["name"].iloc[i]), target=is_target),
                int(is_target),
                round(float(bounds["maxx"].iloc[i] - bounds["minx"].iloc[i]), 5),
                round(float(bounds["maxy"].iloc[i] - bounds["miny"].iloc[i]), 5),
            ]
        )
    return rows
