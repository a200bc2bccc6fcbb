"""Copy the front-end assets the maps need from node_modules/ into static/vendor/ (run by make)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.maps.assets import ASSET_FILES  # noqa: E402


def main() -> int:
    """Copy every asset; fail with a clear message when npm has not installed a package."""
    vendor = ROOT / "static" / "vendor"
    missing = [src for src in ASSET_FILES.values() if not (ROOT / "node_modules" / src).exists()]
    if missing:
        print("Thiếu tệp từ npm (chạy `npm ci` trước): " + ", ".join(missing), file=sys.stderr)
        return 1
    for dest, src in ASSET_FILES.items():
        target = vendor / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "node_modules" / src, target)
    print(f"{len(ASSET_FILES)} asset files copied to {vendor.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
