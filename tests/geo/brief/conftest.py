"""Fixtures of the brief: the demo store's inputs, and a small area of another kind (no plan, no population)."""

from __future__ import annotations

from datetime import datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.area import Area
from geo.brief.compose import compose
from geo.brief.content import Brief, Inputs, read_inputs
from geo.plan import Plan
from geo.store.store import Store

NOW = datetime(2026, 12, 1, 9, 30)


def small_area() -> Inputs:
    """Four square wards of a city, one named with a "$", 400 incidents over 2024–2025, no population, no plan."""
    size = 0.02
    names = ["Phường Đông Hải", "Phường $\\x$ Ba Đình", "Phường Ngọc Trạo", "Phường Điện Biên"]
    polygons = [
        shapely.box(
            105.77 + i % 2 * size,
            19.80 + i // 2 * size,
            105.77 + (i % 2 + 1) * size,
            19.80 + (i // 2 + 1) * size,
        )
        for i in range(4)
    ]
    communes = gpd.GeoDataFrame(
        {
            "code": ["P1", "P2", "P3", "P4"],
            "name": names,
            "kind": "Phường",
            "population": 0,
            "population_year": 0,
            "approximate": False,
            "note": "",
        },
        geometry=polygons,
        crs="EPSG:4326",
    )
    rng = np.random.default_rng(7)
    n = 400
    which = rng.choice(4, size=n, p=[0.55, 0.15, 0.15, 0.15])
    lon = 105.77 + which % 2 * size + rng.uniform(0.001, 0.004, n) + (which == 0) * rng.uniform(0, 0.002, n)
    lat = 19.80 + which // 2 * size + rng.uniform(0.001, 0.004, n)
    days = pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 731, n), unit="D")
    incidents = pd.DataFrame(
        {
            "incident_id": [f"V{i}" for i in range(n)],
            "occurred_at": days.astype("datetime64[ns]"),
            "offence_code": "trom_cap_tai_san",
            "offence_group": "ttxh",
            "lon": lon,
            "lat": lat,
            "commune_code": [f"P{k + 1}" for k in which],
            "description": "",
            "status": "",
            "batch_id": "b1",
            "precision": "day",
        }
    ).sort_values("occurred_at", ignore_index=True)
    batches = pd.DataFrame(
        {
            "batch_id": ["b1"],
            "file_name": ["so_vu_viec_2024_2025.xlsx"],
            "accepted": [n],
            "created_at": [pd.Timestamp("2026-01-05 02:00")],
            "user_name": ["lan"],
            "kind": ["incidents"],
            "undone_at": [pd.NaT],
        }
    )
    return Inputs(
        incidents=incidents,
        communes=communes,
        plan=Plan.unset(),
        area=Area(name="Thành phố Thanh Hóa, tỉnh Thanh Hóa", unit_word="phường"),
        is_demo=False,
        batches=batches,
    )


@pytest.fixture(scope="session")
def demo_inputs(demo_store: Store) -> Inputs:
    """The demo store's inputs (plan with three targets, 13 communes, data to 31/10/2026)."""
    return read_inputs(demo_store)


@pytest.fixture(scope="session")
def demo_brief(demo_inputs: Inputs) -> Brief:
    """The Vietnamese brief of the demo for the default period."""
    return compose(demo_inputs, now=NOW)


@pytest.fixture(scope="session")
def small_brief() -> Brief:
    """The Vietnamese brief of the small area without a plan."""
    return compose(small_area(), now=NOW)
