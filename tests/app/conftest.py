"""AppTest runs the app as `ui.serve` does: with Streamlit's v1 ``pages/`` fallback switched off."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from geo.brief import compose
from tests.app._pages import route_pages_always
from ui import brief


@pytest.fixture(autouse=True)
def _router_always_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest resets the fallback flag on every run; turn it off again right after, as ui.serve does."""
    route_pages_always(monkeypatch)


@pytest.fixture
def fresh_store(fresh_demo_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new demo store of this test only (the page may write to it), pointed to by ANTT_DATABASE_URL."""
    monkeypatch.setenv("ANTT_DATABASE_URL", fresh_demo_url)
    return fresh_demo_url


@pytest.fixture(autouse=True)
def _brief_as_shipped() -> Iterator[None]:
    """The brief's renderers and clock as the app has them after each test, whatever a page script swapped in.

    A script run by AppTest cannot use monkeypatch: tests/app/test_pushdown_evaluation.py's brief script swaps the
    Word renderer and `compose.now_local` for its own, which a later test of the same worker would otherwise get.
    """
    renderers, clock = dict(brief.RENDERERS), vars(compose)["now_local"]
    yield
    brief.RENDERERS.clear()
    brief.RENDERERS.update(renderers)
    vars(compose)["now_local"] = clock
