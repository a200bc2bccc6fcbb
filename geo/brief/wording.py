"""The words and numbers of the brief in one language: the catalogue, Vietnamese or English marks, dates, changes."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

from geo import settings
from geo.formatting import format_number
from geo.words import word


class Words:
    """The words and numbers of one language (``w("key", …)``, ``w.n(1234)``, ``w.d(day)``, ``w.change(pct)``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **kwargs: object) -> str:
        """Return the word ``key`` in this language, formatted with ``kwargs``."""
        return word(key, self.lang, **kwargs)

    def n(self, value: float, digits: int = 0) -> str:
        """Return a number with this language's thousands and decimal marks."""
        return format_number(value, digits, lang=self.lang)

    @staticmethod
    def d(day: date | datetime) -> str:
        """Return a day as dd/mm/yyyy (both languages)."""
        return day.strftime("%d/%m/%Y")

    def change(self, pct: float | None) -> str:
        """Return a change in plain words: "giảm 39%", "tăng 31%", "gần như không đổi"."""
        if pct is None or not np.isfinite(pct):
            return self("change.none")
        if abs(pct) < settings.CHANGE_FLAT_PCT:
            return self("change.flat")
        return self("change.down" if pct < 0 else "change.up", pct=self.n(abs(pct)))
