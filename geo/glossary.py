"""The short glossary of the statistics, in either language: for the /targets page and the brief's caveats."""

from __future__ import annotations

from geo.words import word

TERMS = ("rate", "rate_ratio", "ci", "detectable", "comparison", "buffer", "gistar", "fdr")
"""The terms explained, in reading order; each is ``glossary.<term>`` and ``glossary.<term>.text`` in `geo.words`."""


def glossary(lang: str = "vi") -> list[tuple[str, str]]:
    """Return (term, explanation) pairs in ``lang``.

    Examples
    --------
    >>> glossary()[1][0], glossary("en")[1][0]
    ('Tỷ số (tỷ số tỷ lệ)', 'Rate ratio')
    """
    return [(word(f"glossary.{term}", lang), word(f"glossary.{term}.text", lang)) for term in TERMS]
