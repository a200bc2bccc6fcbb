"""What the stored incidents span, read without reading them: first and last time, days covered, how many.

A page's calendar, its presets and the coverage line need the data's first and last day; the set-up
path needs to know whether there are incidents. With every incident in memory those are a ``min`` and a
``max``; at a province's scale in PostgreSQL (issue 14) they are two index look-ups on
``occurred_at`` and a sum over the prepared per-unit counts (`geo.store.aggregates`), so a dashboard
process learns them without reading a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.store import counts
from geo.store.counts import Window
from geo.store.schema import HAS_STATUS_SQL, Tables


@dataclass(frozen=True)
class Span:
    """The stored incidents' extent in time.

    Attributes
    ----------
    first, last
        Time of the earliest and of the latest incident (None when there are none).
    covered
        The last day the incidents cover: the latest incident's day, or the end of its month when a
        month-only record (``precision == "month"``) falls in that month (`geo.incidents.covered_until`).
    n
        How many incidents are stored.
    """

    first: datetime | None
    last: datetime | None
    covered: date | None
    n: int


def _as_datetime(value: str | datetime | None) -> datetime | None:
    if value is None:
        return None
    stamp = pd.Timestamp(value)  # SQLite hands back text, PostgreSQL a datetime
    return None if pd.isna(stamp) else stamp.to_pydatetime()


def span(conn: Connection, tables: Tables) -> Span:
    """Return the stored incidents' `Span` (two index look-ups and a sum of the per-unit counts).

    A month-only record stands for its whole month; one stored in an earlier month than the latest
    incident's ends before that month begins, so only the latest month is searched for one.
    """
    t = tables.incidents
    # Two statements: SQLite finds a lone min() or max() at an end of the index, both at once by a scan.
    first = _as_datetime(conn.execute(sa.select(sa.func.min(t.c.occurred_at))).scalar_one())
    last = _as_datetime(conn.execute(sa.select(sa.func.max(t.c.occurred_at))).scalar_one())
    n = int(conn.execute(sa.select(sa.func.coalesce(sa.func.sum(tables.unit_counts.c.n), 0))).scalar_one())
    if first is None or last is None:
        return Span(None, None, None, n)
    month_start = datetime(last.year, last.month, 1)
    monthly = conn.execute(
        sa.select(sa.func.count())
        .select_from(t)
        .where(t.c.occurred_at >= month_start, t.c.precision == "month")
    ).scalar_one()
    covered = last.date()
    if monthly:
        covered = (pd.Timestamp(month_start) + pd.offsets.MonthEnd(0)).date()
    return Span(first, last, covered, n)


def unit_codes(conn: Connection, tables: Tables) -> list[str]:
    """Return the unit codes the stored incidents carry (from the per-unit counts; "" for none), sorted."""
    t = tables.unit_counts
    rows = conn.execute(sa.select(t.c.commune_code).distinct().order_by(t.c.commune_code))
    return [str(code) for (code,) in rows]


def window_span(
    conn: Connection, tables: Tables, window: Window, *, months: Sequence[str] | None = None
) -> tuple[datetime, datetime] | None:
    """Return the time of the first and of the last incident ``window`` matches (None when none does).

    The first and last months holding any come from the per-month counts (or ``months``, those the
    caller counted already: ``YYYY-MM`` with incidents); only those two months of incidents are
    searched (a range of the ``occurred_at`` index), not every row of the offences chosen.
    """
    if months is None:
        months = counts.unit_counts(conn, tables, window, by=("month",))["month"].astype(str).tolist()
    if not len(months):
        return None
    months = sorted(months)
    t = tables.incidents

    def edge(month: str, func: Any) -> datetime | None:
        start = datetime.fromisoformat(month + "-01")
        end = (pd.Timestamp(start) + pd.offsets.MonthBegin(1)).to_pydatetime()
        lo = max(start, datetime.combine(window.start, datetime.min.time()))
        hi = min(end, datetime.combine(window.end, datetime.min.time()) + pd.Timedelta(days=1))
        query = sa.select(func).where(t.c.occurred_at >= lo, t.c.occurred_at < hi)
        if window.offences:
            query = query.where(t.c.offence_code.in_(window.offences))
        if window.communes:
            query = query.where(t.c.commune_code.in_(window.communes))
        return _as_datetime(conn.execute(query).scalar_one())

    first = edge(months[0], sa.func.min(t.c.occurred_at))
    last = edge(months[-1], sa.func.max(t.c.occurred_at))
    return None if first is None or last is None else (first, last)


def has_status(conn: Connection, tables: Tables) -> bool:
    """Return whether any stored incident has a status (a ledger without a status column has none).

    One look into the partial index of the rows with a status (``ix_incidents_status``, schema
    version 8): its condition is written here as the index has it, and the first status in the
    index's order is asked for, so both databases answer from the index — at once, empty, for a
    ledger without statuses — instead of reading every row. (Without the order PostgreSQL, which
    keeps no statistics on ``trim(status)``, guesses that most rows match and scans the table.)
    """
    t = tables.incidents
    query = sa.select(t.c.status).where(sa.text(HAS_STATUS_SQL)).order_by(t.c.status).limit(1)
    return conn.execute(query).first() is not None
