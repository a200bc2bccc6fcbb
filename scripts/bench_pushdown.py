"""Benchmark the pages with push-down: what a filter change costs when the database does the counting.

Usage:

    .venv/bin/python scripts/bench_pushdown.py --url postgresql+psycopg://user:pw@host/db [--layers boundaries,points,density]

(any store: the 10M PostGIS store of ``scripts/bench_postgis.py --keep`` is the one the issue asks for; a SQLite
URL runs the same path with ``ANTT_PUSHDOWN=1``). Each page is run in Streamlit's AppTest (the script as the
server runs it, no browser): a cold run (every cache of the process empty), a rerun with nothing changed, then on
/map the filter changes an analyst makes — one offence group, the last 28 days, one unit — and a return to a filter
seen before. Every row gives wall and CPU seconds of the run and the bytes of the map components it sends. The
store's ``Store.incidents`` is made to fail, so a page that would read every row stops the benchmark.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _patched() -> None:
    """Run pages as ui.serve does (Streamlit's v1 pages fallback off) and refuse every-row reads."""
    from streamlit.runtime.pages_manager import PagesManager

    from geo.store.store import Store

    original = PagesManager.__init__

    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a page read every incident: push-down is not complete")

    PagesManager.__init__ = init  # type: ignore[method-assign]
    Store.incidents = refuse  # type: ignore[method-assign]
    if PROFILE:
        _profile_script_thread()


_PROFILER: list[cProfile.Profile] = []
"""The profiler of the step being measured (``--profile``), enabled in the thread the script runs in."""


def _profile_script_thread() -> None:
    """Profile each script run in its own thread (AppTest runs the page outside the calling thread)."""
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.exec_func_with_error_handling

    def profiled(*args: Any, **kwargs: Any) -> Any:
        if not _PROFILER:
            return original(*args, **kwargs)
        _PROFILER[0].enable()
        try:
            return original(*args, **kwargs)
        finally:
            _PROFILER[0].disable()

    script_runner.exec_func_with_error_handling = profiled


def _payload(at: Any) -> int:
    return sum(len(c.proto.json_args) for c in at.get("component_instance"))


PROFILE: list[str] = []
"""A path prefix when the steps are profiled (``--profile``): each step's statistics go to ``<prefix>-<n>.prof``."""


def measure(label: str, at: Any, step: Callable[[], Any]) -> dict[str, Any]:
    """Run ``step`` (one AppTest run) and return its wall and CPU seconds and map bytes."""
    profiler = cProfile.Profile() if PROFILE else None
    if profiler is not None:
        _PROFILER[:] = [profiler]
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    _PROFILER.clear()
    row = {
        "step": label,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "map_bytes": _payload(at),
        "error": at.exception[0].message if at.exception else "",
    }
    print(
        f"| {label} | {row['wall_s']:.2f} | {row['cpu_s']:.2f} | {row['map_bytes']:,} | {row['error'][:80]} |",
        flush=True,
    )
    if profiler is not None:
        path = f"{PROFILE[0]}-{len(PROFILE)}.prof"
        PROFILE.append(path)
        profiler.dump_stats(path)
        print(f"\nprofile of {label!r}: {path}", flush=True)
        pstats.Stats(path).sort_stats("cumulative").print_stats(30)
    return row


def _filter_changes(at: Any, unit: str | None) -> list[dict[str, Any]]:
    """/map's filter changes: one offence group, back to every offence (seen), the last 28 days, one unit."""
    rows = []
    groups = at.multiselect(key="flt.groups")
    if groups.options:
        first = groups.options[0]
        rows.append(measure("/map one offence group", at, lambda: groups.set_value([first]).run()))
        rows.append(
            measure(
                "/map back to every offence (seen)",
                at,
                lambda: at.multiselect(key="flt.groups").set_value([]).run(),
            )
        )
    rows.append(
        measure("/map last 28 days", at, lambda: at.selectbox(key="flt.preset").set_value("28d").run())
    )
    if unit:
        rows.append(
            measure("/map one unit", at, lambda: at.multiselect(key="flt.communes").set_value([unit]).run())
        )
    return rows


def run(url: str, *, layers: list[str], pages: list[str], unit: str | None) -> list[dict[str, Any]]:
    """Measure ``pages`` on the store at ``url`` (with /map: its filter changes) and return the rows."""
    os.environ["ANTT_DATABASE_URL"] = url
    os.environ["ANTT_PUSHDOWN"] = "1"
    _patched()
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    rows: list[dict[str, Any]] = []
    print("| step | wall s | CPU s | map bytes | error |\n|---|---|---|---|---|")
    for name in pages:
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=1800)
        at.switch_page(f"pages/{name}.py")
        if name == "map":
            at.session_state["map.layers"] = layers
        rows.append(measure(f"/{name} cold", at, at.run))
        rows.append(measure(f"/{name} rerun, nothing changed", at, at.run))
        if name != "map":
            continue
        rows.extend(_filter_changes(at, unit))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process: {peak:,.0f} MB")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of the store to measure")
    parser.add_argument(
        "--layers", default="boundaries,points,density", help="/map's layers, comma-separated"
    )
    parser.add_argument(
        "--pages", default="map,overview,targets,trends,data", help="pages to run, comma-separated"
    )
    parser.add_argument("--unit", help="a unit code for the one-unit filter change")
    parser.add_argument(
        "--profile", help="profile every step (cProfile; slower) into <PROFILE>-<n>.prof and print its top"
    )
    args = parser.parse_args()
    if args.profile:
        PROFILE.append(args.profile)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    rows = run(args.url, layers=args.layers.split(","), pages=args.pages.split(","), unit=args.unit)
    return 1 if any(row["error"] for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
