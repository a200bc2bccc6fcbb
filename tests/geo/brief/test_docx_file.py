"""The Word brief, read back with python-docx: its header, headings, verdicts, tables, pictures and fonts."""

from __future__ import annotations

import io

import docx

from geo.brief.content import Brief
from geo.brief.docx_file import FONT, render_docx


def _read(brief: Brief) -> docx.document.Document:
    return docx.Document(io.BytesIO(render_docx(brief)))


def test_headings_tables_and_header_read_back(demo_brief: Brief) -> None:
    doc = _read(demo_brief)
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings == [
        "I. KẾT LUẬN CHUNG",
        "II. ĐÁNH GIÁ TỪNG XÃ TRỌNG ĐIỂM",
        "III. TÌNH HÌNH VỤ VIỆC TỪ 01/11/2025 ĐẾN 31/10/2026",
        "IV. CÁC ĐIỂM NÓNG CẦN CHÚ Ý",
        "V. LƯU Ý KHI ĐỌC SỐ LIỆU",
        "VI. NGUỒN SỐ LIỆU",
    ]
    targets = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 2"]
    assert targets == [
        "1. Vĩnh Long: Chưa rõ chuyển biến",
        "2. Vĩnh Hùng: Chuyển biến tích cực",
        "3. Vĩnh Thịnh: Diễn biến phức tạp hơn",
    ]
    header = doc.tables[0]
    left, right = (cell.text.split("\n") for cell in header.rows[0].cells)
    assert left[:2] == ["CÔNG AN TỈNH THANH HÓA", "CÔNG AN HUYỆN VĨNH LỘC"]
    assert right == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Vĩnh Lộc, ngày 01 tháng 12 năm 2026",
    ]
    grids = [t for t in doc.tables if t.style is not None and t.style.name == "Table Grid"]
    communes = grids[0]
    assert [c.text for c in communes.rows[0].cells][:3] == ["Xã, thị trấn", "Số vụ", "Cùng kỳ năm trước"]
    names = [row.cells[0].text for row in communes.rows[1:]]
    assert "★ Vĩnh Hùng" in names
    assert len(names) == 13
    bold = {row.cells[0].text for row in communes.rows[1:] if row.cells[0].paragraphs[0].runs[0].bold}
    assert bold == {"★ Vĩnh Long", "★ Vĩnh Hùng", "★ Vĩnh Thịnh"}
    assert next(c.text for c in grids[1].rows[0].cells) == "Thứ tự"
    assert len(doc.inline_shapes) == 3  # the verdict map, the monthly chart, the hot-spot map
    assert "[ Dữ liệu minh họa — không phải số liệu thực ]" in [p.text for p in doc.paragraphs]
    fonts = {run.font.name for p in doc.paragraphs for run in p.runs if run.text}
    assert fonts == {FONT}
    assert doc.core_properties.language == "vi"
    assert doc.sections[0].page_width is not None
    assert round(doc.sections[0].page_width.mm) == 210


def test_a_brief_without_a_plan_has_no_target_section(small_brief: Brief) -> None:
    doc = _read(small_brief)
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings[:2] == ["I. KẾT LUẬN CHUNG", "II. TÌNH HÌNH VỤ VIỆC TỪ 01/01/2025 ĐẾN 31/12/2025"]
    assert not [p for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 2"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Chưa đặt kế hoạch" in text
    assert "Phường $\\x$ Ba Đình" in {row.cells[0].text for t in doc.tables for row in t.rows}
