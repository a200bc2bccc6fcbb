"""Vietnamese-first UI words (from the `geo.words` catalogue) with an English switch; dates as dd/mm/yyyy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import streamlit as st

from geo.formatting import format_number
from geo.words import LANGS, word

LANG_KEY = "ui.lang"
__all__ = ["LANGS", "LANG_KEY", "fmt_date", "fmt_int", "fmt_num", "lang", "md", "number_format", "t"]


def lang() -> str:
    """Return the current language code ("vi" or "en")."""
    value = st.session_state.get(LANG_KEY, "vi")
    return value if value in LANGS else "vi"


def t(key: str, **kwargs: object) -> str:
    """Return the word ``key`` of `geo.words` in the current language, formatted with ``kwargs``."""
    return word(key, lang(), **kwargs)


def md(text: object) -> str:
    """Return data text safe inside Streamlit markdown (captions, alerts, labels): shown as written.

    Brackets and backslashes are escaped, so a name or message from an imported file cannot become
    a link or an image (which the browser would fetch: a remote request from an offline app).
    """
    return str(text).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def fmt_date(value: date | datetime) -> str:
    """Format a date as dd/mm/yyyy (both languages: the customer's convention)."""
    return value.strftime("%d/%m/%Y")


def fmt_int(value: float) -> str:
    """Format an integer with the Vietnamese thousands separator (a dot) or the English comma."""
    return format_number(round(value), lang=lang())


def fmt_num(value: float, digits: int = 1, *, signed: bool = False) -> str:
    """Format a decimal number with the language's decimal mark (and a sign when ``signed``)."""
    text = format_number(value, digits, lang=lang())
    return "+" + text if signed and not text.startswith("-") else text


def number_format(digits: int = 0, *, signed: bool = False, suffix: str = "") -> Callable[[float], str]:
    """Return a cell formatter for tables: grouping and decimal mark of the language, optional sign."""
    return lambda value: fmt_num(value, digits, signed=signed) + suffix
