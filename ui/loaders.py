"""Cached loaders: the store is shared per process, frames are cached on the store's version.

The incidents and the communes are the largest things a page reads: they live once per process
(``st.cache_resource``, one object per store version, the last `VERSIONS` versions kept), not as a
fresh unpickled copy per call as ``st.cache_data`` would hand out (issue 14: at 1M rows that copy was
most of a rerun). Every session gets the same objects, so they are read-only: their arrays are made
unwritable (`freeze`), and a caller that changes a column, adds one or sorts in place works on its
own ``.copy()``. ``tests/app/test_shared_frames.py`` checks that the pages leave them as they were.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from geo import settings
from geo.area import Area
from geo.incidents import covered_until
from geo.plan import Plan
from geo.store.span import Span
from geo.store.store import Store


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store.open(url)


def store() -> Store:
    """Return the process-wide store at the configured URL (created with the demo data if new)."""
    return _store(settings.database_url())


# Store versions whose frames are kept: the current one, and the previous one for a session still
# rerunning on it while an import lands.
VERSIONS = 2

Frame = TypeVar("Frame", bound=pd.DataFrame)


def freeze(frame: Frame) -> Frame:
    """Make the NumPy arrays behind ``frame``'s columns unwritable (in place) and return ``frame``.

    Writing into a shared frame (``.loc[...] = ``, ``.iloc``, ``.fillna(inplace=True)``, writing
    through ``.to_numpy()``, or through a slice of it) then raises ``ValueError: assignment
    destination is read-only`` instead of changing what every other session sees.
    """
    for array in frame._mgr.arrays:  # the columns' storage, one array per block
        for part in (
            array,
            *(getattr(array, name, None) for name in ("_ndarray", "_codes", "_data", "_mask")),
        ):
            if isinstance(part, np.ndarray):
                part.flags.writeable = False
    return frame


@st.cache_resource(show_spinner=False, max_entries=VERSIONS)
def _incidents(url: str, version: str) -> pd.DataFrame:
    return freeze(_store(url).incidents())


@st.cache_resource(show_spinner=False, max_entries=VERSIONS)
def _communes(url: str, version: str) -> gpd.GeoDataFrame:
    return freeze(_store(url).communes())


@st.cache_data(show_spinner=False, max_entries=4)
def _plan(url: str, version: str) -> Plan:
    return _store(url).plan()


@st.cache_data(show_spinner=False, max_entries=4)
def _area(url: str, version: str) -> Area:
    return _store(url).area()


@st.cache_data(show_spinner=False, max_entries=4)
def _declared_end(url: str, version: str) -> date | None:
    return _store(url).declared_end()


@st.cache_data(show_spinner=False, max_entries=4)
def _is_demo(url: str, version: str) -> bool:
    return _store(url).is_demo()


def key() -> tuple[str, str]:
    """Return the plain cache key of everything read from the store: its URL and its version."""
    url = settings.database_url()
    return url, _store(url).version()


def incidents() -> pd.DataFrame:
    """Return every incident: one read-only frame per process and store version (copy it to change it)."""
    return _incidents(*key())


def communes() -> gpd.GeoDataFrame:
    """Return the commune boundaries: one read-only frame per process and store version (copy it to change it)."""
    return _communes(*key())


def plan() -> Plan:
    """Return the transformation plan (cached until the store changes)."""
    return _plan(*key())


def area() -> Area:
    """Return the study area's settings: its name and the word for its units (cached until the store changes)."""
    return _area(*key())


def declared_end() -> date | None:
    """Return the last day the latest import declared complete (``--complete-to``), or None."""
    return _declared_end(*key())


@st.cache_data(show_spinner=False, max_entries=4)
def _span(url: str, version: str) -> Span:
    return _store(url).span()


def span() -> Span:
    """Return the stored incidents' first and last time, last day covered and count (no row is read)."""
    return _span(*key())


def count() -> int:
    """Return how many incidents are stored (from the prepared per-unit counts: no row is read)."""
    return span().n


@st.cache_data(show_spinner=False, max_entries=4)
def _has_status(url: str, version: str) -> bool:
    return _store(url).has_status()


def has_status() -> bool:
    """Return whether any stored incident has a status (looked up once per store version)."""
    return _has_status(*key())


@st.cache_data(show_spinner=False, max_entries=4)
def _unit_codes(url: str, version: str) -> list[str]:
    return _store(url).unit_codes()


def unit_codes() -> list[str]:
    """Return the unit codes the stored incidents carry ("" for those outside every unit; no row is read)."""
    return _unit_codes(*key())


@st.cache_data(show_spinner=False, max_entries=4)
def _coverage(url: str, version: str) -> tuple[date, date] | None:
    if settings.pushdown(url):
        found = _span(url, version)
        first, last = found.first, _declared_end(url, version) or found.covered
        return None if first is None or last is None else (first.date(), last)
    frame = _incidents(url, version)
    last = _declared_end(url, version) or covered_until(frame)
    if frame.empty or last is None:
        return None
    return frame["occurred_at"].min().date(), last


def coverage() -> tuple[date, date] | None:
    """Return the first and the last day the incidents cover (computed once per store version).

    The last day is the one the latest import declared complete, if it did; otherwise the latest
    incident's (a month-only record covers its whole month).
    """
    return _coverage(*key())


def is_demo() -> bool:
    """Return True while the store holds the demo data."""
    return _is_demo(*key())
