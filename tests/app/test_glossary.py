"""/targets offers the glossary of the statistics, with or without a plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.usefixtures("demo_env")
def test_the_targets_page_has_the_glossary() -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/targets.py").run()
    assert not at.exception, at.exception
    glossary = next(e for e in at.expander if e.label == "Giải thích thuật ngữ")
    text = "\n".join(m.value for m in glossary.markdown)
    for term in (
        "**Tỷ số (tỷ số tỷ lệ)**",
        "**KTC 95% (khoảng tin cậy 95%)**",
        "**Gi\\* (Getis-Ord)**",
        "**FDR",
    ):
        assert term.replace("\\", "") in text.replace("\\", "")
