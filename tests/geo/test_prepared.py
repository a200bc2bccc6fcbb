"""Counting on prepared arrays (`geo.prepared.prepare`) gives the same tables as counting the frame."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.aggregate import commune_counts
from geo.clearance import clearance_rate
from geo.filters import IncidentFilter, apply_filter
from geo.prepared import (
    clearance_at,
    monthly_at,
    offence_counts,
    prepare,
    prepared_counts,
    select,
    unit_codes,
    weekday_hour_at,
)
from geo.trends import mix_of, monthly_series, offence_mix, weekday_hour


def _communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["A", "B", "C"], "name": ["An", "Bình", "Cầu"], "population": [2000, 0, 500]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
        crs="EPSG:4326",
    )


def _incidents(*, ordered: bool = True, status: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(
                [
                    "2023-12-31 23:59",
                    "2024-01-01 00:00",
                    "2024-01-15 08:30",
                    "2024-02-01 12:00",
                    "2024-02-29 23:00",
                    "2024-03-01 00:00",
                    "2025-01-10 09:00",
                    "2025-02-11 10:00",
                ]
            ),
            "commune_code": ["A", "A", "B", "A", "C", "B", "A", "X"],
            "offence_group": ["ma_tuy", "ma_tuy", "trom", "trom", "ma_tuy", "trom", "ma_tuy", "trom"],
            "offence_code": ["mt1", "mt1", "tr1", "tr2", "mt2", "tr1", "mt1", "tr1"],
            "precision": ["minute", "day", "minute", "minute", "minute", "month", "minute", "minute"],
        }
    )
    if status:
        frame["status"] = ["Đã xử lý", "", "Đang điều tra", None, "Đã khởi tố", "", "", "Đã xử lý"]
    return frame if ordered else frame.iloc[::-1].reset_index(drop=True)


FILTERS = [
    IncidentFilter(start=date(2024, 1, 1), end=date(2024, 2, 29)),
    IncidentFilter(start=date(2023, 1, 1), end=date(2025, 12, 31), groups=("ma_tuy",)),
    IncidentFilter(start=date(2024, 1, 1), end=date(2025, 12, 31), offences=("tr1",), communes=("B", "X")),
    IncidentFilter(start=date(2030, 1, 1), end=date(2030, 1, 31)),
]


@pytest.mark.parametrize("ordered", [True, False])
@pytest.mark.parametrize("flt", FILTERS)
def test_select_matches_apply_filter(flt: IncidentFilter, ordered: bool) -> None:
    frame = _incidents(ordered=ordered)
    found = prepare(frame)
    at = select(
        found, start=flt.start, end=flt.end, groups=flt.groups, offences=flt.offences, communes=flt.communes
    )
    expected = apply_filter(frame, flt)
    assert len(at) == len(expected)
    assert frame.iloc[at].index.tolist() == expected.index.tolist()


@pytest.mark.parametrize("status", [True, False])
@pytest.mark.parametrize("flt", FILTERS)
def test_counts_from_the_arrays_equal_the_direct_count(flt: IncidentFilter, status: bool) -> None:
    frame = _incidents(status=status)
    found = prepare(frame)
    earlier = flt.year_earlier()

    def at(f: IncidentFilter) -> np.ndarray:
        return select(
            found, start=f.start, end=f.end, groups=f.groups, offences=f.offences, communes=f.communes
        )

    now, before = apply_filter(frame, flt), apply_filter(frame, earlier)
    expected = commune_counts(now, _communes(), days=flt.days, previous=before)
    got = prepared_counts(found, _communes(), at(flt), days=flt.days, previous=at(earlier))
    pd.testing.assert_frame_equal(got, expected)
    assert clearance_at(found, at(flt)) == clearance_rate(now)
    pd.testing.assert_frame_equal(weekday_hour_at(found, at(flt)), weekday_hour(now))
    pd.testing.assert_frame_equal(
        mix_of(offence_counts(found, at(flt)), offence_counts(found, at(earlier))), offence_mix(now, before)
    )
    for by, keys in (("offence_group", ["ma_tuy", "trom", "none"]), ("commune_code", ["A", "B", "C"])):
        pd.testing.assert_frame_equal(
            monthly_at(found, at(flt), start=flt.start, end=flt.end, by=by, keys=keys),
            monthly_series(now, start=flt.start, end=flt.end, by=by, keys=keys),
        )
    assert unit_codes(found, at(flt)) == list(pd.unique(now["commune_code"].astype(str)))


def test_counts_at_a_newer_layer_equal_counting_recoded_incidents() -> None:
    frame = _incidents()
    found = prepare(frame)
    flt = FILTERS[1]
    at = select(found, start=flt.start, end=flt.end, groups=flt.groups)
    recode = {"A": "AB", "B": "AB", "C": "C", "X": "X"}
    units = pd.DataFrame({"code": ["AB", "C"], "name": ["An Bình", "Cầu"], "population": [2000, 500]})
    recoded = apply_filter(frame, flt).assign(commune_code=lambda f: f["commune_code"].map(recode))
    expected = commune_counts(recoded, units, days=flt.days, previous=recoded.iloc[:0])
    got = prepared_counts(found, units, at, days=flt.days, previous=at[:0], recode=recode)
    pd.testing.assert_frame_equal(got, expected)
    assert got.set_index("code")["count"].to_dict() == {"AB": 3, "C": 1}


def test_prepared_arrays_are_read_only() -> None:
    found = prepare(_incidents())
    with pytest.raises(ValueError, match="read-only"):
        found.unit[0] = 1
    assert len(found) == 8


def test_the_moved_names_still_import_from_geo_aggregate() -> None:
    import geo.aggregate
    import geo.prepared

    assert geo.aggregate.prepare is geo.prepared.prepare
    assert geo.aggregate.Prepared is geo.prepared.Prepared
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        geo.aggregate.nothing  # noqa: B018
