"""Which layer of units a table counts by: the stored boundaries, or the units they merged into (e.g. 2025).

Since 1 July 2025 the district's 13 units are three communes; data spanning that date needs both
layers. When the area's unit history merges the stored units after their own time, the overview and
the map's table offer the newer units as a second layer (`geo.history.grouping`).
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.history import GROUP_MARK, group_label, grouping, is_group, regroup, with_groups
from ui import loaders
from ui.i18n import fmt_date, md, t

KEY = "units.layer"


@st.cache_data(show_spinner=False, max_entries=4)
def _newer(url: str, version: str) -> tuple[date, dict[str, tuple[str, str]]] | None:
    """Return the latest change day and the stored units' grouping then, when it merges or renames them."""
    history = loaders.store().unit_history()
    if not history.changes:
        return None
    communes = loaders.communes()
    stored = list(zip(communes["code"].astype(str), communes["name"].astype(str), strict=True))
    day = max(change.day for change in history.changes)
    groups = grouping(history, stored, day)
    if all(groups[code][0] == code for code, _ in stored) and len({g for g, _ in groups.values()}) == len(
        stored
    ):
        return None
    return day, groups


def choose(
    communes: gpd.GeoDataFrame, *frames: pd.DataFrame
) -> tuple[bool, gpd.GeoDataFrame, list[pd.DataFrame]]:
    """Draw the layer choice (only where the history has a newer layer); return (regrouped?, units, frames).

    The units come with a row for each newer unit that records are kept at (`geo.history.with_groups`),
    so every incident counts in the table.
    """
    newer = _newer(*loaders.key())
    if newer is None:
        return False, with_kept_groups(communes, frames), list(frames)
    day, groups = newer
    count = len({code for code, _ in groups.values()})
    unit = md(loaders.area().unit_word)
    options = ["stored", "newer"]
    labels = {
        "stored": t("units.stored", n=len(communes), unit=unit),
        "newer": t("units.newer", n=count, unit=unit, day=fmt_date(day)),
    }
    layer = st.segmented_control(
        t("units.label"), options, format_func=labels.__getitem__, key=KEY, default="stored", required=True
    )
    if layer != "newer":
        return False, with_kept_groups(communes, frames), list(frames)
    merged = None
    out = []
    for frame in frames:
        merged, recoded = regroup(communes, frame, groups)
        out.append(recoded)
    if merged is None:
        merged, _ = regroup(communes, pd.DataFrame({"commune_code": []}), groups)
    st.caption(t("units.caption", day=fmt_date(day), unit=unit))
    return True, with_kept_groups(merged, out), out


def with_kept_groups(
    units: gpd.GeoDataFrame, frames: tuple[pd.DataFrame, ...] | list[pd.DataFrame]
) -> gpd.GeoDataFrame:
    """Return ``units`` with a row for each newer unit that records of ``frames`` are kept at."""
    if not any(
        frame["commune_code"].astype(str).str.contains(GROUP_MARK, regex=False).any() for frame in frames
    ):
        return units
    return with_groups(units, frames, loaders.store().unit_history())


def names(communes: pd.DataFrame) -> dict[str, str]:
    """Return code → name of the stored units and of the newer units records are kept at."""
    out = dict(zip(communes["code"].astype(str), communes["name"].astype(str), strict=True))
    return _group_names(*loaders.key()) | out


@st.cache_data(show_spinner=False, max_entries=4)
def _group_names(url: str, version: str) -> dict[str, str]:
    """The names of the groups incidents are kept at (read once per store version, not on every rerun)."""
    groups = [c for c in loaders.unit_codes() if is_group(c)]
    if not groups:
        return {}
    history = loaders.store().unit_history()
    return {code: group_label(history, code) for code in groups}
