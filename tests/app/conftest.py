"""AppTest runs the app as `ui.serve` does: with Streamlit's v1 ``pages/`` fallback switched off."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.runtime.pages_manager import PagesManager


@pytest.fixture(autouse=True)
def _router_always_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest resets the fallback flag on every run; turn it off again right after, as ui.serve does."""
    original = PagesManager.__init__

    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def fresh_store(fresh_demo_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new demo store of this test only (the page may write to it), pointed to by ANTT_DATABASE_URL."""
    monkeypatch.setenv("ANTT_DATABASE_URL", fresh_demo_url)
    return fresh_demo_url
