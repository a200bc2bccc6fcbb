"""Vietnamese-first UI words (from the `geo.words` catalogue) with an English switch; dates as dd/mm/yyyy."""

from __future__ import annotations

import re
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
    r"""Return data text safe inside Streamlit markdown (captions, alerts, labels, `st.table` cells): shown as written.

    Every character markdown, its math (``$``), HTML (``<``), tables (``|``) or entities (``&``)
    would read is backslash-escaped, ``_`` unless inside a word (where it never emphasises), and a
    line that would start a heading, a list, a quote or a rule gets its first mark escaped; so a name
    or message from an imported file cannot become a link, an image (which the browser would fetch:
    a remote request from an offline app), a formula, bold text or markup.

    >>> md("![i](http://198.51.100.1/x.png) $x$ **b** <b> so_vu_viec.csv")
    '!\\[i\\](http://198.51.100.1/x.png) \\$x\\$ \\*\\*b\\*\\* \\<b\\> so_vu_viec.csv'
    """
    escaped = _MD_INLINE.sub(r"\\\1", str(text))
    escaped = _MD_UNDERSCORE.sub(r"\\_", escaped)
    return _MD_LINE_START.sub(_line_start, escaped)


def _line_start(match: re.Match[str]) -> str:
    lead, mark = match.group(1), match.group(2)
    if lead.strip() and mark not in ".)":  # "12-…" after digits starts nothing
        return match.group(0)
    if not lead.strip() and mark in ".)":  # a line starting with "." or ")" starts nothing either
        return match.group(0)
    return f"{lead}\\{mark}"


_MD_INLINE = re.compile(r"([\\`*\[\]<>$~|&])")
"""Characters escaped wherever they are."""
_MD_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
"""An underscore not between two letters or digits (one inside a word never emphasises)."""
_MD_LINE_START = re.compile(r"(?m)^([ \t]*(?:\d+)?)([#+=>.)-])")
"""The first mark of a line that would start a heading, list, quote, rule or setext underline."""


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
