"""The dashboard on PostgreSQL + PostGIS: push-down is automatic, no page reads every incident, /map shows the same.

(An AppTest of the pages kept with the PostGIS tests, whose fixtures give a fresh database.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from geo import settings
from geo.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["overview", "map", "targets", "trends", "data", "present"]
pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _router_always_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    original = PagesManager.__init__

    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def _page(name: str) -> AppTest:
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=240)
    at.switch_page(f"pages/{name}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _map_seen(at: AppTest) -> dict[str, Any]:
    return {"captions": [c.value for c in at.caption], "tables": [f.value.to_dict() for f in at.dataframe]}


def test_the_pages_on_postgis_count_in_the_database(
    postgres_url: str, demo_store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTT_PUSHDOWN", raising=False)
    monkeypatch.setenv("ANTT_DATABASE_URL", demo_store_url)
    assert not settings.pushdown()  # SQLite: the arrays in the process
    expected = _map_seen(_page("map"))
    Store.open(postgres_url, demo=True)
    monkeypatch.setenv("ANTT_DATABASE_URL", postgres_url)
    assert settings.pushdown()  # PostgreSQL: counted in the database

    def no_rows(*args: Any, **kwargs: Any) -> pd.DataFrame:
        raise AssertionError("a page read every incident from PostgreSQL")

    monkeypatch.setattr(Store, "incidents", no_rows)
    for name in PAGES:
        at = _page(name)
        if name == "map":
            assert _map_seen(at) == expected
