"""Parse the numbers of imported files: decimal commas, thousands, degrees (and degrees-minutes-seconds).

Every parser returns a valid value or raises `DataError` carrying the file, row and field it was given,
with a Vietnamese message that names the rule and the fix.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from geo._errors import DataError
from geo._validate import value_text


def report_value(value: object) -> str:
    """Return a value as a report shows it: short, on one line (a line break cannot fake a report line)."""
    return " ".join(value_text(value).split())


@dataclass(frozen=True)
class At:
    """Where a value comes from, to build errors that name it."""

    file: str | None
    row: int | None
    field: str | None
    value: str

    def error(self, message: str, *, value: str | None = None) -> DataError:
        """Return the `DataError` of ``message`` for this value (``value``: the value shown instead)."""
        shown = self.value if value is None else value
        return DataError(message, file=self.file, row=self.row, field=self.field, value=shown)


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?")


_GROUPED_DOT = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?(?:e[+-]?\d+)?")


_GROUPED_COMMA = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:e[+-]?\d+)?")


def parse_number(
    value: object,
    *,
    file: str | None = None,
    row: int | None = None,
    field: str | None = None,
) -> float:
    """Parse a number written with a decimal comma or point, optionally with thousands separators.

    One separator is the decimal mark (``105,6123`` and ``105.6123`` are equal); with both, the last
    one is the decimal mark and the other groups thousands (``2.217.920,5`` and ``2,217,920.5``).

    Raises
    ------
    DataError
        If the value is missing, not a number, or not finite.

    Examples
    --------
    >>> parse_number("105,6123")
    105.6123
    >>> parse_number("2.217.920,5")
    2217920.5
    >>> parse_number("−20.5")
    -20.5
    """
    at = At(file, row, field, report_value(value))
    if isinstance(value, bool):
        raise at.error("Không phải là số.")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # a spreadsheet's integer of hundreds of digits
            raise at.error("Số quá lớn.") from None
    else:
        if value is None:
            raise at.error("Thiếu giá trị số.", value="")
        text = str(value).strip().lower()
        for space in (" ", "\u00a0", "\u202f", "'"):
            text = text.replace(space, "")
        text = text.replace("\u2212", "-")
        if not text:
            raise at.error("Thiếu giá trị số.", value="")
        number = _number_text(text, at=at)
    if not math.isfinite(number):
        raise at.error("Số không hữu hạn.")
    return number


def _number_text(text: str, *, at: At) -> float:
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            if not _GROUPED_DOT.fullmatch(text):
                raise at.error("Số không hợp lệ (dấu chấm nhóm nghìn, dấu phẩy thập phân).")
            text = text.replace(".", "").replace(",", ".")
        else:
            if not _GROUPED_COMMA.fullmatch(text):
                raise at.error("Số không hợp lệ (dấu phẩy nhóm nghìn, dấu chấm thập phân).")
            text = text.replace(",", "")
    elif text.count(",") > 1 or text.count(".") > 1:
        pattern = _GROUPED_COMMA if "," in text else _GROUPED_DOT
        if not pattern.fullmatch(text):
            raise at.error("Số không hợp lệ: có nhiều dấu thập phân.")
        text = text.replace(",", "").replace(".", "")
    else:
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        raise at.error("Không phải là số (vd 105,6123 hoặc 105.6123).")
    return float(text)


_THOUSANDS = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")


def parse_count(
    value: object,
    *,
    file: str | None = None,
    row: int | None = None,
    field: str | None = None,
) -> int:
    """Parse a whole number such as a population; ``10.235`` and ``10,235`` are ten thousand and more.

    Raises
    ------
    DataError
        If the value is missing, not a number, negative or not whole.

    Examples
    --------
    >>> parse_count("10.235")
    10235
    >>> parse_count(7400.0)
    7400
    """
    at = At(file, row, field, report_value(value))
    if isinstance(value, str):
        text = "".join(value.split()).replace("\u00a0", "")
        if _THOUSANDS.fullmatch(text):
            digits = re.sub(r"[.,]", "", text)
            if len(digits) > len(str(_MAX_COUNT)):
                raise at.error(f"Số quá lớn (tối đa {_MAX_COUNT:,}).".replace(",", "."))
            return _bounded(int(digits), at=at)
    number = parse_number(value, file=file, row=row, field=field)
    if number < 0 or not float(number).is_integer():
        raise at.error("Phải là số nguyên không âm (vd 7.400).")
    return _bounded(int(number), at=at)


_MAX_COUNT = 10**12
"""Largest count accepted (a population, a year's figure): beyond it, a mistyped or hostile cell."""


def _bounded(count: int, *, at: At) -> int:
    if count > _MAX_COUNT:
        raise at.error(f"Số quá lớn (tối đa {_MAX_COUNT:,}).".replace(",", "."))
    return count


_DMS = re.compile(
    r"(?P<d>\d{1,3}(?:[.,]\d+)?)\s*°\s*(?:(?P<m>\d{1,2}(?:[.,]\d+)?)\s*['′’]\s*)?"
    r"(?:(?P<s>\d{1,2}(?:[.,]\d+)?)\s*(?:\"|″|''|”)\s*)?(?P<h>[nsew])?"
)


def parse_degrees(
    value: object,
    *,
    file: str | None = None,
    row: int | None = None,
    field: str | None = None,
) -> float:
    r"""Parse a longitude or latitude: a decimal number (see `parse_number`) or degrees-minutes-seconds.

    Examples
    --------
    >>> round(parse_degrees("20°05'06\"N"), 5)
    20.085
    >>> parse_degrees("105,65")
    105.65
    """
    if isinstance(value, str) and "°" in value:
        at = At(file, row, field, report_value(value))
        found = _DMS.fullmatch(" ".join(value.strip().lower().split()))
        if found is None:
            raise at.error("Tọa độ độ-phút-giây không hợp lệ (vd 20°05'06\"N).")
        parts = [float((found[k] or "0").replace(",", ".")) for k in ("d", "m", "s")]
        if parts[1] >= 60 or parts[2] >= 60:
            raise at.error("Phút và giây phải nhỏ hơn 60.")
        degrees = parts[0] + parts[1] / 60 + parts[2] / 3600
        return -degrees if found["h"] in ("s", "w") else degrees
    return parse_number(value, file=file, row=row, field=field)
