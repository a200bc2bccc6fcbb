"""The UI's text helpers: data shown inside Streamlit markdown stays text."""

from __future__ import annotations

import re

from ui.i18n import md


def test_data_text_cannot_become_a_link_or_an_image() -> None:
    """An imported name written as markdown keeps no unescaped bracket, so it renders as written."""
    name = "Xã ![x](http://example.invalid/p.png) [bấm](http://example.invalid) \\[a]"
    escaped = md(name)
    assert not re.search(r"(?<!\\)(?:\\\\)*[\[\]]", escaped)
    # Undoing the escapes gives back the text exactly.
    assert re.sub(r"\\(.)", r"\1", escaped) == name
