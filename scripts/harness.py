"""What the benchmarks share: a frozen copy of the app, a Streamlit server of it, its CPU and memory, the browser, the machine.

`frozen_app` copies the app at a git revision (``git archive``) so that edits made in the working
tree while a benchmark runs cannot disturb it; `start_server` serves that copy on 127.0.0.1 (the
product with ``python -m ui.serve``, or a plain page with ``streamlit run``) and waits for its health
check; `cpu_seconds` and `rss_bytes` read the server's use from /proc (psutil when installed),
`machine_cpu` the whole machine's; `launch_chromium` starts Debian's chromium with the flags every
benchmark and screenshot uses. Used by ``scripts/bench_load.py``, ``scripts/bench_scale.py`` (and its
``scale_*`` modules) and ``scripts/screenshot.py``.
"""

from __future__ import annotations

import os
import platform
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
"""Headless Debian chromium, no background traffic (the benchmarks count every request)."""


def chromium() -> str:
    """The path of Debian's chromium, or exit saying how to install it."""
    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("Debian's chromium is not installed (`make browser`)")
    return executable


async def launch_chromium(pw: Any) -> Any:
    """A headless chromium of playwright's async API ``pw``, with `CHROMIUM_ARGS`."""
    return await pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 just now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def frozen_app(rev: str, dest: Path) -> Path:
    """A copy of the app at ``rev`` (git archive) with this tree's static/vendor: edits made in the working
    tree while the benchmark runs (Streamlit reloads changed modules) cannot disturb it."""
    archive = dest.parent / "app.tar"
    subprocess.run(["git", "archive", "--format=tar", "-o", str(archive), rev], cwd=ROOT, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    archive.unlink()
    shutil.copytree(ROOT / "static" / "vendor", dest / "static" / "vendor")
    return dest


@dataclass
class Server:
    """A Streamlit server of the frozen copy."""

    proc: subprocess.Popen[bytes]
    base: str
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_server(
    app: Path,
    url: str,
    *,
    log: Path,
    script: str | None = None,
    env: Mapping[str, str] | None = None,
    limit: float = 120.0,
) -> Server:
    """Start the product (``python -m ui.serve``) or a naive page (``streamlit run script``) on the store ``url``.

    ``env`` is added to the server's environment (``ANTT_REQUIRE_LOGIN`` is unset unless given there).
    Waits at most ``limit`` seconds for ``/_stcore/health``; exits when the server does not answer.
    """
    port = free_port()
    environment = {**os.environ, "ANTT_DATABASE_URL": url}
    environment.pop("ANTT_REQUIRE_LOGIN", None)
    environment |= dict(env or {})
    common = ["--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true"]
    common += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    if script is None:
        cmd = [sys.executable, "-m", "ui.serve", *common]
    else:
        cmd = [sys.executable, "-m", "streamlit", "run", script, *common]
    proc = subprocess.Popen(cmd, cwd=app, env=environment, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as resp:  # noqa: S310 (http, ours)
                if resp.status == 200:
                    return Server(proc, base, log)
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited: see {log}") from None
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"the server did not answer within {limit:.0f} s: see {log}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the server process has used so far, all its threads."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants."""
    try:
        import psutil  # type: ignore[import-untyped]

        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
        return sum(p.memory_info().rss for p in procs if p.is_running())
    except ImportError:
        pass
    except Exception:
        return 0
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(
                int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")
            )
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy (every core; /proc/stat, idle and iowait left out)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]
    return busy / os.sysconf("SC_CLK_TCK")


def machine() -> dict[str, Any]:
    """The machine's facts for a table's heading: cores, CPU model, memory, Python."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem / 2**20),
        "python": platform.python_version(),
    }
