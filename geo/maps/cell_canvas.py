"""Grid cells painted on a Leaflet canvas: the cell layers of the hot-spot maps (density, Gi*, emerging).

`cell_layer` turns cell polygons with a class, a unit name and a value each into a compact array that
`CellShapes` draws in the browser on one canvas per layer, in its own pane (`cell_pane`) inside `PANE`,
with one shared tooltip per layer. `geo.maps.hotspot_layers` builds its layers on it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from folium.template import Template

from geo import settings

FILL_OPACITY = 0.62
"""Fill opacity of a cell (on the canvas as in the province's image, `geo.maps.raster.ALPHA`)."""

PANE = "antt-hotspots"
"""Leaflet pane of the cell layers: above the commune polygons (whose fill would catch the mouse and
hide the cells' tooltips), below markers and labels."""


CANVAS_PADDING = 0.25
"""How far beyond the view (a fraction of its size on each side) a cell layer's canvas is drawn, so a short pan
shows cells at once (Leaflet redraws a canvas when a move ends). Leaflet's default 0.1 left the edges blank while
panning; 0.5 would paint four times the view (at a screen's pixel ratio 2, 90 MB a layer)."""


def cell_pane(class_name: str) -> str:
    """Return the name of the Leaflet pane of a cell layer's canvas, inside `PANE`.

    The pane's element has the classes ``antt-cells`` and ``class_name`` and, while the layer is shown,
    ``data-cells``: how many cells its canvas drew.
    """
    return f"{class_name}-cells"


class CellShapes(MacroElement):
    """Grid cells drawn in the browser from a compact array, into the parent feature group, on a canvas.

    A cell entirely inside the district is ``[class, commune, value, south, west, north, east]``
    (a rectangle: the UTM square turned by the 0.2° grid convergence is within a metre of it); a
    clipped border cell is ``[class, commune, value, rings]``. About 45 bytes a cell instead of
    300 for GeoJSON, so a month step of the slider stays small. Strings must already be escaped.

    The cells are painted on one canvas per layer (``L.canvas``), not as thousands of SVG paths the browser
    lays out and paints one by one. The canvas lives in its own pane inside `PANE` (`cell_pane`), which carries
    the layer's class (``antt-density``, …) for styles and tests and, while the layer is shown, how many cells
    it drew (``data-cells``); hiding the layer removes its canvas. Canvas cells get mouse events from Leaflet:
    the cells share one sticky tooltip bound to their group (its text read from the cell under the mouse), and a
    click on a cell is a click on the map (``st_folium``'s ``last_clicked``). A canvas covers the whole view, so it
    takes the mouse only where one of its cells lies (checked on the map's ``mousemove``): elsewhere the units'
    boundaries below keep their own tooltips, as with SVG cells.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            var names = {{ this.names|tojson }};
            var colours = {{ this.colours|tojson }};
            var labels = {{ this.labels|tojson }};
            var valueLabel = {{ this.value_label|tojson }};
            var paneName = {{ this.cell_pane|tojson }};
            var cells = [], map = null, pane = null, renderer = null;
            {{ this.rows|tojson }}.forEach(function (r) {
                var style = {pane: paneName, color: colours[r[0]], fillColor: colours[r[0]],
                    weight: 0.4, fillOpacity: {{ this.opacity }}, className: {{ this.class_name|tojson }}};
                var shape = r.length > 4 ? L.rectangle([[r[3], r[4]], [r[5], r[6]]], style) : L.polygon(r[3], style);
                var tip = "<b>" + names[r[1]] + "</b>";
                if (labels[r[0]]) { tip += "<br>" + labels[r[0]]; }
                if (r[2] !== "") { tip += "<br>" + valueLabel + ": " + r[2]; }
                shape.anttTip = tip;
                cells.push(shape);
                group.addLayer(shape);
            });
            if (!group.getTooltip()) {
                group.bindTooltip(function (shape) { return shape.anttTip; }, {sticky: true});
            }
            function onCell(e) {
                if (map.dragging && map.dragging.moving()) { return; }
                for (var i = 0; i < cells.length; i++) {
                    if (cells[i]._containsPoint(e.layerPoint)) { pane.style.pointerEvents = ""; return; }
                }
                pane.style.pointerEvents = "none";
            }
            group.beforeAdd = function (m) {
                map = m;
                pane = m.getPane(paneName);
                if (!pane) {
                    pane = m.createPane(paneName, m.getPane({{ this.pane|tojson }}) || m.getPane("overlayPane"));
                    pane.style.zIndex = "auto";
                    L.DomUtil.addClass(pane, "antt-cells " + {{ this.class_name|tojson }});
                }
                pane.style.pointerEvents = "none";
                // A new canvas each time the layer is shown (Leaflet would not repaint one removed and added back).
                renderer = L.canvas({pane: paneName, padding: {{ this.padding }}});
                cells.forEach(function (c) { c.options.renderer = renderer; });
            };
            group.on("add", function () {
                pane.setAttribute("data-cells", String(cells.length));
                map.on("mousemove", onCell);
            });
            group.on("remove", function () {
                map.off("mousemove", onCell);
                pane.removeAttribute("data-cells");
                pane.style.pointerEvents = "none";
                map.removeLayer(renderer);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        rows: list[list[Any]],
        *,
        names: list[str],
        colours: list[str],
        labels: list[str],
        value_label: str,
        class_name: str,
    ) -> None:
        super().__init__()
        self._name = "CellShapes"
        self.rows = rows
        self.names = names
        self.colours = colours
        self.labels = labels
        self.value_label = value_label
        self.class_name = class_name
        self.pane = PANE
        self.cell_pane = cell_pane(class_name)
        self.padding = CANVAS_PADDING
        self.opacity = FILL_OPACITY


def _rings(geom: shapely.Geometry) -> list[Any]:
    """Return Leaflet lat/lon rings of a polygon, or a list of them for a multipolygon."""

    def polygon(poly: shapely.Polygon) -> list[Any]:
        return [
            np.round(np.asarray(ring.coords)[:, ::-1], settings.COORD_DECIMALS).tolist()
            for ring in (poly.exterior, *poly.interiors)
        ]

    parts = [p for p in shapely.get_parts(geom) if isinstance(p, shapely.Polygon)]
    return polygon(parts[0]) if len(parts) == 1 else [polygon(p) for p in parts]


def cell_layer(
    cells: gpd.GeoDataFrame,
    *,
    classes: np.ndarray,
    communes: Sequence[str] | np.ndarray,
    values: Sequence[str],
    colours: Sequence[str],
    labels: Sequence[str],
    value_label: str,
    name: str,
    class_name: str,
    show: bool,
) -> folium.FeatureGroup:
    """Return a feature group drawing ``cells`` coloured by ``classes`` (indexes into ``colours``)."""
    group = folium.FeatureGroup(name=html.escape(name), show=show)
    if len(cells) == 0:
        return group
    aligned(cells, classes=classes, communes=communes, values=values)
    names = sorted({str(c) for c in communes})
    index = {n: i for i, n in enumerate(names)}
    bounds = np.round(cells.geometry.bounds.to_numpy(), settings.COORD_DECIMALS)
    whole = cells["whole"].to_numpy() if "whole" in cells else np.zeros(len(cells), dtype=bool)
    rows: list[list[Any]] = []
    for i, geom in enumerate(cells.geometry.to_numpy()):
        head = [int(classes[i]), index[str(communes[i])], html.escape(str(values[i]))]
        west, south, east, north = bounds[i]
        rows.append([*head, south, west, north, east] if whole[i] else [*head, _rings(geom)])
    CellShapes(
        rows,
        names=[html.escape(n) for n in names],
        colours=list(colours),
        labels=[html.escape(label) for label in labels],
        value_label=html.escape(value_label),
        class_name=class_name,
    ).add_to(group)
    return group


def aligned(cells: gpd.GeoDataFrame, **values: Any) -> None:
    """Refuse per-cell arrays whose length is not one value per row of ``cells`` (a programming error)."""
    wrong = {name: len(v) for name, v in values.items() if len(v) != len(cells)}
    if wrong:
        sizes = ", ".join(f"{name} {size}" for name, size in wrong.items())
        raise ValueError(f"one value per cell expected ({len(cells)} cells), got: {sizes}")
