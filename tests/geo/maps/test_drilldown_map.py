"""The hotspot map for the drill-down: points above the cells, popups with address and status, a zoom to filtered communes."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import pandas as pd
import pytest

from geo.maps.district import POINTS_PANE, MapTexts, build_map
from geo.store.store import Store


@pytest.fixture(scope="module")
def data(demo_store: Store) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    return demo_store.communes(), demo_store.incidents()


def _popups(fmap: folium.Map) -> list[str]:
    html = fmap.get_root().render()
    found = re.search(r"var popups = (\[.*?\]);\n", html)
    assert found
    return list(json.loads(found.group(1)))


def test_points_are_drawn_in_their_own_pane_above_the_cells(data: tuple) -> None:
    communes, incidents = data
    html = build_map(communes, incidents.tail(50)).map.get_root().render()
    assert re.search(r'createPane\(\s*"' + POINTS_PANE + r'"\);\s*\S+\.style\.zIndex = 550;', html)
    assert f'pane: "{POINTS_PANE}"' in html
    assert "bubblingMouseEvents: false" in html  # a point's click opens its popup, not a drill-down


def test_popups_show_address_and_status_escaped(data: tuple) -> None:
    communes, incidents = data
    rows = incidents.tail(2).copy()
    rows["address"] = ['Thôn <b>Đông</b> & "Tây"', ""]
    rows["status"] = ["Đang điều tra", "<i>x</i>"]
    popups = _popups(build_map(communes, rows, texts=MapTexts(address="Địa chỉ", status="Trạng thái")).map)
    assert "Địa chỉ: Thôn &lt;b&gt;Đông&lt;/b&gt; &amp; &quot;Tây&quot;" in popups[0]
    assert "Trạng thái: Đang điều tra" in popups[0]
    assert "Địa chỉ" not in popups[1]  # no empty address line
    assert "Trạng thái: &lt;i&gt;x&lt;/i&gt;" in popups[1]


def test_popups_without_an_address_column_still_show_the_status(data: tuple) -> None:
    communes, incidents = data
    (popup,) = _popups(build_map(communes, incidents.tail(1)).map)
    assert "Địa chỉ" not in popup
    assert "Trạng thái: " + str(incidents["status"].iloc[-1]) in popup


def _fits(fmap: folium.Map) -> list[list[list[float]]]:
    return [c.bounds for c in fmap._children.values() if isinstance(c, folium.map.FitBounds)]


def test_the_map_fits_the_filtered_communes(data: tuple) -> None:
    communes, incidents = data
    whole = _fits(build_map(communes, incidents.tail(10)).map)
    code = str(communes["code"].iloc[0])
    (fit,) = _fits(build_map(communes, incidents.tail(10), focus=(code,)).map)
    minx, miny, maxx, maxy = communes[communes["code"] == code].total_bounds
    assert fit == [[miny, minx], [maxy, maxx]]
    assert len(whole) == 1
    assert whole[0] != fit
    (unknown,) = _fits(build_map(communes, incidents.tail(10), focus=("nope",)).map)
    assert unknown == whole[0]
