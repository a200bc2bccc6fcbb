"""Load benchmark: many logged-in browser sessions looping over the pages of one dashboard server.

Run with `make bench` / `make bench-load` (or `.venv/bin/python scripts/bench_load.py --sessions 20
--minutes 3`). Not a test: it prints figures for docs/performance.md ("Load").

What it does: a copy of the app at ``--rev`` (default HEAD, ``git archive``; the working tree may change
meanwhile) with a throwaway demo store (``python -m geo init --demo``) with one analyst account
(``python -m geo users add … --password-stdin``); the app started with ``python -m ui.serve`` on
127.0.0.1 with ``ANTT_REQUIRE_LOGIN=1``; Debian's chromium driven by playwright (async API), the
sessions spread over a few browsers, each a browser context of its own that logs in through the form
once and then, for the whole duration, clicks through the sidebar pages (overview, map, trends, targets,
data; each session starting at another page). The timed loop starts once every session has logged in
(up to 3 tries each). A page time runs from the click to "page drawn": the
page's title heading is shown, the script run is over (``data-test-script-state="notRunning"``) and,
on pages that open with a map (overview, map), the Leaflet map has drawn its communes in its iframe (as the
browser tests wait).
Errors: a page not drawn within ``--timeout`` s, a Streamlit exception box or a traceback on the page,
a JavaScript error, an HTTP response ≥ 500, a lost connection. The server's memory (resident set of
the process and its children; psutil when installed, else /proc) is sampled every second.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import (  # noqa: E402
    chromium,
    cpu_seconds,
    frozen_app,
    launch_chromium,
    machine,
    rss_bytes,
    start_server,
)

from geo.words import word  # noqa: E402

PASSWORD = "tải thử 20 phiên"  # noqa: S105 (a throwaway account in a throwaway store)
USER = "bench.analyst"
PAGES = ("overview", "map", "trends", "targets", "data")
MAP_PAGES = {"overview", "map"}  # /targets draws its maps only when their section is opened
"""Pages whose "drawn" includes a Leaflet map with its communes."""


@dataclass
class Results:
    """What the sessions recorded."""

    times: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PAGES})
    errors: dict[str, list[str]] = field(default_factory=lambda: {p: [] for p in (*PAGES, "login", "other")})
    logins: list[float] = field(default_factory=list)
    first_page: list[float] = field(default_factory=list)
    loop_s: float = 0.0
    rss: list[tuple[float, int]] = field(default_factory=list)
    cpu: list[tuple[float, float]] = field(default_factory=list)
    """(time, server CPU seconds) at the start and the end of the timed loop."""
    load: list[float] = field(default_factory=list)
    """The machine's 1-minute load average, every second (other work on the machine shows here)."""
    shots: Path | None = None


def _prepare_store(tmp: Path, app: Path) -> str:
    url = f"sqlite:///{tmp / 'bench.sqlite'}"
    py = [sys.executable, "-m", "geo"]
    subprocess.run([*py, "init", "--db", url, "--demo"], cwd=app, check=True, stdout=subprocess.DEVNULL)
    # The login form opens only once the store has an admin: one with a random password nobody uses.
    accounts = [("bench.admin", "admin", secrets.token_urlsafe(16)), (USER, "analyst", PASSWORD)]
    for name, role, password in accounts:
        subprocess.run(
            [*py, "users", "add", name, "--role", role, "--password-stdin", "--db", url],
            cwd=app,
            check=True,
            input=password + "\n",
            text=True,
            stdout=subprocess.DEVNULL,
        )
    return url


def _path(url: str) -> str:
    return urlparse(url).path.rstrip("/") or "/"


def _paths(name: str) -> set[str]:
    """The addresses of page ``name`` (the filters ride in the query string)."""
    return {"/", "/overview"} if name == "overview" else {f"/{name}"}


async def _drawn(page: Any, name: str, deadline: float) -> None:
    """Wait until ``name``'s heading is shown, the script run is over and its map (if any) is drawn."""
    timeout_ms = max(1.0, (deadline - time.perf_counter()) * 1000)
    await page.get_by_role("heading", name=word(f"nav.{name}")).first.wait_for(
        state="visible", timeout=timeout_ms
    )
    timeout_ms = max(1.0, (deadline - time.perf_counter()) * 1000)
    await page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms
    )
    if name in MAP_PAGES:
        while True:
            for frame in page.frames:
                try:
                    if frame is not page.main_frame and await frame.locator("path.antt-commune").count() > 0:
                        return
                except Exception:  # noqa: S112 (frames detach while Streamlit reruns)
                    continue
            if time.perf_counter() > deadline:
                raise TimeoutError("no map drawn")
            await asyncio.sleep(0.1)


async def _problems(page: Any) -> str | None:
    if await page.locator('[data-testid="stException"]').count() > 0:
        return (
            "exception box: " + (await page.locator('[data-testid="stException"]').first.inner_text())[:200]
        )
    if await page.get_by_text("Traceback").count() > 0:
        return "traceback on the page"
    return None


@dataclass
class Start:
    """The start line: the timed loop begins once every session has logged in (or given up)."""

    sessions: int
    minutes: float
    settled: int = 0
    stop_at: float = 0.0
    event: asyncio.Event = field(default_factory=asyncio.Event)
    on_start: Any = None

    def arrive(self) -> None:
        """One more session is ready (or failed); the last one starts the clock."""
        self.settled += 1
        if self.settled == self.sessions:
            self.stop_at = time.perf_counter() + self.minutes * 60
            self.event.set()
            if self.on_start is not None:
                self.on_start()


def _short(error: BaseException) -> str:
    return f"{type(error).__name__}: {(str(error).splitlines() or [''])[0][:200]}"


async def _login(page: Any, base: str, timeout_s: float) -> None:
    """Open the app, fill the login form, wait for the page list of a logged-in session."""
    ms = timeout_s * 1000
    await page.goto(base + "/", wait_until="domcontentloaded", timeout=ms)
    await page.get_by_label(word("auth.name")).fill(USER, timeout=ms)
    await page.get_by_label(word("auth.password")).fill(PASSWORD, timeout=ms)
    await page.get_by_role("button", name=word("auth.submit")).click(timeout=ms)
    await page.locator('[data-testid="stSidebarNav"]').wait_for(state="visible", timeout=ms)


async def _session(
    index: int, browser: Any, *, base: str, start: Start, args: argparse.Namespace, out: Results
) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(f"javascript: {error}"))
    page.on("response", lambda r: page_errors.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
    logged_in = False
    for _attempt in range(3):
        t0 = time.perf_counter()
        try:
            await _login(page, base, args.timeout)
            login_s = time.perf_counter() - t0
            await _drawn(page, "overview", time.perf_counter() + args.timeout)
            out.logins.append(login_s)
            out.first_page.append(time.perf_counter() - t0)
            logged_in = True
            break
        except Exception as error:
            out.errors["login"].append(f"session {index}: {_short(error)}")
    start.arrive()
    await start.event.wait()
    nav = page.locator('[data-testid="stSidebarNav"]')
    step = index % len(PAGES)
    while logged_in and time.perf_counter() < start.stop_at:
        step = (step + 1) % len(PAGES)
        name = PAGES[step]
        page_errors.clear()
        t0 = time.perf_counter()
        try:
            await nav.get_by_role("link", name=word(f"nav.{name}")).click(timeout=args.timeout * 1000)
            await page.wait_for_url(
                lambda url, name=name: _path(url) in _paths(name), timeout=args.timeout * 1000
            )
            await _drawn(page, name, t0 + args.timeout)
            elapsed = time.perf_counter() - t0
            problem = await _problems(page)
            if problem is None and page_errors:
                problem = page_errors[0]
            if problem is not None:
                out.errors[name].append(f"session {index}: {problem}")
            else:
                out.times[name].append(elapsed)
        except Exception as error:
            out.errors[name].append(f"session {index}: {_short(error)}")
            if out.shots is not None:
                with contextlib.suppress(Exception):
                    await page.screenshot(
                        path=str(out.shots / f"load_error_{index}_{name}.png"), timeout=30_000
                    )
            if time.perf_counter() < start.stop_at:  # start this session again from the address bar
                try:
                    await _login(page, base, args.timeout)
                    await _drawn(page, "overview", time.perf_counter() + args.timeout)
                except Exception as again:
                    out.errors["other"].append(f"session {index}: could not log in again: {_short(again)}")
                    break
        await asyncio.sleep(args.think)
    await context.close()


async def _sample(pid: int, stop: asyncio.Event, out: Results) -> None:
    t0 = time.perf_counter()
    while not stop.is_set():
        out.rss.append((time.perf_counter() - t0, rss_bytes(pid)))
        out.load.append(os.getloadavg()[0])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)


async def _drive(base: str, pid: int, args: argparse.Namespace, out: Results) -> None:
    from playwright.async_api import async_playwright

    chromium()  # exits at once when it is not installed
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample(pid, stop, out))
    async with async_playwright() as pw:
        browsers = [await launch_chromium(pw) for _ in range(args.browsers)]
        start = Start(args.sessions, args.minutes)
        start.on_start = lambda: out.cpu.append((time.perf_counter(), cpu_seconds(pid)))
        sessions = []
        for index in range(args.sessions):
            sessions.append(
                asyncio.create_task(
                    _session(
                        index, browsers[index % len(browsers)], base=base, start=start, args=args, out=out
                    )
                )
            )
            await asyncio.sleep(args.ramp / max(1, args.sessions))
        await asyncio.gather(*sessions)
        out.loop_s = time.perf_counter() - (start.stop_at - args.minutes * 60)
        out.cpu.append((time.perf_counter(), cpu_seconds(pid)))
        for browser in browsers:
            await browser.close()
    stop.set()
    await sampler


def _pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _cpu_share(samples: list[tuple[float, float]]) -> float | None:
    """Server CPU seconds per second during the timed loop (1.0 = one core busy all the time)."""
    if len(samples) < 2 or samples[-1][0] <= samples[0][0]:
        return None
    return round((samples[-1][1] - samples[0][1]) / (samples[-1][0] - samples[0][0]), 2)


def report(args: argparse.Namespace, out: Results, wall: float, load: tuple[float, float]) -> dict[str, Any]:
    """Print the markdown table for docs/performance.md; return the figures."""
    rows = []
    for name in PAGES:
        times, errors = out.times[name], out.errors[name]
        rows.append(
            {
                "page": "/" if name == "overview" else f"/{name}",
                "views": len(times),
                "errors": len(errors),
                "p50_s": round(_pct(times, 50), 2) if times else None,
                "p95_s": round(_pct(times, 95), 2) if times else None,
                "max_s": round(max(times), 2) if times else None,
            }
        )
    rss = [value for _, value in out.rss if value]
    figures = {
        "date": time.strftime("%d/%m/%Y %H:%M UTC", time.gmtime()),
        "machine": "{nproc} cores ({cpu}), {memory_gib} GiB, Python {python}".format(**machine()),
        "sessions": args.sessions,
        "browsers": args.browsers,
        "minutes": args.minutes,
        "wall_s": round(wall, 1),
        "load_before": load[0],
        "load_after": load[1],
        "loop_s": round(out.loop_s, 1),
        "logins_ok": len(out.logins),
        "login_p50_s": round(_pct(out.logins, 50), 2) if out.logins else None,
        "login_max_s": round(max(out.logins), 2) if out.logins else None,
        "first_overview_p50_s": round(_pct(out.first_page, 50), 2) if out.first_page else None,
        "pages": rows,
        "errors_total": sum(len(v) for v in out.errors.values()),
        "error_samples": [e for v in out.errors.values() for e in v][:20],
        "server_cpu_share": _cpu_share(out.cpu),
        "load_mean": round(statistics.fmean(out.load), 1) if out.load else None,
        "load_max": round(max(out.load), 1) if out.load else None,
        "rss_start_mb": round(rss[0] / 2**20) if rss else None,
        "rss_max_mb": round(max(rss) / 2**20) if rss else None,
        "rss_end_mb": round(rss[-1] / 2**20) if rss else None,
    }
    print(f"\n{figures['date']} · {figures['machine']}")
    print(
        f"{args.sessions} sessions in {args.browsers} browsers, started over {args.ramp:.0f} s; logged in "
        f"{len(out.logins)}/{args.sessions} (login p50 {figures['login_p50_s']} s, max {figures['login_max_s']} s; "
        f"login + first overview p50 {figures['first_overview_p50_s']} s); then {args.minutes} min of pages "
        f"(loop {out.loop_s:.0f} s, wall {wall:.0f} s, think {args.think} s); load average {load[0]:.1f} before, "
        f"{load[1]:.1f} after\n"
    )
    print("| page | views | errors | p50 | p95 | max |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        cells = [f"{row[k]:.2f} s" if row[k] is not None else "–" for k in ("p50_s", "p95_s", "max_s")]
        print(f"| `{row['page']}` | {row['views']} | {row['errors']} | " + " | ".join(cells) + " |")
    total = sum(r["views"] for r in rows)
    print(f"| all | {total} | {figures['errors_total']} | | | |")
    print(
        f"\nserver RSS (process and children): {figures['rss_start_mb']} MB at the start, "
        f"{figures['rss_max_mb']} MB at most, {figures['rss_end_mb']} MB at the end; server CPU during the "
        f"loop {figures['server_cpu_share']} core-seconds per second; machine load average during the run "
        f"{figures['load_mean']} on average, {figures['load_max']} at most"
    )
    for sample in figures["error_samples"]:
        print("  error:", sample)
    return figures


def main() -> int:
    """Parse the arguments, run the load, print the table (and write --json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent logged-in sessions (default 20)")
    parser.add_argument("--minutes", type=float, default=3.0, help="how long the sessions loop (default 3)")
    parser.add_argument(
        "--browsers", type=int, default=2, help="chromium processes sharing the sessions (default 2)"
    )
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds a session waits between pages (default 1)"
    )
    parser.add_argument(
        "--ramp", type=float, default=20.0, help="seconds over which the sessions log in (default 20)"
    )
    parser.add_argument(
        "--timeout", type=float, default=180.0, help="seconds before a page or a login counts as an error"
    )
    parser.add_argument("--rev", default="HEAD", help="git revision of the app to serve (default HEAD)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--shots", type=Path, help="save a screenshot of each failed page view in this folder"
    )
    args = parser.parse_args()
    out = Results()
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
        out.shots = args.shots
    with tempfile.TemporaryDirectory(prefix="antt-load-") as tmp:
        app = frozen_app(args.rev, Path(tmp) / "app")
        url = _prepare_store(Path(tmp), app)
        log = Path(tmp) / "server.log"
        server = start_server(app, url, log=log, env={"ANTT_REQUIRE_LOGIN": "1"})
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        try:
            asyncio.run(_drive(server.base, server.pid, args, out))
        finally:
            server.stop()
        wall = time.perf_counter() - start
        figures = report(args, out, wall, (load_before, os.getloadavg()[0]))
        tail = log.read_text(errors="replace").splitlines()[-5:]
        if any("Traceback" in line or "Error" in line for line in tail):
            print("server log ends with:\n  " + "\n  ".join(tail))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
