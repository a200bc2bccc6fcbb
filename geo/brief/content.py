"""The content of the meeting brief: plain data (header, numbered sections of blocks, closing) both renderers draw.

`geo.brief.compose.compose` computes it from the store's frames (`read_inputs`) and an optional evaluation already at
hand (the dashboard's cached one); `geo.brief.docx_file` and `geo.brief.pdf_file` draw the same
`Brief`, so the Word and the PDF brief say the same words and show the same numbers and images.
The layout follows Nghị định 30/2020/NĐ-CP: issuing body top left, national motto top right, place
and date, title, numbered sections, recipients and signer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd

from geo.area import Area
from geo.brief.source import Counted, FrameCounted, StoreCounted
from geo.communes import metric_crs
from geo.incidents import FRAME, typed
from geo.plan import Plan
from geo.store.store import Store


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``lead`` is written in bold before the text, ``note`` in smaller type."""

    text: str
    lead: str = ""
    note: bool = False


@dataclass(frozen=True)
class Verdict:
    """One target's verdict: its number and name, the verdict in words (and its colour), then plain sentences."""

    number: int
    name: str
    verdict: str
    word: str
    colour: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of text cells; ``numeric`` columns are right-aligned, ``bold_rows`` (indices) emphasised."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    widths: tuple[float, ...]
    bold_rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class Image:
    """A PNG figure: ``width`` is its share of the text width, ``aspect`` its height over its width."""

    png: bytes
    caption: str
    width: float
    aspect: float


@dataclass(frozen=True)
class Images:
    """Figures side by side (one or two)."""

    items: tuple[Image, ...]


Block = Paragraph | Verdict | Table | Images


@dataclass(frozen=True)
class Section:
    """A numbered section: its heading (the renderer adds the Roman numeral) and its blocks."""

    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Header:
    """The administrative header: issuing body (and its parent), number, motto, place and date, title."""

    parent: str
    issuer: str
    number: str
    motto: str
    motto_sub: str
    place_date: str
    title: str
    subtitle: str
    demo: str


@dataclass(frozen=True)
class Closing:
    """The end of the brief: recipients (bottom left) and the signer (bottom right)."""

    recipients_label: str
    recipients: tuple[str, ...]
    signer: str
    signer_note: str


@dataclass(frozen=True)
class Brief:
    """The whole brief in one language: what both renderers draw."""

    lang: str
    header: Header
    sections: tuple[Section, ...]
    closing: Closing
    footer: str
    file_stem: str

    def text(self) -> str:
        """Return every word of the brief as plain text, in reading order (captions included)."""
        h = self.header
        lines = [
            h.parent,
            h.issuer,
            h.number,
            h.motto,
            h.motto_sub,
            h.place_date,
            h.title,
            h.subtitle,
            h.demo,
        ]
        for number, section in enumerate(self.sections, start=1):
            lines.append(f"{roman(number)}. {section.heading}")
            for block in section.blocks:
                lines.extend(_block_text(block))
        c = self.closing
        lines += [c.recipients_label, *c.recipients, c.signer, c.signer_note, self.footer]
        return "\n".join(line for line in lines if line)


def _block_text(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return [f"{block.lead} {block.text}".strip()]
    if isinstance(block, Verdict):
        return [f"{block.number}. {block.name}: {block.word}", *block.lines]
    if isinstance(block, Table):
        return [" | ".join(block.columns), *(" | ".join(row) for row in block.rows)]
    return [image.caption for image in block.items]


def roman(number: int) -> str:
    """Return ``number`` (1–39) in Roman numerals, as Vietnamese reports number their sections.

    Examples
    --------
    >>> [roman(n) for n in (1, 4, 6, 9, 14)]
    ['I', 'IV', 'VI', 'IX', 'XIV']
    """
    tens, ones = divmod(number, 10)
    units = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]
    return "X" * tens + units[ones]


@dataclass(frozen=True, eq=False)
class Inputs:
    """What the brief reads from the store: the frames (or the store's counts), the plan, the area and the import history."""

    incidents: pd.DataFrame
    communes: gpd.GeoDataFrame
    plan: Plan
    area: Area
    is_demo: bool
    batches: pd.DataFrame
    declared_end: date | None = None
    """The last day the latest import declared complete (``--complete-to``), if any."""
    stored: Counted | None = None
    """The counts asked of the store's database (push-down: ``incidents`` is then empty), or None: the rows."""

    def counts(self) -> Counted:
        """Return what the brief counts: the store's counts when given, else the incidents frame's."""
        return self.stored if self.stored is not None else FrameCounted(self.incidents)


def read_inputs(store: Store, *, pushdown: bool = False) -> Inputs:
    """Return everything the brief needs from ``store`` (read once).

    With ``pushdown`` the incidents are not read: the brief's counts are asked of the database
    (`geo.brief.source.StoreCounted`) and ``incidents`` is an empty frame.
    """
    communes = store.communes()
    stored: Counted | None = None
    if pushdown:
        stored = StoreCounted(store, grid_crs=metric_crs(communes).to_string())  # the hot-spot grid's CRS
    return Inputs(
        incidents=empty_incidents() if pushdown else store.incidents(),
        communes=communes,
        plan=store.plan(),
        area=store.area(),
        is_demo=store.is_demo(),
        batches=store.batches(),
        declared_end=store.declared_end(),
        stored=stored,
    )


def empty_incidents() -> pd.DataFrame:
    """Return an incidents frame without rows (`geo.incidents.FRAME` columns, typed)."""
    return typed(pd.DataFrame({column: [] for column in FRAME}))
