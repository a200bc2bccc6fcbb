"""Parse the values of imported files: dates (numbers and degrees: `geo.io.numbers`).

Offence names are recognised by `geo.io.offences`.

Every parser returns a valid value or raises `DataError` carrying the file, row and field it was given,
with a Vietnamese message that names the rule and the fix.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from geo import settings
from geo._errors import DataError
from geo.dates import now_local
from geo.io.numbers import At, report_value

DATE_FORMATS: dict[str, str] = {
    "auto": "tự nhận biết (ngày/tháng/năm nếu không rõ)",
    "dd/mm/yyyy": "ngày/tháng/năm (Việt Nam)",
    "mm/dd/yyyy": "tháng/ngày/năm (Mỹ)",
    "yyyy-mm-dd": "năm-tháng-ngày (ISO)",
}
"""Accepted date format choices → Vietnamese description."""


_ORDER_OF_FORMAT = {"dd/mm/yyyy": "dmy", "mm/dd/yyyy": "mdy", "yyyy-mm-dd": "ymd"}


_ORDER_VI = {"dmy": "ngày/tháng/năm", "mdy": "tháng/ngày/năm", "ymd": "năm-tháng-ngày"}


_EXCEL_EPOCH = datetime(1899, 12, 30)


_EXCEL_MAX_SERIAL = 2_958_465  # 31/12/9999


_TIME = r"(?P<h>\d{1,2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?(?:\s*(?P<ampm>am|pm|sa|ch))?"


_DMY = re.compile(r"(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4})")


_YMD = re.compile(r"(?P<y>\d{4})[/.\-](?P<b>\d{1,2})[/.\-](?P<a>\d{1,2})")


_TIME_RE = re.compile(_TIME)


_SERIAL = re.compile(r"\d{1,7}(?:[.,]\d+)?")


_OFFSET = re.compile(r"(?:z|[+\-]\d{2}:?\d{2})$")


def date_order(date_format: str) -> str | None:
    """Return the field order (``"dmy"``, ``"mdy"``, ``"ymd"``) of a format choice; ``None`` for auto.

    Raises
    ------
    DataError
        If ``date_format`` is not one of `DATE_FORMATS`.
    """
    if date_format == "auto":
        return None
    if date_format not in _ORDER_OF_FORMAT:
        choices = ", ".join(DATE_FORMATS)
        raise DataError(f"Định dạng ngày «{date_format}» không được hỗ trợ; chọn một trong: {choices}.")
    return _ORDER_OF_FORMAT[date_format]


@dataclass(frozen=True)
class DateOrderGuess:
    """What a column of dates says about day/month order.

    Attributes
    ----------
    order
        ``"dmy"``, ``"mdy"`` or ``"ambiguous"`` (every a/b/yyyy value has a, b ≤ 12, or there are none).
    day_first
        Values that can only be day/month (first number above 12).
    month_first
        Values that can only be month/day (second number above 12).
    slashed
        Values written a/b/yyyy at all.
    """

    order: str
    day_first: int
    month_first: int
    slashed: int


def guess_date_order(values: Iterable[object]) -> DateOrderGuess:
    """Tell from a whole column whether a/b/yyyy dates are day/month or month/day.

    Examples
    --------
    >>> guess_date_order(["25/01/2024", "03/02/2024"]).order
    'dmy'
    >>> guess_date_order(["01/25/2024", "02/03/2024"]).order
    'mdy'
    >>> guess_date_order(["01/02/2024"]).order
    'ambiguous'
    """
    day_first = month_first = slashed = 0
    for value in values:
        if not isinstance(value, str):
            continue
        found = _DMY.search(value)
        if found is None:
            continue
        slashed += 1
        a, b = int(found["a"]), int(found["b"])
        if a > 12 >= b:
            day_first += 1
        elif b > 12 >= a:
            month_first += 1
    return date_order_of(day_first, month_first, slashed)


def date_order_of(day_first: int, month_first: int, slashed: int) -> DateOrderGuess:
    """Return the `DateOrderGuess` of a column from its counts (see `DateOrderGuess`).

    Examples
    --------
    >>> date_order_of(0, 3, 5).order, date_order_of(1, 3, 5).order, date_order_of(0, 0, 5).order
    ('mdy', 'dmy', 'ambiguous')
    """
    if month_first and not day_first:
        order = "mdy"
    elif day_first:
        order = "dmy"
    else:
        order = "ambiguous"
    return DateOrderGuess(order, day_first, month_first, slashed)


def parse_date(
    value: object,
    *,
    order: str = "dmy",
    now: datetime | None = None,
    file: str | None = None,
    row: int | None = None,
    field: str | None = None,
) -> datetime:
    """Parse an incident's date and time into a naive Vietnam wall-clock `datetime`.

    Accepts dd/mm/yyyy [HH:MM[:SS]] (also with ``-`` or ``.``, ``14h30``, ``SA``/``CH``), yyyy-mm-dd
    [HH:MM[:SS]] and ISO 8601 with an offset (converted to Vietnam time), Excel serial dates and
    date/datetime objects (from spreadsheets).

    Parameters
    ----------
    value
        The cell.
    order
        How to read a/b/yyyy: ``"dmy"`` (Vietnamese) or ``"mdy"`` (US); ISO dates are unaffected.
    now
        Dates after this are rejected (default: now in Vietnam).
    file, row, field
        Where the value comes from (carried by the error).

    Raises
    ------
    DataError
        If the value is missing, not a date, not a valid calendar date, in the future or implausibly old.

    Examples
    --------
    >>> parse_date("05/01/2024 14:30", now=datetime(2025, 1, 1))
    datetime.datetime(2024, 1, 5, 14, 30)
    >>> parse_date("14h30 ngày 05-01-2024", now=datetime(2025, 1, 1))
    datetime.datetime(2024, 1, 5, 14, 30)
    >>> parse_date(45296.5, now=datetime(2025, 1, 1))
    datetime.datetime(2024, 1, 5, 12, 0)
    """
    at = At(file, row, field, report_value(value))
    if order not in ("dmy", "mdy"):
        raise at.error(f"Thứ tự ngày «{order}» không hợp lệ (dmy hoặc mdy).")
    parsed = _to_datetime(value, order=order, at=at)
    limit = now or now_local()
    if parsed > limit:
        raise at.error(f"Ngày ở tương lai (sau {limit:%d/%m/%Y %H:%M}): kiểm tra lại ngày, tháng, năm.")
    earliest = datetime.combine(settings.IMPORT_EARLIEST_DATE, time())
    if parsed < earliest:
        raise at.error(f"Ngày quá xa trong quá khứ (trước {earliest:%d/%m/%Y}): kiểm tra lại năm.")
    return parsed


PRECISIONS = ("minute", "day", "month")
"""How precisely an incident's time is known: to the minute, to the day, or only its month."""


_MONTHS_EN = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


_MONTH_ONLY = (
    re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})"),  # 2019-05 (police.uk "Month")
    re.compile(r"(?P<m>\d{1,2})[-/.](?P<y>\d{4})"),  # 05/2019
    re.compile(
        r"(?:tháng|thang|th|t)\s*\.?\s*(?P<m>\d{1,2})\s*(?:[-/.,]|năm|nam)?\s*(?P<y>\d{4})"
    ),  # tháng 5/2019, T5/2019
    re.compile(r"(?P<name>[a-z]{3})[a-z]*\.?,?\s+(?P<y>\d{4})"),  # May 2019
    re.compile(r"(?P<y>\d{4})\s+(?P<name>[a-z]{3})[a-z]*"),  # 2019 May
)


def parse_when(
    value: object,
    *,
    order: str = "dmy",
    now: datetime | None = None,
    file: str | None = None,
    row: int | None = None,
    field: str | None = None,
) -> tuple[datetime, str]:
    """Parse an incident's time and say how precisely it is known (one of `PRECISIONS`).

    Month-only values (``2019-05``, ``05/2019``, ``tháng 5/2019``, ``T5/2019``, ``May 2019``) give the
    first day of the month with precision ``"month"``: such a record counts in its month, never on a
    day. A date without a time is ``"day"``; with a time, ``"minute"``.

    Raises
    ------
    DataError
        As `parse_date`; a month-only value in a month that has not begun yet is in the future.

    Examples
    --------
    >>> parse_when("tháng 5/2019", now=datetime(2025, 1, 1))
    (datetime.datetime(2019, 5, 1, 0, 0), 'month')
    >>> parse_when("2019-05", now=datetime(2025, 1, 1))
    (datetime.datetime(2019, 5, 1, 0, 0), 'month')
    >>> parse_when("05/01/2024", now=datetime(2025, 1, 1))
    (datetime.datetime(2024, 1, 5, 0, 0), 'day')
    >>> parse_when("05/01/2024 14:30", now=datetime(2025, 1, 1))
    (datetime.datetime(2024, 1, 5, 14, 30), 'minute')
    """
    at = At(file, row, field, report_value(value))
    if isinstance(value, str):
        month = _month_only(" ".join(value.lower().split()), at=at)
        if month is not None:
            limit = now or now_local()
            if month > limit:
                raise at.error(f"Tháng ở tương lai (sau {limit:%m/%Y}): kiểm tra lại tháng, năm.")
            earliest = datetime.combine(settings.IMPORT_EARLIEST_DATE, time())
            if month < earliest.replace(day=1):
                raise at.error(f"Tháng quá xa trong quá khứ (trước {earliest:%m/%Y}): kiểm tra lại năm.")
            return month, "month"
    parsed = parse_date(value, order=order, now=now, file=file, row=row, field=field)
    return parsed, "day" if parsed.time() == time() else "minute"


def _month_only(text: str, *, at: At) -> datetime | None:
    for pattern in _MONTH_ONLY:
        found = pattern.fullmatch(text)
        if found is None:
            continue
        if "name" in found.groupdict() and found["name"] is not None:
            if found["name"] not in _MONTHS_EN:
                continue
            month = _MONTHS_EN.index(found["name"]) + 1
        else:
            month = int(found["m"])
        if not 1 <= month <= 12:
            raise at.error(f"Tháng {month} không tồn tại.")
        return datetime(int(found["y"]), month, 1)
    return None


def _to_datetime(value: object, *, order: str, at: At) -> datetime:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise at.error("Thiếu ngày xảy ra: mỗi vụ việc cần có ngày (vd 05/01/2024).", value="")
    if isinstance(value, datetime):
        return _naive_local(value)
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, bool):
        raise at.error("Không phải là ngày.")
    if isinstance(value, int | float):
        try:
            return _from_serial(float(value), at=at)
        except OverflowError:
            raise at.error("Số ngày kiểu Excel không hợp lệ.") from None
    text = " ".join(str(value).lower().split())
    if not text:
        raise at.error("Thiếu ngày xảy ra: mỗi vụ việc cần có ngày (vd 05/01/2024).", value="")
    if _SERIAL.fullmatch(text):
        return _from_serial(float(text.replace(",", ".")), at=at)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+\-]\d{2}:?\d{2})?", text):
        if _OFFSET.search(text):
            try:
                return _naive_local(datetime.fromisoformat(text.upper()))
            except ValueError as exc:
                raise at.error(f"Ngày giờ ISO không hợp lệ ({exc}).") from exc
        text = text.replace("t", " ")
    return _from_text(text, order=order, at=at)


def _naive_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(ZoneInfo(settings.TIMEZONE)).replace(tzinfo=None)


def _from_serial(serial: float, *, at: At) -> datetime:
    if not math.isfinite(serial) or not 1 <= serial <= _EXCEL_MAX_SERIAL:
        raise at.error("Số ngày kiểu Excel không hợp lệ.")
    # Whole seconds: Excel stores times as fractions of a day with rounding noise.
    seconds = round((serial - math.floor(serial)) * 86400)
    return _EXCEL_EPOCH + timedelta(days=math.floor(serial), seconds=seconds)


def _from_text(text: str, *, order: str, at: At) -> datetime:
    # Vietnamese spellings of a time: "14h30", "14 giờ 30 phút", "lúc", "ngày".
    text = re.sub(r"(\d{1,2})\s*(?:h|giờ|g)\s*(\d{1,2})?\s*(?:phút|p|')?(?=\s|$|,)", _hm, text)
    text = re.sub(r"\b(?:lúc|ngày|vào)\b", " ", text)
    text = " ".join(text.replace(",", " ").split())
    ymd = _YMD.search(text)
    dmy = None if ymd else _DMY.search(text)
    found = ymd or dmy
    if found is None:
        raise at.error("Không đọc được ngày: dùng dd/mm/yyyy [HH:MM], yyyy-mm-dd hoặc ô ngày của Excel.")
    rest = (text[: found.start()] + " " + text[found.end() :]).strip()
    clock = _parse_time(rest, at=at)
    year, a, b = int(found["y"]), int(found["a"]), int(found["b"])
    used = "ymd" if ymd else order
    day, month = (b, a) if used == "mdy" else (a, b)
    if not 1 <= month <= 12:
        raise at.error(
            f"Tháng {month} không tồn tại (đang đọc theo {_ORDER_VI[used]}); "
            "nếu tệp dùng tháng/ngày, hãy chọn định dạng ngày mm/dd/yyyy."
        )
    try:
        day_value = date(year, month, day)
    except ValueError:
        raise at.error(f"Ngày {day:02d}/{month:02d}/{year} không có trên lịch.") from None
    return datetime.combine(day_value, clock)


def _hm(found: re.Match[str]) -> str:
    return f"{found[1]}:{found[2] or '00'}"


def _parse_time(text: str, *, at: At) -> time:
    if not text:
        return time()
    found = _TIME_RE.fullmatch(text)
    if found is None:
        raise at.error("Giờ không hợp lệ: dùng HH:MM (vd 14:30).")
    hour, minute, second = int(found["h"]), int(found["mi"] or 0), int(found["s"] or 0)
    if found["ampm"] and found["mi"] is None:
        raise at.error("Giờ không hợp lệ: dùng HH:MM (vd 14:30).")
    if found["ampm"]:
        if not 1 <= hour <= 12:
            raise at.error("Giờ SA/CH (AM/PM) phải từ 1 đến 12.")
        hour = hour % 12 + (12 if found["ampm"] in ("pm", "ch") else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise at.error("Giờ không hợp lệ: giờ 0–23, phút 0–59.")
    return time(hour, minute, second)
