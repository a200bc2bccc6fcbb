"""Benchmark the server side of a `/map` rerun: CPU per rerun, and what the cached loaders cost in it.

Usage: .venv/bin/python scripts/bench_rerun.py [--n 100000] [--db FILE] [--reruns 5] [--profile FILE]

Builds (or reuses, with ``--db``) a SQLite store of ``n`` synthetic incidents over the demo units
(`geo.demo.synthetic_incidents`, imported through the importer), then runs `/map` in Streamlit's
AppTest in this process: a first run (cold caches), ``--reruns`` reruns with nothing changed,
``--reruns`` filter changes to offence groups not chosen before (cache misses), up to five period
presets not chosen before (misses over all offences), ``--reruns`` changes
back and forth between two groups seen before (hits), ``--reruns`` fresh sessions opening /map in the
warm process, and one run with each secondary section opened (the hot-cell table, the month slider,
the before/after maps; a whole-page run, as AppTest has no fragment rerun). Each line gives the process CPU time (user + system, every thread: the script thread and
Streamlit's) per rerun, and how many times the page asked `ui.loaders` for the incidents and the
communes and the CPU seconds those calls took, and the size of the main map's text (`ui.mapview.Rendered.size`:
what the browser receives for it when it has not seen that map before; a map it has seen comes as a reference
from Streamlit's message cache).

With ``--profile FILE`` the script thread's runs are profiled (cProfile, one profile per kind of
rerun written to ``FILE.<kind>``, the 30 costliest functions by cumulative time printed).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def serve_store(path: Path, n: int) -> str:
    """Build (or reuse) the store at ``path`` and point this process's dashboard at it; return its URL."""
    url = build_store(path, n)
    os.environ["ANTT_DATABASE_URL"] = url
    os.environ["ANTT_RAISE_ERRORS"] = "1"
    return url


def build_store(path: Path, n: int) -> str:
    """Create a store of ``n`` synthetic incidents at ``path`` unless it exists; return its URL."""
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    from geo.io.incident_import import validate_incidents
    from geo.io.safety import Limits
    from geo.io.tables import read_table
    from geo.store.store import Store

    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_import import write_csv

    source = path.with_suffix(".csv")
    write_csv(n, source)
    store = Store.open(url, demo=False)
    outcome = store.import_incidents(
        validate_incidents(read_table(source, limits=Limits.command_line()), store.communes())
    )
    print(f"store: {outcome.accepted:,} incidents imported into {path}")
    store.close()
    return url


class Counter:
    """Wrap the loaders the pages call and add up their calls and CPU seconds."""

    def __init__(self) -> None:
        self.calls = 0
        self.cpu = 0.0

    def wrap(self, function: Callable[[], Any]) -> Callable[[], Any]:
        def timed() -> Any:
            began = _cpu()
            try:
                return function()
            finally:
                self.calls += 1
                self.cpu += _cpu() - began

        return timed


def main() -> int:
    """Print one line per kind of rerun."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="store file to create or reuse")
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument(
        "--profile", type=Path, help="write cProfile stats of each kind of rerun to FILE.<kind>"
    )
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    serve_store(args.db or Path(folder.name) / f"bench_{args.n}.sqlite", args.n)

    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from ui import loaders

    original = PagesManager.__init__

    def init(self: PagesManager, *a: Any, **k: Any) -> None:  # as tests/app/conftest.py, as ui.serve
        original(self, *a, **k)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init  # type: ignore[method-assign]
    profiler: list[cProfile.Profile] = []
    if args.profile:
        from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

        run_script = ScriptRunner._run_script

        def profiled(self: ScriptRunner, *a: Any, **k: Any) -> None:  # the script thread's own work
            if not profiler:
                return run_script(self, *a, **k)
            profiler[0].enable()
            try:
                return run_script(self, *a, **k)
            finally:
                profiler[0].disable()

        ScriptRunner._run_script = profiled  # type: ignore[method-assign]
    counter = Counter()
    loaders.incidents = counter.wrap(loaders.incidents)  # type: ignore[assignment]
    loaders.communes = counter.wrap(loaders.communes)  # type: ignore[assignment]
    sent: list[int] = []
    try:
        from ui import mapview
    except ImportError:  # a build before ui.mapview (to measure it the same way): no map size
        pass
    else:
        show = mapview.show

        def counted_show(rendered: mapview.Rendered, **k: Any) -> Any:  # the main map's text sent per run
            sent.append(rendered.size)
            return show(rendered, **k)

        mapview.show = counted_show  # type: ignore[assignment]

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    at.run()

    def measured(label: str, step: Callable[[], object], times: int) -> None:
        cpus, walls, calls, loader_cpu = [], [], [], []
        if args.profile:
            profiler[:] = [cProfile.Profile()]
        sizes = []
        for _ in range(times):
            counter.calls, counter.cpu = 0, 0.0
            sent.clear()
            began, wall = _cpu(), time.perf_counter()
            step()
            cpus.append(_cpu() - began)
            walls.append(time.perf_counter() - wall)
            calls.append(counter.calls)
            loader_cpu.append(counter.cpu)
            sizes.append(sum(sent))
            assert not at.exception, at.exception
        print(
            f"{label:<38} CPU median {statistics.median(cpus):6.2f} s (min {min(cpus):5.2f}, max {max(cpus):5.2f})"
            f"  wall median {statistics.median(walls):6.2f} s  loader calls {statistics.median(calls):4.0f}"
            f"  loader CPU median {statistics.median(loader_cpu):5.2f} s"
            f"  main map {max(sizes) / 1e6:5.2f} MB"
        )
        if args.profile:
            kind = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
            out = args.profile.with_name(f"{args.profile.name}.{kind}")
            profiler[0].dump_stats(out)
            pstats.Stats(str(out)).sort_stats("cumulative").print_stats(30)
            profiler.clear()

    measured("/map first run (cold caches)", lambda: at.switch_page("pages/map.py").run(), 1)
    measured("/map rerun, nothing changed", at.run, args.reruns)
    from itertools import combinations

    from geo.taxonomy import groups as offence_groups

    codes = sorted(offence_groups())
    new = iter([[g] for g in codes] + [list(pair) for pair in combinations(codes, 2)])
    measured(
        "/map filter change, new filter (miss)",
        lambda: at.multiselect(key="flt.groups").set_value(next(new)).run(),
        args.reruns,
    )
    at.multiselect(key="flt.groups").set_value([]).run()
    periods = iter(["ytd", "quarter", "28d", "month", "7d"] * args.reruns)
    measured(
        "/map period change (preset; misses)",
        lambda: at.selectbox(key="flt.preset").set_value(next(periods)).run(),
        min(args.reruns, 5),
    )
    at.selectbox(key="flt.preset").set_value("12m").run()
    seen = iter([[codes[0]], [codes[1]]] * args.reruns)
    measured(
        "/map filter change, seen before (hit)",
        lambda: at.multiselect(key="flt.groups").set_value(next(seen)).run(),
        args.reruns,
    )
    fresh: list[AppTest] = []

    def new_session() -> None:
        fresh.append(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600))
        fresh[-1].switch_page("pages/map.py").run()
        assert not fresh[-1].exception, fresh[-1].exception

    measured("/map fresh session, warm process", new_session, args.reruns)
    for key, label in (
        ("map.open.cells", "hot-cell table"),
        ("map.open.time", "month slider"),
        ("map.open.compare", "before/after"),
    ):

        def opened(key: str = key) -> None:
            at.session_state[key] = True
            at.run()
            at.session_state[key] = False

        measured(f"/map open the {label} (whole page)", opened, 1)
    folder.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
