"""Folium maps served offline: assets, controls, the district map and the hotspot layers."""
