"""What the page tests share: a page run afresh, what /map shows, the router as ui.serve runs it, a store refusing every row."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from geo.store.store import Store

ROOT = Path(__file__).resolve().parents[2]


def route_pages_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest resets Streamlit's v1 ``pages/`` fallback on every run; switch it off again, as ui.serve does."""
    original = PagesManager.__init__

    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def refuse_every_row(monkeypatch: pytest.MonkeyPatch, *, pushdown: bool = True) -> None:
    """Turn push-down on (unless the URL decides it) and make `Store.incidents` — every row — fail."""

    def refuse(*args: Any, **kwargs: Any) -> pd.DataFrame:
        raise AssertionError("a push-down page read every incident")

    if pushdown:
        monkeypatch.setenv("ANTT_PUSHDOWN", "1")
    monkeypatch.setattr(Store, "incidents", refuse)


def page(name: str, state: dict[str, Any] | None = None) -> AppTest:
    """Run ``pages/<name>.py`` afresh (every cache cleared) with ``state`` set; a ``flt.period`` is picked after."""
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=240)
    at.switch_page(f"pages/{name}.py")
    state = dict(state or {})
    period: tuple[date, date] | None = state.pop("flt.period", None)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if period is not None:
        at.date_input(key="flt.period").set_value(period).run()
    assert not at.exception, at.exception
    return at


def map_shown(at: AppTest) -> dict[str, Any]:
    """What /map shows: captions, notices, tables and every map (folium's element ids left out)."""
    return {
        "captions": [c.value for c in at.caption],
        "infos": [i.value for i in at.info],
        "tables": [frame.value.to_dict() for frame in at.dataframe],
        "maps": [re.sub(r"[0-9a-f]{32}", "", str(c.proto.json_args)) for c in at.get("component_instance")],
    }
