"""AppTest of the basemap on /data (admin): import a file made here, a refused file, the tile-server URL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import settings
from geo.auth.roles import Permission
from geo.maps import basemap
from geo.store.store import Store
from tests.geo.maps._basemap_files import tiles_over, write_mbtiles
from ui import auth

ROOT = Path(__file__).resolve().parents[2]
BOUNDS = (105.55, 19.95, 105.77, 20.13)


@pytest.fixture
def folder(fresh_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demo store (fresh_store) and a basemap folder of this test only."""
    monkeypatch.setattr(settings, "BASEMAP_DIR", tmp_path / "basemap")
    return tmp_path / "basemap"


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/data.py").run()  # straight to the page (no overview run first)
    assert not at.exception, at.exception
    return at


def _uploader(at: AppTest):
    return next(u for u in at.file_uploader if u.label.startswith("Tải lên tệp nền bản đồ"))


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_an_admin_imports_a_basemap_file_and_sets_a_tile_server(folder: Path, tmp_path: Path) -> None:
    at = _page()
    assert "Nền bản đồ" in [h.value for h in at.subheader]
    assert any("Chưa nhập tệp nền bản đồ" in c.value for c in at.caption)
    source = write_mbtiles(
        tmp_path / "nen_vinh_loc.mbtiles", tiles_over(BOUNDS, range(10, 12)), bounds=BOUNDS
    )
    _uploader(at).set_value((source.name, source.read_bytes(), "")).run()
    _button(at, "Nhập tệp nền bản đồ").click().run()
    assert not at.exception, at.exception
    assert any("Đã nhập nền bản đồ «nen_vinh_loc.mbtiles»" in s.value for s in at.success)
    found = basemap.current(folder)
    assert found is not None
    assert (found.kind, found.tile_type, found.min_zoom, found.max_zoom) == ("mbtiles", "png", 10, 11)
    assert any("Đang dùng tệp «nen_vinh_loc.mbtiles»" in i.value for i in at.info)
    assert not [p for p in folder.iterdir() if p.name.endswith(".part")]  # the upload's staging file is gone

    url = next(t for t in at.text_input if t.label.startswith("Địa chỉ máy chủ nền bản đồ"))
    url.input("http://10.0.0.5/tiles/{z}/{x}/{y}.png")
    _button(at, "Lưu địa chỉ").click().run()
    assert any("Đã lưu địa chỉ máy chủ nền bản đồ" in s.value for s in at.success)
    assert basemap.read_config(folder).tile_url == "http://10.0.0.5/tiles/{z}/{x}/{y}.png"

    _button(at, "Gỡ tệp nền bản đồ").click().run()
    assert basemap.current(folder) is None
    assert any("máy chủ http://10.0.0.5/tiles" in c.value for c in at.caption)
    from geo.store import audit

    logged = [
        e.detail
        for e in reversed(audit.entries(Store.open(os.environ["ANTT_DATABASE_URL"]), action="basemap"))
    ]
    assert logged == [
        {"file": "nen_vinh_loc.mbtiles", "tiles": found.tiles},
        {"tile_url": "set"},
        {"removed": True},
    ]


def test_a_file_that_is_no_basemap_is_refused_naming_it(folder: Path) -> None:
    at = _page()
    _uploader(at).set_value(("ban_do.pmtiles", b"PMTiles\x02" + b"\x00" * 200, "")).run()
    _button(at, "Nhập tệp nền bản đồ").click().run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any("ban_do.pmtiles" in e and "phiên bản 2" in e for e in errors), errors
    assert basemap.current(folder) is None
    assert not folder.exists() or not [p for p in folder.iterdir() if p.name.endswith(".part")]


def test_a_bad_tile_server_url_is_refused(folder: Path) -> None:
    at = _page()
    url = next(t for t in at.text_input if t.label.startswith("Địa chỉ máy chủ nền bản đồ"))
    url.input("javascript:alert(1)")
    _button(at, "Lưu địa chỉ").click().run()
    assert any("phải bắt đầu bằng http" in e.value for e in at.error)
    assert basemap.read_config(folder).tile_url == ""


def test_without_the_settings_permission_the_basemap_cannot_be_changed(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An analyst's permissions (geo.auth.roles): everything but settings, boundaries, users and audit.
    monkeypatch.setattr(auth, "can", lambda permission: permission is not Permission.SETTINGS)
    at = _page()
    assert "Nền bản đồ" in [h.value for h in at.subheader]
    assert not [u for u in at.file_uploader if u.label.startswith("Tải lên tệp nền bản đồ")]
    assert not [t for t in at.text_input if t.label.startswith("Địa chỉ máy chủ nền bản đồ")]
