"""AppTest runs the app as `ui.serve` does: with Streamlit's v1 ``pages/`` fallback switched off."""

from __future__ import annotations

import pytest

from tests.app._pages import route_pages_always


@pytest.fixture(autouse=True)
def _router_always_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest resets the fallback flag on every run; turn it off again right after, as ui.serve does."""
    route_pages_always(monkeypatch)


@pytest.fixture
def fresh_store(fresh_demo_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new demo store of this test only (the page may write to it), pointed to by ANTT_DATABASE_URL."""
    monkeypatch.setenv("ANTT_DATABASE_URL", fresh_demo_url)
    return fresh_demo_url
