"""The brief as a Word document (python-docx), A4 in the layout of Nghị định 30/2020/NĐ-CP.

The decree's typeface, Times New Roman (it carries every Vietnamese letter), is named for every run,
East Asian and complex scripts included, so Word never substitutes a font without the marks; the
headings are real Word headings (the navigation pane lists them) and the tables real tables.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_PARAGRAPH_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor
from docx.table import Table as DocTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocParagraph
from docx.text.run import Run

from geo.brief.content import Brief, Header, Images, Paragraph, Section, Table, Verdict, roman

FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 10.5
NOTE_PT = 11
GREY = RGBColor(0x55, 0x55, 0x55)
DEMO_RED = RGBColor(0xA5, 0x0F, 0x15)
TEXT_WIDTH_MM = 160.0
"""A4 (210 mm) less the margins of Nghị định 30 used here: left 30 mm, right 20 mm."""


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _fonts(run: Run, *, size: float, bold: bool = False, italic: bool = False) -> Run:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    return run


def _text(
    paragraph: DocParagraph,
    text: str,
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    colour: RGBColor | None = None,
) -> Run:
    run = _fonts(paragraph.add_run(_clean(text)), size=size, bold=bold, italic=italic)
    if colour is not None:
        run.font.color.rgb = colour
    return run


def _spacing(
    paragraph: DocParagraph,
    *,
    before: float = 0,
    after: float = 3,
    align: WD_PARAGRAPH_ALIGNMENT | None = None,
) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if align is not None:
        paragraph.alignment = align


def _no_borders(table: object) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)  # type: ignore[attr-defined]


def _widths(table: DocTable, widths: Sequence[Length]) -> None:
    """Fix the column widths (the grid Word and LibreOffice lay out, and every cell's own width)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _line(cell: _Cell, text: str, *, size: float, bold: bool = False, italic: bool = False) -> DocParagraph:
    first = cell.paragraphs[0]
    paragraph = first if len(cell.paragraphs) == 1 and not first.runs else cell.add_paragraph()
    _spacing(paragraph, after=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    _text(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def _underline(paragraph: DocParagraph) -> None:
    """Underline a header line's text, as the decree's short rule under the issuer and the motto."""
    for run in paragraph.runs:
        run.font.underline = True


def _header(doc: DocumentObject, header: Header) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, [Mm(64), Mm(100)])
    left, right = table.rows[0].cells
    if header.parent:
        _line(left, header.parent, size=12)
    _underline(_line(left, header.issuer, size=12, bold=True))
    _line(left, header.number, size=12)
    _line(right, header.motto, size=12, bold=True)
    _underline(_line(right, header.motto_sub, size=13, bold=True))
    _spacing(
        _line(right, header.place_date, size=13, italic=True),
        before=4,
        after=0,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    title = doc.add_paragraph()
    _spacing(title, before=12, after=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    _text(title, header.title, size=14, bold=True)
    subtitle = doc.add_paragraph()
    _spacing(subtitle, after=4, align=WD_ALIGN_PARAGRAPH.CENTER)
    _text(subtitle, header.subtitle, size=13, bold=True)
    if header.demo:
        demo = doc.add_paragraph()
        _spacing(demo, after=6, align=WD_ALIGN_PARAGRAPH.CENTER)
        _text(demo, f"[ {header.demo} ]", size=12, bold=True, colour=DEMO_RED)


def _heading(doc: DocumentObject, number: int, section: Section) -> None:
    paragraph = doc.add_heading(level=1)
    _spacing(paragraph, before=8, after=3)
    paragraph.paragraph_format.keep_with_next = True
    _text(
        paragraph,
        f"{roman(number)}. {section.heading.upper()}",
        size=BODY_PT,
        bold=True,
        colour=RGBColor(0, 0, 0),
    )


def _paragraph(doc: DocumentObject, block: Paragraph) -> None:
    paragraph = doc.add_paragraph()
    _spacing(paragraph, after=3, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph.paragraph_format.first_line_indent = Mm(0 if block.note else 10)
    size = NOTE_PT if block.note else BODY_PT
    if block.lead:
        _text(paragraph, block.lead + " ", size=size, bold=True)
    _text(paragraph, block.text, size=size, italic=block.note, colour=GREY if block.note else None)


def _verdict(doc: DocumentObject, block: Verdict) -> None:
    title = doc.add_heading(level=2)
    _spacing(title, before=4, after=1)
    title.paragraph_format.keep_with_next = True
    _text(title, f"{block.number}. {block.name}: ", size=BODY_PT, bold=True, colour=RGBColor(0, 0, 0))
    _text(
        title,
        block.word,
        size=BODY_PT,
        bold=True,
        colour=RGBColor.from_string(block.colour.lstrip("#").upper()),
    )
    for line in block.lines:
        paragraph = doc.add_paragraph()
        _spacing(paragraph, after=1, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        paragraph.paragraph_format.left_indent = Mm(5)
        _text(paragraph, f"- {line}")


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _table(doc: DocumentObject, block: Table) -> None:
    table = doc.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(block.widths)
    widths = [Mm(TEXT_WIDTH_MM * w / total) for w in block.widths]
    heading = table.rows[0]
    heading_props = heading._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    heading_props.append(repeat)
    for cell, text in zip(heading.cells, block.columns, strict=True):
        _shade(cell, "E8ECF1")
        paragraph = cell.paragraphs[0]
        _spacing(paragraph, after=0, align=WD_ALIGN_PARAGRAPH.CENTER)
        _text(paragraph, text, size=TABLE_PT, bold=True)
    for index, cells in enumerate(block.rows):
        row = table.add_row()
        for cell, text, numeric in zip(row.cells, cells, block.numeric, strict=True):
            paragraph = cell.paragraphs[0]
            _spacing(
                paragraph, after=0, align=WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT
            )
            _text(paragraph, text, size=TABLE_PT, bold=index in block.bold_rows)
    _widths(table, widths)
    doc.add_paragraph().paragraph_format.space_after = Pt(2)


def _caption(paragraph: DocParagraph, text: str) -> None:
    _spacing(paragraph, after=4, align=WD_ALIGN_PARAGRAPH.CENTER)
    _text(paragraph, text, size=NOTE_PT - 1, italic=True, colour=GREY)


def _images(doc: DocumentObject, block: Images) -> None:
    total = sum(image.width for image in block.items)
    usable = TEXT_WIDTH_MM * min(1.0, total) - 4 * (len(block.items) - 1)
    if len(block.items) == 1:
        image = block.items[0]
        paragraph = doc.add_paragraph()
        _spacing(paragraph, after=0, align=WD_ALIGN_PARAGRAPH.CENTER)
        paragraph.paragraph_format.keep_with_next = True
        paragraph.add_run().add_picture(io.BytesIO(image.png), width=Mm(usable))
        _caption(doc.add_paragraph(), image.caption)
        return
    table = doc.add_table(rows=2, cols=len(block.items))
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    sizes = [usable * image.width / total for image in block.items]
    _widths(table, [Mm(size + 2) for size in sizes])
    for column, (image, width) in enumerate(zip(block.items, sizes, strict=True)):
        picture, caption = table.cell(0, column), table.cell(1, column)
        paragraph = picture.paragraphs[0]
        _spacing(paragraph, after=0, align=WD_ALIGN_PARAGRAPH.CENTER)
        paragraph.add_run().add_picture(io.BytesIO(image.png), width=Mm(width))
        _caption(caption.paragraphs[0], image.caption)


def _closing(doc: DocumentObject, brief: Brief) -> None:
    c = brief.closing
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [Mm(80), Mm(80)])
    left, right = table.rows[0].cells
    label = left.paragraphs[0]
    _spacing(label, before=10, after=0)
    _text(label, c.recipients_label, size=12, bold=True, italic=True)
    for line in c.recipients:
        paragraph = left.add_paragraph()
        _spacing(paragraph, after=0)
        _text(paragraph, line, size=11)
    signer = right.paragraphs[0]
    _spacing(signer, before=10, after=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    _text(signer, c.signer, size=13, bold=True)
    _line(right, c.signer_note, size=12, italic=True)


def _page_setup(doc: DocumentObject, brief: Brief) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(20)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    footer = section.footer.paragraphs[0]
    _spacing(footer, after=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    _text(footer, f"{brief.footer} — ", size=8, colour=GREY)
    _page_field(footer)
    props = doc.core_properties
    props.title = _clean(f"{brief.header.title} — {brief.header.subtitle}")
    props.author = _clean(brief.header.issuer)
    props.language = brief.lang


def _page_field(paragraph: DocParagraph) -> None:
    """Add the current page number as a Word field (updated by Word as it lays the pages out)."""
    run = _fonts(paragraph.add_run(), size=8)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = "PAGE"
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def render_docx(brief: Brief) -> bytes:
    """Return the brief as a Word document (.docx)."""
    doc = Document()
    _page_setup(doc, brief)
    _header(doc, brief.header)
    for number, section in enumerate(brief.sections, start=1):
        _heading(doc, number, section)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                _paragraph(doc, block)
            elif isinstance(block, Verdict):
                _verdict(doc, block)
            elif isinstance(block, Table):
                _table(doc, block)
            else:
                _images(doc, block)
    _closing(doc, brief)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
