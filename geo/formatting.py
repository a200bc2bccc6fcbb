"""Numbers written for people: Vietnamese thousands dot and decimal comma, or the English marks (text and charts)."""

from __future__ import annotations


def format_number(value: float, digits: int = 0, *, lang: str = "vi") -> str:
    """Return ``value`` with ``digits`` decimals and the language's thousands and decimal marks.

    Vietnamese (the default) writes 1.234,5; English writes 1,234.5. Used by the dashboard and by
    the command line's tables, so both write numbers the same way.

    Examples
    --------
    >>> format_number(12345.678, 1)
    '12.345,7'
    >>> format_number(12345.678, 1, lang="en")
    '12,345.7'
    >>> format_number(1234)
    '1.234'
    """
    text = f"{value:,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def format_megabytes(n_bytes: float, digits: int = 1, *, lang: str = "vi") -> str:
    """Return a size in binary megabytes (MiB, what file managers show as MB), without the unit.

    Examples
    --------
    >>> format_megabytes(1.5 * 1048576)
    '1,5'
    >>> format_megabytes(50 * 1048576, 0, lang="en")
    '50'
    """
    return format_number(n_bytes / 1048576, digits, lang=lang)


_VI_NUMBER = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]}
_EN_NUMBER = {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", " ₫"]}
_VI_TIME = {
    "dateTime": "%A, %d/%m/%Y %H:%M:%S",
    "date": "%d/%m/%Y",
    "time": "%H:%M:%S",
    "periods": ["SA", "CH"],
    "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
    "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
    "months": [f"tháng {m}" for m in range(1, 13)],
    "shortMonths": [f"Th{m}" for m in range(1, 13)],
}
_EN_TIME = {
    "dateTime": "%A, %d/%m/%Y %H:%M:%S",
    "date": "%d/%m/%Y",
    "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
    "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
    "months": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def chart_locale(lang: str = "vi") -> dict[str, dict[str, object]]:
    """Return the d3 number and time locale of ``lang`` for a Vega-Lite ``config.locale``.

    Charts then write axis labels and tooltips as `format_number` does: 1.234,5 in Vietnamese
    (thousands dot, decimal comma), 1,234.5 in English; dates stay dd/mm/yyyy in both.

    Examples
    --------
    >>> chart_locale()["number"]["decimal"], chart_locale("en")["number"]["decimal"]
    (',', '.')
    """
    if lang == "vi":
        return {"number": dict(_VI_NUMBER), "time": dict(_VI_TIME)}
    return {"number": dict(_EN_NUMBER), "time": dict(_EN_TIME)}
