"""Offline bundle for an isolated network: ``make bundle`` writes it, ``make install-offline`` checks it.

``python scripts/bundle.py build [--out dist] [--rev HEAD]`` (on a connected machine, with the CPython
the app runs on) writes ONE archive ``dist/antt-bundle-YYYYMMDD.tar.gz`` that unpacks to
``antt-bundle-YYYYMMDD/``:

- the app: ``git archive`` of the revision (committed files only, whatever the working tree holds);
- ``offline/wheels/``: one wheel per package of that revision's ``requirements-dev.lock`` for this
  platform (the run-time packages and the test tools, so ``make run`` and the Python side of
  ``make test`` work), downloaded with ``pip download --require-hashes --only-binary=:all:``; a package
  published only as a source archive is downloaded (hash-checked against the lock) and built into a
  wheel here, where build tools can be fetched;
- ``offline/requirements-offline.lock``: name, version and the sha256 of the bundled wheel, so the
  offline ``pip install --require-hashes`` checks exactly the files that travelled;
- ``offline/vendor/``: the front-end files ``make deps`` puts in ``static/vendor`` (``npm ci`` of the
  revision's ``package-lock.json`` then ``scripts/install_assets.py``), so no npm is needed offline;
- ``offline/MANIFEST.json``: the revision, the Python and platform, every package (file, sha256, where
  it came from) and every asset (sha256).

``python scripts/bundle.py check BUNDLE_DIR [--lock requirements-dev.lock]`` (standard library only;
run by ``scripts/install_offline.sh`` with the new venv's Python) refuses a bundle made for another
Python or platform, for another version of the lock, or with a missing or altered file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = "MANIFEST.json"
OFFLINE_LOCK = "requirements-offline.lock"
FORMAT = 1


@dataclass(frozen=True)
class Pin:
    """One package of a pip lock file: its normalised name, exact version and allowed sha256 hashes."""

    name: str
    version: str
    hashes: frozenset[str]


def normalise(name: str) -> str:
    """Return the PEP 503 form of a distribution name (``Foo_Bar.baz`` → ``foo-bar-baz``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_lock(text: str) -> list[Pin]:
    """Read the pins of a ``uv pip compile --generate-hashes`` / pip-tools lock (continuations, comments).

    Raises ValueError for a requirement that is not ``name==version`` with at least one hash: such a
    lock could not be installed with ``--require-hashes`` either.
    """
    logical: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip() and not current:
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        if current.strip():
            logical.append(current.strip())
        current = ""
    if current.strip():
        logical.append(current.strip())
    pins: list[Pin] = []
    for entry in logical:
        if entry.startswith("-"):
            continue  # options such as --index-url
        requirement = entry.split(" --hash", 1)[0].split(";", 1)[0].strip()
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s]+)", requirement)
        hashes = frozenset(re.findall(r"--hash=sha256:([0-9a-f]{64})", entry))
        if match is None or not hashes:
            raise ValueError(f"not an exact, hashed pin: {entry[:120]!r}")
        pins.append(Pin(normalise(match.group(1)), match.group(2), hashes))
    names = [pin.name for pin in pins]
    doubles = sorted({name for name in names if names.count(name) > 1})
    if doubles:
        raise ValueError("pinned twice: " + ", ".join(doubles))
    return pins


def wheel_key(filename: str) -> tuple[str, str]:
    """Return (normalised name, version) of a wheel file name (``name-version-…-tag.whl``)."""
    parts = filename.removesuffix(".whl").split("-")
    if not filename.endswith(".whl") or len(parts) < 5:
        raise ValueError(f"not a wheel file name: {filename}")
    return normalise(parts[0]), parts[1]


def sha256(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def match_wheels(pins: list[Pin], wheel_dir: Path) -> list[dict[str, str]]:
    """Pair every pin with its wheel in ``wheel_dir``; raise ValueError naming what is missing or extra."""
    found: dict[tuple[str, str], list[Path]] = {}
    for path in sorted(wheel_dir.glob("*.whl")):
        found.setdefault(wheel_key(path.name), []).append(path)
    packages: list[dict[str, str]] = []
    missing: list[str] = []
    for pin in pins:
        paths = found.pop((pin.name, pin.version), [])
        if len(paths) != 1:
            missing.append(f"{pin.name}=={pin.version}" + (f" ({len(paths)} wheels)" if paths else ""))
            continue
        digest = sha256(paths[0])
        origin = "index" if digest in pin.hashes else "built from source"
        packages.append(
            {
                "name": pin.name,
                "version": pin.version,
                "file": paths[0].name,
                "sha256": digest,
                "origin": origin,
            }
        )
    extra = sorted(p.name for paths in found.values() for p in paths)
    if missing or extra:
        raise ValueError(
            "wheels do not match the lock: "
            + (f"missing {', '.join(missing)}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"not in the lock {', '.join(extra)}" if extra else "")
        )
    return packages


def offline_lock(packages: list[dict[str, str]]) -> str:
    """The lock the offline install uses: each bundled wheel by its own hash."""
    lines = [
        "# The wheels of this bundle, by their own sha256 (written by scripts/bundle.py; do not edit).",
        *(f"{p['name']}=={p['version']} --hash=sha256:{p['sha256']}" for p in packages),
    ]
    return "\n".join(lines) + "\n"


def platform_info() -> dict[str, str]:
    """The interpreter the wheels were chosen for (the one running this script)."""
    return {
        "implementation": sys.implementation.name,
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "platform": sysconfig.get_platform(),
    }


def _run(cmd: list[str], **kwargs: object) -> None:
    print("+ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def _pip(*args: str) -> list[str]:
    return [sys.executable, "-m", "pip", *args, "--disable-pip-version-check", "--quiet"]


def download_wheels(pins: list[Pin], wheel_dir: Path, from_source: set[str]) -> set[str]:
    """Fill ``wheel_dir`` with a wheel per pin: binaries where published, else built from the sdist.

    Returns the names of the packages built here.
    """
    built: set[str] = set()
    wheel_dir.mkdir(parents=True, exist_ok=True)
    binary = [p for p in pins if p.name not in from_source]
    if binary:
        subset = wheel_dir.parent / "binary.lock"
        subset.write_text(
            "".join(
                f"{p.name}=={p.version} " + " ".join(f"--hash=sha256:{h}" for h in sorted(p.hashes)) + "\n"
                for p in binary
            )
        )
        command = _pip(
            "download",
            "--require-hashes",
            "--only-binary=:all:",
            "--no-deps",
            "-r",
            str(subset),
            "-d",
            str(wheel_dir),
        )
        try:
            _run(command)
        except subprocess.CalledProcessError:
            print("Some packages have no wheel for this platform; fetching them one by one.", flush=True)
        subset.unlink()
    have = {wheel_key(p.name) for p in wheel_dir.glob("*.whl")}
    for pin in pins:
        if (pin.name, pin.version) in have:
            continue
        if pin.name not in from_source:
            try:
                _run(
                    _pip(
                        "download",
                        "--only-binary=:all:",
                        "--no-deps",
                        f"{pin.name}=={pin.version}",
                        "-d",
                        str(wheel_dir),
                    )
                )
                continue
            except subprocess.CalledProcessError:
                pass
        build_from_source(pin, wheel_dir)
        built.add(pin.name)
    return built


def build_from_source(pin: Pin, wheel_dir: Path) -> None:
    """Download ``pin``'s source archive, check its hash against the lock, build its wheel."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp)
        _run(_pip("download", "--no-binary=:all:", "--no-deps", f"{pin.name}=={pin.version}", "-d", str(src)))
        archives = [p for p in src.iterdir() if p.is_file()]
        if len(archives) != 1 or sha256(archives[0]) not in pin.hashes:
            raise SystemExit(
                f"{pin.name}=={pin.version}: the source archive does not match the lock's hashes"
            )
        _run(_pip("wheel", "--no-deps", str(archives[0]), "-w", str(wheel_dir)))


def build_assets(app: Path, vendor: Path) -> list[dict[str, str]]:
    """``npm ci`` and ``scripts/install_assets.py`` in the unpacked app; move ``static/vendor`` to ``vendor``."""
    _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=app)
    _run([sys.executable, str(app / "scripts" / "install_assets.py")], cwd=app)
    shutil.move(str(app / "static" / "vendor"), vendor)
    shutil.rmtree(app / "node_modules")
    return [
        {"path": p.relative_to(vendor).as_posix(), "sha256": sha256(p)}
        for p in sorted(vendor.rglob("*"))
        if p.is_file()
    ]


def build(out: Path, rev: str, from_source: set[str], day: str) -> Path:
    """Write ``out/antt-bundle-DAY.tar.gz`` for ``rev``; return its path."""
    name = f"antt-bundle-{day}"
    commit = subprocess.run(
        ["git", "rev-parse", rev], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="antt-bundle-") as tmp:
        top = Path(tmp) / name
        top.mkdir()
        archive = Path(tmp) / "app.tar"
        _run(["git", "archive", "--format=tar", "-o", str(archive), commit], cwd=ROOT)
        with tarfile.open(archive) as tar:
            tar.extractall(top, filter="data")
        archive.unlink()
        offline = top / "offline"
        lock = top / "requirements-dev.lock"
        pins = parse_lock(lock.read_text(encoding="utf-8"))
        unknown = from_source - {p.name for p in pins}
        if unknown:
            raise SystemExit(
                "--from-source names a package the lock does not pin: " + ", ".join(sorted(unknown))
            )
        built = download_wheels(pins, offline / "wheels", from_source)
        packages = match_wheels(pins, offline / "wheels")
        unverified = [p["file"] for p in packages if p["origin"] != "index" and p["name"] not in built]
        if unverified:
            raise SystemExit(
                "downloaded wheels whose sha256 the lock does not list: " + ", ".join(unverified)
            )
        (offline / OFFLINE_LOCK).write_text(offline_lock(packages), encoding="utf-8")
        assets = build_assets(top, offline / "vendor")
        manifest = {
            "format": FORMAT,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "commit": commit,
            **platform_info(),
            "lock": "requirements-dev.lock",
            "lock_sha256": sha256(lock),
            "packages": packages,
            "assets": assets,
        }
        (offline / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{name}.tar.gz"
        partial = target.with_suffix(".gz.part")
        print(f"+ writing {target}", flush=True)
        with tarfile.open(partial, "w:gz", compresslevel=1) as tar:  # wheels are zip files already
            tar.add(top, arcname=name)
        partial.replace(target)
    target.with_name(target.name + ".sha256").write_text(f"{sha256(target)}  {target.name}\n")
    built = sum(p["origin"] != "index" for p in packages)
    print(
        f"{target}: {target.stat().st_size / 1e6:.0f} MB, commit {commit[:10]}, {len(packages)} wheels "
        f"({built} built from source), {len(assets)} asset files, for {manifest['implementation']} "
        f"{manifest['python']} {manifest['platform']}"
    )
    return target


def check(bundle: Path, lock: Path | None) -> list[str]:
    """Return what is wrong with the unpacked bundle directory ``bundle`` for this interpreter (empty: fine)."""
    path = bundle / MANIFEST
    if not path.is_file():
        return [f"{path}: no manifest (is this the offline/ folder of an antt bundle?)"]
    manifest = json.loads(path.read_text(encoding="utf-8"))
    problems: list[str] = []
    if manifest.get("format") != FORMAT:
        problems.append(f"bundle format {manifest.get('format')!r}, this script reads {FORMAT}")
    here = platform_info()
    for key, value in here.items():
        if manifest.get(key) != value:
            problems.append(f"bundle made for {key} {manifest.get(key)!r}, this Python is {value!r}")
    if lock is not None and manifest.get("lock_sha256") != sha256(lock):
        problems.append(
            f"the bundle's wheels are for another {lock.name} than {lock} (commit {manifest.get('commit', '?')[:10]})"
        )
    for package in manifest.get("packages", []):
        wheel = bundle / "wheels" / package["file"]
        if not wheel.is_file():
            problems.append(f"missing wheel {wheel}")
        elif sha256(wheel) != package["sha256"]:
            problems.append(f"altered wheel {wheel}")
    for asset in manifest.get("assets", []):
        file = bundle / "vendor" / asset["path"]
        if not file.is_file():
            problems.append(f"missing asset {file}")
        elif sha256(file) != asset["sha256"]:
            problems.append(f"altered asset {file}")
    if not manifest.get("assets"):
        problems.append("the bundle has no front-end assets")
    return problems


def main(argv: list[str] | None = None) -> int:
    """``build`` or ``check`` (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("build", help="write dist/antt-bundle-YYYYMMDD.tar.gz (needs the network)")
    make.add_argument("--out", type=Path, default=ROOT / "dist", help="folder of the archive (default dist/)")
    make.add_argument("--rev", default="HEAD", help="git revision of the app (default HEAD)")
    make.add_argument(
        "--from-source",
        action="append",
        default=[],
        metavar="NAME",
        help="build this package's wheel from its source archive (repeatable)",
    )
    verify = sub.add_parser("check", help="check an unpacked bundle's offline/ folder for this Python")
    verify.add_argument("bundle", type=Path)
    verify.add_argument("--lock", type=Path, help="the app's requirements-dev.lock the wheels must be for")
    args = parser.parse_args(argv)
    if args.command == "build":
        day = os.environ.get("BUNDLE_DATE") or dt.datetime.now(dt.UTC).strftime("%Y%m%d")
        build(args.out.resolve(), args.rev, {normalise(n) for n in args.from_source}, day)
        return 0
    problems = check(args.bundle, args.lock)
    for problem in problems:
        print(
            f"Gói cài đặt ngoại tuyến không dùng được / unusable offline bundle: {problem}", file=sys.stderr
        )
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
