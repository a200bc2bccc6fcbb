"""The incidents behind a commune or a clicked point: selected, listed as plain text and shown a page at a time.

The functions are pure: they take frames already filtered by the page (`geo.filters.apply_filter`)
and return new frames. The list holds text only (dates written dd/mm/yyyy, offence and commune
names); how it is shown — as text, never as markdown or HTML — is the caller's concern.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

import geopandas as gpd
import pandas as pd

from geo.communes import assign_commune
from geo.taxonomy import offence_name

PAGE_ROWS: Final = 50
"""Incidents per page of a drill-down list."""

LIST_COLUMNS: Final = ("date", "offence", "commune", "address", "status", "description", "incident_id")
"""Columns of `incident_list`, in display order (headers are ``drill.col.<column>`` in `geo.words`)."""

_DATE_FORMATS: Final = {"minute": "%d/%m/%Y %H:%M", "day": "%d/%m/%Y", "month": "%m/%Y"}
"""How a date is written for each precision of `geo.io.parsing.PRECISIONS` (a month-only record: mm/yyyy)."""


def commune_at(communes: gpd.GeoDataFrame, lon: float, lat: float) -> str | None:
    """Return the code of the commune containing the point (EPSG:4326), or None outside every commune.

    Examples
    --------
    >>> import shapely
    >>> units = gpd.GeoDataFrame({"code": ["A"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=4326)
    >>> commune_at(units, 0.5, 0.5), commune_at(units, 2.0, 0.5)
    ('A', None)
    """
    code = str(assign_commune(communes, [lon], [lat]).iloc[0])
    return code or None


def newest_first(incidents: pd.DataFrame) -> pd.DataFrame:
    """Return ``incidents`` newest first (ties by incident id), with a fresh index."""
    if incidents.empty:
        return incidents.reset_index(drop=True)
    order = incidents.sort_values(["occurred_at", "incident_id"], ascending=[False, True], kind="stable")
    return order.reset_index(drop=True)


def of_commune(incidents: pd.DataFrame, code: str) -> pd.DataFrame:
    """Return the incidents of the commune ``code`` (located or placed by their commune), newest first."""
    return newest_first(incidents[incidents["commune_code"].astype(str) == str(code)])


def date_text(when: pd.Timestamp, precision: str = "minute") -> str:
    """Return an incident's time as the user reads it: dd/mm/yyyy HH:MM, dd/mm/yyyy or mm/yyyy by precision.

    Examples
    --------
    >>> date_text(pd.Timestamp("2024-03-05 08:30")), date_text(pd.Timestamp("2024-03-01"), "month")
    ('05/03/2024 08:30', '03/2024')
    """
    if pd.isna(when):
        return ""
    return when.strftime(_DATE_FORMATS.get(precision, _DATE_FORMATS["minute"]))


def _text(values: pd.Series | None, index: pd.Index) -> pd.Series:
    if values is None:
        return pd.Series("", index=index, dtype=object)
    return values.fillna("").astype(str).replace({"nan": "", "None": ""})


def incident_list(
    incidents: pd.DataFrame, names: Mapping[str, str] | None = None, *, lang: str = "vi"
) -> pd.DataFrame:
    """Return ``incidents`` as the rows of a drill-down list, every cell text, in `LIST_COLUMNS` order.

    Parameters
    ----------
    incidents
        Incidents with the store's columns (``address`` and ``precision`` optional), in the order to list.
    names
        Commune name per code (a code without a name is shown as the code).
    lang
        "vi" or "en", for the offence names.

    Examples
    --------
    >>> frame = pd.DataFrame({"incident_id": ["1"], "occurred_at": pd.to_datetime(["2024-03-05 08:30"]),
    ...     "offence_code": ["trom_cap_tai_san"], "commune_code": ["A"], "description": ["=1+1"],
    ...     "status": ["Đã xử lý"], "precision": ["day"]})
    >>> incident_list(frame, {"A": "Vĩnh Lộc"}).iloc[0].tolist()
    ['05/03/2024', 'Trộm cắp tài sản', 'Vĩnh Lộc', '', 'Đã xử lý', '=1+1', '1']
    """
    names = names or {}
    index = incidents.index
    times = pd.to_datetime(incidents["occurred_at"])
    precision = _text(incidents.get("precision"), index)
    codes = _text(incidents.get("commune_code"), index)
    offence_names = {c: offence_name(c, lang=lang) for c in incidents["offence_code"].astype(str).unique()}
    table = pd.DataFrame(
        {
            "date": [date_text(w, p) for w, p in zip(times, precision, strict=True)],
            "offence": incidents["offence_code"].astype(str).map(offence_names).to_numpy(),
            "commune": [names.get(c, c) for c in codes],
            "address": _text(incidents.get("address"), index),
            "status": _text(incidents.get("status"), index),
            "description": _text(incidents.get("description"), index),
            "incident_id": _text(incidents.get("incident_id"), index),
        },
        index=index,
    )
    return table.reset_index(drop=True)


def page_count(n_rows: int, *, per_page: int = PAGE_ROWS) -> int:
    """Return the number of pages of ``n_rows`` rows (at least one, so an empty list has a page).

    Examples
    --------
    >>> page_count(0), page_count(50), page_count(51)
    (1, 1, 2)
    """
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    return max(1, math.ceil(n_rows / per_page))


def page_of(frame: pd.DataFrame, number: int, *, per_page: int = PAGE_ROWS) -> pd.DataFrame:
    """Return page ``number`` (from 1; clamped to the pages there are) of ``frame``.

    Examples
    --------
    >>> page_of(pd.DataFrame({"a": range(120)}), 3)["a"].tolist()
    [100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119]
    >>> len(page_of(pd.DataFrame({"a": range(120)}), 9))
    20
    """
    number = min(max(1, int(number)), page_count(len(frame), per_page=per_page))
    first = (number - 1) * per_page
    return frame.iloc[first : first + per_page]
