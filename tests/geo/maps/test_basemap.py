"""The offline basemap: MBTiles and PMTiles checked, stored and read tile by tile; the map's base layer."""

from __future__ import annotations

import gzip
import sqlite3
import struct
from pathlib import Path

import folium
import pytest

from geo import DataError
from geo.maps import basemap
from tests.geo.maps._basemap_files import (
    mvt_tile,
    png_tile,
    tiles_over,
    write_mbtiles,
    write_pmtiles,
)

BOUNDS = (105.6, 19.95, 105.8, 20.1)
TILES = tiles_over(BOUNDS, range(10, 13))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The basemap folder of one test."""
    return tmp_path / "basemap"


def _installed(path: Path, folder: Path) -> basemap.Basemap:
    return basemap.install(path, name=path.name, directory=folder)


def test_an_mbtiles_raster_file_is_checked_stored_and_read_in_xyz_numbering(
    tmp_path: Path, folder: Path
) -> None:
    source = write_mbtiles(tmp_path / "nen.mbtiles", TILES, bounds=BOUNDS)
    found = _installed(source, folder)
    assert (found.kind, found.tile_type, found.min_zoom, found.max_zoom) == ("mbtiles", "png", 10, 12)
    assert found.tiles == len(TILES)
    assert found.bounds == BOUNDS
    assert found.source_name == "nen.mbtiles"
    assert (folder / "basemap.mbtiles").is_file()
    assert (folder / ".gitignore").read_text().strip().endswith("*")  # data, never committed
    assert basemap.current(folder) == found
    z, x, y = TILES[-1]
    assert basemap.read_tile(found, z, x, y, directory=folder) == png_tile(z, x, y)
    assert basemap.read_tile(found, 9, 0, 0, directory=folder) is None  # not in the file
    assert basemap.read_tile(found, 12, 5000, 0, directory=folder) is None  # not a tile


@pytest.mark.parametrize("leaf", [False, True])
def test_a_pmtiles_raster_archive_is_read_through_its_root_and_leaf_directories(
    tmp_path: Path, folder: Path, leaf: bool
) -> None:
    source = write_pmtiles(tmp_path / "nen.pmtiles", TILES, bounds=BOUNDS, leaf=leaf)
    found = _installed(source, folder)
    assert (found.kind, found.tile_type, found.min_zoom, found.max_zoom) == ("pmtiles", "png", 10, 12)
    assert found.bounds == pytest.approx(BOUNDS)
    assert not source.exists() or source.parent != folder
    for z, x, y in TILES:
        assert basemap.read_tile(found, z, x, y, directory=folder) == png_tile(z, x, y)
    assert basemap.read_tile(found, 13, 0, 0, directory=folder) is None


@pytest.mark.parametrize("writer", [write_mbtiles, write_pmtiles])
def test_vector_tiles_are_served_decompressed_with_their_layers(
    tmp_path: Path, folder: Path, writer: object
) -> None:
    source = writer(tmp_path / "vec.bin", TILES, kind="pbf", bounds=BOUNDS)  # type: ignore[operator]
    found = _installed(source, folder)
    assert found.vector
    assert found.layers == ("water", "roads")
    z, x, y = TILES[0]
    assert basemap.read_tile(found, z, x, y, directory=folder) == mvt_tile(z, x, y)


def test_a_new_import_replaces_the_previous_file(tmp_path: Path, folder: Path) -> None:
    first = _installed(write_mbtiles(tmp_path / "a.mbtiles", TILES, bounds=BOUNDS), folder)
    second = _installed(write_pmtiles(tmp_path / "b.pmtiles", TILES, bounds=BOUNDS), folder)
    assert first.version != second.version
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "basemap.json",
        "basemap.pmtiles",
    ]
    basemap.remove(folder)
    assert basemap.current(folder) is None
    assert not (folder / "basemap.pmtiles").exists()


# --- Hostile and wrong files -------------------------------------------------------------------


def _refused(path: Path, folder: Path, match: str) -> None:
    with pytest.raises(DataError, match=match) as raised:
        basemap.install(path, name=path.name, directory=folder)
    assert raised.value.file == path.name  # the message names the file
    assert basemap.current(folder) is None


def test_a_file_of_neither_format_is_refused(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "anh.mbtiles"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    _refused(path, folder, "không phải tệp nền bản đồ MBTiles")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo import settings

    path = write_mbtiles(tmp_path / "lon.mbtiles", TILES, bounds=BOUNDS)
    monkeypatch.setattr(settings, "BASEMAP_MAX_BYTES", 1024)
    _refused(path, folder, "quá lớn")


def test_an_sqlite_file_without_the_mbtiles_tables_is_refused(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "khac.mbtiles"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE incidents (id text)")
    conn.close()
    _refused(path, folder, "thiếu bảng metadata, tiles")


def test_an_mbtiles_file_with_a_view_that_never_ends_is_stopped(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "vo_tan.mbtiles"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE metadata (name text, value text)")
        conn.execute(
            "CREATE VIEW tiles AS WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) "
            "SELECT 0 AS zoom_level, 0 AS tile_column, 0 AS tile_row, n AS tile_data FROM c WHERE n < 0"
        )
    conn.close()
    _refused(path, folder, "bị hỏng hoặc không đọc được")


def test_a_damaged_mbtiles_file_is_refused(tmp_path: Path, folder: Path) -> None:
    path = write_mbtiles(tmp_path / "hong.mbtiles", TILES, bounds=BOUNDS)
    data = bytearray(path.read_bytes())
    data[4096 : 4096 * 3] = b"\xff" * (4096 * 2)
    path.write_bytes(bytes(data))
    _refused(path, folder, "bị hỏng")


def test_an_mbtiles_file_of_unknown_tiles_is_refused(tmp_path: Path, folder: Path) -> None:
    path = write_mbtiles(tmp_path / "tif.mbtiles", TILES, bounds=BOUNDS)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE metadata SET value = 'tiff' WHERE name = 'format'")
        conn.execute("UPDATE tiles SET tile_data = ?", (b"II*\x00" + b"\x00" * 100,))
    conn.close()
    _refused(path, folder, "chưa vẽ được")


def _pm(path: Path, **changes: int) -> Path:
    data = bytearray(path.read_bytes())
    offsets = {"version": 7, "root_length": 16, "internal": 97, "tile_type": 99}
    for name, value in changes.items():
        at = offsets[name]
        if name == "root_length":
            struct.pack_into("<Q", data, at, value)
        else:
            data[at] = value
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"version": 2}, "phiên bản 2"),
        ({"internal": 3}, "nén bằng cách chưa đọc được"),  # brotli
        ({"tile_type": 5}, "chưa vẽ được"),  # AVIF
        ({"root_length": 10**9}, "chỉ ra ngoài tệp"),
    ],
)
def test_a_pmtiles_archive_this_app_cannot_read_is_refused(
    tmp_path: Path, folder: Path, changes: dict[str, int], match: str
) -> None:
    path = _pm(write_pmtiles(tmp_path / "nen.pmtiles", TILES, bounds=BOUNDS), **changes)
    _refused(path, folder, match)


def test_a_truncated_pmtiles_archive_is_refused(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "cut.pmtiles"
    path.write_bytes(write_pmtiles(tmp_path / "full.pmtiles", TILES, bounds=BOUNDS).read_bytes()[:60])
    _refused(path, folder, "cắt cụt")


def test_a_pmtiles_directory_bomb_is_refused(tmp_path: Path, folder: Path) -> None:
    bomb = gzip.compress(b"\x80" * (40 * 1024 * 1024))  # an endless varint, 40 MB inflated, 40 kB stored
    good = write_pmtiles(tmp_path / "full.pmtiles", TILES, bounds=BOUNDS).read_bytes()
    header = bytearray(good[:127])
    struct.pack_into("<QQ", header, 8, 127, len(bomb))
    struct.pack_into("<QQQQQQ", header, 24, 127 + len(bomb), 0, 127 + len(bomb), 0, 127 + len(bomb), 0)
    path = tmp_path / "bomb.pmtiles"
    path.write_bytes(bytes(header) + bomb)
    _refused(path, folder, "chỉ ra ngoài tệp|bị hỏng")


# --- The URL setting and the map ---------------------------------------------------------------


def test_a_tile_server_url_is_checked_and_saved(folder: Path) -> None:
    assert basemap.save_tile_url(" http://10.0.0.5/tiles/{z}/{x}/{y}.png ", folder) == (
        "http://10.0.0.5/tiles/{z}/{x}/{y}.png"
    )
    assert basemap.read_config(folder).tile_url == "http://10.0.0.5/tiles/{z}/{x}/{y}.png"
    for bad in (
        "javascript:alert(1)//{z}{x}{y}",
        "http://10.0.0.5/tiles.png",
        'http://a/{z}/{x}/{y}"><script>',
    ):
        with pytest.raises(DataError, match="phải bắt đầu bằng http"):
            basemap.save_tile_url(bad, folder)
    assert basemap.save_tile_url("", folder) == ""


def _html(fmap: folium.Map) -> str:
    return fmap.get_root().render()


def test_the_map_draws_the_imported_raster_file_from_the_app_itself(tmp_path: Path, folder: Path) -> None:
    found = _installed(write_mbtiles(tmp_path / "nen.mbtiles", TILES, bounds=BOUNDS), folder)
    basemap.save_tile_url("http://10.0.0.5/tiles/{z}/{x}/{y}.png", folder)
    fmap = folium.Map(tiles=None)
    assert basemap.add_basemap(fmap, tile_url="http://env/{z}/{x}/{y}.png", directory=folder) == "file"
    page = _html(fmap)
    assert f"/_antt/basemap/{{z}}/{{x}}/{{y}}?v={found.version}" in page
    assert '"maxNativeZoom": 12' in page
    assert "10.0.0.5" not in page
    assert "\\u0026lt;b\\u0026gt;" in page  # the file's attribution is text (escaped, in JSON)
    assert "<b>" not in page
    assert "protomaps" not in page


def test_the_map_draws_a_vector_file_with_the_vendored_protomaps_leaflet(
    tmp_path: Path, folder: Path
) -> None:
    _installed(write_pmtiles(tmp_path / "vec.pmtiles", TILES, kind="pbf", bounds=BOUNDS), folder)
    page = _html(_with_base(folder))
    assert "/app/static/vendor/protomaps-leaflet/protomaps-leaflet.js" in page
    assert "protomapsL.leafletLayer" in page
    assert "http://" not in page.replace("http://www.w3.org", "")


def _with_base(folder: Path, tile_url: str = "") -> folium.Map:
    fmap = folium.Map(tiles=None)
    basemap.add_basemap(fmap, tile_url=tile_url, directory=folder)
    return fmap


def test_without_a_file_the_saved_url_then_the_environment_s_is_drawn(folder: Path) -> None:
    assert "10.0.0.9" in _html(_with_base(folder, "http://10.0.0.9/{z}/{x}/{y}.png"))
    basemap.save_tile_url("http://10.0.0.5/tiles/{z}/{x}/{y}.png", folder)
    page = _html(_with_base(folder, "http://10.0.0.9/{z}/{x}/{y}.png"))
    assert "10.0.0.5/tiles" in page
    assert "10.0.0.9" not in page
    fmap = folium.Map(tiles=None)
    basemap.save_tile_url("", folder)
    assert basemap.add_basemap(fmap, directory=folder) == ""
