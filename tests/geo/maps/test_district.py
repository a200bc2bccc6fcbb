"""Offline maps: only local assets, escaped text, deterministic output, the size budget."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box
from streamlit_folium import _get_map_string

from geo import settings
from geo.demo import synthetic_incidents
from geo.maps.controls import LegendControl, label_rows
from geo.maps.district import (
    NO_RATE_COLOUR,
    RATE_COLOURS,
    MapBuild,
    MapTexts,
    build_map,
    map_html_size,
    rate_colours,
    rate_labels,
)
from geo.store.store import Store

TARGETS = ("15361", "15379", "15388")


@pytest.fixture(scope="module")
def data(demo_store: Store) -> tuple:
    return demo_store.communes(), demo_store.incidents()


def test_every_asset_is_served_by_the_app(data: tuple) -> None:
    communes, incidents = data
    html = build_map(communes, incidents.tail(500), targets=TARGETS).map.get_root().render()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    assert all(u.startswith(settings.STATIC_URL + "/vendor/") for u in urls), urls
    assert not re.search(r"https?://", html)


def test_descriptions_are_escaped_in_popups(data: tuple) -> None:
    communes, incidents = data
    evil = incidents.tail(3).copy()
    evil["description"] = '<img src=x onerror="alert(1)">'
    html = build_map(communes, evil, targets=TARGETS).map.get_root().render()
    # Popup HTML travels as JSON: the escaped entities appear with their ampersands JSON-encoded.
    assert "<img src=x" not in html
    assert r"\u0026lt;img src=x onerror=\u0026quot;alert(1)\u0026quot;\u0026gt;" in html


def test_few_incidents_are_points_many_are_cells(data: tuple) -> None:
    communes, incidents = data
    few = build_map(communes, incidents.tail(100), targets=TARGETS)
    many = build_map(communes, incidents, targets=TARGETS, points_max=1000)
    assert (few.points_mode, few.n_markers) == ("points", 100)
    assert many.points_mode == "cells"
    assert many.n_markers < len(incidents)


def test_map_script_is_deterministic(data: tuple) -> None:
    communes, incidents = data
    first = _get_map_string(build_map(communes, incidents.tail(300), targets=TARGETS).map)
    second = _get_map_string(build_map(communes, incidents.tail(300), targets=TARGETS).map)
    assert first == second


@pytest.mark.slow  # a million incidents: `make slow` / `make bench`
def test_a_million_incidents_stay_under_the_budget(data: tuple) -> None:
    communes, _ = data
    big = synthetic_incidents(1_000_000, communes)
    build = build_map(communes, big, targets=TARGETS)
    assert build.points_mode == "cells"
    assert map_html_size(build.map) < settings.MAP_BUDGET_BYTES


def test_the_points_threshold_keeps_the_payload_under_budget(data: tuple) -> None:
    communes, incidents = data
    worst = incidents.tail(settings.POINTS_MAX).copy()
    worst["description"] = "x" * 300
    build = build_map(communes, worst, targets=TARGETS)
    assert build.points_mode == "points"
    assert map_html_size(build.map) < settings.MAP_BUDGET_BYTES


def test_empty_selection_still_draws_communes(data: tuple) -> None:
    communes, incidents = data
    build = build_map(communes, incidents.iloc[0:0], targets=TARGETS)
    assert build.points_mode == "none"
    assert "antt-target" in build.map.get_root().render()
    assert (build.n_incidents, build.n_markers, build.n_heat_cells) == (0, 0, 0)


def _units() -> gpd.GeoDataFrame:
    """Three square units: a small target, a large one, and a large one with no population."""
    return gpd.GeoDataFrame(
        {
            "code": ["S", "L", "N"],
            "name": ['<img src=x onerror="alert(1)">Sơn', "Lâm & Hà", "Nam"],
            "population": [1000, 4000, 0],
            "approximate": [False, False, False],
        },
        geometry=[
            box(10.00, 50.00, 10.01, 50.01),
            box(10.01, 50.00, 10.03, 50.02),
            box(10.03, 50.00, 10.05, 50.02),
        ],
        crs="EPSG:4326",
    )


def _incidents(codes: list[str]) -> pd.DataFrame:
    n = len(codes)
    return pd.DataFrame(
        {
            "incident_id": [f"I{i}" for i in range(n)],
            "occurred_at": pd.date_range("2024-01-01", periods=n, freq="D"),
            "offence_code": "x",
            "commune_code": codes,
            "lon": 10.005,
            "lat": 50.005,
            "description": "",
        }
    )


def _legend(build: MapBuild) -> str:
    return next(c.legend_html for c in build.map._children.values() if isinstance(c, LegendControl))


def _properties(build: MapBuild) -> list[dict[str, object]]:
    layer = next(c for c in build.map._children.values() if isinstance(c, folium.GeoJson))
    return [f["properties"] for f in layer.data["features"]]


def _labels_data(html: str) -> list[list[object]]:
    found = re.search(r"var units = (\[.*?\]);\n", html)
    assert found, "no label data in the map"
    return json.loads(found.group(1))


def test_label_rows_put_targets_first_then_larger_units() -> None:
    rows = label_rows(_units(), targets=("S",))
    assert [r[2] for r in rows] == ['★ <img src=x onerror="alert(1)">Sơn', "Lâm & Hà", "Nam"]
    assert [r[3] for r in rows] == [1, 0, 0]
    lat, lon, _, _, dlon, dlat = rows[1]
    assert (dlon, dlat) == (0.02, 0.02)
    assert box(10.01, 50.00, 10.03, 50.02).contains(Point(lon, lat))
    # Equal areas: the more populous unit first.
    same = _units().assign(geometry=[box(10 + i / 100, 50, 10.01 + i / 100, 50.01) for i in range(3)])
    assert [r[2] for r in label_rows(same)][:2] == ["Lâm & Hà", '<img src=x onerror="alert(1)">Sơn']
    assert label_rows(_units().iloc[0:0]) == []


def test_labels_are_one_element_with_names_as_json_text(data: tuple) -> None:
    communes, incidents = data
    html = build_map(communes, incidents.tail(50), targets=TARGETS).map.get_root().render()
    assert html.count("var units = ") == 1  # one label layer, not a marker per commune
    rows = _labels_data(html)
    assert len(rows) == 13
    assert [r[3] for r in rows[:3]] == [1, 1, 1]
    assert "★ Vĩnh Hùng" in [r[2] for r in rows]
    evil = build_map(_units(), _incidents(["S"]), targets=("S",)).map.get_root().render()
    assert "<img src=x" not in evil  # the name is JSON text (< as \u003c), set with textContent
    assert '★ <img src=x onerror="alert(1)">Sơn' in [r[2] for r in _labels_data(evil)]
    assert "textContent" in evil
    assert "innerHTML = r[" not in evil


def test_choropleth_uses_the_given_breaks_and_greys_units_without_population() -> None:
    units = _units()
    incidents = _incidents(["S"] * 3 + ["L"] * 40 + ["N"] * 5)
    build = build_map(units, incidents, layers=("choropleth", "boundaries"), breaks=(5.0, 20.0), lang="vi")
    html = build.map.get_root().render()
    colours = rate_colours((5.0, 20.0))
    assert colours == (RATE_COLOURS[0], RATE_COLOURS[2], RATE_COLOURS[4])
    # S: 3 a year per 1,000 → class 0; L: 40 / 4,000 → 10 per 1,000 → class 1; N: no population.
    fills = re.findall(r'"fillColor": "(#[0-9a-f]{6})"', html)
    assert {colours[0], colours[1], NO_RATE_COLOUR} <= set(fills)
    assert colours[2] not in fills
    legend = _legend(build)
    for label in ("0–5", "5–20", "≥ 20", "chưa có dân số"):
        assert label in legend  # the legend follows the breaks
    rates = {p["code"]: p["rate_text"] for p in _properties(build)}
    assert rates == {"S": "3,0", "L": "10,0", "N": "chưa có dân số"}  # tooltips: decimal comma, or why none
    english = build_map(
        units,
        incidents,
        layers=("choropleth",),
        breaks=(2.5,),
        lang="en",
        texts=MapTexts(no_population="no population yet"),
    )
    assert "≥ 2.5" in _legend(english)
    assert {p["code"]: p["rate_text"] for p in _properties(english)}["N"] == "no population yet"


def test_default_breaks_keep_the_old_legend(data: tuple) -> None:
    communes, incidents = data
    legend = _legend(build_map(communes, incidents.tail(50), layers=("choropleth",)))
    assert all(label in legend for label in rate_labels())
    assert "chưa có dân số" not in legend  # every demo commune has its population
    assert rate_labels() == ["0–10", "10–20", "20–30", "30–40", "≥ 40"]
    with pytest.raises(ValueError, match="at most 4"):
        rate_colours((1.0, 2.0, 3.0, 4.0, 5.0))
