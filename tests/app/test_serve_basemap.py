"""ui.serve answers the imported basemap's tiles itself (`BasemapTiles`), and passes every other request on."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from geo import settings
from geo.maps import basemap
from tests.geo.maps._basemap_files import mvt_tile, png_tile, tiles_over, write_mbtiles, write_pmtiles
from ui.serve import BasemapTiles

BOUNDS = (105.6, 19.95, 105.8, 20.1)
TILES = tiles_over(BOUNDS, range(10, 12))


def _get(path: str, method: str = "GET") -> tuple[int, dict[bytes, bytes], bytes, bool]:
    """Send one request through the middleware; return status, headers, body and whether it was passed on."""
    sent: list[dict[str, Any]] = []
    passed: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        passed.append(True)
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": []}
    asyncio.run(BasemapTiles(app)(scope, receive, send))
    return sent[0]["status"], dict(sent[0]["headers"]), sent[1]["body"], bool(passed)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The basemap folder the served app reads."""
    monkeypatch.setattr(settings, "BASEMAP_DIR", tmp_path / "basemap")
    return tmp_path / "basemap"


def test_a_raster_tile_is_served_with_its_type_and_a_missing_one_is_404(folder: Path, tmp_path: Path) -> None:
    found = basemap.install(write_pmtiles(tmp_path / "a.pmtiles", TILES, bounds=BOUNDS), name="a.pmtiles")
    z, x, y = TILES[0]
    status, headers, body, passed = _get(f"/_antt/basemap/{z}/{x}/{y}")
    assert (status, headers[b"content-type"], body, passed) == (200, b"image/png", png_tile(z, x, y), False)
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert _get(f"/_antt/basemap/{z}/{x}/{y}", "HEAD")[2] == b""
    assert _get("/_antt/basemap/3/0/0")[0] == 404
    assert _get("/_antt/basemap/99/0/0")[0] == 404  # no such zoom: nothing read
    assert found.version


def test_a_vector_tile_is_served_decompressed_and_a_missing_one_is_an_empty_204(
    folder: Path, tmp_path: Path
) -> None:
    basemap.install(write_mbtiles(tmp_path / "v.mbtiles", TILES, kind="pbf", bounds=BOUNDS), name="v.mbtiles")
    z, x, y = TILES[0]
    status, headers, body, _ = _get(f"/_antt/basemap/{z}/{x}/{y}.pbf")
    assert (status, headers[b"content-type"], body) == (200, b"application/x-protobuf", mvt_tile(z, x, y))
    assert _get("/_antt/basemap/3/0/0")[:3] == (
        204,
        {b"content-length": b"0", b"cache-control": b"no-cache"},
        b"",
    )


def test_other_requests_and_other_methods_go_to_streamlit(folder: Path) -> None:
    assert _get("/_antt/basemap/10/1/1")[0] == 404  # no basemap imported
    assert _get("/map")[3]
    assert _get("/_antt/basemap/10/1/1", "POST")[3]
    assert _get("/_antt/basemap/../../etc/passwd")[3]
