"""The demo generator: deterministic, points inside their communes, the designed trajectories."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import demo, settings
from geo.io.layers import load_communes


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return demo.write_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def incidents(generated: dict[str, Path]) -> pd.DataFrame:
    frame = pd.read_csv(generated["incidents"], dtype={"commune_code": str}, keep_default_na=False)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    return frame


def test_generator_is_deterministic_and_matches_the_committed_files(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    again = demo.write_demo(tmp_path)
    for kind in ("communes", "incidents", "plan"):
        assert _digest(generated[kind]) == _digest(again[kind])
    assert _digest(generated["communes"]) == _digest(settings.DEMO_COMMUNES_PATH)
    assert _digest(generated["incidents"]) == _digest(settings.DEMO_INCIDENTS_PATH)
    assert _digest(generated["plan"]) == _digest(settings.DEMO_PLAN_PATH)


def test_thirteen_approximate_communes_cover_the_district(generated: dict[str, Path]) -> None:
    communes = load_communes(generated["communes"])
    assert len(communes) == 13
    assert communes["approximate"].all()
    assert communes["population"].gt(0).all()
    area = communes.to_crs(settings.CRS_METRIC).area / 1e6
    assert area.between(4.0, 22.0).all()
    assert area.sum() == pytest.approx(156.8, rel=0.01)
    assert shapely.union_all(communes.geometry.to_numpy()).is_valid


def test_every_point_lies_inside_its_commune(generated: dict[str, Path], incidents: pd.DataFrame) -> None:
    communes = gpd.read_file(generated["communes"])
    for code, geom in zip(communes["code"], communes.geometry, strict=True):
        rows = incidents[incidents["commune_code"] == code]
        assert shapely.contains_xy(geom, rows["lon"].to_numpy(), rows["lat"].to_numpy()).all(), code


def test_size_period_ids_and_taxonomy(incidents: pd.DataFrame) -> None:
    assert 13_000 <= len(incidents) <= 15_000
    assert incidents["incident_id"].is_unique
    assert incidents["occurred_at"].min() >= pd.Timestamp("2021-01-01")
    assert incidents["occurred_at"].max() < pd.Timestamp("2026-11-01")
    mix = incidents["offence_code"].value_counts()
    assert mix.index[0] == "trom_cap_tai_san"
    assert set(mix.index) <= set(demo._MIX)


def test_tet_raises_incidents(incidents: pd.DataFrame) -> None:
    monthly = incidents.groupby(incidents["occurred_at"].dt.to_period("M")).size()
    tet_months = monthly[[pd.Period(m, "M") for m in ("2022-01", "2022-02", "2024-02", "2025-01", "2026-02")]]
    assert tet_months.mean() > monthly.median() * 1.1


def _window_counts(incidents: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    start = pd.Timestamp(demo.PLAN_START)
    t = incidents["occurred_at"]
    before = incidents[(t >= start - pd.DateOffset(years=1)) & (t < start)].groupby("commune_code").size()
    after = incidents[(t >= start) & (t < start + pd.DateOffset(years=1))].groupby("commune_code").size()
    return before, after


def test_designed_trajectories_show_in_plain_counts(incidents: pd.DataFrame) -> None:
    before, after = _window_counts(incidents)
    others = [c for c in before.index if c not in demo.TARGETS]
    district_mean = before[others].mean()
    for code in demo.TARGETS:
        assert before[code] > 1.4 * district_mean  # targets were chosen because they were high
    rest_ratio = after[others].sum() / before[others].sum()
    assert rest_ratio == pytest.approx(1.0, abs=0.06)  # the rest of the district stays flat
    relative = (after / before) / rest_ratio
    assert 0.45 <= relative["15379"] <= 0.7  # Vĩnh Hùng falls by about 45 %
    assert 0.8 <= relative["15361"] <= 1.0  # Vĩnh Long falls a little
    assert 1.2 <= relative["15388"] <= 1.5  # Vĩnh Thịnh rises by about 30 %


def test_plan_names_three_targets() -> None:
    plan = demo.demo_plan()
    assert plan.targets == ("15361", "15379", "15388")
    assert plan.start.isoformat() == "2023-05-26"
