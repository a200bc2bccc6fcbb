"""The brief as PDF (fpdf2), A4 in the layout of Nghị định 30/2020/NĐ-CP, with embedded DejaVu Serif.

The fonts are matplotlib's own DejaVu TTFs (installed with it by ``make deps``; they carry every
Vietnamese letter with its marks), embedded as subsets: nothing is fetched at run time and the file
reads the same on any machine. Text is NFC-normalised, so a name typed with combining marks draws
as one letter.
"""

from __future__ import annotations

import io
import unicodedata
from functools import cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

from geo.brief.content import Brief, Header, Images, Paragraph, Section, Table, Verdict, roman

FONT = "dejavu-serif"
FALLBACK = "dejavu-sans"
BODY_PT = 10.5
NOTE_PT = 9.0
TABLE_PT = 8.5
LINE_MM = 5.0
MARGINS_MM = (30.0, 20.0, 15.0, 18.0)
"""Left, top, right, bottom margins (Nghị định 30: left 30–35, right 15–20, top and bottom 20–25)."""

INK = (17, 17, 17)
GREY = (90, 90, 90)
DEMO_RED = (165, 15, 21)


@cache
def font_dir() -> Path:
    """Return matplotlib's folder of DejaVu TTFs (``mpl-data/fonts/ttf``)."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


class _Document(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        folder = font_dir()
        for style, name in (("", "DejaVuSerif"), ("B", "DejaVuSerif-Bold"), ("I", "DejaVuSerif-Italic")):
            self.add_font(FONT, style, str(folder / f"{name}.ttf"))
        self.add_font(FONT, "BI", str(folder / "DejaVuSerif-BoldItalic.ttf"))
        # Symbols the serif lacks (★ marks a target) come from DejaVu Sans, in the same style.
        for style, name in (("", "DejaVuSans"), ("B", "DejaVuSans-Bold"), ("I", "DejaVuSans-Oblique")):
            self.add_font(FALLBACK, style, str(folder / f"{name}.ttf"))
        self.add_font(FALLBACK, "BI", str(folder / "DejaVuSans-BoldOblique.ttf"))
        self.set_fallback_fonts([FALLBACK])
        left, top, right, bottom = MARGINS_MM
        self.set_margins(left, top, right)
        self.set_auto_page_break(auto=True, margin=bottom)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*GREY)
        self.cell(0, 4, _clean(self.footer_text), align=Align.L)
        self.set_x(self.l_margin)
        self.cell(0, 4, f"{self.page_no()}/{{nb}}", align=Align.R)
        self.set_text_color(*INK)

    @property
    def text_width(self) -> float:
        return self.w - self.l_margin - self.r_margin


def _centred(
    pdf: _Document, x: float, width: float, text: str, *, style: str = "", size: float = BODY_PT
) -> None:
    pdf.set_font(FONT, style, size)
    pdf.set_x(x)
    pdf.multi_cell(width, size * 0.45, _clean(text), align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)


def _rule(pdf: _Document, centre: float, length: float) -> None:
    y = pdf.get_y() + 0.6
    pdf.set_line_width(0.3)
    pdf.line(centre - length / 2, y, centre + length / 2, y)
    pdf.set_y(y + 1.6)


def _header(pdf: _Document, header: Header) -> None:
    left_w, gap = 68.0, 2.0
    x0, top = pdf.l_margin - 12, pdf.t_margin
    right_x = x0 + left_w + gap
    right_w = pdf.w - pdf.r_margin - right_x + 4
    pdf.set_y(top)
    if header.parent:
        _centred(pdf, x0, left_w, header.parent, size=10)
    _centred(pdf, x0, left_w, header.issuer, style="B", size=10)
    _rule(pdf, x0 + left_w / 2, 22)
    _centred(pdf, x0, left_w, header.number, size=10)
    left_end = pdf.get_y()
    pdf.set_y(top)
    _centred(pdf, right_x, right_w, header.motto, style="B", size=10)
    _centred(pdf, right_x, right_w, header.motto_sub, style="B", size=10.5)
    pdf.set_font(FONT, "B", 10.5)
    _rule(pdf, right_x + right_w / 2, pdf.get_string_width(_clean(header.motto_sub)))
    pdf.ln(1)
    _centred(pdf, right_x, right_w, header.place_date, style="I", size=10)
    pdf.set_y(max(left_end, pdf.get_y()) + 5)
    _centred(pdf, pdf.l_margin, pdf.text_width, header.title, style="B", size=14)
    pdf.ln(0.5)
    _centred(pdf, pdf.l_margin, pdf.text_width, header.subtitle, style="B", size=11)
    if header.demo:
        pdf.ln(1)
        pdf.set_text_color(*DEMO_RED)
        _centred(pdf, pdf.l_margin, pdf.text_width, f"[ {header.demo} ]", style="B", size=10.5)
        pdf.set_text_color(*INK)
    pdf.ln(3)


def _paragraph(pdf: _Document, block: Paragraph) -> None:
    size = NOTE_PT if block.note else BODY_PT
    line = LINE_MM * size / BODY_PT
    pdf.set_x(pdf.l_margin)
    if block.note:
        pdf.set_text_color(*GREY)
    if block.lead:
        pdf.set_font(FONT, "B", size)
        pdf.write(line, _clean(block.lead) + " ")
    pdf.set_font(FONT, "I" if block.note else "", size)
    pdf.write(line, _clean(block.text))
    pdf.ln(line + 0.8)
    pdf.set_text_color(*INK)


def _verdict(pdf: _Document, block: Verdict) -> None:
    if pdf.will_page_break(LINE_MM * (2 + len(block.lines))):
        pdf.add_page()
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FONT, "B", BODY_PT)
    pdf.write(LINE_MM, _clean(f"{block.number}. {block.name}: "))
    pdf.set_text_color(*_rgb(block.colour))
    pdf.write(LINE_MM, _clean(block.word))
    pdf.set_text_color(*INK)
    pdf.ln(LINE_MM + 0.4)
    pdf.set_font(FONT, "", BODY_PT)
    for line in block.lines:
        pdf.set_x(pdf.l_margin + 4)
        pdf.multi_cell(pdf.text_width - 4, LINE_MM, _clean(f"- {line}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.2)


def _table(pdf: _Document, block: Table) -> None:
    if pdf.will_page_break(TABLE_PT * 0.5 * 2 + 2 + min(len(block.rows), 3) * (TABLE_PT * 0.5 + 1.2)):
        pdf.add_page()  # the heading row and at least three rows start together
    pdf.set_font(FONT, "", TABLE_PT)
    total = sum(block.widths)
    widths = tuple(pdf.text_width * w / total for w in block.widths)
    aligns = tuple(Align.R if numeric else Align.L for numeric in block.numeric)
    bold = FontFace(emphasis="BOLD")
    pdf.set_draw_color(120, 120, 120)
    pdf.set_line_width(0.2)
    with pdf.table(
        col_widths=widths,
        text_align=aligns,
        line_height=TABLE_PT * 0.5,
        headings_style=FontFace(emphasis="BOLD", fill_color=(232, 236, 241)),
        borders_layout=TableBordersLayout.ALL,
        padding=0.55,
        repeat_headings=1,
    ) as table:
        heading = table.row()
        for text in block.columns:
            heading.cell(_clean(text), align=Align.C)
        for index, cells in enumerate(block.rows):
            row = table.row()
            for text in cells:
                row.cell(_clean(text), style=bold if index in block.bold_rows else None)
    pdf.set_draw_color(0, 0, 0)
    pdf.ln(2)


def _caption_height(pdf: _Document, text: str, width: float) -> float:
    pdf.set_font(FONT, "I", NOTE_PT - 1)
    height = pdf.multi_cell(
        width, 3.8, _clean(text), align=Align.C, dry_run=True, output=MethodReturnValue.HEIGHT
    )
    return float(height) + 0.8  # type: ignore[arg-type]


def _images(pdf: _Document, block: Images) -> None:
    """Draw figures side by side with their captions, on this page if they fit at 80% or more, else on the next."""
    gap = 4.0
    total = sum(image.width for image in block.items)
    usable = pdf.text_width * min(1.0, total) - gap * (len(block.items) - 1)
    widths = [usable * image.width / total for image in block.items]

    def needed(scale: float) -> float:
        return max(
            w * scale * image.aspect + _caption_height(pdf, image.caption, w * scale)
            for w, image in zip(widths, block.items, strict=True)
        )

    room = pdf.h - pdf.b_margin - pdf.get_y()
    scale = 1.0
    if needed(1.0) > room:
        scale = room / needed(1.0)
        if scale < 0.8 or needed(scale) > room:
            pdf.add_page()
            room = pdf.h - pdf.b_margin - pdf.get_y()
            scale = min(1.0, room / needed(1.0))
    widths = [w * scale for w in widths]
    x = pdf.l_margin + (pdf.text_width - sum(widths) - gap * (len(widths) - 1)) / 2
    top = pdf.get_y()
    bottom = top
    for image, width in zip(block.items, widths, strict=True):
        height = width * image.aspect
        pdf.image(io.BytesIO(image.png), x=x, y=top, w=width, h=height)
        pdf.set_xy(x, top + height + 0.8)
        pdf.set_font(FONT, "I", NOTE_PT - 1)
        pdf.set_text_color(*GREY)
        pdf.multi_cell(width, 3.8, _clean(image.caption), align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
        bottom = max(bottom, pdf.get_y())
        x += width + gap
    pdf.set_xy(pdf.l_margin, bottom + 2)


def _section(pdf: _Document, number: int, section: Section) -> None:
    if pdf.will_page_break(LINE_MM * 4):
        pdf.add_page()
    pdf.ln(1)
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FONT, "B", BODY_PT)
    pdf.multi_cell(
        0, LINE_MM, _clean(f"{roman(number)}. {section.heading.upper()}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(0.8)
    for block in section.blocks:
        if isinstance(block, Paragraph):
            _paragraph(pdf, block)
        elif isinstance(block, Verdict):
            _verdict(pdf, block)
        elif isinstance(block, Table):
            _table(pdf, block)
        else:
            _images(pdf, block)


def _closing(pdf: _Document, brief: Brief) -> None:
    c = brief.closing
    needed = 5 + 4.2 * len(c.recipients) + 2
    if pdf.will_page_break(needed + 2):
        pdf.add_page()
    pdf.ln(2)
    top = pdf.get_y()
    half = pdf.text_width / 2
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FONT, "BI", 10)
    pdf.cell(half, 5, _clean(c.recipients_label), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    for line in c.recipients:
        pdf.cell(half, 4.2, _clean(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(top)
    _centred(pdf, pdf.l_margin + half, half, c.signer, style="B", size=10.5)
    _centred(pdf, pdf.l_margin + half, half, c.signer_note, style="I", size=9.5)


def render_pdf(brief: Brief) -> bytes:
    """Return the brief as a PDF document (A4, fonts embedded)."""
    pdf = _Document(brief.footer)
    pdf.set_title(_clean(f"{brief.header.title} — {brief.header.subtitle}"))
    pdf.set_author(_clean(brief.header.issuer))
    pdf.set_creator(_clean(brief.footer.split(" — ")[0]))
    pdf.set_lang(brief.lang)
    pdf.add_page()
    _header(pdf, brief.header)
    for number, section in enumerate(brief.sections, start=1):
        _section(pdf, number, section)
    _closing(pdf, brief)
    return bytes(pdf.output())
