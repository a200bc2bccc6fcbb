"""Profile the real server while a headless browser changes the offence filter on ``/map`` (issue 14).

Starts the product (``python -m ui.serve``, as ``scripts/bench_scale.py`` does) on an existing store,
opens ``/map`` in headless chromium, then changes the sidebar's offence groups many times: a *miss*
phase (every step a set of groups never chosen before) and a *cached* phase (the same steps again).
For each phase it prints the server's CPU seconds per script run, and with ``--py-spy DIR`` it records
the server with py-spy meanwhile (all threads, ``--idle`` off, raw collapsed stacks:
``DIR/miss.txt``, ``DIR/cached.txt``), summarised by ``--report`` (per thread and per function).

    .venv/bin/python scripts/profile_map_server.py --db sqlite:////tmp/scale/store_1000000.sqlite \\
        --py-spy /tmp/prof --steps 10
    .venv/bin/python scripts/profile_map_server.py --report /tmp/prof/miss.txt

``--tree`` serves the working tree as it is (uncommitted edits included) instead of a copy of
``--rev``. py-spy is not a dependency of the project: ``.venv/bin/pip install py-spy``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import ROOT, cpu_seconds, frozen_app, launch_chromium, rss_bytes, start_server
from scale_browser import Wire, fresh_session, tag_frames, wait_drawn

GROUPS = ("ma_tuy", "te_nan", "mau_thuan", "kinh_te", "giao_thong", "chay_no", "ttxh")


def _label() -> str:
    from geo.words import word

    return word("filter.groups", "vi")


def _name(group: str) -> str:
    from geo.taxonomy import group_name

    return group_name(group, lang="vi")


async def _add(page: Any, group: str) -> None:
    sidebar = page.locator('[data-testid="stSidebar"]')
    await sidebar.get_by_role("combobox", name=_label(), exact=True).click(timeout=30_000)
    await page.get_by_role("option", name=_name(group), exact=True).first.click(timeout=30_000)
    await page.keyboard.press("Escape")


async def _remove(page: Any, group: str) -> None:
    sidebar = page.locator('[data-testid="stSidebar"]')
    box = sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text=_label()).first
    await box.get_by_role("button", name=f"Remove {_name(group)}", exact=True).first.click(timeout=30_000)


def plan(steps: int) -> list[tuple[str, str]]:
    """A sliding window over the groups: add one, remove the oldest: every chosen set is new once."""
    out: list[tuple[str, str]] = []
    chosen: list[str] = []
    index = 0
    while len(out) < steps:
        group = GROUPS[index % len(GROUPS)]
        index += 1
        if group in chosen:
            continue
        out.append(("add", group))
        chosen.append(group)
        if len(chosen) > 1 and len(out) < steps:
            out.append(("remove", chosen.pop(0)))
    return out


class Spy:
    """``py-spy record`` on the server while a phase runs."""

    def __init__(self, pid: int, out: Path | None, rate: int) -> None:
        self.pid, self.out, self.rate = pid, out, rate
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, name: str) -> None:
        if self.out is None:
            return
        spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        target = self.out / f"{name}.txt"
        cmd = [spy, "record", "-p", str(self.pid), "-r", str(self.rate), "-f", "raw", "--threads", "--gil"]
        cmd += ["-o", str(target)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=60)
        self.proc = None


def main_thread_cpu(pid: int) -> float:
    """CPU seconds of the server's main thread (the event loop: HTTP, websocket, Streamlit's runtime loop)."""
    try:
        fields = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class Requests:
    """HTTP requests the page made (URL path → count, body bytes) while ``on``."""

    def __init__(self, page: Any) -> None:
        self.on = False
        self.seen: collections.Counter[str] = collections.Counter()
        self.bytes: collections.Counter[str] = collections.Counter()
        page.on("requestfinished", self._finished)

    async def _finished(self, request: Any) -> None:
        if not self.on:
            return
        path = request.url.split("?", 1)[0].split("/", 3)[-1]
        self.seen[path] += 1
        try:
            sizes = await request.sizes()
            self.bytes[path] += int(sizes["responseBodySize"])
        except Exception:  # noqa: S110 (the frame went away)
            pass


async def phase(
    page: Any, wire: Wire, pid: int, steps: list[tuple[str, str]], limit: float
) -> dict[str, Any]:
    """Run the steps; CPU of the server per script run and wall per change."""
    requests = Requests(page)
    requests.on = True
    cpu0, runs0, loop0 = cpu_seconds(pid), len(wire.finished), main_thread_cpu(pid)
    walls = []
    for action, group in steps:
        await tag_frames(page)
        await asyncio.sleep(0.3)
        t0 = time.perf_counter()
        await (_add(page, group) if action == "add" else _remove(page, group))
        seconds, _maps = await wait_drawn(page, wire, t0, maps=True, change=True, limit=limit)
        walls.append(seconds)
        await asyncio.sleep(0.7)
    runs = len(wire.finished) - runs0
    cpu = cpu_seconds(pid) - cpu0
    loop = main_thread_cpu(pid) - loop0
    requests.on = False
    seen = [(path, count, requests.bytes[path]) for path, count in requests.seen.most_common()]
    return {
        "steps": len(steps),
        "runs": runs,
        "cpu": cpu,
        "cpu_per_run": cpu / max(1, runs),
        "walls": walls,
        "loop_per_run": loop / max(1, runs),
        "rss_mb": rss_bytes(pid) / 1e6,
        "requests": seen,
    }


async def drive(base: str, pid: int, args: argparse.Namespace, spy: Spy) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    steps = plan(args.steps)
    out: dict[str, Any] = {}
    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        run, kept = await fresh_session(browser, base, "/map", maps=True, limit=180, pid=pid, keep=True)
        out["fresh"] = run
        page, wire, context = kept
        await asyncio.sleep(2.0)
        cpu0 = cpu_seconds(pid)
        await asyncio.sleep(args.idle)
        out["idle"] = (cpu_seconds(pid) - cpu0) / max(args.idle, 1e-9)
        for name in ("miss", "cached"):
            spy.start(name)
            try:
                out[name] = await phase(page, wire, pid, steps, args.limit)
            finally:
                spy.stop()
            # back to no group chosen, outside the measured phase
            chosen = [g for a, g in steps if a == "add"]
            removed = {g for a, g in steps if a == "remove"}
            for group in [g for g in chosen if g not in removed]:
                t0 = time.perf_counter()
                await _remove(page, group)
                await wait_drawn(page, wire, t0, maps=True, change=True, limit=args.limit)
        await context.close()
        await browser.close()
    return out


def report(path: Path, top: int = 40) -> None:
    """Print a py-spy raw profile by thread, by own function and by inclusive function (samples, %)."""
    threads: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        thread = frames[0]
        threads[thread.split("(")[0].strip() + " " + (thread.split('"')[1] if '"' in thread else "")] += count
        body = frames[1:]
        if body:
            own[_short(body[-1])] += count
        for frame in dict.fromkeys(_short(f) for f in body):
            inclusive[frame] += count
    print(f"{path}: {total} samples")
    print("by thread:")
    for name, count in threads.most_common():
        print(f"  {count:7d} {100 * count / total:5.1f}%  {name}")
    print("by own function:")
    for name, count in own.most_common(top):
        print(f"  {count:7d} {100 * count / total:5.1f}%  {name}")
    print("by inclusive function:")
    for name, count in inclusive.most_common(top):
        print(f"  {count:7d} {100 * count / total:5.1f}%  {name}")


def _short(frame: str) -> str:
    """``fn (path/to/site-packages/pkg/mod.py:12)`` → ``fn (pkg/mod.py)``."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "python3.11/", str(ROOT) + "/"):
        if marker in where:
            where = where.split(marker, 1)[1]
            break
    return f"{name} ({where})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite:////tmp/scale/store_1000000.sqlite")
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--tree", action="store_true", help="serve the working tree itself")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--py-spy", type=Path, default=None, dest="spy")
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of an idle open page measured")
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the server (repeatable)")
    args = parser.parse_args(argv)
    if args.report is not None:
        report(args.report)
        return 0
    if args.spy is not None:
        args.spy.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="antt-prof-") as tmp_name:
        tmp = Path(tmp_name)
        app = ROOT if args.tree else frozen_app(args.rev, tmp / "app")
        load0 = os.getloadavg()
        env = dict(item.split("=", 1) for item in args.env)
        server = start_server(app, args.db, log=tmp / "server.log", env=env, limit=180)
        try:
            out = asyncio.run(drive(server.base, server.pid, args, Spy(server.pid, args.spy, args.rate)))
        finally:
            server.stop()
    fresh = out["fresh"]
    print(f"load average {load0[0]:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"fresh session: {fresh.seconds} s, server CPU {fresh.cpu:.2f} s, {fresh.bytes / 1e6:.2f} MB")
    print(f"idle, /map open: server CPU {out['idle']:.3f} s per second")
    for name in ("miss", "cached"):
        got = out[name]
        walls = sorted(got["walls"])
        print(
            f"{name}: {got['steps']} changes, {got['runs']} runs, server CPU {got['cpu']:.2f} s"
            f" = {got['cpu_per_run']:.3f} s per run; wall median {walls[len(walls) // 2]:.2f} s"
            f" (min {walls[0]:.2f}, max {walls[-1]:.2f})"
        )
        print(
            f"    of which the main thread (event loop) {got['loop_per_run']:.3f} s per run,"
            f" the other threads (script runs, pools) {got['cpu_per_run'] - got['loop_per_run']:.3f} s;"
            f" server RSS after it {got['rss_mb']:,.0f} MB"
        )
        for path, count, size in got["requests"]:
            print(f"    {count:3d} × {path}  ({size / 1e3:.0f} kB in all)")
    if args.spy is not None:
        for name in ("miss", "cached"):
            report(args.spy / f"{name}.txt")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
