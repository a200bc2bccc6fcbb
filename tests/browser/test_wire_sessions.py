"""The benchmark's websocket sessions (scripts/scale_wire.py) against the served dashboard: pages by name, errors named."""

from __future__ import annotations

import asyncio
import sys
from types import ModuleType

import pytest

from tests.scripts._scripts import ROOT, load_script


@pytest.fixture(scope="module")
def wire() -> ModuleType:
    sys.path.insert(0, str(ROOT / "scripts"))  # scale_wire imports its siblings (harness, scale_browser)
    return load_script("scale_wire")


def test_a_websocket_session_is_served_the_pages_it_asks_for(wire: ModuleType, app_url: str) -> None:
    async def visit() -> list[object]:
        async with wire.WireSession(app_url) as session:
            return [await session.page(name, 120) for name in ("", "map", "trends", "no-such-page")]

    main, mapped, trends, missing = asyncio.run(visit())
    for run in (main, mapped, trends):
        assert run.error is None
        assert run.seconds is not None
        assert run.seconds > 0
        assert run.deltas > 5
    assert mapped.bytes > 10 * trends.bytes  # the map's document travels with the page's messages
    assert missing.error == "page not found: no-such-page"


def test_sessions_at_once_are_each_served(wire: ModuleType, app_url: str) -> None:
    async def at_once() -> list[object]:
        async def one() -> object:
            async with wire.WireSession(app_url, locale="en-US") as session:
                return await session.page("map", 180)

        return list(await asyncio.gather(*(one() for _ in range(3))))

    runs = asyncio.run(at_once())
    assert [run.error for run in runs] == [None, None, None]
    assert min(run.bytes for run in runs) > 200_000  # each got the map's document (the demo's ≈ 1.2 MB)
