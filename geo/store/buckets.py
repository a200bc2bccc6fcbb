"""Incidents counted per unit × offence × bucket of time, in the database: the evaluation's months without the rows.

A plan's evaluation counts its months from the plan's start day (`geo.evaluation.periods`: the month
``k`` runs from ``start + k months`` to ``start + (k + 1) months``), not by calendar month, so the
prepared aggregates (`geo.store.aggregates`, per calendar month) cannot give them. Here the buckets
are any sorted edges: bucket ``i`` is ``[edges[i], edges[i + 1])``. The database reads only the
incidents between the first and the last edge (the ``occurred_at`` index finds them), puts each in
its bucket with a tree of ``CASE`` comparisons (log₂ of the number of edges per row) and sums them
with ``GROUP BY``: a dashboard reads units × offences × buckets rows, never the incidents.

`BucketCounts` gives an evaluation what it asks of its incidents (`geo.evaluation.source.Counts`):
the data's first and last covered day (`geo.store.span`), the buckets, and the incidents outside
every unit. The same
answers as the incident frame, on SQLite and PostgreSQL (``tests/geo/store/test_buckets.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from itertools import pairwise
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo.store.schema import Tables
from geo.store.span import Span, span
from geo.taxonomy import group_of

_COLUMNS = ("commune_code", "offence_code", "bucket", "n")


def _stamp(value: datetime | date | pd.Timestamp) -> datetime:
    out = pd.Timestamp(value).to_pydatetime()
    assert isinstance(out, datetime)
    return out


def _bucket_of(column: Any, edges: Sequence[datetime], lo: int, hi: int) -> Any:
    """The bucket number of ``column`` among ``edges[lo] … edges[hi]`` (a value known to lie inside them).

    A balanced tree of ``CASE WHEN column < edge``: each row is compared with about log₂(hi − lo)
    edges, not with every one.
    """
    if hi - lo == 1:
        return sa.literal(lo, sa.Integer)
    mid = (lo + hi) // 2
    return sa.case(
        (column < edges[mid], _bucket_of(column, edges, lo, mid)), else_=_bucket_of(column, edges, mid, hi)
    )


def bucket_counts(
    conn: Connection,
    tables: Tables,
    edges: Sequence[datetime | date | pd.Timestamp],
    *,
    groups: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Return the incidents per ``commune_code`` × offence × bucket of ``edges``, summed in the database.

    Parameters
    ----------
    conn, tables
        The store's connection and tables.
    edges
        Strictly increasing times: bucket ``i`` holds the incidents with ``edges[i] <= occurred_at <
        edges[i + 1]``; incidents before the first edge or from the last one on are not counted.
    groups
        Offence code → group: count per group (``offence_code`` then holds the group; codes without
        a group count under ``""``) instead of per code.

    Returns
    -------
    pandas.DataFrame
        Columns ``commune_code``, ``offence_code``, ``bucket`` (0 … len(edges) − 2) and ``n`` (int64),
        only combinations with incidents, sorted by the keys.
    """
    stamps = [_stamp(edge) for edge in edges]
    if any(b <= a for a, b in pairwise(stamps)):
        raise ValueError("bucket edges must be strictly increasing")
    if len(stamps) < 2:
        return _empty()
    t = tables.incidents
    offence: Any = t.c.offence_code
    if groups is not None:
        offence = sa.case(*((t.c.offence_code == code, group) for code, group in groups.items()), else_="")
    inner = (
        sa.select(
            t.c.commune_code.label("commune_code"),
            offence.label("offence_code"),
            _bucket_of(t.c.occurred_at, stamps, 0, len(stamps) - 1).label("bucket"),
        )
        .where(t.c.occurred_at >= stamps[0], t.c.occurred_at < stamps[-1])
        .subquery()
    )
    keys = [inner.c.commune_code, inner.c.offence_code, inner.c.bucket]
    query = sa.select(*keys, sa.func.count().label("n")).group_by(*keys).order_by(*keys)
    frame = pd.DataFrame(conn.execute(query).all(), columns=list(_COLUMNS))
    return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.astype({"commune_code": str, "offence_code": str})
    out["bucket"] = out["bucket"].astype("int64")
    out["n"] = out["n"].astype("int64")
    return out.reset_index(drop=True)


def _empty() -> pd.DataFrame:
    return _typed(pd.DataFrame({c: pd.Series(dtype=object) for c in _COLUMNS}))


def unit_totals(conn: Connection, tables: Tables) -> pd.Series:
    """Return every stored incident counted per ``commune_code`` (from the prepared unit counts; int64)."""
    t = tables.unit_counts
    rows = conn.execute(sa.select(t.c.commune_code, sa.func.sum(t.c.n)).group_by(t.c.commune_code)).all()
    return pd.Series(
        [int(n) for _, n in rows],
        index=pd.Index([str(code) for code, _ in rows], name="commune_code", dtype=object),
        dtype="int64",
        name="n",
    )


class BucketCounts:
    """What an evaluation reads of the incidents, asked of the database (`geo.evaluation.source.Counts`).

    The span (`geo.store.span.span`) is read once; each `binned` call runs one `bucket_counts` query, per offence group (the
    taxonomy's `geo.taxonomy.group_of`, as the store's incidents frame names them).
    """

    def __init__(self, engine: Engine, tables: Tables) -> None:
        self._engine = engine
        self._tables = tables
        self._span: Span | None = None

    def _spanned(self) -> Span:
        if self._span is None:
            with self._engine.connect() as conn:
                self._span = span(conn, self._tables)
        return self._span

    def first_day(self) -> date | None:
        """Return the day of the first incident (None: no incidents)."""
        first = self._spanned().first
        return None if first is None else first.date()

    def last_day(self) -> date | None:
        """Return the last day the incidents cover (a month-only record covers its month; None: no incidents)."""
        return self._spanned().covered

    def binned(self, edges: Sequence[pd.Timestamp], *, skip: Collection[int] = ()) -> pd.DataFrame:
        """Return the incidents per ``commune_code``, ``offence_group`` and ``bin`` of ``edges`` with ``count``.

        The bins ``skip`` are not read: each run of the other bins is one query over its range.
        """
        runs: list[tuple[int, int]] = []  # [first, last) bins of each run of counted bins
        for i in range(len(edges) - 1):
            if i in skip:
                continue
            if runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
        parts = []
        with self._engine.connect() as conn:
            for first, last in runs:
                part = bucket_counts(conn, self._tables, edges[first : last + 1], groups=group_of())
                parts.append(part.assign(bucket=part["bucket"] + first))
        found = pd.concat(parts, ignore_index=True) if parts else _empty()
        # One order whatever the runs and the database's collation: the keys' as Python sorts them.
        found = found.sort_values(["commune_code", "offence_code", "bucket"], ignore_index=True)
        return pd.DataFrame(
            {
                "commune_code": found["commune_code"].to_numpy(),
                "offence_group": found["offence_code"].to_numpy(),
                "bin": found["bucket"].to_numpy(),
                "count": found["n"].to_numpy(),
            }
        )

    def outside(self, codes: Sequence[str]) -> int:
        """Return how many incidents lie in none of the units ``codes``."""
        with self._engine.connect() as conn:
            totals = unit_totals(conn, self._tables)
        return int(totals[~totals.index.isin(list(codes))].sum())
