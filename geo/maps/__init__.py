"""Folium maps served offline: assets, controls, the district map, the hotspot layers and print previews."""

# Importing any map module points folium at the app's own assets first (process-wide, once).
from geo.maps import assets as _assets  # noqa: F401
