"""Boundary previews: drawn offline in the area's own metres, names shown literally."""

from __future__ import annotations

import io

import geopandas as gpd
import shapely

from geo.maps.previews import preview_figure


def test_names_with_dollars_and_backslashes_draw_as_text() -> None:
    """A "$" in a unit name once crashed the preview (matplotlib read it as mathtext)."""
    new = gpd.GeoDataFrame(
        {"name": ["Xã $x^2$ $", "Phường \\ 1"]},
        geometry=[shapely.box(4.80, 45.74, 4.82, 45.76), shapely.box(4.82, 45.74, 4.84, 45.76)],
        crs=4326,
    )
    figure = preview_figure(new, new.iloc[:1])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    assert buffer.getvalue().startswith(b"\x89PNG")
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert texts == ["Xã $x^2$ $", "Phường \\ 1"]
    # Drawn in Lyon's UTM zone: the 0.02° squares are about 1.6 km wide, not stretched.
    left, right = figure.axes[0].get_xlim()
    assert 2_500 < right - left < 4_500
