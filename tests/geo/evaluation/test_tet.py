"""The Tết table of geo.evaluation.tet, recomputed with Hồ Ngọc Đức's lunar calendar algorithm (UTC+7)."""

import math
from datetime import date, timedelta

import pandas as pd
import pytest

from geo.evaluation.tet import TET, tet_share

TIME_ZONE = 7.0


def _jd(day: date) -> int:
    a = (14 - day.month) // 12
    y = day.year + 4800 - a
    m = day.month + 12 * a - 3
    return day.day + (153 * m + 2) // 5 + 365 * y + y // 4 - y // 100 + y // 400 - 32045


def _date(jd: int) -> date:
    return date(2000, 1, 1) + timedelta(days=jd - _jd(date(2000, 1, 1)))


def _new_moon(k: int) -> float:
    """Julian day of the k-th new moon after 1900-01-01 (Meeus, as in Hồ Ngọc Đức's amlich)."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    dr = math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 = c1 - 0.4068 * math.sin(mpr * dr) + 0.0161 * math.sin(dr * 2 * mpr)
    c1 = c1 - 0.0004 * math.sin(dr * 3 * mpr)
    c1 = c1 + 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 = c1 - 0.0074 * math.sin(dr * (m - mpr)) + 0.0004 * math.sin(dr * (2 * f + m))
    c1 = c1 - 0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 = c1 + 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        delta = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - delta


def _new_moon_day(k: int) -> int:
    return int(_new_moon(k) + 0.5 + TIME_ZONE / 24)


def _sun_sector(day_number: int) -> int:
    """Sector (0–11, 30° each) of the sun's longitude at local midnight starting ``day_number``."""
    jdn = day_number - 0.5 - TIME_ZONE / 24
    t = (jdn - 2451545.0) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    longitude = (l0 + dl) * dr
    longitude -= math.pi * 2 * int(longitude / (math.pi * 2))
    return int(longitude / math.pi * 6)


def _month11(year: int) -> int:
    """Day number of the first day of lunar month 11 (the month holding the winter solstice)."""
    k = int((_jd(date(year, 12, 31)) - 2415021) / 29.530588853)
    day = _new_moon_day(k)
    return _new_moon_day(k - 1) if _sun_sector(day) >= 9 else day


def _leap_offset(month11: int) -> int:
    k = int((month11 - 2415021.076998695) / 29.530588853 + 0.5)
    i, arc = 1, _sun_sector(_new_moon_day(k + 1))
    while True:
        last, i = arc, i + 1
        arc = _sun_sector(_new_moon_day(k + i))
        if arc == last or i >= 14:
            return i - 1


def tet(year: int) -> date:
    """Return the first day of the lunar year ``year`` in Vietnam.

    Two lunar months after month 11, or three when the year before has a leap month 11 or 12.
    """
    a11, b11 = _month11(year - 1), _month11(year)
    k = int(0.5 + (a11 - 2415021.076998695) / 29.530588853)
    leap_late = b11 - a11 > 365 and _leap_offset(a11) <= 2
    return _date(_new_moon_day(k + (3 if leap_late else 2)))


@pytest.mark.parametrize("year", sorted(TET))
def test_the_table_matches_the_algorithm(year: int) -> None:
    assert TET[year] == tet(year)


def test_known_dates_and_the_2007_difference_from_china() -> None:
    assert tet(2023) == date(2023, 1, 22)
    assert tet(2007) == date(2007, 2, 17)  # China: 18 February
    assert tet(2030) == date(2030, 2, 2)  # China: 3 February (the new moon is 23:07 in Hà Nội)


def test_tet_share_is_zero_outside_the_table_and_sums_the_season() -> None:
    months = pd.date_range("2010-01-01", "2011-01-01", freq="MS")
    assert tet_share(months).sum() == 0
    year = pd.date_range("2024-01-01", "2025-01-01", freq="MS")
    lengths = (year[1:] - year[:-1]).days.to_numpy()
    assert float((tet_share(year) * lengths).sum()) == pytest.approx(28)
