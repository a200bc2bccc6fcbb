"""What an evaluation reads of the incidents: their span, counts per unit × offence group × time bin, the unplaced.

An evaluation (`geo.evaluation.assess.evaluate`, `geo.evaluation.current.holding`) needs no incident
row, only counts: the data's first day and the last day it covers (for the windows), the incidents
per ``commune_code`` × ``offence_group`` in each bin between given edges (the months counted from
the plan's start, `geo.evaluation.periods.Windows.month_starts`), and how many lie outside every
unit. `Counts` is that question; two answers give the same numbers:

- `FrameCounts`: the incidents frame (the command line, the tests, a dashboard holding the rows),
  counted with NumPy;
- ``geo.store.buckets.BucketCounts``: the store, counted in the database (a dashboard with
  push-down, `geo.settings.pushdown`), reading no row.

Everything after the counts — the tables, the models, the verdicts — is one code path for both
(``tests/geo/evaluation/test_source.py`` checks that the evaluations are equal).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from geo.incidents import covered_until

BINNED = ("commune_code", "offence_group", "bin", "count")
"""Columns of `Counts.binned`."""


@runtime_checkable
class Counts(Protocol):
    """The counts an evaluation reads (see the module's text)."""

    def first_day(self) -> date | None:
        """Return the day of the first incident (None: no incident with a time)."""

    def last_day(self) -> date | None:
        """Return the last day the incidents cover (a month-only record covers its month; None: none)."""

    def binned(self, edges: Sequence[pd.Timestamp], *, skip: Collection[int] = ()) -> pd.DataFrame:
        """Return the incidents per unit, offence group and bin of ``edges`` (bin ``i``: ``[edges[i], edges[i+1])``).

        Columns `BINNED`: ``commune_code`` and ``offence_group`` as text, ``bin`` and ``count``
        int64; only the combinations with incidents. The bins ``skip`` are not counted (a gap
        between two windows: the database need not read its incidents).
        """

    def outside(self, codes: Sequence[str]) -> int:
        """Return how many incidents (of all time) lie in none of the units ``codes``."""


class FrameCounts:
    """`Counts` of an incidents frame (``occurred_at``, ``commune_code``; ``offence_group`` when there is one)."""

    def __init__(self, incidents: pd.DataFrame) -> None:
        self._incidents = incidents

    def first_day(self) -> date | None:
        """Return the day of the first incident (None: no incident with a time)."""
        times = pd.to_datetime(self._incidents["occurred_at"])
        first = times.min() if len(times) else pd.NaT
        return None if pd.isna(first) else first.date()

    def last_day(self) -> date | None:
        """Return `geo.incidents.covered_until` of the frame."""
        return covered_until(self._incidents)

    def binned(self, edges: Sequence[pd.Timestamp], *, skip: Collection[int] = ()) -> pd.DataFrame:
        """Return the frame's incidents per unit, offence group and bin of ``edges`` (see `Counts.binned`)."""
        incidents = self._incidents
        bounds = pd.DatetimeIndex(list(edges)).to_numpy(dtype="datetime64[ns]")
        values = pd.to_datetime(incidents["occurred_at"]).to_numpy(dtype="datetime64[ns]")
        position = np.searchsorted(bounds, values, side="right") - 1
        inside = (position >= 0) & (position < len(bounds) - 1) & ~np.isnat(values)
        if skip:
            inside &= ~np.isin(position, list(skip))
        groups = (
            incidents["offence_group"].astype(str).to_numpy()
            if "offence_group" in incidents
            else np.full(len(incidents), "", dtype=object)
        )
        frame = pd.DataFrame(
            {
                "commune_code": incidents["commune_code"].astype(str).to_numpy()[inside],
                "offence_group": groups[inside],
                "bin": position[inside].astype(np.int64),
            }
        )
        counted = frame.groupby(["commune_code", "offence_group", "bin"]).size().rename("count").reset_index()
        counted["count"] = counted["count"].astype(np.int64)
        return counted[list(BINNED)]

    def outside(self, codes: Sequence[str]) -> int:
        """Return how many of the frame's incidents lie in none of the units ``codes``."""
        return int((~self._incidents["commune_code"].astype(str).isin(list(codes))).sum())


Incidents = pd.DataFrame | Counts
"""What `evaluate` and `holding` take: the incidents frame, or counts (`Counts`) of the incidents."""


def counts_of(incidents: Incidents) -> Counts:
    """Return ``incidents`` as `Counts` (a frame is wrapped in `FrameCounts`)."""
    if isinstance(incidents, pd.DataFrame):
        return FrameCounts(incidents)
    return incidents


def of_group(binned: pd.DataFrame, group: str | None) -> pd.DataFrame:
    """Return the rows of ``binned`` of one offence group (all of them for None)."""
    if group is None:
        return binned
    return binned[binned["offence_group"] == group]
