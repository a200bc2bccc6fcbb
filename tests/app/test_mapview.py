"""ui.mapview: a map rendered once sends the browser exactly what ``st_folium`` sends for it."""

from __future__ import annotations

import copy
from typing import Any

import folium
import numpy as np
import pytest
import streamlit_folium as sf

from geo.maps import hotspot_layers as hm
from ui import mapview


def _map() -> folium.Map:
    fmap = folium.Map(location=[19.98, 105.63], zoom_start=12, tiles=None)
    point = {"type": "Point", "coordinates": [105.6, 20.0]}
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"name": "Vĩnh Hùng"}, "geometry": point}],
    }
    folium.GeoJson(collection, tooltip=folium.GeoJsonTooltip(fields=["name"])).add_to(fmap)
    fmap.fit_bounds([[19.9, 105.5], [20.1, 105.7]])
    return fmap


def _groups() -> list[folium.FeatureGroup]:
    return [hm.points_layer(lon=np.array([105.60, 105.61]), lat=np.array([20.00, 20.01]), name="Vụ việc")]


def _sent(monkeypatch: pytest.MonkeyPatch, fmap: folium.Map, **kwargs: Any) -> dict[str, Any]:
    """What ``st_folium`` hands its component for ``fmap``."""
    captured: dict[str, Any] = {}
    monkeypatch.setattr(sf, "_component_func", lambda **k: captured.update(k))
    sf.st_folium(fmap, use_container_width=True, **kwargs)
    return captured


def _shown(monkeypatch: pytest.MonkeyPatch, rendered: mapview.Rendered, **kwargs: Any) -> dict[str, Any]:
    captured: dict[str, Any] = {}
    monkeypatch.setattr(sf, "_component_func", lambda **k: captured.update(k))
    mapview.show(rendered, **kwargs)
    return captured


SAME = (
    "script",
    "header",
    "html",
    "id",
    "key",
    "height",
    "width",
    "returned_objects",
    "default",
    "feature_group",
)


def test_a_rendered_map_sends_what_st_folium_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    fmap = _map()
    twin = copy.deepcopy(fmap)  # the same elements, with the same ids
    expected = _sent(monkeypatch, twin, key="m", height=400, returned_objects=["last_clicked"])
    rendered = mapview.render(fmap, key="m")
    got = _shown(monkeypatch, rendered, key="m", height=400, returned_objects=["last_clicked"])
    assert {k: got[k] for k in SAME} == {k: expected[k] for k in SAME}
    assert got["css_links"] == expected["css_links"]
    assert got["js_links"] == expected["js_links"]
    assert rendered.size == sum(len(str(expected[k]).encode()) for k in ("script", "header", "html"))
    # shown again, the same text and the same widget (the browser keeps the map; nothing is rebuilt)
    assert (
        _shown(monkeypatch, rendered, key="m", height=400, returned_objects=["last_clicked"])["key"]
        == got["key"]
    )


def test_feature_groups_swap_into_the_same_map(monkeypatch: pytest.MonkeyPatch) -> None:
    fmap = _map()
    twin = copy.deepcopy(fmap)
    groups = _groups()
    expected = _sent(
        monkeypatch,
        twin,
        key="t",
        height=520,
        returned_objects=[],
        feature_group_to_add=copy.deepcopy(groups),
    )
    base = mapview.render(fmap, key="t")
    got = _shown(monkeypatch, mapview.with_groups(base, groups), key="t", height=520, returned_objects=[])
    assert got["feature_group"] == expected["feature_group"]
    assert "map_div.addLayer(feature_group_feature_group_0)" in got["feature_group"]
    assert got["key"] == expected["key"] == base.hash_key  # the same map widget: only its layers change
    assert got["script"] == expected["script"]


def test_a_click_is_read_from_what_the_map_reports() -> None:
    assert mapview.clicked({"last_clicked": {"lat": 20.01, "lng": 105.6}}) == (20.01, 105.6)
    assert mapview.clicked({"last_clicked": None}) is None
    assert mapview.clicked(None) is None
    assert mapview.clicked({"last_clicked": {"lat": "x"}}) is None
