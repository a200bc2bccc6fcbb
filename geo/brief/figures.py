"""The brief's figures, drawn offline with geopandas and matplotlib: the verdict map, the hot-spot map, the monthly chart.

The maps use the dashboard's polygons and colours: the verdict fills of the overview's map, the
density classes and colours of the hot-spot layer (`geo.maps.hotspot_layers`) and its Gi* hot cells. Every name from the
data is drawn with ``parse_math=False``, so a "$" in a commune's name is text, never mathtext.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from geo import settings
from geo.aggregate import class_labels
from geo.brief.content import Image
from geo.communes import metric_crs
from geo.formatting import format_number
from geo.maps.district import BOUNDARY_COLOUR, TARGET_COLOUR
from geo.maps.hotspot_layers import DENSITY_COLOURS, density_class

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

VERDICT_COLOURS: dict[str, tuple[str, str]] = {
    "improving": ("#1a9850", "#13612f"),
    "unclear": ("#fdae61", "#8a4b00"),
    "worsening": ("#d73027", "#a50f15"),
    "insufficient": ("#bdbdbd", "#4d4d4d"),
}
"""Verdict → (map fill, text colour): the overview's verdict map and cards (`ui.theme.VERDICT_STYLE`)."""

BUFFER_OUTLINE = "#3b3b3b"
"""Dashed outline of the buffer communes (the overview's verdict map)."""

OTHER_FILL = "#f2f2f2"
"""Fill of the communes that are not targets."""

DPI = 200
"""Resolution of the figures: sharp on paper at the widths the brief uses."""


@dataclass(frozen=True)
class Png:
    """A drawn figure: PNG bytes and the height-to-width ratio of the image."""

    data: bytes
    aspect: float

    def image(self, caption: str, *, width: float) -> Image:
        """Return the figure as a block of the brief, ``width`` its share of the text width."""
        return Image(png=self.data, caption=caption, width=width, aspect=self.aspect)


def _png(figure: Figure) -> Png:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.04, facecolor="white")
    data = buffer.getvalue()
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    return Png(data, height / width)


def _plain(texts: Iterable[Text]) -> None:
    for text in texts:
        text.set_parse_math(False)


def _halo() -> list[object]:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.2, foreground="white")]


def _map_axes(size: tuple[float, float]) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=DPI, layout="tight")
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_aspect("equal")
    return figure, axes


def _label(axes: Axes, metric: gpd.GeoDataFrame, *, size: float, colour: str = "#102a43") -> None:
    if len(metric) > 60:  # a province: names would cover the map
        return
    for name, point in zip(metric["name"], metric.geometry.representative_point(), strict=True):
        axes.annotate(
            str(name),
            (point.x, point.y),
            ha="center",
            va="center",
            fontsize=size,
            color=colour,
            parse_math=False,
            path_effects=_halo(),
        )


def verdict_map(
    communes: gpd.GeoDataFrame,
    *,
    verdicts: Mapping[str, str],
    buffers: Sequence[str],
    legend: Mapping[str, str],
    buffer_label: str,
) -> Png:
    """Draw the targets filled by their verdict, the buffers outlined dashed, every commune named."""
    from matplotlib.patches import Patch

    metric = communes.to_crs(metric_crs(communes))
    codes = metric["code"].astype(str)
    figure, axes = _map_axes((4.2, 4.6))
    fills = [VERDICT_COLOURS[verdicts[c]][0] if c in verdicts else OTHER_FILL for c in codes]
    metric.plot(ax=axes, color=fills, edgecolor=BOUNDARY_COLOUR, linewidth=0.5)
    buffer = metric[codes.isin(list(buffers)).to_numpy()]
    if len(buffer):
        buffer.boundary.plot(ax=axes, color=BUFFER_OUTLINE, linewidth=1.1, linestyle=(0, (4, 2.5)))
    targets = metric[codes.isin(list(verdicts)).to_numpy()]
    targets.boundary.plot(ax=axes, color=TARGET_COLOUR, linewidth=1.6)
    _label(axes, metric, size=6.5)
    present = [key for key in VERDICT_COLOURS if key in set(verdicts.values())]
    handles = [
        Patch(facecolor=VERDICT_COLOURS[key][0], edgecolor=TARGET_COLOUR, label=legend[key])
        for key in present
    ]
    if len(buffer):
        handles.append(Patch(facecolor="white", edgecolor=BUFFER_OUTLINE, linestyle="--", label=buffer_label))
    box = axes.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=7, frameon=False
    )
    _plain(box.get_texts())
    return _png(figure)


def hotspot_map(
    communes: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    *,
    density: np.ndarray,
    bins: np.ndarray,
    ranks: Sequence[tuple[float, float, int]],
    density_title: str,
    hot_label: str,
    targets: Sequence[str] = (),
    lang: str = "vi",
) -> Png:
    """Draw the density classes and the Gi* hot cells (outlined) over the communes, hot cells numbered as in the table.

    ``density`` (incidents per km² per year) and ``bins`` hold one value per row of ``cells``; the
    classes and colours are the dashboard's (`settings.DENSITY_BREAKS`, `DENSITY_COLOURS`). A rank is
    written once per group of adjacent hot cells (the first, hottest, of the group).
    """
    from matplotlib.patches import Patch

    crs = metric_crs(communes)
    metric = communes.to_crs(crs)
    figure, axes = _map_axes((5.4, 4.8))
    metric.plot(ax=axes, color="#fbfbfb", edgecolor=BOUNDARY_COLOUR, linewidth=0.5)
    classes = density_class(np.asarray(density, dtype=float))
    projected = cells.to_crs(crs)
    shown = projected[classes >= 0]
    if len(shown):
        shown.plot(
            ax=axes, color=[DENSITY_COLOURS[int(c)] for c in classes[classes >= 0]], linewidth=0, alpha=0.85
        )
    hot = projected[np.asarray(bins).astype(int) > 0]
    if len(hot):
        hot.boundary.plot(ax=axes, color="#111", linewidth=0.7)
    codes = metric["code"].astype(str)
    chosen = metric[codes.isin(list(targets)).to_numpy()]
    if len(chosen):
        chosen.boundary.plot(ax=axes, color=TARGET_COLOUR, linewidth=1.4)
    metric.boundary.plot(ax=axes, color=BOUNDARY_COLOUR, linewidth=0.4)
    _label(axes, metric, size=5.5, colour="#52606d")
    to_metric = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    placed: list[tuple[float, float]] = []
    near = 2.5 * settings.GRID_CELL_M
    for lon, lat, rank in ranks:
        x, y = to_metric.transform(lon, lat)
        if any(abs(x - px) <= near and abs(y - py) <= near for px, py in placed):
            continue
        placed.append((x, y))
        axes.annotate(
            str(rank),
            (x, y),
            xytext=(7, 7),
            textcoords="offset points",
            fontsize=7.5,
            fontweight="bold",
            color="#111",
            path_effects=_halo(),
            arrowprops={"arrowstyle": "-", "color": "#111", "linewidth": 0.6},
        )
    present = sorted({int(c) for c in classes if c >= 0})
    labels = class_labels(settings.DENSITY_BREAKS, lang=lang)
    handles = [Patch(facecolor=DENSITY_COLOURS[c], edgecolor="none", label=labels[c]) for c in present]
    if len(hot):
        handles.append(Patch(facecolor="none", edgecolor="#111", label=hot_label))
    if handles:
        box = axes.legend(
            handles=handles,
            title=density_title,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=4,
            fontsize=6.5,
            title_fontsize=7,
            frameon=False,
        )
        _plain([*box.get_texts(), box.get_title()])
    return _png(figure)


_LINE_COLOURS = (TARGET_COLOUR, BOUNDARY_COLOUR, "#2166ac")


def monthly_chart(
    lines: Mapping[str, pd.Series],
    *,
    start_line: date | None,
    start_label: str,
    y_label: str,
    lang: str = "vi",
) -> Png:
    """Draw monthly lines (index: month starts) with the plan's start as a vertical line, numbers in ``lang``."""
    from matplotlib.dates import AutoDateLocator, DateFormatter
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    figure = Figure(figsize=(5.0, 3.9), dpi=DPI, layout="tight")
    axes = figure.add_subplot()
    top = 0.0
    for (label, values), colour in zip(lines.items(), _LINE_COLOURS, strict=False):
        axes.plot(values.index, values.to_numpy(dtype=float), color=colour, linewidth=1.6, label=label)
        top = max(top, float(np.nanmax(values.to_numpy(dtype=float))) if len(values) else 0.0)
    digits = 0 if top >= 20 else 1 if top >= 2 else 2
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, digits, lang=lang)))
    axes.xaxis.set_major_locator(AutoDateLocator(minticks=4, maxticks=8))
    axes.xaxis.set_major_formatter(DateFormatter("%m/%Y"))
    axes.tick_params(labelsize=7)
    axes.set_ylim(bottom=0)
    axes.set_ylabel(y_label, fontsize=7.5)
    axes.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if start_line is not None and lines:
        first = min(v.index.min() for v in lines.values())
        last = max(v.index.max() for v in lines.values())
        day = pd.Timestamp(start_line)
        if first <= day <= last + pd.offsets.MonthEnd(0):
            axes.axvline(day.to_pydatetime(), color="#111", linewidth=1.2, linestyle="--")  # type: ignore[arg-type]
            axes.annotate(
                start_label,
                (day, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -2),
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize=7,
                parse_math=False,
            )
    if lines:
        box = axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=7, frameon=False)
        _plain(box.get_texts())
    _plain([axes.yaxis.label])
    return _png(figure)
