"""Many sessions at once in the scale benchmark (scripts/bench_scale.py): 20 sessions clicking through the pages, 20 opening /map together.

The page loop of scripts/bench_load.py without the login (127.0.0.1); times per page and errors,
and the server's peak memory while the sessions open the map at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
from typing import Any

from harness import Server, cpu_seconds, launch_chromium, machine_cpu
from scale_browser import Sampler, Wire, fresh_session, rss_mb, wait_drawn


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
