"""The offence taxonomy: codes, groups, Vietnamese and English names, Penal Code articles."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geo import settings

GROUPS: dict[str, tuple[str, str]] = {
    "ttxh": ("Tội phạm về trật tự xã hội", "Crimes against social order"),
    "ma_tuy": ("Tội phạm về ma túy", "Drug crimes"),
    "te_nan": ("Tệ nạn xã hội", "Social evils"),
    "mau_thuan": ("Mâu thuẫn trong Nhân dân", "Disputes among residents"),
}
"""Offence groups: code → (Vietnamese name, English name), in display order."""


@dataclass(frozen=True)
class Offence:
    """One offence type of the taxonomy."""

    code: str
    group: str
    name_vi: str
    name_en: str
    article: str


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without diacritics and with single spaces.

    Examples
    --------
    >>> fold("  Trộm cắp   Tài sản ")
    'trom cap tai san'
    >>> fold("Đánh bạc")
    'danh bac'
    """
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.lower().split())


@lru_cache(maxsize=4)
def load_offences(path: Path | None = None) -> tuple[Offence, ...]:
    """Read the taxonomy CSV (``code, group, name_vi, name_en, penal_code_article``)."""
    frame = pd.read_csv(path or settings.REFERENCE_DIR / "offences.csv", dtype=str).fillna("")
    return tuple(
        Offence(
            str(r["code"]),
            str(r["group"]),
            str(r["name_vi"]),
            str(r["name_en"]),
            str(r["penal_code_article"]),
        )
        for r in frame.to_dict("records")
    )


def offence_table() -> pd.DataFrame:
    """Return the taxonomy as a frame indexed by offence code."""
    return pd.DataFrame([o.__dict__ for o in load_offences()]).set_index("code")


def group_of() -> dict[str, str]:
    """Return a mapping offence code → group code."""
    return {o.code: o.group for o in load_offences()}


def offence_name(code: str, *, lang: str = "vi") -> str:
    """Return the display name of an offence code (the code itself if unknown)."""
    for o in load_offences():
        if o.code == code:
            return o.name_vi if lang == "vi" else o.name_en
    return code


def group_name(group: str, *, lang: str = "vi") -> str:
    """Return the display name of an offence group (the code itself if unknown)."""
    names = GROUPS.get(group)
    if names is None:
        return group
    return names[0] if lang == "vi" else names[1]
