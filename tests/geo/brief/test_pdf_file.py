"""The PDF brief, read back with PDFium: 2–4 A4 pages, the words with their diacritics, fonts embedded, pages drawn."""

from __future__ import annotations

import unicodedata

import numpy as np
import pypdfium2 as pdfium

from geo.brief.content import Brief
from geo.brief.pdf_file import render_pdf


def _pages(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    return [unicodedata.normalize("NFC", page.get_textpage().get_text_range()) for page in document]


def test_the_pdf_says_the_targets_and_verdicts_with_their_marks(demo_brief: Brief) -> None:
    data = render_pdf(demo_brief)
    assert data.startswith(b"%PDF-")
    pages = _pages(data)
    assert 2 <= len(pages) <= 4
    text = " ".join(" ".join(page.split()) for page in pages)
    for phrase in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Vĩnh Lộc, ngày 01 tháng 12 năm 2026",
        "1. Vĩnh Long: Chưa rõ chuyển biến",
        "2. Vĩnh Hùng: Chuyển biến tích cực",
        "3. Vĩnh Thịnh: Diễn biến phức tạp hơn",
        "Dữ liệu minh họa",
        "★ Vĩnh Thịnh",
        "không chứng minh kế hoạch là nguyên nhân",
        "NGƯỜI LẬP BÁO CÁO",
    ):
        assert phrase in text, phrase
    assert pages[0].count("CÔNG AN HUYỆN VĨNH LỘC") == 1
    assert f"1/{len(pages)}" in pages[0]
    assert b"/FontFile2" in data  # TrueType fonts embedded, not referenced


def test_every_page_renders_to_an_image_with_ink_on_it(demo_brief: Brief) -> None:
    document = pdfium.PdfDocument(render_pdf(demo_brief))
    for page in document:
        width, height = page.get_size()
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
        pixels = np.asarray(page.render(scale=60 / 72).to_pil().convert("L"))
        ink = (pixels < 200).mean()
        assert 0.01 < ink < 0.5, ink


def test_a_brief_without_a_plan_renders(small_brief: Brief) -> None:
    pages = _pages(render_pdf(small_brief))
    assert 2 <= len(pages) <= 4
    text = " ".join(" ".join(page.split()) for page in pages)
    assert "Chưa đặt kế hoạch" in text
    assert "Phường $\\x$ Ba Đình" in text
    assert "CÔNG AN THÀNH PHỐ THANH HÓA" in text
    assert "Đánh giá từng" not in text
