"""Whole-column parsing of the commonest cell shapes, so a large import checks most rows without a per-row parser.

Each function reads a column at once and answers only for the values whose shape it knows for sure
(``05/01/2024 14:30``, ``2024-01-05``, ``105,6163``…); every other value — another spelling, a
mistake, anything that needs a message — is left to the per-row parsers of `geo.io.parsing` and `geo.io.numbers`, which
give the same value for the shapes handled here (property tests hold them to it).

The commonest date layouts are read as fixed-width code points with NumPy (`_SHAPES`); other plain
shapes (one-digit days, extra spaces) with a regular expression; numbers with one compiled pattern.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime, time

import numpy as np
import pandas as pd

from geo import settings
from geo.io.parsing import DateOrderGuess, date_order_of, guess_date_order

_DMY = (
    r"^\s*(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?\s*$"
)
_YMD = (
    r"^\s*(?:(?P<y>\d{4})-(?P<b>\d{1,2})-(?P<a>\d{1,2})(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
    r"|(?P<y2>\d{4})-(?P<b2>\d{2})-(?P<a2>\d{2})[tT](?P<H2>\d{2}):(?P<M2>\d{2})(?::(?P<S2>\d{2}))?)\s*$"
)
_PLAIN_NUMBER = re.compile(r"\s*[+-]?[0-9]{1,20}(?:[.,][0-9]+)?\s*")
"""A decimal number `geo.io.numbers.parse_number` reads as ``float`` of it with a point (at most 20 whole digits: finite)."""
_NUMBER_CHARS = re.compile(r"[0-9.,+\-\x00]*")
"""Values joined by NUL that hold nothing but digits, signs and decimal marks (no space, letter or exponent)."""
_NOT_PLAIN = ("\x00.", "\x00,", "\x00+.", "\x00+,", "\x00-.", "\x00-,", ".\x00", ",\x00")
"""With `_NUMBER_CHARS`, the only shapes ``float`` reads that are not `_PLAIN_NUMBER`: ``.5``, ``-.5``, ``5.``."""

_SHAPES: tuple[tuple[str, bool], ...] = (
    # (layout, day first): "d" a digit of the day, "m" of the month, "y" of the year, "H" "M" "S" of
    # the time, anything else that very character. Day-first layouts are a/b/yyyy, read only when
    # the file reads day first; the others are ISO.
    ("dd/mm/yyyy HH:MM", True),
    ("dd/mm/yyyy", True),
    ("dd/mm/yyyy HH:MM:SS", True),
    ("yyyy-mm-dd HH:MM", False),
    ("yyyy-mm-dd", False),
    ("yyyy-mm-dd HH:MM:SS", False),
    ("yyyy-mm-ddTHH:MM:SS", False),
    ("yyyy-mm-ddTHH:MM", False),
)
_WIDTH = max(len(layout) for layout, _ in _SHAPES)
_DIGIT_MARKS = "dmyHMS"


def fast_when(
    values: Sequence[object], *, order: str, now: datetime
) -> tuple[list[datetime | None], list[str]]:
    """Return each value's time and precision where its shape is a plain date (and time); None elsewhere.

    Handled: ``d/m/yyyy [H:MM[:SS]]`` when the file reads day first (``order="dmy"``) and
    ``yyyy-m-d[ H:MM[:SS]]``; a valid calendar date between `geo.settings.IMPORT_EARLIEST_DATE` and
    ``now``. Precision as `geo.io.parsing.parse_when`: ``"day"`` at midnight, else ``"minute"``.
    """
    stamps, precision = fast_when_array(values, order=order, now=now)
    out: list[datetime | None] = [
        None if not known else stamp.astype("datetime64[us]").item()
        for stamp, known in zip(stamps, precision != "", strict=True)
    ]
    return out, [str(p) for p in precision]


def fast_when_array(values: Sequence[object], *, order: str, now: datetime) -> tuple[np.ndarray, np.ndarray]:
    """As `fast_when`, as arrays: ``datetime64[ns]`` (NaT where not read) and the precision (``""`` where not read)."""
    n = len(values)
    stamps = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    precision = np.full(n, "", dtype=object)
    if n == 0:
        return stamps, precision
    codes, picked = _fixed_codes(values)
    earliest = np.datetime64(datetime.combine(settings.IMPORT_EARLIEST_DATE, time()), "s")
    latest = np.datetime64(now, "us")
    settled = np.zeros(n, dtype=bool)
    for layout, day_first in _SHAPES:
        if day_first and order != "dmy":
            continue
        rows = np.flatnonzero(picked == len(layout))
        if not len(rows):
            continue
        shaped = _shaped(codes[rows], layout)
        rows = rows[shaped]
        if not len(rows):
            continue
        part = codes[rows]
        year, month, day = (_number(part, layout, mark) for mark in "ymd")
        hour, minute, second = (_number(part, layout, mark) for mark in "HMS")
        months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
        days = months.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
        good = (
            (month >= 1)
            & (month <= 12)
            & (day >= 1)
            & (day <= 31)
            & (hour <= 23)
            & (minute <= 59)
            & (second <= 59)
        )
        good &= days.astype("datetime64[M]") == months  # 31/04 is not on the calendar
        moment = days.astype("datetime64[s]") + (hour * 3600 + minute * 60 + second).astype("timedelta64[s]")
        good &= (moment >= earliest) & (moment <= latest)
        rows, moment = rows[good], moment[good]
        stamps[rows] = moment.astype("datetime64[ns]")
        midnight = (hour[good] == 0) & (minute[good] == 0) & (second[good] == 0)
        precision[rows] = np.where(midnight, "day", "minute")
        settled[rows] = True
    rest = np.flatnonzero(~settled & np.fromiter((type(v) is str for v in values), dtype=bool, count=n))
    if len(rest):
        times, kinds = _regex_when([values[i] for i in rest.tolist()], order=order, now=now)
        for index, stamp, kind in zip(rest, times, kinds, strict=True):
            if stamp is not None:
                stamps[index] = np.datetime64(stamp, "ns")
                precision[index] = kind
    return stamps, precision


def fast_date_order(values: Sequence[object]) -> DateOrderGuess:
    """Return `geo.io.parsing.guess_date_order` of ``values``, reading the fixed a/b/yyyy layouts column-wise."""
    n = len(values)
    if n == 0:
        return guess_date_order([])
    codes, picked = _fixed_codes(values)
    counted = np.zeros(n, dtype=bool)
    day_first = month_first = slashed = 0
    for layout, first in _SHAPES:
        if not first:
            continue
        rows = np.flatnonzero(picked == len(layout))
        rows = rows[_shaped(codes[rows], layout)] if len(rows) else rows
        if not len(rows):
            continue
        a, b = _number(codes[rows], layout, "d"), _number(codes[rows], layout, "m")
        slashed += len(rows)
        day_first += int(((a > 12) & (b <= 12)).sum())
        month_first += int(((b > 12) & (a <= 12)).sum())
        counted[rows] = True
    rest = guess_date_order([values[i] for i in np.flatnonzero(~counted).tolist()])
    return date_order_of(day_first + rest.day_first, month_first + rest.month_first, slashed + rest.slashed)


def _fixed_codes(values: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
    """Return text values at most `_WIDTH` long as code points (n × `_WIDTH`) and each one's length (0: not text or longer)."""
    lengths = [len(v) if type(v) is str and len(v) <= _WIDTH else 0 for v in values]
    texts = [v if size else "" for v, size in zip(values, lengths, strict=True)]
    array = np.array(texts, dtype=f"<U{_WIDTH}")
    codes = array.view(np.uint32).reshape(len(texts), _WIDTH)
    picked = np.array(lengths, dtype=np.int64)
    # A NUL inside a value is not kept by NumPy's strings: such a value is not read here.
    picked[np.char.str_len(array) != picked] = 0
    return codes, picked


def _shaped(codes: np.ndarray, layout: str) -> np.ndarray:
    """Whether each row of ``codes`` has ``layout``: ASCII digits where it has a mark, its own characters elsewhere."""
    ok = np.ones(len(codes), dtype=bool)
    for column, mark in enumerate(layout):
        if mark in _DIGIT_MARKS:
            ok &= (codes[:, column] >= 48) & (codes[:, column] <= 57)
        else:
            ok &= codes[:, column] == ord(mark)
    return ok


def _number(codes: np.ndarray, layout: str, mark: str) -> np.ndarray:
    """The number written at the positions of ``mark`` in ``layout`` (0 where the layout has none)."""
    number = np.zeros(len(codes), dtype=np.int64)
    for column in (i for i, m in enumerate(layout) if m == mark):
        number = number * 10 + (codes[:, column].astype(np.int64) - 48)
    return number


def _regex_when(
    values: Sequence[object], *, order: str, now: datetime
) -> tuple[list[datetime | None], list[str]]:
    """The shapes beyond `_SHAPES` (one-digit day or month, other spacing), by regular expression."""
    n = len(values)
    out: list[datetime | None] = [None] * n
    precision = [""] * n
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


def fast_number(values: Sequence[object]) -> np.ndarray:
    """Return each value as a number where it is a plain decimal (either decimal mark) or a finite spreadsheet number; NaN elsewhere.

    What `geo.io.numbers.parse_number` (and `geo.io.numbers.parse_degrees`, for text without
    ``°``) returns for those values; grouped digits, exponents, degrees-minutes-seconds and
    anything else are NaN, left to them.
    """
    texts = [v for v in values if type(v) is str]
    if texts and len(texts) == len(values):
        whole = _plain_column(texts)
        if whole is not None:
            return whole
    match = _PLAIN_NUMBER.fullmatch
    nan = math.nan
    out = [
        (float(v.replace(",", ".")) if match(v) else nan)
        if type(v) is str
        else (_spreadsheet_number(v) if type(v) in (float, int) else nan)
        for v in values
    ]
    return np.array(out, dtype=float)


def _plain_column(texts: list[str]) -> np.ndarray | None:
    """`fast_number` of a column of text when every value is a `_PLAIN_NUMBER` without spaces; None otherwise.

    A few scans of the joined column instead of a match per value: over digits, signs and decimal
    marks, ``float`` reads exactly the plain shapes, except a mark with no digit before or after it
    (`_NOT_PLAIN`) and more than 20 whole digits; anything else it refuses (``1.2.3``, ``-``, ``""``).
    """
    joined = "\x00" + "\x00".join(texts) + "\x00"  # a cell never holds a NUL (`geo.io.safety` removes them)
    if not _NUMBER_CHARS.fullmatch(joined) or any(mark in joined for mark in _NOT_PLAIN):
        return None
    parts = joined[1:-1].replace(",", ".").split("\x00")
    if len(parts) != len(texts) or max(map(len, parts)) > 20:  # long values: the digits are counted per value
        return None
    try:
        return np.array(list(map(float, parts)), dtype=float)
    except ValueError:  # "", "-", "1.2.3", "+-1"…
        return None


def _spreadsheet_number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except OverflowError:  # an integer of hundreds of digits: the per-row parser says so
        return math.nan
    return number if math.isfinite(number) else math.nan


def fast_degrees(values: Sequence[object]) -> np.ndarray:
    """Return each value as decimal degrees where it is a plain decimal number (either decimal mark); NaN elsewhere.

    Spreadsheet numbers are taken as they are; text like ``105,6163`` or ``-20.5`` is read with
    its decimal comma or point. Degrees-minutes-seconds, grouped digits and anything else are NaN.
    """
    return fast_number(values)
