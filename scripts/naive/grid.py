"""Naive build for the scale benchmark (scripts/bench_scale.py): a one-layer server-side grid.

The plain version of the product's design: the last 12 months counted into ≈250 m cells on the
server (``np.histogram2d`` on longitude/latitude), the non-empty cells sent as one GeoJSON layer of
rectangles coloured by count. Served offline like the product (``geo.maps.assets``). Not part of the
product.
"""

import os

import folium
import numpy as np
import pandas as pd
import sqlalchemy as sa
import streamlit as st
from streamlit_folium import st_folium

import geo.maps.assets  # noqa: F401 (folium's CDN URLs → the app's own copies)

CELL_DEG = 0.0024  # ≈ 250 m at 20° N
COLOURS = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"]


@st.cache_data
def load(url: str) -> pd.DataFrame:
    """Every located incident: time and coordinates."""
    query = "SELECT occurred_at, lon, lat FROM incidents WHERE lon IS NOT NULL AND lat IS NOT NULL"
    return pd.read_sql(query, sa.create_engine(url), parse_dates=["occurred_at"])


def cells(lon: np.ndarray, lat: np.ndarray) -> dict[str, object]:
    """The non-empty grid cells as a GeoJSON FeatureCollection with a colour class per cell."""
    if len(lon) == 0:
        return {"type": "FeatureCollection", "features": []}
    xs = np.arange(lon.min(), lon.max() + CELL_DEG, CELL_DEG)
    ys = np.arange(lat.min(), lat.max() + CELL_DEG, CELL_DEG)
    counts, xs, ys = np.histogram2d(lon, lat, bins=[xs, ys])
    ix, iy = np.nonzero(counts)
    values = counts[ix, iy]
    edges = np.quantile(values, [0.5, 0.75, 0.9, 0.97]) if len(values) else []
    classes = np.searchsorted(edges, values, side="right")
    features = []
    for i, j, n, k in zip(ix, iy, values, classes, strict=True):
        x0, x1, y0, y1 = float(xs[i]), float(xs[i + 1]), float(ys[j]), float(ys[j + 1])
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        features.append(
            {
                "type": "Feature",
                "properties": {"n": int(n), "colour": COLOURS[int(k)]},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


st.title("Lưới đếm phía máy chủ (thô)")
frame = load(os.environ["ANTT_DATABASE_URL"])
recent = frame[frame["occurred_at"] > frame["occurred_at"].max() - pd.DateOffset(months=12)]
st.caption(f"{len(recent):,} vụ việc")
center = [float(recent["lat"].mean()), float(recent["lon"].mean())] if len(recent) else [20.0, 105.6]
fmap = folium.Map(location=center, zoom_start=12, tiles=None, maxZoom=19)
folium.GeoJson(
    cells(recent["lon"].to_numpy(), recent["lat"].to_numpy()),
    style_function=lambda f: {
        "fillColor": f["properties"]["colour"],
        "color": f["properties"]["colour"],
        "weight": 0,
        "fillOpacity": 0.7,
    },
).add_to(fmap)
st_folium(fmap, height=620, use_container_width=True, returned_objects=[])
