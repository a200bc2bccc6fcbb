"""Tết Nguyên Đán (the lunar new year) in Vietnam, 2015–2035: a facts table for the trend models.

Incidents rise in the weeks before Tết (gambling, fights, theft), and Tết moves by up to a month
from one year to the next, so a yearly sine and cosine alone cannot follow it (issue 12, item 7).

Source: the Vietnamese lunar calendar as computed for UTC+7 by Hồ Ngọc Đức's published algorithm
("Âm lịch Việt Nam", https://www.informatik.uni-leipzig.de/~duc/amlich/, after Jean Meeus,
*Astronomical Algorithms*), the calendar Vietnam's official one follows (Decision 121/HĐBT, 1967:
the meridian 105° E). It differs from China's in some years (2007: 17 February, China 18; 2030:
2 February, China 3). The test
``tests/geo/evaluation/test_tet.py`` recomputes every date with that algorithm.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

TET: dict[int, date] = {
    2015: date(2015, 2, 19),
    2016: date(2016, 2, 8),
    2017: date(2017, 1, 28),
    2018: date(2018, 2, 16),
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 2),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
    2033: date(2033, 1, 31),
    2034: date(2034, 2, 19),
    2035: date(2035, 2, 8),
}
"""Year → the first day of the lunar year (mùng 1 Tết) in Vietnam."""

BEFORE_DAYS = 21
AFTER_DAYS = 7
"""The Tết season of the trend models: three weeks before the first day to one week after."""


def tet_share(starts: pd.DatetimeIndex) -> np.ndarray:
    """Return, for each month bin, the share of its days in a Tết season.

    ``starts`` holds every bin's start plus the end of the last; the season runs from `BEFORE_DAYS`
    before the first day of the year to `AFTER_DAYS` after it. Years outside the table count as no Tết (the share is 0), so the term never invents a season.

    Examples
    --------
    >>> bins = pd.DatetimeIndex(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"])
    >>> [round(float(x), 3) for x in tet_share(bins)]
    [0.387, 0.552, 0.0]
    """
    days = pd.date_range(starts[0], starts[-1] - timedelta(days=1), freq="D")
    inside = np.zeros(len(days), dtype=bool)
    for first in TET.values():
        day = pd.Timestamp(first)
        inside |= (days >= day - pd.Timedelta(days=BEFORE_DAYS)) & (
            days < day + pd.Timedelta(days=AFTER_DAYS)
        )
    bins = np.searchsorted(starts.to_numpy(), days.to_numpy(), side="right") - 1
    total = np.bincount(bins, minlength=len(starts) - 1)
    hits = np.bincount(bins, weights=inside.astype(float), minlength=len(starts) - 1)
    return np.divide(hits, total, out=np.zeros(len(total)), where=total > 0)
