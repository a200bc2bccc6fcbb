"""The server's runner settings (.streamlit/config.toml) as Streamlit reads them."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_no_full_collection_after_every_script_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit's ``gc.collect(2)`` after each run is off (measured by scripts/scale_wire.py, not here)."""
    from streamlit import config

    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["runner"]["postScriptGC"] is False
    monkeypatch.chdir(ROOT)  # the server reads ./.streamlit/config.toml where ui.serve starts
    config.get_config_options(force_reparse=True)
    try:
        assert config.get_option("runner.postScriptGC") is False
    finally:
        monkeypatch.undo()
        config.get_config_options(force_reparse=True)
