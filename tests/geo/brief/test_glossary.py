"""The glossary of the statistics: every term in both languages, in the brief's caveats and on /targets."""

from __future__ import annotations

from datetime import date

from geo.brief.compose import compose
from geo.brief.content import Brief, Inputs, Paragraph
from geo.filters import IncidentFilter
from geo.glossary import TERMS, glossary
from tests.geo.brief.conftest import NOW


def test_every_term_is_explained_in_both_languages() -> None:
    vi, en = glossary("vi"), glossary("en")
    assert len(vi) == len(en) == len(TERMS) >= 8
    assert [term for term, _ in en] == [
        "Rate per 1,000 residents",
        "Rate ratio",
        "95% CI (confidence interval)",
        "Smallest detectable change",
        "Comparison communes",
        "Neighbouring communes",
        "Gi* (Getis-Ord)",
        "FDR (false discovery rate)",
    ]
    assert [term for term, _ in vi][:4] == [
        "Tỷ lệ trên 1.000 dân",
        "Tỷ số (tỷ số tỷ lệ)",
        "KTC 95% (khoảng tin cậy 95%)",
        "Mức thay đổi nhỏ nhất phát hiện được",
    ]
    assert all(text and text[-1] == "." for _, text in vi + en)
    assert "Chưa rõ chuyển biến" in dict(vi)["Mức thay đổi nhỏ nhất phát hiện được"]


def _caveats(brief: Brief) -> list[Paragraph]:
    section = next(s for s in brief.sections if s.heading in ("Lưu ý khi đọc số liệu", "Reading the figures"))
    return [b for b in section.blocks if isinstance(b, Paragraph)]


def test_the_brief_prints_the_glossary_in_its_caveats(demo_brief: Brief, demo_inputs: Inputs) -> None:
    leads = [p.lead for p in _caveats(demo_brief)]
    assert "Giải thích thuật ngữ." in leads
    assert [f"{term}:" for term, _ in glossary("vi")] == leads[-len(TERMS) :]
    english = compose(
        demo_inputs, lang="en", now=NOW, period=IncidentFilter(date(2026, 1, 1), date(2026, 10, 31))
    )
    assert "Rate ratio:" in [p.lead for p in _caveats(english)]
