"""The browser side of the scale benchmark (scripts/bench_scale.py): a page until its maps are drawn, filter changes, zoom, memory.

Headless chromium (playwright, async API) on the benchmark's server: `Wire` counts what a page
receives (websocket and HTTP bytes, script runs finished) and aborts every request to another host;
`fresh_session`, `filter_changes` and `zoom_ms` time what a user waits for; `Sampler` follows the
server's memory meanwhile. `measure_product` and `measure_naive` run them on one server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlparse

from harness import Server, cpu_seconds, launch_chromium, machine_cpu, rss_bytes
from scale_figures import MB, Timed, median

T = TypeVar("T")

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def rss_mb(pid: int) -> float:
    """Resident memory of the server process and its children, in MB."""
    return rss_bytes(pid) / MB


# --- the browser side -------------------------------------------------------------------------------
DRAWN_JS = """() => {
  const m = window.map;
  if (!m || !m._loaded || typeof m.getContainer !== 'function') return false;
  return !!m.getContainer().querySelector(
    '.leaflet-overlay-pane path, .leaflet-overlay-pane canvas, .leaflet-marker-pane > *');
}"""
TAG_JS = "() => { window.__benchOld = true; return true; }"
OLD_JS = "() => window.__benchOld === true"
ZOOM_JS = """() => new Promise((resolve, reject) => {
  const m = window.map;
  if (!m) { reject(new Error('no map')); return; }
  const t0 = performance.now();
  m.once('zoomend', () => requestAnimationFrame(() => resolve(performance.now() - t0)));
  m.zoomIn(1, {animate: false});
})"""
UNZOOM_JS = """() => new Promise((resolve) => {
  const m = window.map; m.once('zoomend', () => requestAnimationFrame(() => resolve(true)));
  m.zoomOut(1, {animate: false});
})"""


class Wire:
    """What one page receives: websocket bytes, HTTP bytes, script runs finished; blocked requests."""

    def __init__(self, page: Any) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._msg = ForwardMsg
        self.ws_bytes = 0
        self.http_bytes = 0
        self.finished: list[tuple[float, int]] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        page.on("websocket", self._websocket)
        page.on("requestfinished", self._request)
        page.on("pageerror", lambda error: self.errors.append(f"javascript: {error}"))
        page.on(
            "response", lambda r: self.errors.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None
        )

    async def block_others(self, page: Any) -> None:
        """Abort every request to another host (the benchmark runs offline) and count it."""

        async def route(r: Any) -> None:
            url = r.request.url
            host = urlparse(url).hostname or ""
            if url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
                await r.continue_()
            else:
                self.blocked.append(url)
                await r.abort()

        await page.route("**/*", route)

    def _websocket(self, ws: Any) -> None:
        ws.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        self.ws_bytes += len(data)
        try:
            msg = self._msg.FromString(data)
        except Exception:
            return
        if msg.WhichOneof("type") == "script_finished":
            self.finished.append((time.perf_counter(), int(msg.script_finished)))

    async def _request(self, request: Any) -> None:
        with contextlib.suppress(Exception):
            sizes = await request.sizes()
            self.http_bytes += int(sizes["responseBodySize"]) + int(sizes["responseHeadersSize"])

    def total(self) -> int:
        return self.ws_bytes + self.http_bytes

    def runs_since(self, t0: float) -> list[int]:
        return [status for at, status in self.finished if at >= t0]

    def done_since(self, t0: float) -> float | None:
        """When the first successful script run (whole or fragment) after ``t0`` finished."""
        return next((at for at, status in self.finished if at >= t0 and status in (0, 3)), None)


async def map_frames(page: Any) -> list[Any]:
    """The visible ``st_folium`` iframes of ``page``."""
    found = []
    for frame in page.frames:
        if frame is page.main_frame or "streamlit_folium" not in frame.url:
            continue
        try:
            element = await frame.frame_element()
            if await element.is_visible():
                found.append(frame)
        except Exception:  # noqa: S112 (frames detach while Streamlit reruns)
            continue
    return found


async def _frame_state(frame: Any) -> tuple[bool, bool] | None:
    try:
        return bool(await frame.evaluate(DRAWN_JS)), bool(await frame.evaluate(OLD_JS))
    except Exception:
        return None


async def wait_drawn(
    page: Any, wire: Wire, t0: float, *, maps: bool | None, change: bool, limit: float
) -> tuple[float, int]:
    """Wait until the page is drawn after ``t0`` (see the module's doc); return (seconds, maps drawn).

    ``maps``: True, at least one map; False, none looked at; None, whatever maps are visible (maybe none).
    """
    deadline = t0 + limit
    while True:
        now = time.perf_counter()
        if now > deadline:
            raise TimeoutError
        done = wire.done_since(t0)
        if done is not None:
            if maps is False:
                return done - t0, 0
            frames = await map_frames(page)
            states = [await _frame_state(f) for f in frames]
            if not states and maps is None and time.perf_counter() - done > 0.3:
                return done - t0, 0
            if states and all(s is not None and s[0] for s in states):
                new = [s for s in states if s is not None and not s[1]]
                # After a change, an unchanged map keeps its iframe (and our tag): accepted once the run
                # has been over for a moment, when Streamlit has removed the maps the run no longer drew.
                if not change or new or time.perf_counter() - done > 0.5:
                    return time.perf_counter() - t0, len(states)
        await asyncio.sleep(0.03)


async def tag_frames(page: Any) -> None:
    for frame in await map_frames(page):
        with contextlib.suppress(Exception):
            await frame.evaluate(TAG_JS)


async def zoom_ms(page: Any, times: int) -> float | None:
    """Median milliseconds from ``zoomIn`` to the next animation frame after ``zoomend``, first map."""
    frames = await map_frames(page)
    if not frames:
        return None
    found = []
    for _ in range(times):
        found.append(float(await frames[0].evaluate(ZOOM_JS)))
        await frames[0].evaluate(UNZOOM_JS)
        await asyncio.sleep(0.3)
    return median(found)


async def bounded(step: Awaitable[T], limit: float) -> T | Timed:
    """``step``'s result, or `Timed` when it takes longer than ``limit`` seconds."""
    try:
        return await asyncio.wait_for(step, timeout=limit)
    except TimeoutError:
        return Timed(limit)


@dataclass
class PageRun:
    """What one fresh session measured."""

    seconds: float | Timed | None = None
    maps: int = 0
    bytes: int = 0
    ws_bytes: int = 0
    cpu: float = 0.0
    runs: int = 0
    error: str | None = None
    machine_cpu: float = 0.0
    """CPU seconds of the whole machine meanwhile (server, browser and whatever else runs)."""
    finished: float | None = None
    """Seconds until the first script run was over (the websocket's ``script_finished``)."""


async def fresh_session(
    browser: Any,
    base: str,
    path: str,
    *,
    maps: bool,
    limit: float,
    pid: int,
    keep: bool = False,
    context: Any = None,
) -> tuple[PageRun, Any]:
    """Open ``base + path`` in a new browser context; measure to drawn. Returns the run and, with ``keep``,
    the (page, wire, context) to go on with.

    With ``context``, the session opens in that context instead (a new tab of a browser that may have
    been there before: its HTTP cache is the context's), which is left open.
    """
    own = context is None
    if own:
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    wire = Wire(page)
    await wire.block_others(page)
    run = PageRun()
    cpu0, busy0 = cpu_seconds(pid), machine_cpu()
    t0 = time.perf_counter()
    try:
        await page.goto(base + path, wait_until="commit", timeout=limit * 1000)
        seconds, count = await asyncio.wait_for(
            wait_drawn(page, wire, t0, maps=maps, change=False, limit=limit), timeout=limit + 5
        )
        run.seconds, run.maps = seconds, count
        await asyncio.sleep(0.5)
    except TimeoutError:
        run.seconds = Timed(limit)
    except Exception as error:
        run.error = f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}"
    run.cpu = cpu_seconds(pid) - cpu0
    run.machine_cpu = machine_cpu() - busy0
    run.bytes = wire.total()
    run.ws_bytes = wire.ws_bytes
    done = wire.done_since(t0)
    run.finished = None if done is None else done - t0
    run.runs = len(wire.runs_since(t0))
    if wire.errors and run.error is None:
        run.error = wire.errors[0]
    if await page.locator('[data-testid="stException"]').count() > 0 and run.error is None:
        run.error = (
            "exception box: " + (await page.locator('[data-testid="stException"]').first.inner_text())[:160]
        )
    if keep:
        return run, (page, wire, context)
    if own:
        await context.close()
    else:
        await page.close()
    return run, None


async def return_visits(
    browser: Any, base: str, path: str, *, maps: bool, limit: float, pid: int, repeat: int
) -> list[PageRun]:
    """New sessions of ``path`` in a browser that has opened it before (its HTTP cache warm): one visit
    fills the cache, then ``repeat`` new tabs are measured as `fresh_session` measures."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        await fresh_session(browser, base, path, maps=maps, limit=limit, pid=pid, context=context)
        runs = []
        for _ in range(repeat):
            run, _ = await fresh_session(
                browser, base, path, maps=maps, limit=limit, pid=pid, context=context
            )
            runs.append(run)
        return runs
    finally:
        await context.close()


@dataclass
class Change:
    """One filter change."""

    kind: str  # "miss" or "cached"
    what: str
    seconds: float | Timed | None = None
    cpu_per_run: float | None = None
    runs: int = 0
    bytes: int = 0
    ws_bytes: int = 0
    maps: int = 0
    error: str | None = None


def _group_names() -> list[str]:
    from geo.taxonomy import group_name

    return [group_name(g, lang="vi") for g in ("ma_tuy", "te_nan", "mau_thuan")]


def _groups_label() -> str:
    from geo.words import word

    return word("filter.groups", "vi")


async def _groups_box(page: Any) -> Any:
    sidebar = page.locator('[data-testid="stSidebar"]')
    return sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text=_groups_label()).first


async def _add_group(page: Any, name: str) -> None:
    sidebar = page.locator('[data-testid="stSidebar"]')
    await sidebar.get_by_role("combobox", name=_groups_label(), exact=True).click(timeout=30_000)
    await page.get_by_role("option", name=name, exact=True).first.click(timeout=30_000)
    with contextlib.suppress(Exception):
        await page.keyboard.press("Escape")


async def _remove_group(page: Any, name: str) -> None:
    box = await _groups_box(page)
    await box.get_by_role("button", name=f"Remove {name}", exact=True).first.click(timeout=30_000)


async def filter_changes(page: Any, wire: Wire, pid: int, *, rounds: int, limit: float) -> list[Change]:
    """Alternate offence groups: add a group never chosen (miss), remove it (back to all: cached), and at
    the end add the first group again (cached)."""
    names = _group_names()
    plan: list[tuple[str, str, Callable[[], Awaitable[None]]]] = []
    for name in names[:rounds]:
        plan.append(("miss", f"+ {name}", lambda name=name: _add_group(page, name)))
        plan.append(("cached", f"− {name}", lambda name=name: _remove_group(page, name)))
    plan.append(("cached", f"+ {names[0]}", lambda: _add_group(page, names[0])))
    changes = []
    for kind, what, act in plan:
        await tag_frames(page)
        await asyncio.sleep(0.3)
        change = Change(kind, what)
        bytes0, ws0, cpu0 = wire.total(), wire.ws_bytes, cpu_seconds(pid)
        t0 = time.perf_counter()
        try:
            await asyncio.wait_for(act(), timeout=60)
            seconds, count = await asyncio.wait_for(
                wait_drawn(page, wire, t0, maps=True, change=True, limit=limit), timeout=limit + 5
            )
            change.seconds, change.maps = seconds, count
        except TimeoutError:
            change.seconds = Timed(limit)
        except Exception as error:  # the widget could not be used: stop changing, keep what was measured
            change.error = f"{type(error).__name__}: {(str(error).splitlines() or [''])[0][:160]}"
            changes.append(change)
            break
        await asyncio.sleep(0.7)  # the rest of the run's messages and requests, and its CPU
        runs = wire.runs_since(t0)
        change.runs = len(runs)
        change.cpu_per_run = (cpu_seconds(pid) - cpu0) / max(1, len(runs))
        change.bytes = wire.total() - bytes0
        change.ws_bytes = wire.ws_bytes - ws0
        changes.append(change)
        if isinstance(change.seconds, Timed):
            break
    return changes


class Sampler:
    """The server's RSS every half second while a block runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=0.5)

    def __enter__(self) -> Sampler:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()


async def measure_product(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    """Cold and fresh sessions on /map, filter changes, zoom, memory of the product on one store."""
    from playwright.async_api import async_playwright

    out: dict[str, Any] = {}
    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        with Sampler(server.pid) as sampler:
            cold, _ = await fresh_session(
                browser, server.base, "/map", maps=True, limit=args.cold_limit, pid=server.pid
            )
            out["cold"] = cold
            fresh = []
            for _ in range(args.repeat):
                run, _ = await fresh_session(
                    browser, server.base, "/map", maps=True, limit=args.page_limit, pid=server.pid
                )
                fresh.append(run)
            out["fresh"] = fresh
            out["return"] = await return_visits(
                browser,
                server.base,
                "/map",
                maps=True,
                limit=args.page_limit,
                pid=server.pid,
                repeat=args.repeat,
            )
            run, kept = await fresh_session(
                browser, server.base, "/map", maps=True, limit=args.page_limit, pid=server.pid, keep=True
            )
            page, wire, context = kept
            zoom = await bounded(zoom_ms(page, args.zoom_repeat), args.page_limit)
            out["zoom"] = zoom
            changes = await bounded(
                filter_changes(page, wire, server.pid, rounds=args.rounds, limit=args.page_limit),
                args.page_limit * (2 * args.rounds + 2),
            )
            out["changes"] = changes
            out["blocked"] = len(wire.blocked)
            await context.close()
            out["rss_after"] = rss_mb(server.pid)
        out["rss_peak"] = max(sampler.peak, out["rss_after"])
        await browser.close()
    return out


async def measure_naive(server: Server, name: str, args: argparse.Namespace) -> dict[str, Any]:
    """Cold and fresh sessions (and zoom) on one naive page."""
    from playwright.async_api import async_playwright

    out: dict[str, Any] = {}
    maps = name != "empty"
    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        with Sampler(server.pid) as sampler:
            cold, _ = await fresh_session(
                browser, server.base, "/", maps=maps, limit=args.cold_limit, pid=server.pid
            )
            out["cold"] = cold
            fresh = []
            for index in range(args.repeat):
                keep = maps and index == args.repeat - 1
                run, kept = await fresh_session(
                    browser, server.base, "/", maps=maps, limit=args.page_limit, pid=server.pid, keep=keep
                )
                fresh.append(run)
                if kept is not None:
                    page, _wire, context = kept
                    out["zoom"] = await bounded(zoom_ms(page, args.zoom_repeat), args.page_limit)
                    await context.close()
            out["fresh"] = fresh
            out["return"] = await return_visits(
                browser,
                server.base,
                "/",
                maps=maps,
                limit=args.page_limit,
                pid=server.pid,
                repeat=args.repeat,
            )
        out["rss_peak"] = max(sampler.peak, rss_mb(server.pid))
        await browser.close()
    return out
