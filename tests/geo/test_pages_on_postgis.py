"""The dashboard on PostgreSQL + PostGIS: push-down is automatic, no page reads every incident, /map shows the same.

(An AppTest of the pages kept with the PostGIS tests, whose fixtures give a fresh database.)
"""

from __future__ import annotations

import pytest

from geo import settings
from geo.store.store import Store
from tests.app._pages import map_shown, page, refuse_every_row, route_pages_always

PAGES = ["overview", "map", "targets", "trends", "data", "present"]
pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _router_always_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    route_pages_always(monkeypatch)


def test_the_pages_on_postgis_count_in_the_database(
    postgres_url: str, demo_store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTT_PUSHDOWN", raising=False)
    monkeypatch.setenv("ANTT_DATABASE_URL", demo_store_url)
    assert not settings.pushdown()  # SQLite: the arrays in the process
    expected = map_shown(page("map"))
    Store.open(postgres_url, demo=True)
    monkeypatch.setenv("ANTT_DATABASE_URL", postgres_url)
    assert settings.pushdown()  # PostgreSQL: counted in the database
    refuse_every_row(monkeypatch, pushdown=False)
    for name in PAGES:
        at = page(name)
        if name == "map":
            assert map_shown(at) == expected
