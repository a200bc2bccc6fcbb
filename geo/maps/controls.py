"""Leaflet elements of our own: the legend control, a kilometre scale bar and the weighted-points cluster layer."""

from __future__ import annotations

import html

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template


class WeightedPoints(JSCSSMixin, Layer):
    """A marker-cluster layer built in the browser from a compact array.

    Each row is ``[lat, lon, count, popup_index]``; clusters show the sum of ``count``, so the
    same layer draws single incidents (count 1, with a popup) and server-aggregated cells.
    Popup HTML must already be escaped.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var group = L.markerClusterGroup({
                maxClusterRadius: 45,
                showCoverageOnHover: false,
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
                    className: "antt-point"});
                if (r[3] >= 0) { m.bindPopup(popups[r[3]], {maxWidth: 320}); }
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
    ) -> None:
        super().__init__(name=name, overlay=True, show=show)
        self._name = "WeightedPoints"
        self.rows = rows
        self.popups = popups
        self.unit = html.escape(unit)
        self.colour = colour


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
