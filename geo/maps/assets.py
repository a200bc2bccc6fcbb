"""Front-end assets served by the app itself: folium's CDN URLs replaced by ``/app/static/vendor`` copies."""

from __future__ import annotations

import folium
import folium.plugins

from geo import settings
from geo.maps.controls import WeightedPoints

VENDOR = f"{settings.STATIC_URL}/vendor"
"""URL prefix of the front-end assets copied from npm into ``static/vendor`` at set-up."""

ASSET_FILES: dict[str, str] = {
    "leaflet/leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet/leaflet.css": "leaflet/dist/leaflet.css",
    "leaflet/images/layers.png": "leaflet/dist/images/layers.png",
    "leaflet/images/layers-2x.png": "leaflet/dist/images/layers-2x.png",
    "leaflet/images/marker-icon.png": "leaflet/dist/images/marker-icon.png",
    "leaflet/images/marker-icon-2x.png": "leaflet/dist/images/marker-icon-2x.png",
    "leaflet/images/marker-shadow.png": "leaflet/dist/images/marker-shadow.png",
    "leaflet.markercluster/leaflet.markercluster.js": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "leaflet.markercluster/MarkerCluster.css": "leaflet.markercluster/dist/MarkerCluster.css",
    "leaflet.markercluster/MarkerCluster.Default.css": "leaflet.markercluster/dist/MarkerCluster.Default.css",
    "leaflet.heat/leaflet-heat.js": "leaflet.heat/dist/leaflet-heat.js",
    # Vector basemap tiles (MVT) drawn on canvas; raster basemaps need only Leaflet (geo.maps.basemap).
    "protomaps-leaflet/protomaps-leaflet.js": "protomaps-leaflet/dist/protomaps-leaflet.js",
}
"""Files served under ``static/vendor/`` → their source inside ``node_modules/``."""


def configure_offline_assets() -> None:
    """Point folium's asset URLs at the app's own ``/app/static/vendor`` copies (no CDN).

    Class attributes are process-global: this runs once, when this module is imported.
    """
    folium.Map.default_js = [("leaflet", f"{VENDOR}/leaflet/leaflet.js")]
    folium.Map.default_css = [("leaflet_css", f"{VENDOR}/leaflet/leaflet.css")]
    folium.plugins.HeatMap.default_js = [("leaflet-heat.js", f"{VENDOR}/leaflet.heat/leaflet-heat.js")]
    cluster_js = [("markerclusterjs", f"{VENDOR}/leaflet.markercluster/leaflet.markercluster.js")]
    cluster_css = [
        ("markerclustercss", f"{VENDOR}/leaflet.markercluster/MarkerCluster.css"),
        ("markerclusterdefaultcss", f"{VENDOR}/leaflet.markercluster/MarkerCluster.Default.css"),
    ]
    for cls in (folium.plugins.MarkerCluster, folium.plugins.FastMarkerCluster, WeightedPoints):
        cls.default_js = cluster_js
        cls.default_css = cluster_css


configure_offline_assets()
