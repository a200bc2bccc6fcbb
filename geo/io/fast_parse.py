"""Whole-column parsing of the commonest cell shapes, so a large import checks most rows without a per-row parser.

Each function reads a column at once and answers only for the values whose shape it knows for sure
(``05/01/2024 14:30``, ``2024-01-05``, ``105,6163``…); every other value — another spelling, a
mistake, anything that needs a message — is left to the per-row parsers of `geo.io.parsing`, which
give the same value for the shapes handled here (a property test holds them to it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

import numpy as np
import pandas as pd

from geo import settings

_DMY = (
    r"^\s*(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?\s*$"
)
_YMD = (
    r"^\s*(?:(?P<y>\d{4})-(?P<b>\d{1,2})-(?P<a>\d{1,2})(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
    r"|(?P<y2>\d{4})-(?P<b2>\d{2})-(?P<a2>\d{2})[tT](?P<H2>\d{2}):(?P<M2>\d{2})(?::(?P<S2>\d{2}))?)\s*$"
)
_DEGREES = r"^\s*[+-]?\d{1,3}(?:[.,]\d+)?\s*$"


def fast_when(
    values: Sequence[object], *, order: str, now: datetime
) -> tuple[list[datetime | None], list[str]]:
    """Return each value's time and precision where its shape is a plain date (and time); None elsewhere.

    Handled: ``d/m/yyyy [H:MM[:SS]]`` when the file reads day first (``order="dmy"``) and
    ``yyyy-m-d[ H:MM[:SS]]``; a valid calendar date between `geo.settings.IMPORT_EARLIEST_DATE` and
    ``now``. Precision as `geo.io.parsing.parse_when`: ``"day"`` at midnight, else ``"minute"``.
    """
    n = len(values)
    out: list[datetime | None] = [None] * n
    precision = [""] * n
    if n == 0:
        return out, precision
    series = pd.Series(list(values), dtype=object)
    text = series.where(series.map(lambda v: type(v) is str), "").astype(str)
    iso = text.str.extract(_YMD)
    for name in ("y", "b", "a", "H", "M", "S"):  # the ISO form with a "T" has groups of its own
        iso[name] = iso[name].combine_first(iso.pop(f"{name}2"))
    parts = [iso]
    if order == "dmy":
        parts.append(text.str.extract(_DMY))
    found = parts[0].combine_first(parts[1]) if len(parts) == 2 else parts[0]
    found = found.dropna(subset=["y"])
    if found.empty:
        return out, precision
    numbers = found.fillna({"H": "0", "M": "0", "S": "0"}).astype(int)
    ok = (
        numbers["b"].between(1, 12)
        & numbers["a"].between(1, 31)
        & numbers["H"].between(0, 23)
        & numbers["M"].between(0, 59)
        & numbers["S"].between(0, 59)
    )
    numbers = numbers[ok]
    stamps = pd.to_datetime(
        pd.DataFrame(
            {
                "year": numbers["y"],
                "month": numbers["b"],
                "day": numbers["a"],
                "hour": numbers["H"],
                "minute": numbers["M"],
                "second": numbers["S"],
            }
        ),
        errors="coerce",
    )
    earliest = pd.Timestamp(datetime.combine(settings.IMPORT_EARLIEST_DATE, time()))
    stamps = stamps[stamps.notna() & (stamps >= earliest) & (stamps <= pd.Timestamp(now))]
    midnight = (stamps.dt.hour == 0) & (stamps.dt.minute == 0) & (stamps.dt.second == 0)
    for index, stamp, day in zip(stamps.index, stamps.tolist(), midnight.to_numpy(), strict=True):
        out[index] = stamp.to_pydatetime()
        precision[index] = "day" if day else "minute"
    return out, precision


def fast_degrees(values: Sequence[object]) -> np.ndarray:
    """Return each value as decimal degrees where it is a plain decimal number (either decimal mark); NaN elsewhere.

    Spreadsheet numbers are taken as they are; text like ``105,6163`` or ``-20.5`` is read with
    its decimal comma or point. Degrees-minutes-seconds, grouped digits and anything else are NaN.
    """
    series = pd.Series(list(values), dtype=object)
    kinds = series.map(type)
    out = np.full(len(series), np.nan)
    numeric = kinds.isin((float, int)).to_numpy()
    if numeric.any():
        picked = series[numeric].astype(float).to_numpy()
        out[numeric] = np.where(np.isfinite(picked), picked, np.nan)
    text = series.map(lambda v: type(v) is str).to_numpy(dtype=bool)
    if text.any():
        strings = series[text].astype(str)
        plain = strings.str.fullmatch(_DEGREES).fillna(False).to_numpy(dtype=bool)
        index = np.flatnonzero(text)[plain]
        out[index] = strings[plain].str.strip().str.replace(",", ".", regex=False).astype(float).to_numpy()
    return out
