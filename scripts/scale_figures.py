"""The scale benchmark's figures (scripts/bench_scale.py): the goals of issue 14, seconds and verdicts as text, the report.

Pure: no server, no browser, no clock. `report` turns the results of a run into the markdown
table of docs/performance.md, `replace_section` puts it between the markers; tested in
tests/scripts/test_bench_scale.py.
"""

from __future__ import annotations

import argparse
import statistics
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

BEGIN = "<!-- bench_scale:begin -->"
END = "<!-- bench_scale:end -->"
NAIVE = ("empty", "heat", "cluster", "grid")
NAIVE_NAMES = {
    "empty": "empty Streamlit page",
    "heat": "raw folium `HeatMap`, every point",
    "cluster": "`FastMarkerCluster`, every point",
    "grid": "one-layer server-side grid",
}
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


# --- pure helpers: formatting, goals (tested in tests/scripts/test_bench_scale.py) ----------------------
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


def label(n: int) -> str:
    """``10k``, ``1M``."""
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


# --- report -----------------------------------------------------------------------------------------
def fresh_median(result: dict[str, Any] | None, kind: str = "fresh") -> Figure:
    """The median of the fresh sessions (``kind`` "return": of the return visits; or the time-out)."""
    if not result:
        return None
    runs = result.get(kind) or []
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
        return fresh_median(results["naive"].get(n, {}).get("empty"))

    def empty_return_of(n: int) -> Figure:
        return fresh_median(results["naive"].get(n, {}).get("empty"), "return")

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
    return_time = lambda v, n: seconds(v, ratio_to=empty_return_of(n))  # noqa: E731
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
    fresh = {n: fresh_median(product.get(n)) for n in sizes}
    naive_best = min(
        (
            v
            for k in ("heat", "cluster", "grid")
            if isinstance(v := fresh_median(results["naive"].get(big, {}).get(k)), float)
        ),
        default=None,
    )
    add("`/map` fresh session → every visible map drawn", fresh, page_time, "fresh")
    if naive_best is not None and isinstance(fresh.get(big), float):
        rows[-1][-1] += (
            f"; {'faster' if fresh[big] < naive_best else 'slower'} than the fastest naive build ({naive_best:.2f} s)"
        )
    add(
        "`/map` return visit (a new tab, the browser's cache warm) → every visible map drawn",
        {n: fresh_median(product.get(n), "return") for n in sizes},
        return_time,
        None,
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
            {n: fresh_median(results["naive"].get(n, {}).get(name)) for n in sizes},
            page_time,
            None,
        )
    for name in NAIVE:
        add(
            f"naive: {NAIVE_NAMES[name]}, return visit",
            {n: fresh_median(results["naive"].get(n, {}).get(name), "return") for n in sizes},
            return_time,
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


def _loop_row(tag: str, what: str, loop: Any, args: argparse.Namespace) -> list[str]:
    """The row of a page loop, (a) in browsers or (c) over the websocket."""
    if isinstance(loop, Timed):
        return [
            f"({tag}) {args.sessions} {what}, pages in turn, demo data",
            str(loop),
            "",
            goal_text("load_p95") + " per page, 0 errors",
            "missed (timed out)",
        ]
    all_times = [t for v in loop["times"].values() for t in v]
    errors = sum(len(v) for v in loop["errors"].values())
    per_page = ", ".join(
        f"`/{'' if name == 'overview' else name}` {seconds(percentile(v, 50))} / {seconds(percentile(v, 95))}"
        for name, v in loop["times"].items()
    )
    worst = max((percentile(v, 95) or 0.0 for v in loop["times"].values()), default=0.0)
    status = verdict(worst, GOALS["load_p95"][0], "s") + (f"; {errors} errors" if errors else "; 0 errors")
    server = f"server peak {loop['rss_peak']:,.0f} MB; load {loop['load'][0]:.1f} → {loop['load'][1]:.1f}"
    if "server_cpu" in loop:
        server += f"; server CPU {loop['server_cpu']:.0f} s in {loop['wall']:.0f} s"
    return [
        f"({tag}) {args.sessions} {what} × {args.loop_minutes:g} min, pages in turn, demo data",
        f"{len(all_times)} views, {errors} errors; p50 / p95 per page: {per_page}",
        server,
        goal_text("load_p95") + " per page, 0 errors",
        status,
    ]


def _open_row(tag: str, what: str, opened: Any, n: int, args: argparse.Namespace) -> list[str]:
    """The row of sessions opening /map at once, (b) in browsers or (d) over the websocket."""
    if isinstance(opened, Timed):
        return [
            f"({tag}) {args.sessions} {what} open `/map` at once",
            str(opened),
            "",
            goal_text("open_p95"),
            "missed (timed out)",
        ]
    runs = opened["runs"]
    ok = [r.seconds for r in runs if isinstance(r.seconds, float) and r.error is None]
    failed = len(runs) - len(ok)
    p95 = percentile(ok, 95) if not failed else Timed(args.open_limit)
    return [
        f"({tag}) {args.sessions} {what} open `/map` at once, {label(n)} store",
        f"p50 {seconds(percentile(ok, 50))}, p95 {seconds(percentile(ok, 95))}, max {seconds(max(ok) if ok else None)}; {failed} errors/time-outs",
        f"server {opened['rss_start']:,.0f} → peak {opened['rss_peak']:,.0f} MB",
        f"p95 {goal_text('open_p95')}, server {goal_text('open_rss')}",
        verdict(p95, GOALS["open_p95"][0], "s")
        + "; memory "
        + verdict(opened["rss_peak"], GOALS["open_rss"][0], "MB"),
    ]


def concurrency_table(conc: dict[str, Any], args: argparse.Namespace) -> str:
    """The 20-session figures: in browsers (a, b) and as websocket clients without browsers (c, d)."""
    rows = []
    loop, opened = conc.get("loop"), conc.get("open")
    wire_loop, wire_open = conc.get("loop_wire"), conc.get("open_wire")
    if loop:
        rows.append(_loop_row("a", "sessions", loop, args))
    if opened:
        rows.append(_open_row("b", "sessions", opened, conc["n"], args))
    if wire_loop:
        rows.append(_loop_row("c", "websocket sessions (no browser)", wire_loop, args))
    if wire_open:
        rows.append(_open_row("d", "websocket sessions (no browser)", wire_open, conc["n"], args))
    text = table(["concurrency", "pages", "server", "goal", "verdict"], rows)
    samples = []
    for tag, found_loop in (("a", loop), ("c", wire_loop)):
        if isinstance(found_loop, dict):
            samples += [
                f"({tag}) `{page}`: {e}" for page, found in found_loop["errors"].items() for e in found
            ]
    for tag, found_open in (("b", opened), ("d", wire_open)):
        if isinstance(found_open, dict):
            samples += [
                f"({tag}) session {i}: {r.error or r.seconds}"
                for i, r in enumerate(found_open["runs"])
                if r.error or isinstance(r.seconds, Timed)
            ]
    if isinstance(opened, dict):
        text += (
            f"\n\n(b): the server used {opened.get('server_cpu', 0):.1f} CPU-seconds in the "
            f"{opened.get('wall', 0):.0f} s the sessions took, the whole machine "
            f"{opened.get('machine_cpu', 0):.1f} CPU-seconds (browsers and anything else running)."
        )
    if isinstance(wire_open, dict):
        text += (
            f"\n\n(d): the server used {wire_open.get('server_cpu', 0):.1f} CPU-seconds in the "
            f"{wire_open.get('wall', 0):.0f} s the sessions took "
            f"({wire_open.get('server_cpu', 0) / max(1, len(wire_open['runs'])):.2f} s a session)."
        )
    if samples:
        text += "\n\nErrors: " + "; ".join(samples[:12]) + ("; …" if len(samples) > 12 else "")
    head, _, tail = text.partition("\n\n")
    return head + (
        "\n\n" + "\n\n".join(textwrap.fill(part, width=115) for part in tail.split("\n\n")) if tail else ""
    )
