"""Many sessions at once without browsers (scripts/bench_scale.py): the server's own share of the 20-session figures.

Twenty Chromium pages on this machine's two cores spend most of the machine on drawing (the browser-based
(a) and (b) in ``scale_concurrency.py``), so those page times say little about the server a meeting room
would share — in a real meeting the browsers run on the users' own machines. Here each session is a
websocket client that speaks Streamlit's own protocol (``BackMsg`` / ``ForwardMsg``, the messages the
front end sends and receives): it opens ``/_stcore/stream``, asks for a page the way the front end does
on navigation (``rerun_script`` with the page's name), and counts the page as served when the
server's ``script_finished`` arrives. Every element the page sends is received and parsed; a page
that raises (an exception element), a wrong page (``page_not_found``), a run that did not finish
successfully or a time-out is an error. What it leaves out: the browser's drawing and the HTTP
requests of the map's iframe (the component's page and scripts, which a browser caches after the first
visit).

(c) the page loop of (a) — ``--sessions`` sessions going through the pages in turn for
``--loop-minutes``, demo data; (d) ``--sessions`` sessions opening ``/map`` at the same moment on the
largest store — with the server's CPU seconds and peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
from dataclasses import dataclass
from typing import Any

from harness import Server, cpu_seconds
from scale_browser import Sampler, rss_mb

FINISHED_OK = 0
"""``ScriptFinishedStatus.FINISHED_SUCCESSFULLY``."""


@dataclass
class WireRun:
    """One page asked for over the websocket."""

    seconds: float | None = None
    error: str | None = None
    bytes: int = 0
    deltas: int = 0


class WireSession:
    """One session: a websocket to the server's stream, asking for pages by name."""

    def __init__(self, base: str, *, locale: str = "vi-VN") -> None:
        self.url = base.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        self.origin = base.rstrip("/")
        self.locale = locale
        self._ws: Any = None

    async def __aenter__(self) -> WireSession:
        import websockets
        from websockets.typing import Origin, Subprotocol

        self._ws = await websockets.connect(
            self.url,
            subprotocols=[Subprotocol("streamlit")],
            origin=Origin(self.origin),
            max_size=None,
            open_timeout=60,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()

    async def page(self, name: str, limit: float) -> WireRun:
        """Ask for page ``name`` ("" for the main page) and wait until its script run is over."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = name
        msg.rerun_script.context_info.timezone = "Asia/Ho_Chi_Minh"
        msg.rerun_script.context_info.locale = self.locale
        run = WireRun()
        t0 = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        try:
            async with asyncio.timeout(limit):
                while True:
                    data = await self._ws.recv()
                    run.bytes += len(data)
                    forward = ForwardMsg()
                    forward.ParseFromString(data)
                    kind = forward.WhichOneof("type")
                    if kind == "delta":
                        run.deltas += 1
                        element = forward.delta.new_element
                        if element.WhichOneof("type") == "exception" and run.error is None:
                            run.error = f"exception: {element.exception.type}"
                    elif kind == "page_not_found":
                        run.error = f"page not found: {name}"
                    elif kind == "script_finished":
                        if forward.script_finished != FINISHED_OK and run.error is None:
                            run.error = f"script finished with status {forward.script_finished}"
                        break
        except TimeoutError:
            run.error = f"no script_finished within {limit:g} s"
            return run
        run.seconds = time.perf_counter() - t0
        return run


def _page_name(name: str) -> str:
    return "" if name == "overview" else name


async def wire_loop(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    """(c) ``--sessions`` websocket sessions going through the pages in turn for ``--loop-minutes``."""
    from bench_load import PAGES

    times: dict[str, list[float]] = {p: [] for p in PAGES}
    errors: dict[str, list[str]] = {p: [] for p in (*PAGES, "start")}
    ready = 0
    go = asyncio.Event()
    stop_at = [0.0]

    async def session(index: int) -> None:
        nonlocal ready
        try:
            async with WireSession(server.base) as wire:
                first = await wire.page("", args.page_limit * 3)
                if first.error:
                    errors["start"].append(f"session {index}: {first.error}")
                ready += 1
                if ready == args.sessions:
                    stop_at[0] = time.perf_counter() + args.loop_minutes * 60
                    go.set()
                await go.wait()
                step = index % len(PAGES)
                while first.error is None and time.perf_counter() < stop_at[0]:
                    step = (step + 1) % len(PAGES)
                    name = PAGES[step]
                    run = await wire.page(_page_name(name), args.page_limit)
                    if run.error:
                        errors[name].append(f"session {index}: {run.error}")
                    elif run.seconds is not None:
                        times[name].append(run.seconds)
                    await asyncio.sleep(1.0)
        except Exception as error:  # a refused or dropped connection is the session's error
            errors["start"].append(f"session {index}: {type(error).__name__}")
            ready += 1
            if ready == args.sessions:
                go.set()

    load0 = os.getloadavg()[0]
    cpu0, t0 = cpu_seconds(server.pid), time.perf_counter()
    with Sampler(server.pid) as sampler:
        tasks = []
        for index in range(args.sessions):
            tasks.append(asyncio.create_task(session(index)))
            await asyncio.sleep(0.5)
        await asyncio.gather(*tasks)
    return {
        "times": times,
        "errors": errors,
        "rss_peak": sampler.peak,
        "load": (load0, os.getloadavg()[0]),
        "server_cpu": cpu_seconds(server.pid) - cpu0,
        "wall": time.perf_counter() - t0,
    }


async def wire_open(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    """(d) ``--sessions`` websocket sessions asking for ``/map`` at the same moment."""

    async def one() -> WireRun:
        try:
            async with WireSession(server.base) as wire:
                return await wire.page("map", args.open_limit)
        except Exception as error:
            return WireRun(error=type(error).__name__)

    with Sampler(server.pid) as sampler:
        rss0, cpu0, t0 = rss_mb(server.pid), cpu_seconds(server.pid), time.perf_counter()
        runs = await asyncio.gather(*(one() for _ in range(args.sessions)))
    return {
        "runs": list(runs),
        "rss_start": rss0,
        "rss_peak": sampler.peak,
        "server_cpu": cpu_seconds(server.pid) - cpu0,
        "wall": time.perf_counter() - t0,
    }
