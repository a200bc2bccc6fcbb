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


def test_every_markdown_mark_in_data_is_escaped() -> None:
    """Math, emphasis, HTML, tables, entities and line-start marks all read as written."""
    cases = {
        "$x$ và $$y$$": r"\$x\$ và \$\$y\$\$",
        "**b** *i* ~~s~~ `c`": r"\*\*b\*\* \*i\* \~\~s\~\~ \`c\`",
        "<img src=x onerror=alert(1)>": r"\<img src=x onerror=alert(1)\>",
        "a | b &amp; c": r"a \| b \&amp; c",
        "so_vu_viec.csv __init__ _x_": r"so_vu_viec.csv \_\_init\_\_ \_x\_",
        "# Tiêu đề\n- mục\n1. một\n> trích\n===": "\\# Tiêu đề\n\\- mục\n1\\. một\n\\> trích\n\\===",
        "tệp «thang10.csv», dòng 7 (lon): 31/02/2023 12-3": "tệp «thang10.csv», dòng 7 (lon): 31/02/2023 12-3",
    }
    for text, escaped in cases.items():
        assert md(text) == escaped
        assert re.sub(r"\\(.)", r"\1", md(text)) == text
