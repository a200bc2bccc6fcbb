"""The scale benchmark's pure parts (scripts/bench_scale.py): figures, goals, the docs section. No timings."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.scripts._scripts import load_script


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_script("bench_scale")


def test_seconds_with_ratio_and_time_out(bench: ModuleType) -> None:
    assert bench.seconds(3.75, ratio_to=1.25) == "3.75 s (3.0×)"
    assert bench.seconds(0.5) == "0.50 s"
    assert bench.seconds(None) == "–"
    assert bench.seconds(bench.Timed(120.0), ratio_to=1.0) == "> 120 s (timed out)"
    assert bench.seconds(2.0, ratio_to=bench.Timed(5.0)) == "2.00 s"


def test_verdict_says_by_how_much(bench: ModuleType) -> None:
    assert bench.verdict(1.5, 2.0, "s") == "met"
    assert bench.verdict(2.0, 2.0, "s") == "met"
    assert bench.verdict(11.0, 2.0, "s") == "missed by 9.00 s (5.5×)"
    assert bench.verdict(136.0, 100.0, "ms") == "missed by 36 ms (1.4×)"
    assert bench.verdict(2800.0, 1000.0, "MB") == "missed by 1800 MB (2.8×)"
    assert bench.verdict(None, 1.0, "s") == "not measured"
    assert bench.verdict(bench.Timed(120.0), 2.0, "s") == "missed (timed out, > 60× the goal)"


def test_goal_text(bench: ModuleType) -> None:
    assert bench.goal_text("miss") == "≤ 2 s"
    assert bench.goal_text("import_rss") == "≤ 1 GB"
    assert bench.goal_text("zoom") == "≤ 100 ms"


def test_percentiles(bench: ModuleType) -> None:
    assert bench.percentile([], 50) is None
    assert bench.percentile([4.0], 95) == 4.0
    assert bench.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3.0
    assert bench.median([3.0, 1.0, 2.0]) == 2.0


def test_labels(bench: ModuleType) -> None:
    assert [bench.label(n) for n in (10_000, 100_000, 1_000_000, 2500)] == ["10k", "100k", "1M", "2500"]


def test_replace_section_keeps_the_rest(bench: ModuleType) -> None:
    doc = "# Perf\n\n## Imports\n\nold\n"
    first = bench.replace_section(doc, "## Scale\n\nA")
    assert first.startswith(doc.rstrip("\n"))
    assert f"{bench.BEGIN}\n## Scale\n\nA\n{bench.END}" in first
    second = bench.replace_section(first + "\n## After\n", "## Scale\n\nB")
    assert "A\n" not in second.split(bench.BEGIN, 1)[1]
    assert second.count(bench.BEGIN) == 1
    assert second.endswith("## After\n")
    assert "## Imports\n\nold" in second


def test_table(bench: ModuleType) -> None:
    assert bench.table(["", "10k"], [["a", "1 s"]]) == "|  | 10k |\n|---|---|\n| a | 1 s |"


def test_options(bench: ModuleType) -> None:
    args = bench.parse(["--sizes", "1_000_000,10000", "--skip-concurrency"])
    assert args.sizes == [10_000, 1_000_000]
    assert args.repeat == 3
    assert args.sessions == 20
    quick = bench.parse(["--quick"])
    assert quick.sizes == [2000, 10_000]
    assert quick.repeat == 2


def _results(bench: ModuleType) -> dict[str, object]:
    run = bench.PageRun
    n = 1_000_000
    fresh = {
        "cold": run(seconds=20.0),
        "fresh": [run(seconds=3.0, bytes=2_000_000), run(seconds=5.0, bytes=2_000_000)],
        "return": [run(seconds=1.5), run(seconds=1.7), run(seconds=1.6)],
    }
    changes = [
        bench.Change("miss", "+ a", seconds=2.5, cpu_per_run=0.5, runs=1, bytes=400_000),
        bench.Change("cached", "− a", seconds=0.8, cpu_per_run=0.2, runs=1, bytes=100_000),
        bench.Change("cached", "+ a", seconds=bench.Timed(120.0)),
    ]
    return {
        "sizes": [n],
        "machine": {"nproc": 2, "cpu": "CPU", "memory_gib": 24, "python": "3.11"},
        "date": "01/12/2026 20:00 UTC",
        "commit": "abc1234",
        "mode": "full",
        "load_before": 0.5,
        "load_after": 1.5,
        "wall_s": 600.0,
        "imports": {
            n: {"import_s": 30.0, "import_rss": 800, "reused": True, "measured_at": "x", "load": 1.0}
        },
        "product": {n: {**fresh, "changes": changes, "zoom": 80.0, "rss_peak": 900.0}},
        "naive": {
            n: {
                "empty": {
                    "cold": run(seconds=1.0),
                    "fresh": [run(seconds=1.0)],
                    "return": [run(seconds=0.8)],
                },
                "grid": {"cold": run(seconds=2.0), "fresh": [run(seconds=2.0, bytes=500_000)], "zoom": 10.0},
            }
        },
        "concurrency": {
            "n": n,
            "loop": {
                "times": {"overview": [1.0, 2.0], "map": [3.0, 5.0]},
                "errors": {"map": ["x"]},
                "rss_peak": 700.0,
                "load": (1.0, 9.0),
            },
            "open": {
                "runs": [run(seconds=4.0), run(seconds=bench.Timed(300.0))],
                "rss_start": 500.0,
                "rss_peak": 2500.0,
            },
        },
        "notes": ["a note"],
    }


def test_report_states_each_goal(bench: ModuleType) -> None:
    args = bench.parse(["--sizes", "1000000"])
    text = bench.report(_results(bench), args)
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if line.startswith("|")}
    assert "4.00 s (4.0×)" in rows["`/map` fresh session → every visible map drawn"]
    assert "missed by 2.50 s (2.7×); slower than the fastest naive build (2.00 s)" in text
    assert "missed (timed out" in rows["same, back to a filter seen before (cached)"]
    back = rows["`/map` return visit (a new tab, the browser's cache warm) → every visible map drawn"]
    assert "1.60 s (2.0×)" in back  # the median of the return visits, against the empty page's return visit
    assert "0.80 s (1.0×)" in rows["naive: empty Streamlit page, return visit"]
    assert rows["naive: one-layer server-side grid, return visit"].count("–") >= 1  # not measured: no figure
    assert "missed by 10.00 s (1.5×)" in rows["import (CLI, wall)"]
    assert "met" in rows["import, peak RSS of the CLI"]
    assert "0.40 MB" in rows["bytes to the browser per filter change"]
    assert "1 errors" in text
    assert "memory missed by 500 MB (1.2×)" in text
    assert "- a note" in text
    assert "load average 0.5 before, 1.5 after" in text


def test_memory_gap_in_whole_megabytes(bench: ModuleType) -> None:
    assert bench.verdict(1031.0, 1000.0, "MB") == "missed by 31 MB (1.0×)"


def test_report_has_the_websocket_rows_with_the_servers_cpu(bench: ModuleType) -> None:
    results = _results(bench)
    fresh = results["product"][1_000_000]["cold"]
    conc = results["concurrency"]
    conc["loop_wire"] = {
        "times": {"overview": [0.5, 1.0], "map": [2.0, 6.0]},
        "errors": {"map": []},
        "rss_peak": 600.0,
        "load": (1.0, 2.0),
        "server_cpu": 90.0,
        "wall": 130.0,
    }
    conc["open_wire"] = {
        "runs": [type(fresh)(seconds=3.0), type(fresh)(seconds=5.0)],
        "rss_start": 500.0,
        "rss_peak": 900.0,
        "server_cpu": 12.0,
        "wall": 6.0,
    }
    text = bench.report(results, bench.parse(["--sizes", "1000000"]))
    rows = [line for line in text.splitlines() if line.startswith("| (")]
    assert [row[3] for row in rows] == ["a", "b", "c", "d"]
    assert "missed by 1.80 s (1.4×); 0 errors" in rows[2]  # /map p95 5.8 s (of 2 and 6 s) against 4 s
    assert "server CPU 90 s in 130 s" in rows[2]
    assert "met; memory met" in rows[3]
    assert "(d): the server used 12.0 CPU-seconds in the 6 s the sessions took (6.00 s a session)." in text
