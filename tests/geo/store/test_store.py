"""The store (SQLite and PostGIS): created from the demo data, versioned on write, plan persisted."""

from __future__ import annotations

from datetime import date

import pytest

from geo._errors import ConfigError
from geo.area import Area
from geo.plan import Plan
from geo.store.store import INCIDENT_COLUMNS, Store


def test_a_new_store_has_no_area_unless_the_district_is_asked_for(store_url: str) -> None:
    """Another area must not start with the demo district's outline, plan or names."""
    empty = Store.open(store_url)
    assert empty.communes().empty
    assert empty.incidents().empty
    assert not empty.is_demo()
    assert not empty.plan().is_set
    assert empty.area().name == ""
    with pytest.raises(ConfigError, match="Chưa đặt kế hoạch"):
        empty.plan().validate()


def test_the_district_without_incidents_on_request(tmp_path) -> None:
    district = Store.open(f"sqlite:///{tmp_path / 'huyen.sqlite'}", demo=False)
    assert len(district.communes()) == 13
    assert district.incidents().empty
    assert district.plan().targets == ("15361", "15379", "15388")
    assert district.area().name == "Huyện Vĩnh Lộc, tỉnh Thanh Hóa"


def test_area_settings_are_saved(store_url: str) -> None:
    store = Store.open(store_url)
    store.save_area(Area(name="Quận 1, TP. Hồ Chí Minh", unit_word="phường"))
    assert Store.open(store.url).area() == Area(name="Quận 1, TP. Hồ Chí Minh", unit_word="phường")
    with pytest.raises(ConfigError, match="Từ chỉ đơn vị"):
        store.save_area(Area(name="x", unit_word=""))


def test_demo_store_reads_incidents_sorted_with_groups(demo_store: Store) -> None:
    incidents = demo_store.incidents()
    assert list(incidents.columns) == INCIDENT_COLUMNS
    assert 13_000 < len(incidents) < 15_000
    assert incidents["occurred_at"].is_monotonic_increasing
    assert set(incidents["offence_group"]) == {"ttxh", "ma_tuy", "te_nan", "mau_thuan"}
    assert demo_store.is_demo()


def test_saving_a_plan_bumps_the_version(store_url: str) -> None:
    store = Store.open(store_url, demo=False)
    before = store.version()
    plan = Plan(name="Kế hoạch 2025", start=date(2025, 1, 1), targets=("15349", "15352"), after_months=6)
    store.save_plan(plan)
    assert store.version() != before
    assert Store.open(store.url).plan() == plan


def test_a_plan_with_unknown_communes_is_refused_and_nothing_changes(store_url: str) -> None:
    store = Store.open(store_url, demo=False)
    before = store.version()
    with pytest.raises(ConfigError, match="không có trong ranh giới: 99999"):
        store.save_plan(Plan(name="x", start=date(2025, 1, 1), targets=("99999",)))
    assert store.version() == before
