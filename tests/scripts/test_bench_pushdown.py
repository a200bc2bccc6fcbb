"""scripts/bench_pushdown.py runs the pages from counts on a store and reports each step (a small store, no timing)."""

from __future__ import annotations

import subprocess
import sys

from tests.scripts._scripts import ROOT


def test_the_pushdown_benchmark_runs_the_map_page_from_counts(fresh_demo_url: str) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "bench_pushdown.py"),
            "--url",
            fresh_demo_url,
            "--pages",
            "map,trends",
            "--unit",
            "15361",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    steps = [line.split("|")[1].strip() for line in done.stdout.splitlines() if line.startswith("| /")]
    assert steps == [
        "/map cold",
        "/map rerun, nothing changed",
        "/map one offence group",
        "/map back to every offence (seen)",
        "/map last 28 days",
        "/map one unit",
        "/trends cold",
        "/trends rerun, nothing changed",
    ]
    assert "peak RSS" in done.stdout
