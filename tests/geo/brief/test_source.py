"""The brief from the store's counts (push-down) equals the brief from the incidents frame, words and figures."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from geo.brief.compose import compose
from geo.brief.content import Brief, Images, read_inputs
from geo.brief.source import FrameCounted, StoreCounted, default_period
from geo.filters import IncidentFilter, default_filter
from geo.store.store import Store
from tests.geo.brief.conftest import NOW


def _seen(brief: Brief) -> tuple[str, list[str]]:
    """Every word of the brief and a digest of every figure (the same counts draw the same PNG)."""
    images = [
        hashlib.sha256(image.png).hexdigest()
        for section in brief.sections
        for block in section.blocks
        if isinstance(block, Images)
        for image in block.items
    ]
    return brief.text(), images


def test_the_stored_counts_answer_as_the_frame_does(demo_store: Store) -> None:
    inputs = read_inputs(demo_store)
    pushed = read_inputs(demo_store, pushdown=True)
    assert isinstance(pushed.stored, StoreCounted)
    assert pushed.incidents.empty
    frame, stored = FrameCounted(inputs.incidents), pushed.counts()
    assert stored.span() == frame.span()
    assert stored.covered() == frame.covered()
    assert stored.total() == frame.total() == len(inputs.incidents)
    assert default_period(stored) == default_period(frame) == default_filter(inputs.incidents)
    period = IncidentFilter(start=date(2024, 2, 10), end=date(2025, 3, 20), groups=("ttxh",))
    assert stored.per_unit(period).to_dict() == frame.per_unit(period).to_dict()
    by_month = ["month", "commune_code"]
    assert stored.monthly_units(date(2023, 1, 1), date(2024, 6, 30)).sort_values(by_month).to_dict(
        "list"
    ) == frame.monthly_units(date(2023, 1, 1), date(2024, 6, 30)).sort_values(by_month).to_dict("list")


@pytest.mark.parametrize(
    "period",
    [
        None,  # the default: the last 12 complete months
        IncidentFilter(start=date(2024, 2, 10), end=date(2025, 3, 20), groups=("ttxh",)),
        IncidentFilter(start=date(2025, 11, 1), end=date(2026, 10, 31), communes=("15361", "15379")),
    ],
    ids=["default", "groups-cut-months", "units"],
)
def test_the_brief_from_the_database_equals_the_frames(
    demo_store: Store, period: IncidentFilter | None
) -> None:
    from_frame = compose(read_inputs(demo_store), period=period, now=NOW)
    from_counts = compose(read_inputs(demo_store, pushdown=True), period=period, now=NOW)
    assert _seen(from_counts) == _seen(from_frame)


def test_the_brief_from_postgresql_counts_equals_the_frames(store_url: str) -> None:
    store = Store.open(store_url, demo=True)
    assert _seen(compose(read_inputs(store, pushdown=True), now=NOW)) == _seen(
        compose(read_inputs(store), now=NOW)
    )
