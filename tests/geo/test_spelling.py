"""One spelling of the words a report repeats: "tỷ lệ", "tỷ số" (never "tỉ"), and the verdict words of police reports."""

from __future__ import annotations

import re
from pathlib import Path

from geo.evaluation.effects import VERDICTS
from geo.words import keys, word

ROOT = Path(__file__).resolve().parents[2]
_TI = re.compile(r"\b[Tt]ỉ(?=\s)")
"""The syllable "tỉ" on its own ("tỉ lệ", "tỉ số"), not "tỉnh"."""


def test_the_catalogue_writes_ty_le_never_ti_le() -> None:
    found = [(k, word(k)) for k in sorted(keys("vi")) if _TI.search(word(k))]
    assert found == []
    assert "tỷ lệ" in word("calib.q_help")


def test_code_and_docs_write_ty_le_never_ti_le() -> None:
    paths = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "geo").rglob("*.py")]
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in paths
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if _TI.search(line)
    ]
    assert found == []


def test_verdicts_use_the_register_of_police_reports_in_the_catalogue_and_the_command_line() -> None:
    words = {key: word(f"verdict.{key}") for key in VERDICTS}
    assert words == {
        "improving": "Chuyển biến tích cực",
        "unclear": "Chưa rõ chuyển biến",
        "worsening": "Diễn biến phức tạp hơn",
        "insufficient": "Chưa đủ dữ liệu",
    }
    assert {key: vi for key, (vi, _) in VERDICTS.items()} == words
    assert {key: en for key, (_, en) in VERDICTS.items()} == {
        key: word(f"verdict.{key}", "en") for key in VERDICTS
    }
    old = re.compile(r"Cải thiện|Xấu đi|\bImproving\b|\bWorsening\b")
    assert [k for k in keys("vi") if old.search(word(k)) or old.search(word(k, "en"))] == []
