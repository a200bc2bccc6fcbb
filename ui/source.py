"""Where a page's counts come from: the arrays shared in this process, or the database (issue 14, item 3).

On SQLite a dashboard process holds the incidents once (`ui.loaders`, `ui.counts`) and counts them
with NumPy: the fastest way at a district's or a province's million. With PostgreSQL
(`geo.settings.pushdown`) a province's ten million incidents are too many for every process to
hold: the pages then ask the store for counts only — per unit, month and offence, per pixel of the
hot-spot grid (`geo.store.counts`, from the prepared aggregates) — and for the few rows a list or a
popup shows, so a process never reads every incident. ``ANTT_PUSHDOWN=1`` takes the same path on
SQLite (the tests run the pages both ways and compare).

Everything here is cached on the store's version and the filter's plain values: a rerun with the
same filter asks the database nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from geo import settings
from geo.filters import IncidentFilter
from geo.store.counts import Window
from ui import loaders


def pushdown() -> bool:
    """Return True when this process asks the database for counts instead of holding every incident."""
    return settings.pushdown(settings.database_url())


def window(flt: IncidentFilter) -> Window:
    """Return ``flt`` as the store's `Window` (`geo.store.counts.Window.of`: groups expanded to offence codes).

    Kept (not inlined) as the one place the pages turn a filter into what the store reads: ``ui.counts``,
    ``ui.mapdata``, ``ui.widgets``, ``ui.hotspot_data`` and the exports call it, and the cached counts
    below are keyed on its result.
    """
    return Window.of(flt)


@st.cache_data(show_spinner=False, max_entries=64)
def _unit_counts(url: str, version: str, win: Window, by: tuple[str, ...]) -> pd.DataFrame:
    return loaders.store().unit_counts(win, by=by)


def unit_counts(flt: IncidentFilter, by: Sequence[str] = ("commune_code",)) -> pd.DataFrame:
    """Return the filter's incidents counted in the database by ``by`` (columns ``by`` + ``n``; cached)."""
    return _unit_counts(*loaders.key(), window(flt), tuple(by))


@st.cache_data(show_spinner=False, max_entries=64)
def _located_counts(url: str, version: str, win: Window) -> pd.DataFrame:
    return loaders.store().located_counts(win)


def located_counts(flt: IncidentFilter) -> pd.DataFrame:
    """Return the filter's incidents with coordinates per unit (``commune_code``, ``n``), from the database (cached).

    /map asks it for the caption of the incidents its point and density layers leave out and, without
    those layers, for the located total: one query per store version and filter, whatever the layers.
    """
    return _located_counts(*loaders.key(), window(flt))


@st.cache_data(show_spinner=False, max_entries=32)
def _pixel_counts(url: str, version: str, win: Window, by_month: bool, block: int) -> pd.DataFrame:
    return loaders.store().pixel_counts(win, by_month=by_month, block=block)


def pixel_counts(flt: IncidentFilter, *, by_month: bool = False, block: int = 1) -> pd.DataFrame:
    """Return the filter's located incidents per pixel (or ``block`` × ``block`` pixels), from the database (cached).

    Columns ``gx``, ``gy`` (``month`` too with ``by_month``) and ``n``; the pixels are the store's
    (`geo.store.store.Store.aggregate_grid`).
    """
    return _pixel_counts(*loaders.key(), window(flt), by_month, block)
