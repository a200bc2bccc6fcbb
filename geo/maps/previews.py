"""Static previews drawn with matplotlib (offline, no browser): new boundaries over the current ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd

from geo import settings

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def preview_figure(new: gpd.GeoDataFrame, current: gpd.GeoDataFrame | None = None) -> Figure:
    """Draw new boundaries (filled, labelled with their names) over the current ones (dashed), offline.

    Returns a matplotlib figure in metres (EPSG:32648), for the preview before replacing boundaries.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 5.5), dpi=100, layout="tight")
    axes = figure.add_subplot()
    metric = new.to_crs(settings.CRS_METRIC)
    metric.plot(ax=axes, color="#cfe3f3", edgecolor="#1f4e79", linewidth=1.0)
    if current is not None and len(current):
        current.to_crs(settings.CRS_METRIC).boundary.plot(
            ax=axes, color="#c0392b", linewidth=1.0, linestyle=(0, (4, 3))
        )
    for name, point in zip(metric["name"], metric.geometry.representative_point(), strict=True):
        axes.annotate(str(name), (point.x, point.y), ha="center", va="center", fontsize=7, color="#102a43")
    axes.set_axis_off()
    axes.set_aspect("equal")
    return figure
