"""The one word catalogue of the project: UI, command line and export headers, in Vietnamese and English.

The words live in ``vi.toml`` and ``en.toml`` next to this module, one TOML table per area: the key
``"filter.period"`` is ``period = "..."`` under ``[filter]``. Keys whose last part holds a dot or a minus
sign are quoted (``"gi.-1" = "..."`` under ``[hot]`` is ``"hot.gi.-1"``); nested tables work too
(``[export.incident]``). Both files must hold the same keys with the same ``{name}`` fields
(tests/geo/test_words.py). New words go here, not in code.

Examples
--------
>>> word("filter.period")
'Khoảng thời gian'
>>> word("filter.period", "en")
'Period'
>>> word("filter.summary", "en", n=3, start="01/01/2024", end="31/01/2024")
'3 incidents from 01/01/2024 to 31/01/2024'
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LANGS = ("vi", "en")
"""Languages of the catalogue; the first is the default and the fallback."""

_HERE = Path(__file__).resolve().parent


def word(key: str, lang: str = "vi", **kwargs: object) -> str:
    """Return the word ``key`` in ``lang``, formatted with ``kwargs`` when any are given.

    An unknown ``lang`` falls back to Vietnamese. Without ``kwargs`` the text is returned as written
    (braces and all), so a word without ``{name}`` fields never needs escaping.

    Raises
    ------
    KeyError
        ``key`` is not in the catalogue.
    """
    words = _catalogue(lang if lang in LANGS else LANGS[0])
    try:
        text = words[key]
    except KeyError:
        raise KeyError(f"no word {key!r} in geo/words") from None
    return text.format(**kwargs) if kwargs else text


def keys(lang: str = "vi") -> frozenset[str]:
    """Return every key of the catalogue in ``lang`` (both languages hold the same keys)."""
    return frozenset(_catalogue(lang if lang in LANGS else LANGS[0]))


@cache
def _catalogue(lang: str) -> dict[str, str]:
    """Return the flat ``{dotted key: text}`` of ``<lang>.toml``, read once."""
    with (_HERE / f"{lang}.toml").open("rb") as file:
        data = tomllib.load(file)
    flat: dict[str, str] = {}
    _flatten(data, "", flat, lang)
    return flat


def _flatten(table: dict[str, Any], prefix: str, out: dict[str, str], lang: str) -> None:
    for name, value in table.items():
        key = prefix + name
        if isinstance(value, dict):
            _flatten(value, key + ".", out, lang)
            continue
        if not isinstance(value, str):
            raise TypeError(f"word {key!r} in geo/words/{lang}.toml is not a string")
        if key in out:
            raise KeyError(f"word {key!r} is written twice in geo/words/{lang}.toml")
        out[key] = value
