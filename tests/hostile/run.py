"""Run the hostile corpus through the command line's own import calls and write a JSON summary.

Usage: ``python tests/hostile/run.py --out summary.json [--formats a,b] [--memory-gb 2] [--every N]``

Each case is imported exactly as ``python -m geo import …`` does (`geo.cli.main.main`, in this
process, with the output written to a strict UTF-8 stream like a console's), into a temporary
SQLite store made by `geo.store.store.Store.open`. A case passes when the command imports it or
refuses it with our own message (exit code 1 or 2), and a refused case leaves the store's digest
(a hash of its file's bytes) unchanged. Anything else is a failure: a Python exception escaping the
command (a traceback), a ``MemoryError`` under the address-space limit, a case running over the
time limit, a changed store, or control characters or lone surrogates in what was printed.
``--every N`` runs the seeded sample `corpus.sample` (the valid files and every N-th case) instead of all.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import resource
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TIME_LIMIT_S = 60


class _Hang(BaseException):
    """Raised by the alarm: a case ran over `TIME_LIMIT_S` (a BaseException, so no importer swallows it)."""


def _alarm(signum: int, frame: Any) -> None:
    raise _Hang


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def digest(path: Path) -> str:
    """Return a hash of the store's bytes (its file and any journal): a rolled-back write leaves them as they were."""
    h = hashlib.sha256()
    for part in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal")):
        if part.exists():
            h.update(part.name.encode())
            h.update(part.read_bytes())
    return h.hexdigest()


def command(fmt: str, path: Path, url: str, options: tuple[str, ...], incidents: Path) -> list[str]:
    """Return the ``python -m geo`` arguments that import ``path`` as ``fmt``."""
    if fmt.startswith("incidents_"):
        return ["import", "incidents", str(path), "--db", url, *options]
    if fmt.startswith("boundaries_"):
        return ["import", "boundaries", str(path), "--db", url, *options]
    if fmt.startswith("population_"):
        return ["import", "population", str(path), "--db", url, *options]
    if fmt == "offence_map_csv":
        return ["import", "incidents", str(incidents), "--offence-map", str(path), "--db", url, *options]
    raise ValueError(fmt)


def run_cli(argv: list[str]) -> tuple[int | None, str, str | None]:
    """Run the command line in this process; return (exit code, what it printed, traceback or None)."""
    from geo.cli import main as cli

    main = cli.main
    if not hasattr(cli, "_cached_parser"):
        # The parser is the same for every case: build it once (argparse's translations are slow).
        parser = cli.build_parser()
        cli._cached_parser = parser  # type: ignore[attr-defined]
        cli.build_parser = lambda: parser

    buffer = io.BytesIO()
    stream = io.TextIOWrapper(buffer, encoding="utf-8", errors="strict", write_through=True)
    code: int | None = None
    failure = None
    with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse refusing an option value
            code = exc.code if isinstance(exc.code, int) else 2
        except _Hang:
            raise
        except BaseException:
            failure = traceback.format_exc()
        try:
            stream.flush()
        except Exception:
            failure = failure or traceback.format_exc()
    return code, buffer.getvalue().decode("utf-8", errors="replace"), failure


_BAD_OUTPUT = [chr(c) for c in range(32) if chr(c) not in "\n\t"] + ["\x7f", "\ufffe"]


def run(formats: list[str], *, out: Path, count: int, every: int = 1) -> dict[str, Any]:
    import corpus

    from geo.store.store import Store

    summary: dict[str, Any] = {"formats": {}, "failures": []}
    signal.signal(signal.SIGALRM, _alarm)
    with tempfile.TemporaryDirectory(prefix="antt-hostile-") as folder:
        root = Path(folder)
        for fmt in formats:
            db = root / f"{fmt}.sqlite"
            url = f"sqlite:///{db}"
            store = Store.open(url, demo=False)
            area = corpus.Area(store.communes())
            started = time.perf_counter()
            generated = corpus.sample(corpus.cases(fmt, area, count=count), every)
            generation = time.perf_counter() - started
            header, rows = corpus.incident_rows(area, corpus.random.Random(1), 3)
            incidents = root / "incidents_for_map.csv"
            outcomes: dict[str, int] = {}
            kinds: dict[str, dict[str, float]] = {}
            slowest = 0.0
            slowest_label = ""
            began = time.perf_counter()
            cpu_began = _cpu()
            for number, case in enumerate(generated):
                folder_for_case = root / f"{fmt}-{number}"
                folder_for_case.mkdir()
                path = folder_for_case / case.name
                path.write_bytes(case.data)
                # An offence map is used by an incident import: new ids each time, so a good map imports.
                named = [[f"{row[0]}-{number}", *row[1:2], "Trộm vặt", *row[3:]] for row in rows]
                incidents.write_bytes(corpus.csv_bytes(header, named))
                before = digest(db)
                tick = time.perf_counter()
                signal.alarm(TIME_LIMIT_S)
                try:
                    code, printed, failure = run_cli(command(fmt, path, url, case.options, incidents))
                except _Hang:
                    code, printed, failure = None, "", f"over {TIME_LIMIT_S} s"
                finally:
                    signal.alarm(0)
                seconds = time.perf_counter() - tick
                after = digest(db)
                if failure is not None:
                    outcome = (
                        "memory"
                        if "MemoryError" in failure
                        else "hang"
                        if code is None and not printed and failure.startswith("over")
                        else "traceback"
                    )
                elif "Traceback" in printed:
                    outcome = "traceback"
                elif code not in (0, 1, 2):
                    outcome = "exit code"
                elif code != 0 and before != after:
                    outcome = "store changed"
                elif any(ch in printed for ch in _BAD_OUTPUT):
                    outcome = "unsanitised output"
                else:
                    outcome = "imported" if code == 0 else "refused"
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                kind = kinds.setdefault(case.label.split(":")[0], {"cases": 0, "seconds": 0.0})
                kind["cases"] += 1
                kind["seconds"] = round(kind["seconds"] + seconds, 2)
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                if rss > summary.get("peak_rss_kb", 0):
                    summary["peak_rss_kb"], summary["peak_case"] = rss, f"{fmt}: {case.label}"
                if seconds > slowest:
                    slowest, slowest_label = seconds, case.label
                if outcome not in ("imported", "refused"):
                    summary["failures"].append(
                        {
                            "format": fmt,
                            "case": number,
                            "label": case.label,
                            "outcome": outcome,
                            "seconds": round(seconds, 2),
                            "store_changed": before != after,
                            "detail": (failure or printed)[-1500:],
                        }
                    )
                for leftover in folder_for_case.iterdir():
                    leftover.unlink()
                folder_for_case.rmdir()
            store.close()
            summary["formats"][fmt] = {
                "cases": len(generated),
                "outcomes": outcomes,
                "kinds": kinds,
                "generation_s": round(generation, 2),
                "run_s": round(time.perf_counter() - began, 2),
                "cpu_s": round(_cpu() - cpu_began, 2),
                "slowest_s": round(slowest, 2),
                "slowest_case": slowest_label,
            }
            out.write_text(json.dumps(summary, indent=1))
    status = Path("/proc/self/status").read_text() if Path("/proc/self/status").exists() else ""
    peaks = {k: v.strip() for k, v in (line.split(":", 1) for line in status.splitlines() if ":" in line)}
    summary["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    summary["peak_vm"] = peaks.get("VmPeak", "")
    out.write_text(json.dumps(summary, indent=1))
    return summary


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--formats", default="")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--memory-gb", type=float, default=2.0)
    parser.add_argument("--every", type=int, default=1, help="run every N-th case only (a seeded sample)")
    args = parser.parse_args()
    import corpus

    if args.memory_gb > 0:
        limit = int(args.memory_gb * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    formats = [f for f in args.formats.split(",") if f] or list(corpus.FORMATS)
    os.environ.setdefault("ANTT_BCRYPT_ROUNDS", "4")
    run(formats, out=args.out, count=args.count or corpus.CASES_PER_FORMAT, every=args.every)
    return 0


if __name__ == "__main__":
    sys.exit(main())
