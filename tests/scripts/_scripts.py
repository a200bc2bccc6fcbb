"""The scripts under test, loaded by their path: ``scripts/`` is no package, so each is imported from its file."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
"""The repository."""


def load_script(name: str) -> ModuleType:
    """Import ``scripts/<name>.py`` as the module ``antt_<name>`` (registered, so its dataclasses find it)."""
    spec = importlib.util.spec_from_file_location(f"antt_{name}", ROOT / "scripts" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module
