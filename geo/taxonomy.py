"""The offence taxonomy: codes, groups, Vietnamese and English names, Penal Code articles.

The base taxonomy ships in ``data/reference/offences.csv`` (the groups of a Vietnamese ANTT report,
`GROUPS`). An area may extend it with its own categories (a foreign "Other crime", a local kind of
incident): the store keeps them, and opening a store makes its taxonomy the *active* one
(`activate`), which every lookup here reads (`load_offences`, `groups`, `group_of`, `offence_name`,
`group_name`). A process serves one store, so one active taxonomy is enough; it is replaced, never
mutated.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
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
    "kinh_te": ("Tội phạm về kinh tế", "Economic crimes"),
    "giao_thong": ("Tai nạn giao thông", "Traffic accidents"),
    "chay_no": ("Cháy, nổ", "Fires and explosions"),
}
"""The base offence groups: code → (Vietnamese name, English name), in display order."""


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


@dataclass(frozen=True)
class Taxonomy:
    """A whole taxonomy: the groups (code → (Vietnamese, English) name, in display order) and the offences."""

    groups: dict[str, tuple[str, str]]
    offences: tuple[Offence, ...]

    def extended(self, offences: Iterable[Offence], groups: Mapping[str, tuple[str, str]]) -> Taxonomy:
        """Return this taxonomy with ``offences`` and ``groups`` added (an existing code keeps its entry)."""
        known = {o.code for o in self.offences}
        added = tuple(o for o in offences if o.code not in known)
        return Taxonomy(
            self.groups | {g: names for g, names in groups.items() if g not in self.groups},
            self.offences + added,
        )


@lru_cache(maxsize=4)
def read_offences(path: Path) -> tuple[Offence, ...]:
    """Read a taxonomy CSV (``code, group, name_vi, name_en, penal_code_article``)."""
    frame = pd.read_csv(path, dtype=str).fillna("")
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


@lru_cache(maxsize=1)
def base() -> Taxonomy:
    """Return the taxonomy that ships with the dashboard."""
    return Taxonomy(dict(GROUPS), read_offences(settings.REFERENCE_DIR / "offences.csv"))


_active: Taxonomy | None = None


def activate(taxonomy: Taxonomy | None) -> None:
    """Make ``taxonomy`` the one every lookup reads (None: the base); done when a store is opened."""
    global _active  # noqa: PLW0603 (one active taxonomy per process, replaced whole)
    _active = taxonomy


def active() -> Taxonomy:
    """Return the active taxonomy: the open store's (base and the area's own categories), else the base."""
    return _active or base()


def load_offences(path: Path | None = None) -> tuple[Offence, ...]:
    """Return the offences of the active taxonomy (or of the CSV at ``path``)."""
    return read_offences(path) if path is not None else active().offences


def groups() -> dict[str, tuple[str, str]]:
    """Return the groups of the active taxonomy: code → (Vietnamese name, English name), in display order."""
    return active().groups


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
    names = groups().get(group)
    if names is None:
        return group
    return names[0] if lang == "vi" else names[1]
