"""With push-down every page runs without reading every incident (issue 14: a process never holds every row)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["overview", "map", "targets", "trends", "data", "present", "admin"]


def _no_rows(*args: Any, **kwargs: Any) -> pd.DataFrame:
    raise AssertionError("a push-down page read every incident")


@pytest.mark.parametrize("name", PAGES)
def test_every_page_runs_from_counts(fresh_store: str, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("ANTT_PUSHDOWN", "1")
    monkeypatch.setattr(Store, "incidents", _no_rows)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    at.switch_page(f"pages/{name}.py")
    at.run()
    assert not at.exception, at.exception
    assert len(at.main.children) > 1  # the page itself drew, not only an error
