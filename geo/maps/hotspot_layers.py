"""Map layers of the hotspot analytics: density cells, Gi* hot and cold cells, emerging classes, legends.

Every layer is a `folium.FeatureGroup` of grid cells (polygons clipped to the district, painted on one
Leaflet canvas per layer by `geo.maps.cell_canvas`) so it can be added to the hotspot map of `geo.maps.district` or handed to ``st_folium`` as a
``feature_group_to_add`` (the time slider swaps it without reloading the map). Colours come from
fixed classes — density breaks from `settings.DENSITY_BREAKS` in incidents per km² per year — so
the same colour means the same thing at every zoom level, in every period and for every filter.
Text drawn into HTML is escaped here; words arrive from the caller in the page's language.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import folium
import geopandas as gpd
import numpy as np
from folium.template import Template

from geo import settings
from geo.aggregate import class_labels
from geo.hotspots.emerging import CLASSES
from geo.hotspots.grid import Grid
from geo.maps.cell_canvas import PANE, aligned, cell_layer
from geo.maps.controls import LEGEND_SCRIPT, LegendControl
from geo.maps.raster import image_layer

DENSITY_COLOURS: tuple[str, ...] = (
    "#ffffb2",
    "#fed976",
    "#feb24c",
    "#fd8d3c",
    "#fc4e2a",
    "#e31a1c",
    "#b10026",
)
"""One colour per density class: [b₀, b₁), …, ≥ b₆ of `settings.DENSITY_BREAKS` (below b₀: not drawn)."""

GI_COLOURS: dict[int, str] = {
    3: "#d62f27",
    2: "#ed7551",
    1: "#fab984",
    -1: "#c0ccbe",
    -2: "#849eba",
    -3: "#4575b5",
}
"""ArcGIS's hot spot colours per ``Gi_Bin`` class."""

EMERGING_COLOURS: dict[str, str] = {
    "new_hot": "#fdae61",
    "consecutive_hot": "#f46d43",
    "intensifying_hot": "#a50026",
    "persistent_hot": "#d73027",
    "diminishing_hot": "#f7b6d2",
    "sporadic_hot": "#fee090",
    "oscillating_hot": "#c994c7",
    "historical_hot": "#b0a8a8",
    "new_cold": "#abd9e9",
    "consecutive_cold": "#74add1",
    "intensifying_cold": "#313695",
    "persistent_cold": "#4575b4",
    "diminishing_cold": "#c6dbef",
    "sporadic_cold": "#c7e9c0",
    "oscillating_cold": "#9e9ac8",
    "historical_cold": "#d9d9d9",
}
"""One colour per emerging class (`geo.hotspots.emerging.CLASSES` but ``none``): reds grow, pinks and greys fade."""


def ensure_pane(fmap: folium.Map) -> folium.Map:
    """Add the hotspot pane to ``fmap`` once (it must exist before a cell layer is added); return ``fmap``."""
    if not any(isinstance(c, folium.map.CustomPane) and c.name == PANE for c in fmap._children.values()):
        folium.map.CustomPane(PANE, z_index=450, pointer_events=True).add_to(fmap)
    return fmap


def controls_last(fmap: folium.Map) -> folium.Map:
    """Move the map's layer control after every layer (its script names the layers it lists); return ``fmap``.

    `geo.maps.district.build_map` adds its control last; layers added afterwards would be undefined when the
    control's script runs, and Leaflet would stop drawing the map.
    """
    for name, child in list(fmap._children.items()):
        if isinstance(child, folium.LayerControl):
            fmap._children.move_to_end(name)
    return fmap


@dataclass(frozen=True)
class HotspotTexts:
    """Words of the hotspot layers and legends, in the page's language (escaped when drawn)."""

    density: str = "Mật độ vụ việc"
    density_unit: str = "vụ / km² / năm"
    gi: str = "Điểm nóng thống kê (Gi*)"
    emerging: str = "Xu hướng điểm nóng"
    commune: str = "Xã, thị trấn"
    count: str = "Số vụ"
    confidence: str = "Độ tin cậy"
    gi_labels: dict[int, str] = field(default_factory=dict)
    emerging_labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Class → (short name, one-sentence explanation)."""
    gi_method: str = ""
    """The Gi* p-value convention and whether FDR applies (shown under the Gi* legend)."""
    emerging_method: str = ""
    """How the emerging analysis standardises each step (shown under the emerging legend)."""


def density_class(values: np.ndarray, *, breaks: Sequence[float] = settings.DENSITY_BREAKS) -> np.ndarray:
    """Return the class of each density (-1 below the first break, 0 … len(breaks) - 1 above).

    Examples
    --------
    >>> density_class(np.array([1.0, 5.0, 60.0, 9999.0])).tolist()
    [-1, 0, 3, 6]
    """
    return np.searchsorted(np.asarray(breaks, dtype=float), np.asarray(values, dtype=float), side="right") - 1


def density_layer(
    cells: gpd.GeoDataFrame,
    *,
    density: np.ndarray,
    communes: Sequence[str],
    texts: HotspotTexts | None = None,
    fmt: Any = str,
    show: bool = True,
    grid: Grid | None = None,
) -> folium.FeatureGroup:
    """Return the density cells (one value per row of ``cells``, incidents per km² per year).

    With the ``grid`` the cells belong to, a layer of more than `settings.RASTER_CELLS_ABOVE` cells is
    one image (`geo.maps.raster`: a province's grid), without the cells' tooltips.

    Parameters
    ----------
    cells
        Cell polygons in EPSG:4326 (`geo.hotspots.grid.cell_polygons`).
    density
        Yearly density of each cell.
    communes
        Commune name of each cell (shown in the tooltip).
    texts
        Words on the map.
    fmt
        Formats a number for the tooltip (the page's decimal mark).
    show
        Whether the layer starts visible.
    """
    texts = texts or HotspotTexts()
    aligned(cells, density=density, communes=communes)
    classes = density_class(density)
    keep = classes >= 0
    if grid is not None and int(keep.sum()) > settings.RASTER_CELLS_ABOVE:
        return image_layer(
            grid,
            cells["cell"].to_numpy()[keep],
            classes[keep],
            DENSITY_COLOURS,
            name=texts.density,
            class_name="antt-density",
            show=show,
        )
    return cell_layer(
        cells[keep],
        classes=classes[keep],
        communes=np.asarray(communes, dtype=object)[keep],
        values=[fmt(v) for v in np.asarray(density)[keep]],
        colours=DENSITY_COLOURS,
        labels=[""] * len(DENSITY_COLOURS),
        value_label=f"{texts.density} ({texts.density_unit})",
        name=texts.density,
        class_name="antt-density",
        show=show,
    )


def gi_layer(
    cells: gpd.GeoDataFrame,
    *,
    bins: np.ndarray,
    counts: np.ndarray,
    communes: Sequence[str],
    texts: HotspotTexts | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """Return the significant Gi* cells coloured by ``Gi_Bin`` (one value per row of ``cells``)."""
    texts = texts or HotspotTexts()
    aligned(cells, bins=bins, counts=counts, communes=communes)
    order = (3, 2, 1, -1, -2, -3)
    kept = np.asarray(bins).astype(int)
    keep = kept != 0
    return cell_layer(
        cells[keep],
        classes=np.array([order.index(b) for b in kept[keep]], dtype=int),
        communes=np.asarray(communes, dtype=object)[keep],
        values=[str(int(c)) for c in np.asarray(counts)[keep]],
        colours=[GI_COLOURS[b] for b in order],
        labels=[texts.gi_labels.get(b, str(b)) for b in order],
        value_label=texts.count,
        name=texts.gi,
        class_name="antt-gi",
        show=show,
    )


def emerging_layer(
    cells: gpd.GeoDataFrame,
    *,
    category: np.ndarray,
    communes: Sequence[str],
    texts: HotspotTexts | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """Return the cells with an emerging class (one code of `CLASSES` per row of ``cells``)."""
    texts = texts or HotspotTexts()
    aligned(cells, category=category, communes=communes)
    codes = np.asarray(category, dtype=object)
    drawn = list(EMERGING_COLOURS)
    keep = np.isin(codes, drawn)
    return cell_layer(
        cells[keep],
        classes=np.array([drawn.index(c) for c in codes[keep]], dtype=int),
        communes=np.asarray(communes, dtype=object)[keep],
        values=[""] * int(keep.sum()),
        colours=[EMERGING_COLOURS[c] for c in drawn],
        labels=[texts.emerging_labels.get(c, (c, ""))[0] for c in drawn],
        value_label="",
        name=texts.emerging,
        class_name="antt-emerging",
        show=show,
    )


def points_layer(
    *, lon: np.ndarray, lat: np.ndarray, name: str, colour: str = "#2166ac", show: bool = True
) -> folium.FeatureGroup:
    """Return incidents as small circles (a GeoJSON of points, 5-decimal coordinates)."""
    if len(lon) != len(lat):
        raise ValueError(f"lon has {len(lon)} values and lat {len(lat)}: one of each per incident")
    group = folium.FeatureGroup(name=html.escape(name), show=show)
    xy = np.column_stack([np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)])
    xy = xy[np.isfinite(xy).all(axis=1)]  # incidents placed by their commune only have no point
    if len(xy) == 0:
        return group
    coords = np.round(xy, settings.COORD_DECIMALS).tolist()
    folium.GeoJson(
        {"type": "Feature", "properties": {}, "geometry": {"type": "MultiPoint", "coordinates": coords}},
        marker=folium.CircleMarker(
            radius=3,
            weight=1,
            color="#ffffff",
            fill_color=colour,
            fill_opacity=0.9,
            className="antt-month-point",
        ),
        pane=PANE,
    ).add_to(group)
    return group


def density_legend(texts: HotspotTexts, *, breaks: Sequence[float] = settings.DENSITY_BREAKS) -> str:
    """Return the fixed density legend as escaped HTML (the same for every period and zoom)."""
    esc = html.escape
    rows = []
    for colour, span in zip(DENSITY_COLOURS, class_labels(breaks), strict=True):
        rows.append(f'<div class="antt-density-class"><i style="background:{colour}"></i>{esc(span)}</div>')
    return _section(f"{esc(texts.density)} <small>({esc(texts.density_unit)})</small>", rows)


def _section(title_html: str, rows: list[str], *, note: str = "") -> str:
    """Return a collapsible legend section (open), so a long legend can be folded away from the map.

    ``note`` (plain text, escaped here) is a last line in small type: the method behind the colours.
    """
    tail = f'<div class="antt-method"><small>{html.escape(note)}</small></div>' if note else ""
    return f"<details open><summary><b>{title_html}</b></summary>{''.join(rows)}{tail}</details>"


def gi_legend(texts: HotspotTexts) -> str:
    """Return the Gi* legend (six confidence classes) as escaped HTML."""
    esc = html.escape
    rows = []
    for code in (3, 2, 1, -1, -2, -3):
        label = texts.gi_labels.get(code, str(code))
        rows.append(f'<div><i style="background:{GI_COLOURS[code]}"></i>{esc(label)}</div>')
    return _section(esc(texts.gi), rows, note=texts.gi_method)


def emerging_legend(texts: HotspotTexts, *, present: Sequence[str] | None = None) -> str:
    """Return the emerging legend: one line per class with its one-sentence explanation."""
    esc = html.escape
    shown = [c for c in CLASSES if c in EMERGING_COLOURS and (present is None or c in present)]
    rows = []
    for code in shown:
        name, sentence = texts.emerging_labels.get(code, (code, ""))
        swatch = f'<i style="background:{EMERGING_COLOURS[code]}"></i>'
        rows.append(f'<div class="antt-emerging-class">{swatch}<b>{esc(name)}</b>: {esc(sentence)}</div>')
    return _section(esc(texts.emerging), rows, note=texts.emerging_method)


class HotspotLegend(LegendControl):
    """A legend control for the hotspot layers; ``legend_html`` must already be escaped."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .antt-hot-legend { background: rgba(255,255,255,0.95); padding: 6px 9px; border-radius: 6px;
            box-shadow: 0 1px 4px rgba(0,0,0,0.3); font-size: 11.5px; line-height: 1.35; max-width: 300px;
            max-height: 48vh; overflow-y: auto; }
        .antt-hot-legend summary { cursor: pointer; margin: 2px 0; }
        .antt-hot-legend details + details { border-top: 1px solid #ddd; margin-top: 4px; padding-top: 2px; }
        .antt-hot-legend i { display: inline-block; width: 16px; height: 12px; margin-right: 6px;
            vertical-align: -1px; border: 1px solid #999; }
        .antt-hot-legend details > div + div { margin-top: 1px; }
        </style>
        {% endmacro %}
"""
        + LEGEND_SCRIPT
    )

    def __init__(self, legend_html: str, *, position: str = "bottomleft") -> None:
        super().__init__(legend_html, css_class="antt-hot-legend", position=position)
        self._name = "HotspotLegend"
