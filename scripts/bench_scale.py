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
   drawn, errors, the server's peak memory; (c) and (d) the same without browsers (``scripts/scale_wire.py``:
   websocket clients speaking Streamlit's protocol, a page served when its script run is over), the
   server's own share when the browsers run elsewhere. ``--concurrency browser|wire|both`` (default both).

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
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Sequence
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from harness import Server, frozen_app, launch_chromium, machine, start_server  # noqa: E402
from scale_browser import Change, PageRun, bounded, fresh_session, measure_naive, measure_product  # noqa: E402
from scale_concurrency import loop_pages, open_at_once  # noqa: E402
from scale_figures import (  # noqa: E402
    BEGIN,
    END,
    MB,
    NAIVE,
    Timed,
    fresh_median,
    goal_text,
    label,
    median,
    percentile,
    replace_section,
    report,
    seconds,
    table,
    verdict,
)
from scale_wire import wire_loop, wire_open  # noqa: E402

__all__ = [  # the figures, importable from the benchmark itself (tests/scripts/test_bench_scale.py)
    "BEGIN",
    "END",
    "Change",
    "PageRun",
    "Timed",
    "goal_text",
    "label",
    "main",
    "median",
    "parse",
    "percentile",
    "replace_section",
    "report",
    "seconds",
    "table",
    "verdict",
]

T = TypeVar("T")

DOCS = ROOT / "docs" / "performance.md"
HEADING = "## Scale (issue 14): 10k / 100k / 1M incidents against naive builds (`scripts/bench_scale.py`)\n\n"


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
                            f"    fresh {seconds(fresh_median(got))}, cold {seconds(got['cold'].seconds)}, zoom {got.get('zoom')}"
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
    browsers, wire = args.concurrency in ("both", "browser"), args.concurrency in ("both", "wire")
    server = start_server(app, f"sqlite:///{demo}", script=None, log=tmp / "server_demo.log", limit=120)
    try:
        if browsers:
            out["loop"] = _step(
                f"(a) {args.sessions} sessions looping over the pages",
                loop_pages(server, args),
                args.loop_minutes * 60 + 600,
            )
        if wire:
            out["loop_wire"] = _step(
                f"(c) {args.sessions} websocket sessions looping over the pages",
                wire_loop(server, args),
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
            if browsers:
                out["open"] = _step(
                    f"(b) {args.sessions} sessions opening /map at once",
                    open_at_once(server, args),
                    args.open_limit + 120,
                )
            if wire:
                out["open_wire"] = _step(
                    f"(d) {args.sessions} websocket sessions opening /map at once",
                    wire_open(server, args),
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
        "--concurrency",
        choices=("both", "browser", "wire"),
        default="both",
        help="the many-session runs in browsers (a, b), as websocket clients (c, d) or both",
    )
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
