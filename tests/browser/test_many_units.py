"""An area of 400 units stays readable: labels where they fit, never overlapping; rate classes from the data."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.aggregate import rate_breaks, rate_per_1000
from geo.maps.district import build_map, map_html_size, rate_colours
from tests.browser._helpers import ROOT

pytestmark = pytest.mark.browser

N = 20
STEP = 0.01
"""A 20 × 20 grid of square units 0.01° wide, in central Europe (far from the demo district)."""
WEST, SOUTH = 10.0, 50.0
SYLLABLES = ["An", "Bình", "Phú", "Tân", "Hòa", "Long", "Mỹ", "Lộc", "Thạnh", "Đông", "Vĩnh", "Hưng"]
TARGETS = ("U210", "U045")
HOST = "antt.test"


def _grid() -> gpd.GeoDataFrame:
    rows = []
    for r in range(N):
        for c in range(N):
            k = r * N + c
            name = f"{SYLLABLES[k % 12]} {SYLLABLES[(k // 12) % 12]}"
            if k % 5 == 0:
                name = f"Thị trấn {name}"
            population = 0 if k % 23 == 7 else 1000 + 40 * ((k * 7919) % 100)
            cell = box(WEST + c * STEP, SOUTH + r * STEP, WEST + (c + 1) * STEP, SOUTH + (r + 1) * STEP)
            rows.append({"code": f"U{k:03d}", "name": name, "population": population, "geometry": cell})
    rows[210]["name"] = '<img src=x onerror="window.__injected=1">Ấp Mới'  # names are data, never HTML
    return gpd.GeoDataFrame(rows, crs="EPSG:4326").assign(approximate=False)


def _incidents(units: gpd.GeoDataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(9)
    bounds = units.geometry.bounds
    counts = rng.integers(0, 60, len(units))
    code = np.repeat(units["code"].to_numpy(), counts)
    lon = rng.uniform(np.repeat(bounds["minx"], counts), np.repeat(bounds["maxx"], counts))
    lat = rng.uniform(np.repeat(bounds["miny"], counts), np.repeat(bounds["maxy"], counts))
    n = len(code)
    return pd.DataFrame(
        {
            "incident_id": [f"I{i}" for i in range(n)],
            "occurred_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n) % 366, unit="D"),
            "offence_code": "trom_cap",
            "commune_code": code,
            "lon": lon,
            "lat": lat,
            "description": "",
        }
    )


@pytest.fixture(scope="module")
def grid_map() -> tuple[str, tuple[float, ...]]:
    units = _grid()
    incidents = _incidents(units)
    counts = units["code"].map(incidents.groupby("commune_code").size()).fillna(0)
    breaks = rate_breaks(rate_per_1000(counts, units["population"], days=366))
    build = build_map(
        units, incidents, targets=TARGETS, layers=("choropleth", "boundaries"), days=366, breaks=breaks
    )
    assert map_html_size(build.map) < 1_000_000
    return build.map.get_root().render(), breaks


def _open(browser: Any, html: str) -> tuple[Any, list[str]]:
    """Open the map at a fake host: the vendored Leaflet from static/, every other request blocked."""
    blocked: list[str] = []
    page = browser.new_page(viewport={"width": 1600, "height": 1000})

    def route(r: Any) -> None:
        url = urlparse(r.request.url)
        if url.hostname == HOST and url.path == "/map.html":
            r.fulfill(body=html, content_type="text/html; charset=utf-8")
        elif url.hostname == HOST and url.path.startswith("/app/static/vendor/"):
            local = (ROOT / "static" / url.path.removeprefix("/app/static/")).resolve()
            assert local.is_relative_to(ROOT / "static" / "vendor")
            r.fulfill(path=str(local))
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(f"http://{HOST}/map.html")
    page.wait_for_selector("path.antt-commune")
    page.wait_for_timeout(500)
    return page, blocked


def _label_boxes(page: Any) -> list[tuple[float, float, float, float, str]]:
    return [
        tuple(b)
        for b in page.eval_on_selector_all(
            ".antt-label span",
            "els => els.map(e => { const b = e.getBoundingClientRect();"
            " return [b.left, b.top, b.right, b.bottom, e.textContent]; })",
        )
    ]


def _assert_apart(boxes: list[tuple[float, float, float, float, str]]) -> None:
    for a, b in combinations(boxes, 2):
        overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
        assert not overlap, f"labels overlap: {a[4]!r} {a[:4]} and {b[4]!r} {b[:4]}"


def test_many_units_labels_fit_and_rates_differ(
    browser: Any, grid_map: tuple[str, tuple[float, ...]], artifacts_dir: Path
) -> None:
    html, breaks = grid_map
    page, blocked = _open(browser, html)
    assert page.locator("path.antt-commune").count() == N * N
    default = _label_boxes(page)
    page.screenshot(path=str(artifacts_dir / "many_units.png"))
    assert 1 <= len(default) < N * N
    _assert_apart(default)
    texts = {b[4] for b in default}
    assert '★ <img src=x onerror="window.__injected=1">Ấp Mới' in texts  # targets first, shown as text
    assert page.evaluate("window.__injected") is None
    assert page.locator(".antt-label img").count() == 0

    # Rate classes chosen from the data: several colours, and the units without population grey.
    fills = page.eval_on_selector_all("path.antt-rate", "els => els.map(e => e.getAttribute('fill'))")
    assert len(fills) == N * N
    assert len(breaks) == 4
    assert set(rate_colours(breaks)) <= set(fills)
    assert "#dddddd" in fills
    legend = page.locator(".antt-legend").inner_text()
    assert "chưa có dân số" in legend
    assert f"≥ {breaks[-1]:g}".replace(".", ",") in legend

    page.locator(".leaflet-control-zoom-in").click()
    page.wait_for_timeout(800)
    zoomed = _label_boxes(page)
    page.screenshot(path=str(artifacts_dir / "many_units_zoomed.png"))
    assert len(zoomed) > len(default)
    _assert_apart(zoomed)

    # A unit without a label still names itself on hover.
    shown = {b[4] for b in zoomed}
    hidden = page.evaluate(
        """shown => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            let spot = null;
            map.eachLayer(layer => {
                if (spot || !layer.feature || !layer.getBounds || !layer.options.className) { return; }
                if (!layer.options.className.includes('antt-commune')) { return; }
                const p = map.latLngToContainerPoint(layer.getBounds().getCenter());
                const size = map.getSize();
                const inside = p.x > 40 && p.y > 40 && p.x < size.x - 300 && p.y < size.y - 40;
                const name = layer.feature.properties.label;
                if (inside && !shown.some(s => s.endsWith(name))) { spot = [p.x, p.y, name]; }
            });
            return spot;
        }""",
        sorted(shown),
    )
    assert hidden is not None
    page.mouse.move(hidden[0], hidden[1])
    page.wait_for_selector(".leaflet-tooltip")
    assert hidden[2] in page.locator(".leaflet-tooltip").inner_text()
    assert blocked == []
    page.close()
