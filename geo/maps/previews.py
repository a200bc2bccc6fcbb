"""Static previews drawn with matplotlib (offline, no browser): new boundaries over the current ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd

from geo.communes import metric_crs

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def preview_figure(new: gpd.GeoDataFrame, current: gpd.GeoDataFrame | None = None) -> Figure:
    """Draw new boundaries (filled, labelled with their names) over the current ones (dashed), offline.

    Returns a matplotlib figure in metres (the area's metric CRS), for the preview before replacing boundaries.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 5.5), dpi=100, layout="tight")
    axes = figure.add_subplot()
    crs = metric_crs(new)
    metric = new.to_crs(crs)
    metric.plot(ax=axes, color="#cfe3f3", edgecolor="#1f4e79", linewidth=1.0)
    if current is not None and len(current):
        current.to_crs(crs).boundary.plot(ax=axes, color="#c0392b", linewidth=1.0, linestyle=(0, (4, 3)))
    for name, point in zip(metric["name"], metric.geometry.representative_point(), strict=True):
        # parse_math=False: a "$" in a name from the file is text, never matplotlib mathtext.
        axes.annotate(
            str(name),
            (point.x, point.y),
            ha="center",
            va="center",
            fontsize=7,
            color="#102a43",
            parse_math=False,
        )
    axes.set_axis_off()
    axes.set_aspect("equal")
    return figure
