"""Offline maps: only local assets, escaped text, deterministic output, the size budget."""

from __future__ import annotations

import re

import pytest
from streamlit_folium import _get_map_string

from geo import settings
from geo.demo import synthetic_incidents
from geo.maps.district import build_map, map_html_size
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
