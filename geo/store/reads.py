"""The store's reads: incidents, and what pages count without them (issue 14).

`Store` (geo/store/store.py) opens, migrates and writes; this mixin reads. A district's dashboard
reads every incident once per store version (`Reads.incidents`); at a province's scale in
PostgreSQL the pages ask for counts instead — per unit, month and offence (`unit_counts`), per pixel
(`pixel_counts`), per unit located (`located_counts`), the data's span (`span`), one page of rows
(`page`) — summed in the database from the prepared aggregates (`geo.store.counts`,
`geo.store.aggregates`), so a process never holds every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geo import incidents as incident_schema
from geo.store import aggregates, counts, rows, span
from geo.store.counts import Window
from geo.store.schema import Tables
from geo.store.span import Span

INCIDENT_COLUMNS = list(incident_schema.FRAME)
"""Columns of the incidents frame returned by `Store.incidents`."""

DETAIL_COLUMNS = list(incident_schema.DETAILS)
"""Columns of `Store.incidents` with ``details=True`` (exports)."""


class Reads:
    """The read side of `geo.store.store.Store` (its engine and tables)."""

    engine: Engine
    tables: Tables

    def incidents(self, *, details: bool = False) -> pd.DataFrame:
        """Return every incident, sorted by time then id, with `INCIDENT_COLUMNS` (or `DETAIL_COLUMNS`)."""
        t = self.tables.incidents
        columns = DETAIL_COLUMNS if details else INCIDENT_COLUMNS
        names = [c for c in columns if c in t.c]  # only what is returned (not the address, unless asked)
        with self.engine.connect() as conn:
            result = conn.execute(sa.select(*(t.c[n] for n in names)))
            # The driver's plain tuples: building a million SQLAlchemy rows, then a frame from them, cost
            # most of a cold start at a province's scale.
            tuples = result.cursor.fetchall() if result.cursor is not None else []
            result.close()
        table = np.array(tuples, dtype=object).reshape(len(tuples), len(names))
        frame = pd.DataFrame({n: table[:, i] for i, n in enumerate(names)})
        del table
        frame = rows.typed(frame, details)  # the columns and dtypes of a page of rows (`geo.store.rows`)
        # Sorted by time then id here rather than by the database (half the time at a million rows).
        return frame.sort_values(["occurred_at", "incident_id"], kind="stable", ignore_index=True)

    def addresses(self, ids: Sequence[str]) -> pd.Series:
        """Return the address of each of the incidents ``ids`` (a Series indexed by id; unknown ids absent).

        For the few incidents a page shows one by one, without reading every incident's details.
        """
        t = self.tables.incidents
        wanted = list(dict.fromkeys(str(i) for i in ids))
        parts: list[tuple[str, str]] = []
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), _ID_CHUNK):
                chunk = wanted[start : start + _ID_CHUNK]
                rows = conn.execute(sa.select(t.c.incident_id, t.c.address).where(t.c.incident_id.in_(chunk)))
                parts.extend((str(i), str(a)) for i, a in rows)
        found = dict(parts)
        return pd.Series(
            [found[i] for i in wanted if i in found],
            index=pd.Index([i for i in wanted if i in found], name="incident_id", dtype=object),
            name="address",
            dtype=object,
        )

    def unit_counts(self, window: Window, *, by: Sequence[str] = aggregates.UNIT_KEYS) -> pd.DataFrame:
        """Return the incidents of ``window`` per unit × month × offence (or ``by`` some of them), from the aggregates."""
        with self.engine.connect() as conn:
            return counts.unit_counts(conn, self.tables, window, by=by)

    def pixel_counts(self, window: Window, *, by_month: bool = False, block: int = 1) -> pd.DataFrame:
        """Return the located incidents of ``window`` per pixel or ``block`` × ``block`` pixels (and month), from the aggregates."""
        with self.engine.connect() as conn:
            return counts.pixel_counts(conn, self.tables, window, by_month=by_month, block=block)

    def busiest_blocks(self, window: Window, *, block: int, limit: int) -> tuple[pd.DataFrame, int]:
        """Return the ``limit`` busiest blocks of ``block`` × ``block`` pixels and the window's located total."""
        with self.engine.connect() as conn:
            return counts.busiest_blocks(conn, self.tables, window, block=block, limit=limit)

    def located_counts(self, window: Window) -> pd.DataFrame:
        """Return the located incidents of ``window`` per unit (``commune_code``, ``n``), from the aggregates."""
        with self.engine.connect() as conn:
            return counts.located_counts(conn, self.tables, window)

    def span(self) -> Span:
        """Return the stored incidents' first and last time, the last day they cover and how many there are."""
        with self.engine.connect() as conn:
            return span.span(conn, self.tables)

    def window_span(
        self, window: Window, *, months: Sequence[str] | None = None
    ) -> tuple[datetime, datetime] | None:
        """Return the time of the first and of the last incident ``window`` matches (None when none does)."""
        with self.engine.connect() as conn:
            return span.window_span(conn, self.tables, window, months=months)

    def status_counts(self, window: Window) -> pd.DataFrame:
        """Return ``with_status, solved`` per unit code of the window's incidents, counted in the database."""
        with self.engine.connect() as conn:
            return rows.status_counts(conn, self.tables, window)

    def page(
        self, selection: rows.Selection, *, offset: int = 0, limit: int = 50, order: rows.Order = "newest"
    ) -> pd.DataFrame:
        """Return one page of the incidents of ``selection`` (`geo.store.rows.page`), as `incidents` has them."""
        with self.engine.connect() as conn:
            return rows.page(conn, self.tables, selection, offset=offset, limit=limit, order=order)

    def has_status(self) -> bool:
        """Return whether any stored incident has a status."""
        with self.engine.connect() as conn:
            return span.has_status(conn, self.tables)

    def unit_codes(self) -> list[str]:
        """Return the unit codes the stored incidents carry ("" for those outside every unit), sorted."""
        with self.engine.connect() as conn:
            return span.unit_codes(conn, self.tables)

    def aggregate_grid(self) -> aggregates.Grid | None:
        """Return the CRS and size of the aggregates' pixels (None before they are built)."""
        with self.engine.connect() as conn:
            return aggregates.stored_grid(conn, self.tables)


_ID_CHUNK = 900
"""Ids per ``IN (…)`` list (SQLite allows 999 variables in a statement)."""
