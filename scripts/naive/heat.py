"""Naive build for the scale benchmark (scripts/bench_scale.py): a raw folium ``HeatMap`` of every point.

What a quick dashboard ships: every incident of the last 12 months read with pandas and sent to the
browser as a heat layer. Served offline: folium's asset URLs point at the app's ``/app/static/vendor``
copies (``geo.maps.assets``), exactly as for the product. Not part of the product.
"""

import os

import folium
import pandas as pd
import sqlalchemy as sa
import streamlit as st
from folium.plugins import HeatMap
from streamlit_folium import st_folium

import geo.maps.assets  # noqa: F401 (folium's CDN URLs → the app's own copies)


@st.cache_data
def load(url: str) -> pd.DataFrame:
    """Every located incident: time and coordinates."""
    query = "SELECT occurred_at, lon, lat FROM incidents WHERE lon IS NOT NULL AND lat IS NOT NULL"
    return pd.read_sql(query, sa.create_engine(url), parse_dates=["occurred_at"])


st.title("HeatMap (thô)")
frame = load(os.environ["ANTT_DATABASE_URL"])
recent = frame[frame["occurred_at"] > frame["occurred_at"].max() - pd.DateOffset(months=12)]
st.caption(f"{len(recent):,} vụ việc")
center = [float(recent["lat"].mean()), float(recent["lon"].mean())] if len(recent) else [20.0, 105.6]
fmap = folium.Map(location=center, zoom_start=12, tiles=None, maxZoom=19)
HeatMap(recent[["lat", "lon"]].to_numpy().tolist(), radius=12).add_to(fmap)
st_folium(fmap, height=620, use_container_width=True, returned_objects=[])
