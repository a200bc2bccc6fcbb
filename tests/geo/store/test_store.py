"""The store (SQLite and PostGIS): created from the demo data, versioned on write, plan persisted."""

from __future__ import annotations

from datetime import date

import pytest

from geo._errors import ConfigError
from geo.plan import Plan
from geo.store.store import INCIDENT_COLUMNS, Store


def test_new_store_holds_boundaries_taxonomy_plan_and_only_demo_when_asked(store_url: str) -> None:
    empty = Store.open(store_url)
    assert len(empty.communes()) == 13
    assert empty.incidents().empty
    assert not empty.is_demo()
    assert empty.plan().targets == ("15361", "15379", "15388")


def test_demo_store_reads_incidents_sorted_with_groups(demo_store: Store) -> None:
    incidents = demo_store.incidents()
    assert list(incidents.columns) == INCIDENT_COLUMNS
    assert 13_000 < len(incidents) < 15_000
    assert incidents["occurred_at"].is_monotonic_increasing
    assert set(incidents["offence_group"]) == {"ttxh", "ma_tuy", "te_nan", "mau_thuan"}
    assert demo_store.is_demo()


def test_saving_a_plan_bumps_the_version(store_url: str) -> None:
    store = Store.open(store_url)
    before = store.version()
    plan = Plan(name="Kế hoạch 2025", start=date(2025, 1, 1), targets=("15349", "15352"), after_months=6)
    store.save_plan(plan)
    assert store.version() != before
    assert Store.open(store.url).plan() == plan


def test_a_plan_with_unknown_communes_is_refused_and_nothing_changes(store_url: str) -> None:
    store = Store.open(store_url)
    before = store.version()
    with pytest.raises(ConfigError, match="không có trong ranh giới: 99999"):
        store.save_plan(Plan(name="x", start=date(2025, 1, 1), targets=("99999",)))
    assert store.version() == before
