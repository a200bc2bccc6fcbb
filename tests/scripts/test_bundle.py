"""The offline bundle (scripts/bundle.py): the lock read right, a wheel for every pin, the checks refuse.

Building the whole bundle takes minutes and the network, so it is not done here:
scripts/check_offline_install.sh builds one and installs it with pip and npm blocked.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.scripts._scripts import ROOT, load_script

bundle = load_script("bundle")

LOCK = """\
# a comment
Foo_Bar==1.2.0 \\
    --hash=sha256:{a} \\
    --hash=sha256:{b}
    # via
    #   -r requirements.txt
zope.interface==7.0 --hash=sha256:{c}
""".format(a="a" * 64, b="b" * 64, c="c" * 64)


def _make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w.-]*):(?!=)", text, flags=re.M))


def test_the_makefile_has_the_offline_targets_and_keeps_run_and_test() -> None:
    targets = _make_targets()
    assert {"bundle", "install-offline", "run", "test", "bench", "bench-load"} <= targets
    dry = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "install-offline", "BUNDLE=/x/antt-bundle-20260101.tar.gz"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "scripts/install_offline.sh" in dry
    assert "/x/antt-bundle-20260101.tar.gz" in dry
    run = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "run"], capture_output=True, text=True, check=True
    ).stdout
    assert "--server.address 127.0.0.1" in run  # the default stays this machine only
    bench = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nbench:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/bench_load.py" in bench


def test_lock_pins_are_read_with_continuations_comments_and_hashes() -> None:
    pins = bundle.parse_lock(LOCK)
    assert [(p.name, p.version) for p in pins] == [("foo-bar", "1.2.0"), ("zope-interface", "7.0")]
    assert pins[0].hashes == {"a" * 64, "b" * 64}
    assert pins[1].hashes == {"c" * 64}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo>=1 --hash=sha256:" + "a" * 64 + "\n", "exact, hashed"),
        ("foo==1\n", "exact, hashed"),
        ("foo==1 --hash=sha256:{h}\nFoo==2 --hash=sha256:{h}\n".format(h="a" * 64), "pinned twice: foo"),
    ],
)
def test_a_lock_that_cannot_be_installed_offline_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bundle.parse_lock(text)


def test_the_project_lock_is_read_whole() -> None:
    """Every `name==version` line of requirements-dev.lock becomes one pin (an independent count)."""
    text = (ROOT / "requirements-dev.lock").read_text(encoding="utf-8")
    expected = {
        (re.sub(r"[-_.]+", "-", m.group(1)).lower(), m.group(2))
        for m in re.finditer(r"^([A-Za-z0-9][\w.-]*)==(\S+)", text, flags=re.M)
    }
    pins = bundle.parse_lock(text)
    assert {(p.name, p.version) for p in pins} == expected
    assert len(pins) == len(expected) > 50
    assert all(p.hashes for p in pins)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fake_bundle(tmp_path: Path, lock_text: str) -> tuple[Path, Path]:
    """An offline/ folder as `build` writes it, one tiny stand-in wheel per pin of ``lock_text``."""
    offline = tmp_path / "offline"
    wheels = offline / "wheels"
    wheels.mkdir(parents=True)
    pins = bundle.parse_lock(lock_text)
    for pin in pins:
        (wheels / f"{pin.name.replace('-', '_')}-{pin.version}-py3-none-any.whl").write_bytes(
            pin.name.encode()
        )
    packages = bundle.match_wheels(pins, wheels)
    (offline / "vendor" / "leaflet").mkdir(parents=True)
    (offline / "vendor" / "leaflet" / "leaflet.js").write_text("L")
    lock = tmp_path / "requirements-dev.lock"
    lock.write_text(lock_text)
    manifest = {
        "format": bundle.FORMAT,
        **bundle.platform_info(),
        "lock_sha256": bundle.sha256(lock),
        "packages": packages,
        "assets": [{"path": "leaflet/leaflet.js", "sha256": _sha(b"L")}],
    }
    (offline / bundle.MANIFEST).write_text(json.dumps(manifest))
    return offline, lock


def test_every_pin_of_the_project_lock_is_in_the_manifest(tmp_path: Path) -> None:
    text = (ROOT / "requirements-dev.lock").read_text(encoding="utf-8")
    offline, lock = _fake_bundle(tmp_path, text)
    manifest = json.loads((offline / bundle.MANIFEST).read_text())
    listed = {(p["name"], p["version"]) for p in manifest["packages"]}
    assert listed == {(p.name, p.version) for p in bundle.parse_lock(text)}
    # stand-in wheels are not the published files: their hashes are not the lock's
    assert {p["origin"] for p in manifest["packages"]} == {"built from source"}
    assert bundle.check(offline, lock) == []
    offline_lock = bundle.parse_lock(bundle.offline_lock(manifest["packages"]))
    assert {(p.name, p.version) for p in offline_lock} == listed


def test_a_missing_or_stray_wheel_is_named(tmp_path: Path) -> None:
    wheels = tmp_path / "w"
    wheels.mkdir()
    pins = bundle.parse_lock(LOCK)
    (wheels / "foo_bar-1.2.0-py3-none-any.whl").write_bytes(b"x")
    (wheels / "left_over-3.0-py3-none-any.whl").write_bytes(b"x")
    with pytest.raises(ValueError, match=r"missing zope-interface==7\.0; not in the lock left_over-3\.0"):
        bundle.match_wheels(pins, wheels)


def test_check_refuses_an_altered_wheel_another_lock_or_another_python(tmp_path: Path) -> None:
    offline, lock = _fake_bundle(tmp_path, LOCK)
    assert bundle.check(offline, lock) == []
    wheel = next((offline / "wheels").glob("foo_bar-*.whl"))
    wheel.write_bytes(b"tampered")
    (offline / "vendor" / "leaflet" / "leaflet.js").unlink()
    other = tmp_path / "other.lock"
    other.write_text(LOCK + "\n")
    problems = bundle.check(offline, other)
    assert any("altered wheel" in p and wheel.name in p for p in problems)
    assert any("missing asset" in p and "leaflet.js" in p for p in problems)
    assert any("another other.lock" in p for p in problems)
    manifest = json.loads((offline / bundle.MANIFEST).read_text())
    manifest["python"] = "2.7"
    (offline / bundle.MANIFEST).write_text(json.dumps(manifest))
    assert any("python '2.7'" in p for p in bundle.check(offline, None))
    assert "no manifest" in bundle.check(tmp_path / "nowhere", None)[0]


def test_install_offline_refuses_what_is_not_a_bundle(tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "install_offline.sh"), str(tmp_path)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "MANIFEST.json" in result.stderr
