"""Incidents counted per bucket of time in the database equal the incidents frame's own counts, and so do evaluations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo import settings
from geo.evaluation.assess import evaluate
from geo.evaluation.current import holding
from geo.evaluation.source import FrameCounts
from geo.plan import Plan
from geo.store import aggregates
from geo.store.buckets import BucketCounts, bucket_counts, unit_totals
from geo.store.schema import utc_now
from geo.store.store import Store
from geo.taxonomy import group_of

EDGES = [datetime(2024, 1, 26), datetime(2024, 2, 26), datetime(2024, 3, 26), datetime(2024, 4, 26)]


def _stored(url: str, frame: pd.DataFrame) -> Store:
    """An empty store at ``url`` holding the incidents of ``frame`` (and their prepared unit counts)."""
    store = Store.open(url, demo=False)
    rows = [
        {
            "incident_id": str(row.incident_id),
            "occurred_at": pd.Timestamp(row.occurred_at).to_pydatetime(),
            "offence_code": row.offence_code,
            "lon": None,
            "lat": None,
            "commune_code": row.commune_code,
            "description": "",
            "status": "",
            "address": "",
            "precision": getattr(row, "precision", "minute"),
            "batch_id": "test",
            "imported_at": utc_now(),
        }
        for row in frame.itertuples()
    ]
    with store.engine.begin() as conn:
        conn.execute(store.tables.incidents.insert(), rows)
        counted = aggregates.unit_counts(frame)
        if len(counted):
            conn.execute(store.tables.unit_counts.insert(), counted.to_dict("records"))
    return store


def _frame(times: list[str], codes: list[str], offences: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "incident_id": [f"i{k}" for k in range(len(times))],
            "occurred_at": pd.to_datetime(times, format="ISO8601"),
            "offence_code": offences,
            "offence_group": [group_of().get(code, "") for code in offences],
            "commune_code": codes,
            "precision": "minute",
        }
    )


SMALL = _frame(
    [
        "2024-01-25 23:59:59",  # before the first edge: not counted
        "2024-01-26 00:00:00",  # on the first edge: bucket 0
        "2024-02-25 23:59:59.999999",  # bucket 0
        "2024-02-26 00:00:00",  # bucket 1
        "2024-03-01 10:00",
        "2024-04-25 12:00",  # bucket 2
        "2024-04-26 00:00:00",  # on the last edge: not counted
    ],
    ["a", "a", "b", "a", "a", "", "a"],
    [
        "trom_cap_tai_san",
        "trom_cap_tai_san",
        "danh_bac",
        "tang_tru_ma_tuy",
        "tang_tru_ma_tuy",
        "trom_cap_tai_san",
        "danh_bac",
    ],
)


def test_buckets_count_from_each_edge_up_to_the_next_on_both_stores(store_url: str) -> None:
    store = _stored(store_url, SMALL)
    with store.engine.connect() as conn:
        got = bucket_counts(conn, store.tables, EDGES)
        grouped = bucket_counts(conn, store.tables, EDGES, groups=group_of())
    assert got.to_dict("records") == [
        {"commune_code": "", "offence_code": "trom_cap_tai_san", "bucket": 2, "n": 1},
        {"commune_code": "a", "offence_code": "tang_tru_ma_tuy", "bucket": 1, "n": 2},
        {"commune_code": "a", "offence_code": "trom_cap_tai_san", "bucket": 0, "n": 1},
        {"commune_code": "b", "offence_code": "danh_bac", "bucket": 0, "n": 1},
    ]
    assert grouped.to_dict("records") == [
        {"commune_code": "", "offence_code": "ttxh", "bucket": 2, "n": 1},
        {"commune_code": "a", "offence_code": "ma_tuy", "bucket": 1, "n": 2},
        {"commune_code": "a", "offence_code": "ttxh", "bucket": 0, "n": 1},
        {"commune_code": "b", "offence_code": "ttxh", "bucket": 0, "n": 1},
    ]
    counts = BucketCounts(store.engine, store.tables)
    edges = [pd.Timestamp(e) for e in EDGES]
    pd.testing.assert_frame_equal(counts.binned(edges), FrameCounts(SMALL).binned(edges))
    skipped = counts.binned(edges, skip=[1])  # a gap between windows: its incidents are not read
    pd.testing.assert_frame_equal(skipped, FrameCounts(SMALL).binned(edges, skip=[1]))
    assert skipped["bin"].tolist() == [2, 0, 0]
    assert counts.binned(edges, skip=[0, 1, 2]).empty
    assert counts.first_day() == FrameCounts(SMALL).first_day() == date(2024, 1, 25)
    assert counts.last_day() == FrameCounts(SMALL).last_day() == date(2024, 4, 26)
    assert counts.outside(["a"]) == FrameCounts(SMALL).outside(["a"]) == 2
    with store.engine.connect() as conn:
        assert unit_totals(conn, store.tables).to_dict() == {"": 1, "a": 5, "b": 1}


def test_buckets_refuse_edges_out_of_order_and_count_nothing_without_a_bucket(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    store = _stored(f"sqlite:///{tmp_path_factory.mktemp('buckets') / 'b.sqlite'}", SMALL)
    with store.engine.connect() as conn:
        with pytest.raises(ValueError, match="strictly increasing"):
            bucket_counts(conn, store.tables, [EDGES[1], EDGES[0]])
        assert bucket_counts(conn, store.tables, EDGES[:1]).empty
        many = [datetime(2024, 1, 1) + pd.Timedelta(days=d) for d in range(0, 200, 3)]  # 67 edges
        got = bucket_counts(conn, store.tables, many)
    expected = FrameCounts(SMALL).binned([pd.Timestamp(e) for e in many])
    assert got.groupby(["commune_code", "bucket"])["n"].sum().to_dict() == (
        expected.groupby(["commune_code", "bin"])["count"].sum().to_dict()
    )
    assert int(got["n"].sum()) == len(SMALL)  # every one lies in 2024-01-01 … 2024-07-19


def test_an_empty_store_has_no_first_day(tmp_path_factory: pytest.TempPathFactory) -> None:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('empty') / 'e.sqlite'}", demo=False)
    counts = BucketCounts(store.engine, store.tables)
    assert counts.first_day() is None
    assert counts.last_day() is None
    assert counts.outside(["a"]) == 0
    assert counts.binned([pd.Timestamp(e) for e in EDGES]).empty


# --- evaluations from the database's counts equal those from the frame ---------------------------


def _district() -> gpd.GeoDataFrame:
    """Squares A B C D E from west to east; targets B and E."""
    squares = [box(600_000 + 2000 * i, 2_200_000, 602_000 + 2000 * i, 2_202_000) for i in range(5)]
    frame = gpd.GeoDataFrame(
        {"code": list("ABCDE"), "name": [f"Xã {c}" for c in "ABCDE"], "population": [1000] * 5},
        geometry=squares,
        crs=settings.CRS_METRIC,
    )
    return frame.to_crs(settings.CRS_WGS84)


def _district_incidents() -> pd.DataFrame:
    """Two years around 2023-06-01 in five communes, two offence groups, a few unplaced, a month-only tail."""
    rng = np.random.default_rng(14)
    days = pd.date_range("2021-06-01", "2024-10-31", freq="D")
    codes = rng.choice([*list("ABCDE"), ""], size=1500, p=[0.2, 0.25, 0.2, 0.2, 0.14, 0.01])
    offences = rng.choice(["trom_cap_tai_san", "tang_tru_ma_tuy", "danh_bac"], size=len(codes))
    times = days[rng.integers(len(days), size=len(codes))] + pd.to_timedelta(
        rng.integers(0, 24 * 60, size=len(codes)), unit="min"
    )
    frame = _frame([str(t) for t in times], list(codes), list(offences))
    fewer = frame["commune_code"].eq("B") & (frame["occurred_at"] >= "2023-06-01")
    frame = frame[~(fewer & (np.arange(len(frame)) % 2 == 0))]  # B falls after the start
    tail = _frame(["2024-11-01", "2024-11-01"], ["A", "C"], ["danh_bac", "danh_bac"]).assign(
        precision="month", incident_id=["m1", "m2"]
    )
    both = pd.concat([frame, tail], ignore_index=True)
    return both.sort_values(["occurred_at", "incident_id"], ignore_index=True)


PLAN = Plan(name="Thử", start=date(2023, 6, 1), targets=("B", "E"))


@pytest.mark.parametrize(
    "plan",
    [
        PLAN,
        replace(PLAN, primary="ttxh"),
        replace(PLAN, selection="counts", start=date(2023, 6, 17)),
        replace(PLAN, start=date(2024, 1, 31), after_months=6),  # a start on the 31st: short months clamp
    ],
    ids=["plan", "primary", "counts-17th", "31st"],
)
def test_an_evaluation_from_stored_counts_equals_the_frames(
    tmp_path_factory: pytest.TempPathFactory, plan: Plan
) -> None:
    frame = _district_incidents()
    store = _stored(f"sqlite:///{tmp_path_factory.mktemp('eval') / 'e.sqlite'}", frame)
    counts = BucketCounts(store.engine, store.tables)
    communes = _district()
    from_frame = evaluate(frame, communes, plan)
    from_counts = evaluate(counts, communes, plan)
    assert from_counts.to_dict() == from_frame.to_dict()
    assert from_counts.outside["total"] == int(frame["commune_code"].eq("").sum()) > 0
    for through in (None, date(2024, 10, 31)):
        now_frame = holding(from_frame, frame, communes, through=through, months=3)
        now_counts = holding(from_counts, counts, communes, through=through, months=3)
        assert now_frame is not None
        assert now_counts is not None
        assert now_counts.to_dict() == now_frame.to_dict()
    # The month-only records of November cover the month: the latest 3 months end on 30/11.
    assert str(holding(from_counts, counts, communes, months=3).windows.last_day) == "2024-11-30"  # type: ignore[union-attr]


def test_the_demo_evaluation_from_the_database_equals_the_frames_on_both_stores(store_url: str) -> None:
    store = Store.open(store_url, demo=True)
    frame, communes, plan = store.incidents(), store.communes(), store.plan()
    counts = BucketCounts(store.engine, store.tables)
    for chosen in (plan, replace(plan, primary="ttxh")):
        from_frame = evaluate(frame, communes, chosen, through=store.declared_end())
        from_counts = evaluate(counts, communes, chosen, through=store.declared_end())
        assert from_counts.to_dict() == from_frame.to_dict()
        now_frame = holding(from_frame, frame, communes, through=store.declared_end())
        now_counts = holding(from_counts, counts, communes, through=store.declared_end())
        assert (now_counts and now_counts.to_dict()) == (now_frame and now_frame.to_dict())
