"""Folium maps served fully offline: communes, choropleth, clustered points and heat, under a size budget."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.template import Template

from geo import settings
from geo.aggregate import RATE_BREAKS, class_labels, rate_class, rate_per_1000
from geo.communes import metric_crs
from geo.drilldown import date_text
from geo.formatting import format_number
from geo.maps.basemap import add_basemap
from geo.maps.controls import (
    LEGEND_SCRIPT,
    FittedLabels,
    LegendControl,
    MetricScale,
    WeightedPoints,
    label_rows,
    unclustered_zoom,
)
from geo.maps.mapcounts import MapCounts, map_counts
from geo.taxonomy import offence_name

RATE_COLOURS: tuple[str, ...] = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704")
"""Choropleth colours, one per class of `geo.aggregate.RATE_BREAKS` (light = low)."""

NO_RATE_COLOUR = "#dddddd"
"""Fill of a unit without population (no rate)."""

TARGET_COLOUR = "#b2182b"
BOUNDARY_COLOUR = "#4d4d4d"
POINT_COLOUR = "#2166ac"
POINTS_PANE = "antt-points"
"""Leaflet pane of the incident points: above the density and hot spot cells (z-index 450), below the
cluster icons (markers, 600), so a point's popup opens wherever cells are drawn."""
MAX_ZOOM = 18
"""The map's deepest zoom (the marker clusters' last level)."""
LAYERS = ("boundaries", "choropleth", "points", "heat")
"""Map layer keys, in drawing order."""


def rate_colours(breaks: Sequence[float] = RATE_BREAKS) -> tuple[str, ...]:
    """Return the colour of each class of ``breaks`` (spread over `RATE_COLOURS`, light = low).

    Examples
    --------
    >>> rate_colours((5.0,))
    ('#fff5eb', '#7f2704')
    """
    if len(breaks) + 1 > len(RATE_COLOURS):
        raise ValueError(f"at most {len(RATE_COLOURS) - 1} rate breaks")
    picks = np.round(np.linspace(0, len(RATE_COLOURS) - 1, len(breaks) + 1)).astype(int)
    return tuple(RATE_COLOURS[i] for i in picks)


def rate_labels(breaks: Sequence[float] = RATE_BREAKS, *, lang: str | None = None) -> list[str]:
    """Return the legend label of each choropleth class, one per `rate_colours` ("0–10" … "≥ 40")."""
    return class_labels((0, *breaks), lang=lang)


class _Legend(LegendControl):
    """The map's own legend (layers, targets, choropleth classes) and the map's base CSS."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .leaflet-container { background: #f3f1ec; font-family: "DejaVu Sans", Arial, sans-serif; }
        .antt-legend { background: rgba(255,255,255,0.95); padding: 8px 10px; border-radius: 6px;
            box-shadow: 0 1px 4px rgba(0,0,0,0.3); font-size: 13px; line-height: 1.45; max-width: 260px; }
        .antt-legend i { display: inline-block; width: 16px; height: 12px; margin-right: 6px; vertical-align: -1px;
            border: 1px solid #999; }
        .antt-legend .swatch-line { height: 0; border: 0; border-top: 3px solid; width: 18px; vertical-align: 3px; }
        .antt-label { display: flex; align-items: center; justify-content: center; font-size: 12px; font-weight: 600; color: #222; text-align: center; white-space: nowrap;
            text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; pointer-events: none; }
        .antt-label.target span { color: #7a0019; font-size: 13px; font-weight: 800; text-shadow: none;
            background: rgba(255,255,255,0.9); border: 1px solid {{ this.target_colour }}; border-radius: 3px;
            padding: 0 4px; }
        </style>
        {% endmacro %}
"""
        + LEGEND_SCRIPT
    )

    def __init__(self, legend_html: str) -> None:
        super().__init__(legend_html, css_class="antt-legend", position="bottomright")
        self.target_colour = TARGET_COLOUR


@dataclass(frozen=True)
class MapTexts:
    """Words on the map, in the page's language (escaped when drawn)."""

    boundaries: str = "Ranh giới xã"
    choropleth: str = "Số vụ / 1.000 dân / năm"
    points: str = "Vụ việc"
    heat: str = "Mật độ (nhiệt)"
    target: str = "Xã trọng điểm"
    commune: str = "Xã, thị trấn"
    incidents_unit: str = "vụ"
    approximate: str = "Ranh giới gần đúng, không phải ranh giới chính thức"
    aggregated: str = "Nhiều vụ việc: gộp theo ô {cell} m trên máy chủ"
    no_population: str = "chưa có dân số"
    address: str = "Địa chỉ"
    status: str = "Trạng thái"


@dataclass(frozen=True)
class MapBuild:
    """A built map and what went into it (for captions and tests)."""

    map: folium.Map
    points_mode: str
    """"points" (one marker per incident), "cells" (aggregated) or "none"."""
    n_incidents: int
    n_markers: int
    n_heat_cells: int
    n_unlocated: int = 0
    """Incidents without coordinates (placed by their commune): in the choropleth, not as points."""


def _popup(row: Any, communes_by_code: dict[str, str], lang: str, texts: MapTexts | None = None) -> str:
    texts = texts or MapTexts()
    when = date_text(pd.Timestamp(row.occurred_at), str(getattr(row, "precision", "minute")))
    parts = [
        f"<b>{html.escape(offence_name(row.offence_code, lang=lang))}</b>",
        html.escape(when),
        html.escape(communes_by_code.get(row.commune_code, row.commune_code)),
    ]
    for label, value in (
        (texts.address, getattr(row, "address", "")),
        (texts.status, getattr(row, "status", "")),
    ):
        if isinstance(value, str) and value and value != "nan":
            parts.append(f"{html.escape(label)}: {html.escape(value)}")
    parts.append(f"<small>{html.escape(str(row.incident_id))}</small>")
    if isinstance(row.description, str) and row.description:
        parts.append(html.escape(row.description[:300]))
    return "<br>".join(parts)


def _features(communes: gpd.GeoDataFrame, props: pd.DataFrame) -> dict[str, Any]:
    geoms = shapely.set_precision(communes.geometry.to_numpy(), 10**-settings.COORD_DECIMALS)
    features = []
    for geom, (_, row) in zip(geoms, props[list(FEATURE_PROPERTIES)].iterrows(), strict=True):
        features.append(
            {"type": "Feature", "properties": row.to_dict(), "geometry": shapely.geometry.mapping(geom)}
        )
    return {"type": "FeatureCollection", "features": features}


def build_map(
    communes: gpd.GeoDataFrame,
    incidents: pd.DataFrame | MapCounts,
    *,
    targets: tuple[str, ...] = (),
    layers: tuple[str, ...] = LAYERS,
    days: int = 365,
    lang: str = "vi",
    texts: MapTexts | None = None,
    points_max: int = settings.POINTS_MAX,
    tile_url: str = settings.TILE_URL,
    fills: dict[str, str] | None = None,
    outlines: dict[str, str] | None = None,
    breaks: Sequence[float] = RATE_BREAKS,
    focus: tuple[str, ...] = (),
) -> MapBuild:
    """Build the hotspot map for already-filtered incidents.

    Parameters
    ----------
    communes
        Commune polygons (EPSG:4326).
    incidents
        Filtered incidents, aggregated into cells above ``points_max``; or their `MapCounts` already
        made (from the database's counts, as `ui.mapdata._counted` makes them).
    targets
        Codes of target communes, drawn with a thick red outline and bold names.
    layers
        Which of `LAYERS` to draw.
    days
        Length of the period, to annualise the choropleth's rate.
    lang
        "vi" or "en", for offence names in popups.
    texts
        Words shown on the map.
    points_max
        Most incidents drawn one by one.
    tile_url
        Optional basemap URL template; empty for none (offline).
    fills, outlines
        Optional fill and outline colours per commune code (used by verdict maps).
    breaks
        Choropleth class breaks (at most four, increasing), the same for every period a page compares:
        `geo.aggregate.rate_breaks` of the whole data span.
    focus
        Codes of the communes the filter selects: the map opens fitted to them (empty: the whole area).
    """
    texts = texts or MapTexts()
    fmap = _base(communes, tile_url=tile_url)
    _fit_to(fmap, communes[communes["code"].isin(focus)])
    counted = (
        incidents
        if isinstance(incidents, MapCounts)
        else map_counts(incidents, crs=metric_crs(communes).to_string(), points_max=points_max)
    )
    props = _properties(communes, counted.per_unit, targets=targets, days=days, lang=lang, texts=texts)
    collection = _features(communes, props)
    tooltip = ["label", "count_text", "rate_text"], [texts.commune, texts.incidents_unit, texts.choropleth]
    if "choropleth" in layers:
        _choropleth_layer(collection, props, breaks=breaks, name=texts.choropleth, tooltip=tooltip).add_to(
            fmap
        )
    heat_cells = 0
    # Records placed by their commune only count in the choropleth; points and density need a point.
    if "heat" in layers and len(counted.cells):
        heat, heat_cells = _heat_layer(counted.cells, name=texts.heat)
        heat.add_to(fmap)
    mode, markers = "none", 0
    if "points" in layers and counted.n_located:
        names = dict(zip(communes["code"], communes["name"], strict=True))
        folium.map.CustomPane(POINTS_PANE, z_index=550, pointer_events=True).add_to(fmap)
        points, mode, markers = _points_layer(counted, names, texts=texts, lang=lang)
        points.add_to(fmap)
    if "boundaries" in layers or fills or outlines:
        _boundary_layer(
            collection, fills=fills or {}, outlines=outlines or {}, name=texts.boundaries, tooltip=tooltip
        ).add_to(fmap)
        FittedLabels(label_rows(communes, targets=targets)).add_to(fmap)
    legend = _legend_html(
        layers,
        texts,
        mode=mode,
        has_targets=bool(targets),
        approximate=bool(communes["approximate"].any()),
        breaks=breaks,
        lang=lang,
        no_rate=bool(props["rate"].isna().any()),
    )
    _Legend(legend).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return MapBuild(fmap, mode, counted.n, markers, heat_cells, counted.n - counted.n_located)


Tooltip = tuple[list[str], list[str]]


def _base(communes: gpd.GeoDataFrame, *, tile_url: str) -> folium.Map:
    """Return an empty map fitted to the communes, with a kilometre scale and the optional basemap."""
    minx, miny, maxx, maxy = communes.total_bounds
    fmap = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=12,
        tiles=None,
        zoom_snap=0.25,
    )
    MetricScale().add_to(fmap)
    # Without a tile layer folium drops max/min zoom, and marker clusters need the map's maxZoom.
    fmap.options.update({"maxZoom": MAX_ZOOM, "minZoom": 9, "attributionControl": False})
    add_basemap(fmap, tile_url=tile_url)  # the imported file, else the URL saved on /data, else tile_url
    fmap.fit_bounds([[miny, minx], [maxy, maxx]], padding=(8, 8))
    return fmap


def _fit_to(fmap: folium.Map, chosen: gpd.GeoDataFrame) -> None:
    """Fit ``fmap`` to the ``chosen`` communes (nothing when none is chosen): replaces `_base`'s fit."""
    if chosen.empty:
        return
    minx, miny, maxx, maxy = chosen.total_bounds
    for name, child in list(fmap._children.items()):
        if isinstance(child, folium.map.FitBounds):
            del fmap._children[name]
    fmap.fit_bounds([[miny, minx], [maxy, maxx]], padding=(24, 24))


def _properties(
    communes: gpd.GeoDataFrame,
    counts: pd.Series,
    *,
    targets: tuple[str, ...],
    days: int,
    lang: str = "vi",
    texts: MapTexts | None = None,
) -> pd.DataFrame:
    """Return each commune's escaped label, count, yearly rate per 1,000 residents and target flag.

    ``rate`` is NaN where the population is unknown; ``rate_text`` is the rate as the tooltip shows it
    (the language's decimal mark, or "chưa có dân số").
    """
    texts = texts or MapTexts()
    count = communes["code"].map(counts).fillna(0).astype(int)
    population = pd.to_numeric(communes["population"], errors="coerce")
    rate = rate_per_1000(count, population.fillna(0), days=days).round(1)
    return pd.DataFrame(
        {
            "code": communes["code"].to_numpy(),
            "label": [html.escape(str(n)) for n in communes["name"]],
            "count": count.to_numpy(),
            "count_text": [format_number(int(n), lang=lang) for n in count],
            "rate": rate.to_numpy(),
            "rate_text": [
                html.escape(texts.no_population) if np.isnan(r) else format_number(float(r), 1, lang=lang)
                for r in rate
            ],
            "target": communes["code"].isin(targets).to_numpy(),
        }
    )


FEATURE_PROPERTIES = ("code", "label", "count", "count_text", "rate_text", "target")
"""The properties each unit's GeoJSON feature carries (what styles and tooltips read)."""


def _choropleth_layer(
    collection: dict[str, Any], props: pd.DataFrame, *, breaks: Sequence[float], name: str, tooltip: Tooltip
) -> folium.GeoJson:
    colours = rate_colours(breaks)
    colour_of = {
        code: NO_RATE_COLOUR if np.isnan(rate) else colours[rate_class(rate, breaks)]
        for code, rate in zip(props["code"], props["rate"], strict=True)
    }
    return folium.GeoJson(
        collection,
        name=html.escape(name),
        style_function=lambda f: {
            "fillColor": colour_of[f["properties"]["code"]],
            "fillOpacity": 0.75,
            "color": "#ffffff",
            "weight": 0.5,
            "className": "antt-rate",
        },
        tooltip=folium.GeoJsonTooltip(fields=tooltip[0], aliases=tooltip[1]),
    )


def _heat_layer(cells: pd.DataFrame, *, name: str) -> tuple[folium.plugins.HeatMap, int]:
    """Return the heat layer of server-side cells (never raw points) and how many cells it holds."""
    peak = float(cells["count"].max())
    data = np.column_stack([cells["lat"], cells["lon"], np.round(cells["count"] / peak, 3)]).tolist()
    layer = folium.plugins.HeatMap(
        data,
        name=html.escape(name),
        radius=18,
        blur=14,
        min_opacity=0.25,
        max_zoom=14,
        gradient={"0.2": "#ffffb2", "0.45": "#fecc5c", "0.7": "#fd8d3c", "0.9": "#e31a1c"},
    )
    return layer, len(cells)


def _points_layer(
    counted: MapCounts, names: dict[str, str], *, texts: MapTexts, lang: str
) -> tuple[WeightedPoints, str, int]:
    """Return the clustered incidents (one marker each when few, else cells), the mode and markers."""
    incidents = counted.points
    uncluster = None  # incidents may share a spot: clustered at every zoom
    if incidents is not None:
        mode = "points"
        popups = [_popup(r, names, lang, texts) for r in incidents.itertuples(index=False)]
        lat = incidents["lat"].round(settings.COORD_DECIMALS).to_numpy()
        lon = incidents["lon"].round(settings.COORD_DECIMALS).to_numpy()
        rows = [[float(a), float(b), 1, i] for i, (a, b) in enumerate(zip(lat, lon, strict=True))]
    else:
        mode = "cells"
        cells = counted.cells
        popups = []
        uncluster = unclustered_zoom(cells["lat"].to_numpy(), cells["lon"].to_numpy(), max_zoom=MAX_ZOOM)
        rows = [  # no popup index: a cell shows its count as a tooltip
            [float(a), float(b), int(c)]
            for a, b, c in zip(cells["lat"], cells["lon"], cells["count"], strict=True)
        ]
    layer = WeightedPoints(
        rows,
        popups,
        name=html.escape(texts.points),
        unit=texts.incidents_unit,
        colour=POINT_COLOUR,
        pane=POINTS_PANE,
        uncluster_zoom=uncluster,
    )
    return layer, mode, len(rows)


def _boundary_layer(
    collection: dict[str, Any],
    *,
    fills: dict[str, str],
    outlines: dict[str, str],
    name: str,
    tooltip: Tooltip,
) -> folium.GeoJson:
    """Return the commune outlines: targets thick red, verdict fills and buffer outlines where given."""

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        code = feature["properties"]["code"]
        is_target = feature["properties"]["target"]
        return {
            "color": outlines.get(code, TARGET_COLOUR if is_target else BOUNDARY_COLOUR),
            "weight": 4 if is_target else (3 if code in outlines else 1.2),
            "dashArray": "6 4" if code in outlines and not is_target else None,
            "fillColor": fills.get(code, TARGET_COLOUR if is_target else "#ffffff"),
            "fillOpacity": 0.75 if code in fills else (0.08 if is_target else 0.0),
            "className": "antt-commune antt-target" if is_target else "antt-commune",
        }

    return folium.GeoJson(
        collection,
        name=html.escape(name),
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=tooltip[0], aliases=tooltip[1]),
    )


def _legend_html(
    layers: tuple[str, ...],
    texts: MapTexts,
    *,
    mode: str,
    has_targets: bool,
    approximate: bool,
    breaks: Sequence[float] = RATE_BREAKS,
    lang: str | None = None,
    no_rate: bool = False,
) -> str:
    esc = html.escape
    parts: list[str] = []
    if has_targets:
        parts.append(
            f'<div><i class="swatch-line" style="border-color:{TARGET_COLOUR}"></i>★ {esc(texts.target)}</div>'
        )
    if "boundaries" in layers:
        parts.append(
            f'<div><i class="swatch-line" style="border-color:{BOUNDARY_COLOUR};border-top-width:1px">'
            f"</i>{esc(texts.commune)}</div>"
        )
    if "choropleth" in layers:
        parts.append(f"<div style='margin-top:4px'><b>{esc(texts.choropleth)}</b></div>")
        for colour, span in zip(rate_colours(breaks), rate_labels(breaks, lang=lang), strict=True):
            parts.append(f'<div><i style="background:{colour}"></i>{esc(span)}</div>')
        if no_rate:
            parts.append(f'<div><i style="background:{NO_RATE_COLOUR}"></i>{esc(texts.no_population)}</div>')
    if "points" in layers and mode != "none":
        parts.append(
            f'<div><i style="background:{POINT_COLOUR};border-radius:50%;width:12px"></i>{esc(texts.points)}</div>'
        )
        if mode == "cells":
            parts.append(
                f"<div><small>{esc(texts.aggregated.format(cell=int(settings.HEAT_CELL_M)))}</small></div>"
            )
    if "heat" in layers:
        parts.append(
            f'<div><i style="background:linear-gradient(90deg,#ffffb2,#fd8d3c,#e31a1c)"></i>{esc(texts.heat)}</div>'
        )
    if approximate:
        parts.append(
            f"<div style='margin-top:4px;color:#8a4b00'><small>⚠ {esc(texts.approximate)}</small></div>"
        )
    return "".join(parts)


def map_html_size(fmap: folium.Map) -> int:
    """Return the size in bytes of the map's standalone HTML (what the browser receives)."""
    return len(fmap.get_root().render().encode("utf-8"))


def geojson_text(communes: gpd.GeoDataFrame) -> str:
    """Return communes as compact GeoJSON text (for downloads)."""
    return json.dumps(json.loads(communes.to_json(drop_id=True)), ensure_ascii=False, separators=(",", ":"))
