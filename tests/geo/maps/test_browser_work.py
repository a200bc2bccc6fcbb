"""The map's script spares the browser work it does not need: clusters stop where they would hold one marker,
cells share one tooltip."""

from __future__ import annotations

import re

import numpy as np
import pytest
from streamlit_folium import _get_map_string

from geo.hotspots import grid as gridmod
from geo.maps import hotspot_layers as hm
from geo.maps.controls import CLUSTER_RADIUS_PX, WeightedPoints, unclustered_zoom
from geo.maps.district import build_map
from geo.store.store import Store
from tests.geo.maps.test_hotspot_layers import rendered, triangle_grid


def _screen_px(lat: np.ndarray, lon: np.ndarray, zoom: float) -> np.ndarray:
    """Pixel distances between every pair of points at ``zoom`` (Web Mercator, 256-pixel tiles)."""
    scale = 256 * 2**zoom
    x = (lon + 180) / 360 * scale
    y = (1 - np.log(np.tan(np.radians(lat)) + 1 / np.cos(np.radians(lat))) / np.pi) / 2 * scale
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    return d[~np.eye(len(lat), dtype=bool)]


def test_clustering_stops_at_the_first_zoom_where_no_two_cells_are_within_the_radius() -> None:
    rng = np.random.default_rng(3)
    # Cell centres of a 150 m grid around 20° N (0.00135° of latitude, 0.001436° of longitude).
    ix, iy = rng.choice(40, size=(2, 200))
    lat, lon = 20.0 + iy * 0.00135, 105.6 + ix * 0.001436
    lat, lon = np.unique(np.column_stack([lat, lon]), axis=0).T
    zoom = unclustered_zoom(lat, lon)
    assert zoom is not None
    assert _screen_px(lat, lon, zoom).min() > CLUSTER_RADIUS_PX  # clusters would hold one marker from here
    assert _screen_px(lat, lon, zoom - 1).min() <= 1.1 * CLUSTER_RADIUS_PX  # and not a zoom earlier


def test_points_on_one_spot_or_alone_keep_clustering_at_every_zoom() -> None:
    assert unclustered_zoom(np.array([20.0, 20.0]), np.array([105.0, 105.0])) is None
    assert unclustered_zoom(np.array([20.0]), np.array([105.0])) is None
    assert unclustered_zoom(np.array([20.0, 20.0000001]), np.array([105.0, 105.0])) is None  # past zoom 18


@pytest.fixture(scope="module")
def data(demo_store: Store) -> tuple:
    return demo_store.communes(), demo_store.incidents()


def _points(build_script: str) -> str:
    return re.search(r"L\.markerClusterGroup\(\{.*?\}\);", build_script, re.S).group(0)  # type: ignore[union-attr]


def test_aggregated_cells_stop_clustering_single_incidents_do_not(data: tuple) -> None:
    communes, incidents = data
    cells = build_map(communes, incidents, points_max=1000)
    few = build_map(communes, incidents.tail(200))
    assert cells.points_mode == "cells"
    assert few.points_mode == "points"
    assert re.search(r"disableClusteringAtZoom: 1[0-8],", _points(_get_map_string(cells.map)))
    assert "disableClusteringAtZoom" not in _points(_get_map_string(few.map))
    layer = next(c for c in cells.map._children.values() if isinstance(c, WeightedPoints))
    assert layer.uncluster_zoom is not None
    assert layer.uncluster_zoom <= 18


def test_cells_share_one_tooltip_whatever_their_number() -> None:
    cells = gridmod.cell_polygons(triangle_grid())
    group = hm.density_layer(cells, density=np.full(len(cells), 500.0), communes=["Xã A"] * len(cells))
    html = rendered(group)
    assert len(cells) > 3
    assert html.count("bindTooltip(") == 1
    assert "sticky: true" in html


def test_aggregated_cells_carry_no_popup_index(data: tuple) -> None:
    communes, incidents = data
    cells = build_map(communes, incidents, points_max=1000)
    layer = next(c for c in cells.map._children.values() if isinstance(c, WeightedPoints))
    assert {len(r) for r in layer.rows} == {3}
    assert layer.popups == []
    few = build_map(communes, incidents.tail(50))
    points = next(c for c in few.map._children.values() if isinstance(c, WeightedPoints))
    assert [r[3] for r in points.rows] == list(range(50))  # each incident keeps its popup
