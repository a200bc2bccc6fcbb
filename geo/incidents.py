"""The incident schema, written once: field names, their order in each view, dtypes and required fields.

DESIGN.md §3 describes the fields; every stage (importer, store, demo data, exports, command line)
names its columns from here, so a new field is added in one place.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

STORED = (
    "incident_id",
    "occurred_at",
    "offence_code",
    "lon",
    "lat",
    "commune_code",
    "description",
    "status",
    "address",
    "precision",
)
"""Fields an import writes for each incident (the store adds ``batch_id`` and ``imported_at``)."""

COMPARED = STORED[1:]
"""Fields compared when the same id is imported again (a change updates the row)."""

REQUIRED = ("incident_id", "occurred_at", "offence_code")
"""Fields every stored incident has (``lon``/``lat`` are optional: DESIGN.md §3)."""

FRAME = (
    "incident_id",
    "occurred_at",
    "offence_code",
    "offence_group",
    "lon",
    "lat",
    "commune_code",
    "description",
    "status",
    "batch_id",
    "precision",
)
"""Columns of the incidents frame the pages and analyses read (`geo.store.Store.incidents`)."""

DETAILS = (*FRAME, "address", "imported_at")
"""Columns of the incidents frame with details (exports)."""

VALIDATED = (*(c for c in FRAME if c != "batch_id"), "address", "source_row")
"""Columns of an importer's accepted rows: the frame without a batch, with the address and the file row."""

ANALYSIS = ("incident_id", "occurred_at", "offence_code", "offence_group", "lon", "lat", "commune_code")
"""The columns an evaluation needs."""

DEMO_FILE = (
    "incident_id",
    "occurred_at",
    "offence_code",
    "lon",
    "lat",
    "commune_code",
    "description",
    "status",
)
"""Columns of the demo data file ``data/demo_incidents.csv``, in order."""

TEXT = ("incident_id", "offence_code", "offence_group", "commune_code", "description", "status", "precision")
"""Text columns of the frame (never missing: empty text instead)."""


def typed(frame: pd.DataFrame, columns: tuple[str, ...] = FRAME) -> pd.DataFrame:
    """Return ``columns`` of ``frame`` with the schema's dtypes: text, naive local timestamps, float degrees.

    Examples
    --------
    >>> raw = pd.DataFrame({"incident_id": [1], "occurred_at": ["2024-01-02 08:30"], "lon": ["105.6"]})
    >>> typed(raw, ("incident_id", "occurred_at", "lon")).dtypes.astype(str).tolist()
    ['object', 'datetime64[ns]', 'float64']
    """
    out = frame.loc[:, list(columns)].copy()
    for column in columns:
        if column in TEXT or column in ("address", "batch_id"):
            out[column] = out[column].astype(str)
        elif column == "occurred_at":
            out[column] = pd.to_datetime(out[column]).astype("datetime64[ns]")
        elif column in ("lon", "lat"):
            out[column] = out[column].astype(float)
    return out.reset_index(drop=True)


def covered_until(incidents: pd.DataFrame) -> date | None:
    """Return the last day the incidents cover: a month-only record covers its whole month.

    Examples
    --------
    >>> frame = pd.DataFrame({"occurred_at": pd.to_datetime(["2020-10-03", "2020-11-01"]),
    ...                       "precision": ["day", "month"]})
    >>> covered_until(frame)
    datetime.date(2020, 11, 30)
    """
    if incidents.empty:
        return None
    times = pd.to_datetime(incidents["occurred_at"])
    if "precision" in incidents:
        monthly = (incidents["precision"] == "month").to_numpy()
        times = times.where(~monthly, times + pd.offsets.MonthEnd(0))
    last = times.max()
    return None if pd.isna(last) else last.date()
