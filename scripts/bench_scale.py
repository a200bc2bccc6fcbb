"""Scale benchmark (issue 14, item 5): the product at 10k / 100k / 1M incidents against naive builds.

Usage: .venv/bin/python scripts/bench_scale.py [--sizes 10000,100000,1000000] [--quick] [--work DIR]
       [--out FILE] [--update-docs] [--skip-concurrency] [--skip-naive] [--reimport]

One run, on 127.0.0.1, no internet (every request to another host is aborted and counted):

1. **Stores.** For each size, a CSV of synthetic incidents (``scripts/bench_import.write_csv``, the
   project's generator ``geo.demo.synthetic_incidents`` over the demo units) imported into a new SQLite
   store through the command line (``python -m geo import incidents FILE --db URL``): wall time and the
   child's peak resident memory (``os.wait4``). Stores, CSVs and their import figures are kept in
   ``--work`` and reused by the next run (``--reimport`` measures the import again).
2. **The product.** A ``git archive`` copy of ``--rev`` (the working tree may change meanwhile) served by
   ``python -m ui.serve`` on each store; headless Debian chromium (playwright) measures ``/map``: the
   first session after the server started (its caches cold), then fresh sessions (new browser contexts)
   until every visible map is drawn; filter changes in the sidebar (offence group: a group never chosen
   before = cache miss, back to a filter seen before = cached) until every visible map is redrawn; the
   server's CPU per rerun (user + system of the server process around the change, divided by the script
   runs it made); the bytes sent to the browser per change (websocket frames received plus HTTP response
   bodies and headers); zoom +1 in the map's iframe to the next animation frame after ``zoomend``; the
   server's resident memory.
3. **Naive builds** (``scripts/naive/``: an empty Streamlit page, a raw folium ``HeatMap`` of every point of
   the last 12 months, ``FastMarkerCluster`` of them, a one-layer server-side grid) served from the same
   copy with the same static assets: fresh sessions to drawn, bytes, zoom.
4. **Concurrency** (unless ``--skip-concurrency``): (a) 20 sessions clicking through the pages on the demo
   store for ``--loop-minutes`` (the page loop of ``scripts/bench_load.py``, without login: 127.0.0.1),
   p50/p95 per page and errors; (b) 20 sessions opening ``/map`` at once on the largest store: p50/p95 to
   drawn, errors, the server's peak memory.

"Drawn": the script run finished (the ``script_finished`` message on the websocket) and, in every visible
``st_folium`` iframe, the Leaflet map (``window.map``) is loaded and has drawn a layer (a path or canvas in
its overlay pane, or a marker); after a change, at least one map is a new one (Streamlit replaces a map's
iframe when its content changes). Every step has a time bound: a step that takes longer is reported as
"> N s (timed out)", never waited for.

Prints a markdown table (seconds; page times also as a ratio to the empty page of the same size; the goals
of issue 14 and by how much each is missed), writes it with the machine's facts to ``--out``, and with
``--update-docs`` replaces the marked section of docs/performance.md. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from harness import (  # noqa: E402
    Server,
    cpu_seconds,
    frozen_app,
    launch_chromium,
    machine,
    rss_bytes,
    start_server,
)

T = TypeVar("T")

DOCS = ROOT / "docs" / "performance.md"
HEADING = "## Scale (issue 14): 10k / 100k / 1M incidents against naive builds (`scripts/bench_scale.py`)\n\n"
BEGIN = "<!-- bench_scale:begin -->"
END = "<!-- bench_scale:end -->"
NAIVE = ("empty", "heat", "cluster", "grid")
NAIVE_NAMES = {
    "empty": "empty Streamlit page",
    "heat": "raw folium `HeatMap`, every point",
    "cluster": "`FastMarkerCluster`, every point",
    "grid": "one-layer server-side grid",
}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
MB = 1_000_000

# --- goals of issue 14 (at 1M incidents) -----------------------------------------------------------
GOALS: dict[str, tuple[float, str]] = {
    "import_s": (20.0, "s"),
    "import_rss": (1000.0, "MB"),
    "fresh": (1.5, "s"),
    "miss": (2.0, "s"),
    "cached": (1.0, "s"),
    "cpu_rerun": (0.3, "s"),
    "bytes": (1.0, "MB"),
    "zoom": (100.0, "ms"),
    "load_p95": (4.0, "s"),
    "open_p95": (6.0, "s"),
    "open_rss": (2000.0, "MB"),
}


# --- pure helpers: formatting, goals (tested in tests/scripts/test_bench_scale.py) ---------------------
@dataclass(frozen=True)
class Timed:
    """A figure that was not measured because its step ran out of time (``> limit s``)."""

    limit: float

    def __str__(self) -> str:
        return f"> {self.limit:g} s (timed out)"


Figure = float | Timed | None


def seconds(value: Figure, *, ratio_to: Figure = None) -> str:
    """``1.23 s``, with ``(2.1×)`` the ratio to ``ratio_to`` when given; ``–`` when not measured."""
    if value is None:
        return "–"
    if isinstance(value, Timed):
        return str(value)
    text = f"{value:.2f} s" if value < 100 else f"{value:.0f} s"
    if isinstance(ratio_to, float | int) and ratio_to > 0:
        text += f" ({value / ratio_to:.1f}×)"
    return text


def verdict(value: Figure, goal: float, unit: str) -> str:
    """``met`` or ``missed by X`` (how much over the goal, in the goal's unit and as a factor)."""
    if value is None:
        return "not measured"
    if isinstance(value, Timed):
        if unit != "s":
            return "missed (timed out)"
        return f"missed (timed out, > {value.limit / goal:.0f}× the goal)"
    if value <= goal:
        return "met"
    gap = value - goal
    shown = f"{gap:.2f} {unit}" if unit == "s" and gap < 100 else f"{gap:.0f} {unit}"
    return f"missed by {shown} ({value / goal:.1f}×)"


def goal_text(key: str) -> str:
    """The goal of ``key`` as written in the table (``≤ 2.0 s``)."""
    goal, unit = GOALS[key]
    if unit == "MB" and goal >= 1000:
        return f"≤ {goal / 1000:g} GB"
    return f"≤ {goal:g} {unit}"


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    return float(statistics.median(values)) if values else None


def percentile(values: Sequence[float], q: int) -> float | None:
    """The ``q``-th percentile (inclusive method), or None for no values."""
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=100, method="inclusive")[q - 1])


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def replace_section(text: str, section: str) -> str:
    """``text`` with the part between the bench markers replaced by ``section`` (appended when absent)."""
    block = f"{BEGIN}\n{section.strip()}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        return head + block + rest.split(END, 1)[1]
    return text.rstrip("\n") + "\n\n" + block + "\n"


# --- the revision served --------------------------------------------------------------------------
def _commit(app_rev: str) -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", app_rev], check=False, cwd=ROOT, capture_output=True, text=True
    )
    return out.stdout.strip() or app_rev


# --- processes --------------------------------------------------------------------------------------
def _run_child(
    cmd: list[str], *, cwd: Path, env: dict[str, str], limit: float, log: Path
) -> tuple[int, float, float]:
    """Run ``cmd``; return (exit status, wall seconds, peak RSS in MB of the child) — status -9 on time-out."""
    with log.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        status, rss_kb = None, 0
        while status is None:
            pid, raw, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status, rss_kb = os.waitstatus_to_exitcode(raw), usage.ru_maxrss
                proc.returncode = status
                break
            if time.perf_counter() - t0 > limit:
                proc.kill()
                _, raw, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                return -9, time.perf_counter() - t0, usage.ru_maxrss / 1024
            time.sleep(0.05)
    return status, time.perf_counter() - t0, rss_kb / 1024


def rss_mb(pid: int) -> float:
    """Resident memory of the server process and its children, in MB."""
    return rss_bytes(pid) / MB


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy (every core; /proc/stat, idle and iowait left out)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]
    return busy / os.sysconf("SC_CLK_TCK")


# --- stores -----------------------------------------------------------------------------------------
def label(n: int) -> str:
    """``10k``, ``1M``."""
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def build_store(app: Path, work: Path, n: int, *, reimport: bool, limit: float) -> dict[str, Any]:
    """Make (or reuse) the store of ``n`` incidents in ``work``; return its URL and import figures."""
    csv = work / f"incidents_{n}.csv"
    store = work / f"store_{n}.sqlite"
    meta = work / f"store_{n}.json"
    url = f"sqlite:///{store}"
    if meta.exists() and store.exists() and not reimport:
        figures = json.loads(meta.read_text())
        figures["reused"] = True
        return figures
    env = {**os.environ}
    env.pop("ANTT_DATABASE_URL", None)
    if not csv.exists():
        t0 = time.perf_counter()
        code = (
            "import sys; from pathlib import Path; sys.path.insert(0, 'scripts');"
            f"from bench_import import write_csv; write_csv({n}, Path({str(csv)!r}))"
        )
        subprocess.run([sys.executable, "-c", code], cwd=app, env=env, check=True, timeout=limit)
        print(
            f"  {label(n)}: CSV written in {time.perf_counter() - t0:.1f} s ({csv.stat().st_size / MB:.0f} MB)"
        )
    for old in work.glob(f"store_{n}.sqlite*"):
        old.unlink()
    code = f"from geo.store.store import Store; Store.open({url!r}, demo=False).engine.dispose()"
    subprocess.run([sys.executable, "-c", code], cwd=app, env=env, check=True, timeout=limit)
    log = work / f"import_{n}.log"
    cmd = [sys.executable, "-m", "geo", "import", "incidents", str(csv), "--db", url, "--json"]
    status, wall, peak = _run_child(cmd, cwd=app, env=env, limit=limit, log=log)
    figures: dict[str, Any] = {
        "n": n,
        "url": url,
        "csv_mb": round(csv.stat().st_size / MB, 1),
        "status": status,
        "import_s": round(wall, 2) if status == 0 else None,
        "import_rss": round(peak) if status == 0 else None,
        "timed_out": status == -9,
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load": round(os.getloadavg()[0], 1),
    }
    if status != 0:
        tail = log.read_text(errors="replace").splitlines()[-5:]
        print(f"  {label(n)}: import failed (status {status}); log {log}:\n    " + "\n    ".join(tail))
        if status == -9:
            figures["import_s"] = None
        return {**figures, "failed": True}
    meta.write_text(json.dumps(figures, indent=2) + "\n")
    figures["reused"] = False
    return figures


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
    browser: Any, base: str, path: str, *, maps: bool, limit: float, pid: int, keep: bool = False
) -> tuple[PageRun, Any]:
    """Open ``base + path`` in a new browser context; measure to drawn. Returns the run and, with ``keep``,
    the (page, wire, context) to go on with."""
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
    await context.close()
    return run, None


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
        out["rss_peak"] = max(sampler.peak, rss_mb(server.pid))
        await browser.close()
    return out


# --- concurrency ------------------------------------------------------------------------------------
async def drawn(page: Any, wire: Wire, name: str, t0: float, limit: float) -> None:
    """Page ``name`` drawn: its title heading shown, a script run over since ``t0`` and every visible map
    drawn (the pages that show a map only when asked for it count as drawn without one)."""
    from geo.words import word

    await page.get_by_role("heading", name=word(f"nav.{name}")).first.wait_for(
        state="visible", timeout=max(1.0, t0 + limit - time.perf_counter()) * 1000
    )
    await asyncio.wait_for(
        wait_drawn(page, wire, t0, maps=None, change=False, limit=limit),
        timeout=max(1.0, t0 + limit - time.perf_counter()) + 1,
    )


async def loop_pages(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    """(a) ``--sessions`` sessions clicking through the pages for ``--loop-minutes`` (bench_load's loop)."""
    from bench_load import PAGES, _path, _paths, _problems
    from playwright.async_api import async_playwright

    from geo.words import word

    times: dict[str, list[float]] = {p: [] for p in PAGES}
    errors: dict[str, list[str]] = {p: [] for p in (*PAGES, "start")}
    ready = 0
    go = asyncio.Event()
    stop_at = [0.0]

    async def session(index: int, browser: Any) -> None:
        nonlocal ready
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        page = await context.new_page()
        wire = Wire(page)
        await wire.block_others(page)
        ok = False
        try:
            t0 = time.perf_counter()
            await page.goto(server.base + "/", wait_until="domcontentloaded", timeout=args.page_limit * 1000)
            await drawn(page, wire, "overview", t0, args.page_limit * 3)
            ok = True
        except Exception as error:
            errors["start"].append(f"session {index}: {type(error).__name__}")
        ready += 1
        if ready == args.sessions:
            stop_at[0] = time.perf_counter() + args.loop_minutes * 60
            go.set()
        await go.wait()
        nav = page.locator('[data-testid="stSidebarNav"]')
        step = index % len(PAGES)
        while ok and time.perf_counter() < stop_at[0]:
            step = (step + 1) % len(PAGES)
            name = PAGES[step]
            wire.errors.clear()
            t0 = time.perf_counter()
            try:
                await nav.get_by_role("link", name=word(f"nav.{name}")).click(timeout=args.page_limit * 1000)
                await page.wait_for_url(
                    lambda url, name=name: _path(url) in _paths(name), timeout=args.page_limit * 1000
                )
                await drawn(page, wire, name, t0, args.page_limit)
                elapsed = time.perf_counter() - t0
                problem = await _problems(page) or (wire.errors[0] if wire.errors else None)
                if problem:
                    errors[name].append(f"session {index}: {problem}")
                else:
                    times[name].append(elapsed)
            except Exception as error:
                errors[name].append(f"session {index}: {type(error).__name__}")
                with contextlib.suppress(Exception):
                    t1 = time.perf_counter()
                    await page.goto(
                        server.base + "/", wait_until="domcontentloaded", timeout=args.page_limit * 1000
                    )
                    await drawn(page, wire, "overview", t1, args.page_limit)
            await asyncio.sleep(1.0)
        await context.close()

    async with async_playwright() as pw:
        browsers = [await launch_chromium(pw) for _ in range(2)]
        load0 = os.getloadavg()[0]
        with Sampler(server.pid) as sampler:
            tasks = []
            for index in range(args.sessions):
                tasks.append(asyncio.create_task(session(index, browsers[index % 2])))
                await asyncio.sleep(0.5)
            await asyncio.gather(*tasks)
        for browser in browsers:
            await browser.close()
    return {
        "times": times,
        "errors": errors,
        "rss_peak": sampler.peak,
        "load": (load0, os.getloadavg()[0]),
    }


async def open_at_once(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    """(b) ``--sessions`` sessions opening ``/map`` at the same moment."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browsers = [await launch_chromium(pw) for _ in range(2)]
        with Sampler(server.pid) as sampler:
            rss0, cpu0, t0 = rss_mb(server.pid), cpu_seconds(server.pid), time.perf_counter()
            busy0 = machine_cpu()
            runs = await asyncio.gather(
                *(
                    fresh_session(
                        browsers[i % 2], server.base, "/map", maps=True, limit=args.open_limit, pid=server.pid
                    )
                    for i in range(args.sessions)
                )
            )
        for browser in browsers:
            await browser.close()
    return {
        "runs": [run for run, _ in runs],
        "rss_start": rss0,
        "rss_peak": sampler.peak,
        "server_cpu": cpu_seconds(server.pid) - cpu0,
        "machine_cpu": machine_cpu() - busy0,
        "wall": time.perf_counter() - t0,
    }


# --- report -----------------------------------------------------------------------------------------
def _fresh(result: dict[str, Any] | None) -> Figure:
    """The median of the fresh sessions (or the time-out)."""
    if not result:
        return None
    runs = result.get("fresh") or []
    timed = [r.seconds for r in runs if isinstance(r.seconds, Timed)]
    values = [r.seconds for r in runs if isinstance(r.seconds, float)]
    if timed and len(timed) * 2 >= len(runs):
        return timed[0]
    return median(values)


def _changes(result: dict[str, Any] | None, kind: str, attr: str) -> Figure:
    if not result or isinstance(result.get("changes"), Timed):
        return result["changes"] if result else None
    found = [c for c in result.get("changes") or [] if c.kind == kind]
    if attr == "seconds":
        timed = [c.seconds for c in found if isinstance(c.seconds, Timed)]
        if timed:
            return timed[0]
    values = [getattr(c, attr) for c in found if isinstance(getattr(c, attr), int | float)]
    return median([float(v) for v in values])


def report(results: dict[str, Any], args: argparse.Namespace) -> str:
    """The markdown section for docs/performance.md."""
    sizes: list[int] = results["sizes"]
    big = sizes[-1]
    facts = results["machine"]
    head = [""] + [f"{label(n)}" for n in sizes] + [f"goal at {label(big)}", f"at {label(big)}"]
    rows: list[list[str]] = []

    def empty_of(n: int) -> Figure:
        return _fresh(results["naive"].get(n, {}).get("empty"))

    def add(
        name: str,
        values: dict[int, Figure],
        fmt: Callable[[Figure, int], str],
        key: str | None,
        note: str = "",
    ) -> None:
        cells = [fmt(values.get(n), n) for n in sizes]
        if key is None:
            rows.append([name, *cells, note or "", ""])
        else:
            goal, unit = GOALS[key]
            value = values.get(big)
            scaled: Figure = value
            if isinstance(value, float) and unit == "MB" and key == "bytes":
                scaled = value / MB
            rows.append(
                [name, *cells, goal_text(key) + (f" {note}" if note else ""), verdict(scaled, goal, unit)]
            )

    page_time = lambda v, n: seconds(v, ratio_to=empty_of(n))  # noqa: E731
    plain = lambda v, n: seconds(v)  # noqa: E731
    mb = lambda v, n: "–" if v is None else (str(v) if isinstance(v, Timed) else f"{v / MB:.2f} MB")  # noqa: E731
    ms = lambda v, n: "–" if v is None else (str(v) if isinstance(v, Timed) else f"{v:.0f} ms")  # noqa: E731
    mem = lambda v, n: "–" if v is None else f"{v:,.0f} MB"  # noqa: E731

    imports = results["imports"]
    add(
        "import (CLI, wall)",
        {n: imports[n].get("import_s") for n in sizes if n in imports},
        plain,
        "import_s",
    )
    add(
        "import, peak RSS of the CLI",
        {n: imports[n].get("import_rss") for n in sizes if n in imports},
        mem,
        "import_rss",
    )
    product = results["product"]
    add(
        "`/map` first session after the server started (cold caches)",
        {n: product.get(n, {}).get("cold").seconds if product.get(n) else None for n in sizes},
        page_time,
        None,
    )
    fresh = {n: _fresh(product.get(n)) for n in sizes}
    naive_best = min(
        (
            v
            for k in ("heat", "cluster", "grid")
            if isinstance(v := _fresh(results["naive"].get(big, {}).get(k)), float)
        ),
        default=None,
    )
    add("`/map` fresh session → every visible map drawn", fresh, page_time, "fresh")
    if naive_best is not None and isinstance(fresh.get(big), float):
        rows[-1][-1] += (
            f"; {'faster' if fresh[big] < naive_best else 'slower'} than the fastest naive build ({naive_best:.2f} s)"
        )
    add(
        "`/map` filter change → maps redrawn, cache miss",
        {n: _changes(product.get(n), "miss", "seconds") for n in sizes},
        page_time,
        "miss",
    )
    add(
        "same, back to a filter seen before (cached)",
        {n: _changes(product.get(n), "cached", "seconds") for n in sizes},
        page_time,
        "cached",
    )
    add(
        "server CPU per rerun, cache miss",
        {n: _changes(product.get(n), "miss", "cpu_per_run") for n in sizes},
        plain,
        "cpu_rerun",
    )
    add(
        "server CPU per rerun, cached",
        {n: _changes(product.get(n), "cached", "cpu_per_run") for n in sizes},
        plain,
        "cpu_rerun",
    )
    add(
        "bytes to the browser per filter change",
        {n: _changes(product.get(n), "miss", "bytes") for n in sizes},
        mb,
        "bytes",
    )
    add(
        "of which websocket messages",
        {n: _changes(product.get(n), "miss", "ws_bytes") for n in sizes},
        mb,
        None,
    )
    add(
        "of a fresh session: until its script run was over",
        {
            n: median([r.finished for r in product[n]["fresh"] if r.finished is not None])
            if product.get(n)
            else None
            for n in sizes
        },
        plain,
        None,
    )
    add(
        "server CPU of a fresh `/map` session",
        {n: median([r.cpu for r in product[n]["fresh"]]) if product.get(n) else None for n in sizes},
        plain,
        None,
    )
    add(
        "machine CPU of a fresh `/map` session (server + browser + others)",
        {n: median([r.machine_cpu for r in product[n]["fresh"]]) if product.get(n) else None for n in sizes},
        plain,
        None,
    )
    add(
        "bytes of a fresh `/map` session (Streamlit's own scripts included)",
        {n: median([float(r.bytes) for r in product[n]["fresh"]]) if product.get(n) else None for n in sizes},
        mb,
        None,
    )
    add("zoom +1 → next frame (first map)", {n: product.get(n, {}).get("zoom") for n in sizes}, ms, "zoom")
    add(
        "server RSS after these steps (peak)",
        {n: product.get(n, {}).get("rss_peak") for n in sizes},
        mem,
        None,
    )
    for name in NAIVE:
        add(
            f"naive: {NAIVE_NAMES[name]}, fresh session",
            {n: _fresh(results["naive"].get(n, {}).get(name)) for n in sizes},
            page_time,
            None,
        )
    for name in NAIVE[1:]:
        add(
            f"naive: {NAIVE_NAMES[name]}, bytes of a session",
            {
                n: median([float(r.bytes) for r in results["naive"][n][name]["fresh"]])
                if results["naive"].get(n, {}).get(name)
                else None
                for n in sizes
            },
            mb,
            None,
        )
        add(
            f"naive: {NAIVE_NAMES[name]}, zoom +1",
            {n: results["naive"].get(n, {}).get(name, {}).get("zoom") for n in sizes},
            ms,
            None,
        )
    intro = [
        f"Measured {results['date']} by `scripts/bench_scale.py` (app at `{results['commit']}`, "
        f"{results['mode']}): {facts['nproc']} cores ({facts['cpu']}), {facts['memory_gib']} GiB, Python "
        f"{facts['python']}; load average {results['load_before']:.1f} before, {results['load_after']:.1f} after; "
        f"total {results['wall_s'] / 60:.1f} min. Page times are medians of {args.repeat} fresh sessions "
        f"(new browser contexts, server already warm); in brackets the ratio to the empty Streamlit page of the "
        f"same run. Filter changes: the sidebar's offence group, {args.rounds} groups never chosen before "
        f"(miss) and back (cached).",
    ]
    lines = [textwrap.fill(intro[0], width=115, break_on_hyphens=False), "", table(head, rows)]
    for n in sizes:
        imp = imports.get(n, {})
        if imp.get("reused"):
            lines.append(
                f"\nImport of {label(n)} reused from {imp.get('measured_at')} (load average then {imp.get('load')})."
            )
        if imp.get("failed"):
            lines.append(f"\nImport of {label(n)} failed (status {imp.get('status')}).")
    conc = results.get("concurrency") or {}
    if conc:
        lines += ["", concurrency_table(conc, args)]
    notes = results.get("notes") or []
    if notes:
        lines += ["", *[textwrap.fill(f"- {note}", width=115, subsequent_indent="  ") for note in notes]]
    return "\n".join(lines) + "\n"


def concurrency_table(conc: dict[str, Any], args: argparse.Namespace) -> str:
    """The 20-session figures."""
    rows = []
    loop = conc.get("loop")
    if isinstance(loop, Timed):
        rows.append(
            [
                f"(a) {args.sessions} sessions, pages in turn, demo data",
                str(loop),
                "",
                goal_text("load_p95") + " per page, 0 errors",
                "missed (timed out)",
            ]
        )
    elif loop:
        all_times = [t for v in loop["times"].values() for t in v]
        errors = sum(len(v) for v in loop["errors"].values())
        per_page = ", ".join(
            f"`/{'' if name == 'overview' else name}` {seconds(percentile(v, 50))} / {seconds(percentile(v, 95))}"
            for name, v in loop["times"].items()
        )
        worst = max((percentile(v, 95) or 0.0 for v in loop["times"].values()), default=0.0)
        status = verdict(worst, GOALS["load_p95"][0], "s") + (
            f"; {errors} errors" if errors else "; 0 errors"
        )
        rows.append(
            [
                f"(a) {args.sessions} sessions × {args.loop_minutes:g} min, pages in turn, demo data",
                f"{len(all_times)} views, {errors} errors; p50 / p95 per page: {per_page}",
                f"server peak {loop['rss_peak']:,.0f} MB; load {loop['load'][0]:.1f} → {loop['load'][1]:.1f}",
                goal_text("load_p95") + " per page, 0 errors",
                status,
            ]
        )
    opened = conc.get("open")
    if isinstance(opened, Timed):
        rows.append(
            [
                f"(b) {args.sessions} sessions open `/map` at once",
                str(opened),
                "",
                goal_text("open_p95"),
                "missed (timed out)",
            ]
        )
    elif opened:
        runs = opened["runs"]
        ok = [r.seconds for r in runs if isinstance(r.seconds, float) and r.error is None]
        failed = len(runs) - len(ok)
        p95 = percentile(ok, 95) if not failed else Timed(args.open_limit)
        rows.append(
            [
                f"(b) {args.sessions} sessions open `/map` at once, {label(conc['n'])} store",
                f"p50 {seconds(percentile(ok, 50))}, p95 {seconds(percentile(ok, 95))}, max {seconds(max(ok) if ok else None)}; {failed} errors/time-outs",
                f"server {opened['rss_start']:,.0f} → peak {opened['rss_peak']:,.0f} MB",
                f"p95 {goal_text('open_p95')}, server {goal_text('open_rss')}",
                verdict(p95, GOALS["open_p95"][0], "s")
                + "; memory "
                + verdict(opened["rss_peak"], GOALS["open_rss"][0], "MB"),
            ]
        )
    text = table(["concurrency", "pages", "server", "goal", "verdict"], rows)
    samples = []
    if isinstance(loop, dict):
        samples += [f"(a) `{page}`: {e}" for page, found in loop["errors"].items() for e in found]
    if isinstance(opened, dict):
        samples += [
            f"(b) session {i}: {r.error or r.seconds}"
            for i, r in enumerate(opened["runs"])
            if r.error or isinstance(r.seconds, Timed)
        ]
        text += (
            f"\n\n(b): the server used {opened.get('server_cpu', 0):.1f} CPU-seconds in the "
            f"{opened.get('wall', 0):.0f} s the sessions took, the whole machine "
            f"{opened.get('machine_cpu', 0):.1f} CPU-seconds (browsers and anything else running)."
        )
    if samples:
        text += "\n\nErrors: " + "; ".join(samples[:12]) + ("; …" if len(samples) > 12 else "")
    head, _, tail = text.partition("\n\n")
    return head + (
        "\n\n" + "\n\n".join(textwrap.fill(part, width=115) for part in tail.split("\n\n")) if tail else ""
    )


# --- main -------------------------------------------------------------------------------------------
def _frozen(rev: str, tmp: Path) -> Path:
    app = frozen_app(rev, tmp / "app")
    for name in NAIVE:
        shutil.copy(ROOT / "scripts" / "naive" / f"{name}.py", app / f"naive_{name}.py")
    return app


_DEADLINE = [math.inf]
"""When the whole run must be over (``--budget``): a step gets at most the time left."""


def _step(label_: str, coro: Awaitable[T], limit: float) -> T | Timed:
    t0 = time.perf_counter()
    limit = max(5.0, min(limit, _DEADLINE[0] - t0))
    print(f"  {label_} (at most {limit:.0f} s) …", flush=True)
    result = asyncio.run(bounded(coro, limit))
    print(f"  {label_}: {time.perf_counter() - t0:.0f} s", flush=True)
    return result


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement; returns the results for `report`."""
    sizes = args.sizes
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "sizes": sizes,
        "machine": machine(),
        "date": time.strftime("%d/%m/%Y %H:%M UTC", time.gmtime()),
        "commit": _commit(args.rev),
        "mode": "quick" if args.quick else "full",
        "load_before": os.getloadavg()[0],
        "imports": {},
        "product": {},
        "naive": {},
        "notes": [],
    }
    t_start = time.perf_counter()
    if args.budget:
        _DEADLINE[0] = t_start + args.budget * 60
    with tempfile.TemporaryDirectory(prefix="antt-scale-") as tmp_name:
        tmp = Path(tmp_name)
        app = _frozen(args.rev, tmp)
        for n in sizes:
            print(f"store of {label(n)} incidents", flush=True)
            imp = build_store(app, work, n, reimport=args.reimport, limit=args.import_limit)
            results["imports"][n] = imp
            if imp.get("failed"):
                continue
            if imp.get("reused"):
                print(
                    f"  reused (import measured {imp['measured_at']}: {imp['import_s']} s, {imp['import_rss']} MB)"
                )
            else:
                print(f"  import {imp['import_s']} s, peak {imp['import_rss']} MB")
            url = imp["url"]
            server = start_server(app, url, script=None, log=tmp / f"server_{n}.log", limit=120)
            try:
                result = _step(f"/map on {label(n)}", measure_product(server, args), args.size_limit)
                if isinstance(result, Timed):
                    results["notes"].append(f"`/map` at {label(n)}: the measurements stopped after {result}.")
                else:
                    results["product"][n] = result
                    _print_product(n, result)
            finally:
                server.stop()
            results["naive"][n] = {}
            for name in NAIVE if not args.skip_naive else ():
                server = start_server(
                    app, url, script=f"naive_{name}.py", log=tmp / f"naive_{name}_{n}.log", limit=120
                )
                try:
                    got = _step(
                        f"naive {name} on {label(n)}", measure_naive(server, name, args), args.size_limit / 2
                    )
                    if not isinstance(got, Timed):
                        results["naive"][n][name] = got
                        print(
                            f"    fresh {seconds(_fresh(got))}, cold {seconds(got['cold'].seconds)}, zoom {got.get('zoom')}"
                        )
                finally:
                    server.stop()
        if not args.skip_concurrency:
            results["concurrency"] = concurrency(app, tmp, args, results)
    results["load_after"] = os.getloadavg()[0]
    results["wall_s"] = time.perf_counter() - t_start
    return results


def concurrency(app: Path, tmp: Path, args: argparse.Namespace, results: dict[str, Any]) -> dict[str, Any]:
    """(a) the page loop on the demo store, (b) sessions opening /map at once on the largest store."""
    out: dict[str, Any] = {}
    demo = tmp / "demo.sqlite"
    subprocess.run(
        [sys.executable, "-m", "geo", "init", "--db", f"sqlite:///{demo}", "--demo"],
        cwd=app, check=True, stdout=subprocess.DEVNULL, timeout=args.import_limit,
    )  # fmt: skip
    server = start_server(app, f"sqlite:///{demo}", script=None, log=tmp / "server_demo.log", limit=120)
    try:
        out["loop"] = _step(
            f"(a) {args.sessions} sessions looping over the pages",
            loop_pages(server, args),
            args.loop_minutes * 60 + 600,
        )
    finally:
        server.stop()
    big = max((n for n in args.sizes if not results["imports"].get(n, {}).get("failed")), default=None)
    if big is not None:
        out["n"] = big
        server = start_server(
            app, results["imports"][big]["url"], script=None, log=tmp / "server_open.log", limit=120
        )
        try:
            # One session first, so the figures are those of a running server, not of its start.
            warm = _step("warming the server", _one_map(server, args), args.cold_limit + 30)
            if isinstance(warm, Timed):
                results["notes"].append("the server did not draw `/map` once before the sessions opened it")
            out["open"] = _step(
                f"(b) {args.sessions} sessions opening /map at once",
                open_at_once(server, args),
                args.open_limit + 120,
            )
        finally:
            server.stop()
    return out


async def _one_map(server: Server, args: argparse.Namespace) -> PageRun:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        run_, _ = await fresh_session(
            browser, server.base, "/map", maps=True, limit=args.cold_limit, pid=server.pid
        )
        await browser.close()
    return run_


def _print_product(n: int, result: dict[str, Any]) -> None:
    cold = result["cold"]
    print(
        f"    cold {seconds(cold.seconds)} ({cold.maps} maps, {cold.bytes / MB:.2f} MB){' ' + cold.error if cold.error else ''}"
    )
    for run_ in result["fresh"]:
        print(
            f"    fresh {seconds(run_.seconds)} ({run_.maps} maps, {run_.bytes / MB:.2f} MB, server CPU {run_.cpu:.2f} s, {run_.runs} runs){' ' + run_.error if run_.error else ''}"
        )
    print(f"    zoom {result['zoom']}")
    changes = result["changes"]
    if isinstance(changes, Timed):
        print(f"    changes {changes}")
    else:
        for c in changes:
            print(
                f"    {c.kind:<6} {c.what:<30} {seconds(c.seconds)}  CPU/run {c.cpu_per_run or 0:.2f} s × {c.runs}  {c.bytes / MB:.2f} MB  {c.maps} maps"
            )
    print(f"    RSS peak {result['rss_peak']:.0f} MB; blocked requests {result['blocked']}")


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--sizes", default=None, help="store sizes, comma-separated (default 10000,100000,1000000)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="small stores and fewer repetitions, to try the harness"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "antt-bench-scale",
        help="folder of the stores, reused",
    )
    parser.add_argument("--out", type=Path, default=None, help="write the section (markdown) to this file")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw figures here")
    parser.add_argument(
        "--update-docs", action="store_true", help="replace the marked section of docs/performance.md"
    )
    parser.add_argument("--skip-concurrency", action="store_true")
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="minutes for the whole run: later steps get only what is left",
    )
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument(
        "--reimport", action="store_true", help="import again even if a store of the size exists"
    )
    parser.add_argument("--rev", default="HEAD", help="git revision of the app to serve (default HEAD)")
    parser.add_argument(
        "--repeat", type=int, default=None, help="fresh sessions per page (default 3, quick 2)"
    )
    parser.add_argument(
        "--rounds", type=int, default=None, help="offence groups to add and remove (default 2)"
    )
    parser.add_argument("--zoom-repeat", type=int, default=5)
    parser.add_argument(
        "--sessions", type=int, default=None, help="concurrent sessions (default 20, quick 4)"
    )
    parser.add_argument(
        "--loop-minutes", type=float, default=None, help="(a) duration (default 2, quick 0.5)"
    )
    parser.add_argument(
        "--page-limit", type=float, default=120.0, help="seconds before a page or change times out"
    )
    parser.add_argument(
        "--cold-limit", type=float, default=240.0, help="the same for the first session of a server"
    )
    parser.add_argument("--open-limit", type=float, default=300.0, help="the same for (b)")
    parser.add_argument(
        "--import-limit", type=float, default=900.0, help="seconds before an import times out"
    )
    parser.add_argument(
        "--size-limit", type=float, default=1200.0, help="seconds for all of /map's steps on one store"
    )
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = "2000,10000" if args.quick else "10000,100000,1000000"
    args.sizes = sorted(int(s.replace("_", "")) for s in str(args.sizes).split(",") if s.strip())
    args.repeat = args.repeat or (2 if args.quick else 3)
    args.rounds = args.rounds or (1 if args.quick else 2)
    args.sessions = args.sessions or (4 if args.quick else 20)
    args.loop_minutes = args.loop_minutes if args.loop_minutes is not None else (0.5 if args.quick else 2.0)
    if args.quick:
        args.zoom_repeat = min(args.zoom_repeat, 3)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print the section, write it where asked."""
    args = parse(argv)
    results = run(args)
    section = report(results, args)
    print("\n" + section)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(section, encoding="utf-8")
    if args.json:
        args.json.write_text(
            json.dumps(results, default=lambda o: o.__dict__ if hasattr(o, "__dict__") else str(o), indent=1)
        )
    if args.update_docs:
        DOCS.write_text(
            replace_section(
                DOCS.read_text(encoding="utf-8"),
                HEADING + section,
            ),
            encoding="utf-8",
        )
        print(f"updated {DOCS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
