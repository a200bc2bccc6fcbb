"""An imported basemap file (made here) is drawn under the maps with every non-local request blocked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.maps import basemap
from tests.browser._helpers import map_frame, open_offline, serve
from tests.geo.maps._basemap_files import tiles_over, write_mbtiles, write_pmtiles

pytestmark = pytest.mark.browser

DEMO_BOUNDS = (105.55, 19.95, 105.77, 20.13)
TILES = tiles_over(DEMO_BOUNDS, range(9, 15))


@pytest.fixture(scope="module")
def basemap_app(demo_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The dashboard with a basemap folder of its own (each test imports its file into it)."""
    folder = tmp_path_factory.mktemp("basemap")
    with serve(demo_store_url, env={"ANTT_BASEMAP_DIR": str(folder)}) as base:
        yield base, folder


def _tile_responses(page: Any) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    page.on("response", lambda r: seen.append((r.url, r.status)) if "/_antt/basemap/" in r.url else None)
    return seen


def test_a_raster_pmtiles_basemap_is_drawn_offline(
    browser: Any, basemap_app: tuple[str, Path], tmp_path: Path, artifacts_dir: Path
) -> None:
    base, folder = basemap_app
    source = write_pmtiles(tmp_path / "nen_huyen.pmtiles", TILES, bounds=DEMO_BOUNDS, leaf=True)
    found = basemap.install(source, name=source.name, directory=folder)
    page, blocked = open_offline(browser, base + "/", width=1600, height=1000)
    seen = _tile_responses(page)
    frame = map_frame(page)
    frame.wait_for_selector(f"img.leaflet-tile-loaded[src*='v={found.version}']", timeout=60_000)
    page.wait_for_timeout(1500)
    tiles = frame.eval_on_selector_all(
        "img.leaflet-tile",
        "els => els.map(e => ({src: e.getAttribute('src'), ok: e.complete && e.naturalWidth === 256}))",
    )
    drawn = [t for t in tiles if t["ok"] and "/_antt/basemap/" in t["src"]]
    assert len(drawn) >= 4, tiles
    assert all(t["src"].startswith("/_antt/basemap/") for t in tiles)
    assert any(status == 200 for _, status in seen)
    page.screenshot(path=str(artifacts_dir / "basemap_raster.png"), full_page=False)
    assert blocked == []
    page.close()


def test_a_vector_mbtiles_basemap_is_drawn_offline_and_the_search_centres_the_map(
    browser: Any, basemap_app: tuple[str, Path], tmp_path: Path, artifacts_dir: Path
) -> None:
    base, folder = basemap_app
    source = write_mbtiles(tmp_path / "vector.mbtiles", TILES, kind="pbf", bounds=DEMO_BOUNDS)
    basemap.install(source, name=source.name, directory=folder)
    page, blocked = open_offline(browser, base + "/map", width=1600, height=1200)
    seen = _tile_responses(page)
    frame = map_frame(page, selector=".marker-cluster, path.antt-point")
    frame.wait_for_function("() => window.anttBasemap !== undefined", timeout=60_000)
    # protomaps-leaflet paints each tile on a canvas: the water layer's blue must be there.
    blue = frame.wait_for_function(
        """() => {
            const canvases = [...document.querySelectorAll('.leaflet-tile-pane canvas')];
            return canvases.some(c => {
                if (!c.width) return false;
                const [r, g, b] = c.getContext('2d').getImageData(c.width / 2, c.height / 4, 1, 1).data;
                return b > r + 40 && b > 150;
            });
        }""",
        timeout=60_000,
    )
    assert blue
    assert any(status == 200 for _, status in seen)
    page.screenshot(path=str(artifacts_dir / "basemap_vector.png"), full_page=False)

    search = page.get_by_label("Tìm địa điểm")
    search.fill("vinh hung")
    search.press("Enter")
    found = None
    for _ in range(120):
        for candidate in page.frames:
            try:
                if candidate.locator(".antt-found").count():
                    found = candidate
                    break
            except Exception:  # frames detach while Streamlit reruns
                continue
        if found is not None:
            break
        page.wait_for_timeout(500)
    assert found is not None, "the search did not mark a place on the map"
    assert "Vĩnh Hùng" in found.locator(".leaflet-tooltip").first.inner_text()
    page.screenshot(path=str(artifacts_dir / "basemap_search.png"), full_page=False)
    assert blocked == []
    page.close()
