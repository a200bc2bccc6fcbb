"""Shared fixtures: a demo store in a temporary folder, pointed to by ANTT_DATABASE_URL."""

from __future__ import annotations

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
