"""Shared fixtures: a demo store in a temporary folder, pointed to by ANTT_DATABASE_URL."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from geo.store.store import Store, close_all

# In CI the property tests draw the same examples every run (a red build is then reproducible, and a
# flaky third-party failure on a random damaged file cannot block a landing); locally they stay random.
# A bug on a page must fail the tests, not hide behind the page's short error message (ui.errors).
os.environ["ANTT_RAISE_ERRORS"] = "1"

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


# `make pytest` runs the tests on every core (pytest-xdist): each worker is a test session of its own, with its
# own temporary folders, demo store, Streamlit servers and Chromium.

# The longest files first (`--durations` of 02/12/2026: the real-browser files, then the AppTest files that run
# pages many times), then the rest in the order collected. `make pytest` hands a whole file to one worker
# (`--dist loadfile --no-loadscope-reorder`) in this order, so the two workers end on short files, not one
# waiting for the other's last long file. Only the order of files changes: inside a file it is as written.
LONGEST_FIRST = (
    "tests/browser/test_payloads.py",
    "tests/browser/test_present.py",
    "tests/browser/test_basemap.py",
    "tests/browser/test_hotspot_layers.py",
    "tests/browser/test_data_page.py",
    "tests/browser/test_chart_locale.py",
    "tests/browser/test_compstat.py",
    "tests/browser/test_evaluation_views.py",
    "tests/browser/test_drilldown.py",
    "tests/browser/test_offline_map.py",
    "tests/browser/",
    "tests/app/test_evaluation_pages.py",
    "tests/app/test_data_page.py",
    "tests/app/test_pushdown_hotspots.py",
    "tests/app/test_drilldown.py",
    "tests/app/test_pushdown_evaluation.py",
    "tests/hostile/test_corpus.py",
    "tests/app/test_hotspot_pages.py",
    "tests/geo/brief/test_compose.py",
    "tests/app/",
    "tests/geo/brief/",
    "tests/scripts/",
    "tests/geo/cli/",
)


def _rank(nodeid: str) -> int:
    """Where the file of ``nodeid`` comes in LONGEST_FIRST (a file, else its folder); after them all if neither."""
    path = nodeid.split("::", 1)[0]
    for index, prefix in enumerate(LONGEST_FIRST):
        if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
            return index
    return len(LONGEST_FIRST)


@pytest.fixture(autouse=True)
def _no_playwright_loop(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test without the browser sees no running event loop, even after a browser test on this worker.

    Playwright's sync API (the session's `browser`, tests/browser/conftest.py) leaves its event loop marked as
    running in the main thread while it is started, so `asyncio.run` in a later test of the same worker (the
    ASGI middleware tests, the websocket sessions) would fail; it is unmarked for such a test and marked again
    after it, for the next browser test.
    """
    loop = None if "browser" in request.fixturenames else asyncio.events._get_running_loop()
    if loop is None:
        yield
        return
    asyncio.events._set_running_loop(None)
    try:
        yield
    finally:
        asyncio.events._set_running_loop(loop)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first (a stable sort: the collected order stays inside a file and among the rest)."""
    items.sort(key=lambda item: _rank(item.nodeid))


@pytest.fixture(scope="session")
def demo_store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store filled with the demo data, created once per test session."""
    path = tmp_path_factory.mktemp("store") / "demo.sqlite"
    url = f"sqlite:///{path}"
    Store.open(url, demo=True)
    return url


@pytest.fixture
def demo_env(demo_store_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the app at the session's demo store."""
    monkeypatch.setenv("ANTT_DATABASE_URL", demo_store_url)
    return demo_store_url


@pytest.fixture(scope="session")
def demo_store(demo_store_url: str) -> Store:
    """The session's demo store, opened."""
    return Store.open(demo_store_url)


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new demo store built once per session (per worker) and never written to: the original of the copies."""
    path = tmp_path_factory.mktemp("demo_template") / "demo.sqlite"
    Store.open(f"sqlite:///{path}", demo=True)
    return path


@pytest.fixture
def fresh_demo_url(_demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new demo store of this test only, which it may write to (a file copy of the session's new one)."""
    path = tmp_path_factory.mktemp("fresh_demo") / "antt.sqlite"
    shutil.copyfile(_demo_template, path)
    yield f"sqlite:///{path}"
    close_all()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Folder for test artefacts such as screenshots (kept after the run)."""
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
