"""Benchmark the server side of the pages other than `/map`: CPU per run, first visit, reruns, filter changes.

Usage: .venv/bin/python scripts/bench_pages.py [--n 100000] [--db FILE] [--reruns 5]
       [--pages overview,trends,targets,present,data] [--profile DIR]

Builds (or reuses, with ``--db``) a SQLite store of ``n`` synthetic incidents (as `scripts/bench_rerun.py`),
then, in Streamlit's AppTest in this process: the router's first run (the overview, cold process caches),
and for each page a first visit in that session, ``--reruns`` reruns with nothing changed, ``--reruns``
filter changes that alternate between two offence groups (seen before after the first two), ``--reruns``
filter changes to a unit never chosen before (one unit after another: every cache misses), and a fresh
session (a new AppTest) opening the page in the warm process. Each line gives the process CPU time
(user + system, every thread) per run: median, min and max. With ``--profile DIR`` every kind of run of
every page is also profiled (cProfile, one ``.prof`` per line; read with ``python -m pstats``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

PAGES = {
    "overview": "pages/overview.py",
    "trends": "pages/trends.py",
    "targets": "pages/targets.py",
    "present": "pages/present.py",
    "data": "pages/data.py",
}


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def main() -> int:
    """Print one line per page and kind of run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="store file to create or reuse")
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated: " + ",".join(PAGES))
    parser.add_argument("--profile", type=Path, help="folder for one cProfile dump per line")
    args = parser.parse_args()
    from bench_rerun import serve_store

    folder = tempfile.TemporaryDirectory()
    url = serve_store(args.db or Path(folder.name) / f"bench_{args.n}.sqlite", args.n)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)

    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    original = PagesManager.__init__

    def init(self: PagesManager, *a: Any, **k: Any) -> None:  # as tests/app/conftest.py, as ui.serve
        original(self, *a, **k)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init  # type: ignore[method-assign]

    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    profile: cProfile.Profile | None = None
    run_script = ScriptRunner._run_script

    def profiled(self: ScriptRunner, *a: Any, **k: Any) -> None:  # the script runs in its own thread
        if profile is None:
            return run_script(self, *a, **k)
        profile.enable()
        try:
            return run_script(self, *a, **k)
        finally:
            profile.disable()

    ScriptRunner._run_script = profiled  # type: ignore[method-assign]
    components: list[Any] = []

    def session() -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=900)
        if components:  # a server scans the installed components once, at start; AppTest once per instance
            at._bidi_component_manager = components[0]
        return at

    def measured(label: str, step: Callable[[], AppTest], times: int) -> None:
        nonlocal profile
        cpus, walls = [], []
        profile = cProfile.Profile() if args.profile else None
        for _ in range(times):
            began, wall = _cpu(), time.perf_counter()
            at = step()
            cpus.append(_cpu() - began)
            walls.append(time.perf_counter() - wall)
            assert not at.exception, at.exception
        if profile:
            name = label.replace("/", "").replace(" ", "_").replace(",", "").replace("(", "").replace(")", "")
            profile.dump_stats(str(args.profile / f"{name}.prof"))
            profile = None
        print(
            f"{label:<34} CPU median {statistics.median(cpus):6.2f} s (min {min(cpus):5.2f}, max {max(cpus):5.2f})"
            f"  wall median {statistics.median(walls):6.2f} s",
            flush=True,
        )

    from geo.store.store import Store

    units = Store.open(url).communes()["code"].astype(str).tolist()
    main_at = session()
    measured("router first run (cold caches)", main_at.run, 1)
    components.append(main_at._bidi_component_manager)
    for name in args.pages.split(","):
        script = PAGES[name]
        at = session()
        at.switch_page(script)
        measured(f"/{name} first visit", at.run, 1)
        measured(f"/{name} rerun, nothing changed", at.run, args.reruns)
        groups = iter(["ma_tuy", "te_nan"] * args.reruns)
        measured(
            f"/{name} filter change",
            lambda at=at, groups=groups: at.multiselect(key="flt.groups").set_value([next(groups)]).run(),  # type: ignore[misc]
            args.reruns,
        )

        codes = iter(units * 2)
        measured(
            f"/{name} filter change, never seen",
            lambda at=at, codes=codes: at.multiselect(key="flt.communes").set_value([next(codes)]).run(),  # type: ignore[misc]
            args.reruns,
        )
        at.multiselect(key="flt.communes").set_value([]).run()

        def fresh(script: str = script) -> AppTest:
            new = session()
            new.switch_page(script)
            return new.run()

        measured(f"/{name} fresh session", fresh, max(1, args.reruns // 2))
    folder.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
