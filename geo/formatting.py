"""Numbers written for people: Vietnamese thousands dot and decimal comma, or the English marks."""

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
