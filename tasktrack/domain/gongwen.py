"""The 公文 document model and the page arithmetic of GB/T 9704-2012 《党政机关公文格式》: pure, no files.

A document is a sequence of blocks (title, 文号, 主送, headings of three levels, paragraphs, tables with merged
cells, 附件 list, issuer and date, page break, table of contents). Composers (the bulletin, the work summary, the
case compilation) build one; the one renderer (``tasktrack.documents.docx_writer``) lays any of them out. Nothing
here knows python-docx: the numbers the renderer needs (twips, grid pitches, indents) are computed here and tested
in milliseconds.

The page (GB/T 9704-2012 §5.2): A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm, so the 版心 is
156 × 225 mm; body text 3号 (16 pt) with 22 lines of 28 characters. Word and WPS keep the count through the
document grid (``w:docGrid`` linesAndChars: ``linePitch`` in twips, ``charSpace`` in 1/4096 pt added to the font
size); LibreOffice keeps it through exact line spacing at the same pitch.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass, field

TWIPS_PER_PT = 20
PT_PER_MM = 72 / 25.4

#: Chinese font sizes (字号) in points.
SIZE_2 = 22.0  # 二号: the title
SIZE_3 = 16.0  # 三号: body text and headings
SIZE_4 = 14.0  # 四号: page numbers, table text at most
SIZE_SMALL_4 = 12.0  # 小四: dense tables

#: The fonts a 公文 asks for (East Asian names); Latin text is Times New Roman.
FONT_BODY = "仿宋_GB2312"
FONT_TITLE = "方正小标宋简体"
FONT_HEADING_1 = "黑体"
FONT_HEADING_2 = "楷体_GB2312"
FONT_PAGE_NUMBER = "宋体"
FONT_LATIN = "Times New Roman"


def mm_to_twips(mm: float) -> int:
    """Return a length in twips (1/20 pt), rounded to the nearest."""
    return round(mm * PT_PER_MM * TWIPS_PER_PT)


@dataclass(frozen=True)
class PageSpec:
    """The page and its text grid: sizes in millimetres, the grid as lines × characters of the body font."""

    width_mm: float = 210.0
    height_mm: float = 297.0
    top_mm: float = 37.0
    bottom_mm: float = 35.0
    left_mm: float = 28.0
    right_mm: float = 26.0
    lines: int = 22
    chars: int = 28
    font_pt: float = SIZE_3

    @property
    def text_width_mm(self) -> float:
        return self.width_mm - self.left_mm - self.right_mm

    @property
    def text_height_mm(self) -> float:
        return self.height_mm - self.top_mm - self.bottom_mm


GB9704 = PageSpec()


@dataclass(frozen=True)
class Grid:
    """What the renderer writes for a page spec: twips for the page, the grid's pitches."""

    page_width: int
    page_height: int
    top: int
    bottom: int
    left: int
    right: int
    #: Line pitch in twips: the exact line spacing of body text and ``w:docGrid/@w:linePitch``.
    line_pitch: int
    #: ``w:docGrid/@w:charSpace``: the character pitch minus the font size, in 1/4096 pt (negative: narrower).
    char_space: int
    font_pt: float = SIZE_3
    chars: int = 28

    @property
    def char_pitch_pt(self) -> float:
        """Return the width one grid character takes, in points."""
        return self.font_pt + self.char_space / 4096

    @property
    def text_width(self) -> int:
        return self.page_width - self.left - self.right

    @property
    def text_height(self) -> int:
        return self.page_height - self.top - self.bottom

    @property
    def char_spacing(self) -> int:
        """Return the run character spacing (``w:spacing/@w:val``, in 1/20 pt) that fits ``chars`` body characters to
        a line without the grid: the pitch minus the font size, rounded down to a twentieth, less one more twentieth
        (LibreOffice wants that slack: at -0.25 pt it breaks lines at 27 characters, at -0.3 pt at 28)."""
        return min(0, math.floor(self.text_width / self.chars - self.font_pt * TWIPS_PER_PT) - 1)

    def lines_per_page(self) -> int:
        """Return how many lines at the line pitch fit the text height."""
        return self.text_height // self.line_pitch

    def chars_per_line(self) -> int:
        """Return how many grid characters fit the text width."""
        return math.floor(self.text_width / TWIPS_PER_PT / self.char_pitch_pt + 1e-9)

    def chars_to_twips(self, chars: float) -> int:
        """Return an indent of ``chars`` body characters (font size plus character spacing) in twips."""
        return round(chars * (self.font_pt * TWIPS_PER_PT + self.char_spacing))


def grid_for(spec: PageSpec = GB9704) -> Grid:
    """Return the twips and grid pitches that give ``spec.lines`` lines of ``spec.chars`` characters.

    Both pitches are rounded down, so the last line and the last character still fit (rounding up would lose one).
    """
    top, bottom = mm_to_twips(spec.top_mm), mm_to_twips(spec.bottom_mm)
    left, right = mm_to_twips(spec.left_mm), mm_to_twips(spec.right_mm)
    width, height = mm_to_twips(spec.width_mm), mm_to_twips(spec.height_mm)
    line_pitch = (height - top - bottom) // spec.lines
    char_pitch = (width - left - right) / TWIPS_PER_PT / spec.chars
    char_space = math.floor((char_pitch - spec.font_pt) * 4096)
    return Grid(width, height, top, bottom, left, right, line_pitch, char_space, spec.font_pt, spec.chars)


def text_width_chars(text: str) -> float:
    """Return a text's width in body characters: full-width (CJK) characters 1, half-width ones ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def signature_indents(issuer: str, date_text: str) -> tuple[float, float]:
    """Return the right indents (in characters) of the issuer and date lines (GB/T 9704 §7.3.5.2).

    The date stands 4 characters from the right margin and the issuer is centred over it; an issuer too long
    for that stands 2 characters from the right and the date is centred under it.
    """
    issuer_w, date_w = text_width_chars(issuer), text_width_chars(date_text)
    issuer_right = 4 + (date_w - issuer_w) / 2
    if issuer_right >= 2:
        return issuer_right, 4.0
    return 2.0, 2 + (issuer_w - date_w) / 2


def chinese_date(day: dt.date) -> str:
    """Return a date as a 公文 writes it: 2024年7月18日 (Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def page_number_text(number: int) -> str:
    """Return a page number as GB/T 9704 prints it: an em dash either side, "— 1 —"."""
    return f"— {number} —"


# ---------------------------------------------------------------------------------------------------------------
# Blocks


@dataclass(frozen=True)
class Title:
    """The document title: 2号 方正小标宋简体, centred; a blank line follows."""

    text: str


@dataclass(frozen=True)
class Subtitle:
    """A line under the title (文号, a date line, an issuer on a cover), centred in 楷体."""

    text: str


@dataclass(frozen=True)
class Addressee:
    """The 主送 line: flush left, ends with a full-width colon."""

    text: str


@dataclass(frozen=True)
class Heading:
    """A heading (its text carries its number): level 1 ``一、`` 黑体, 2 ``（一）`` 楷体, 3 ``1.`` 仿宋 bold."""

    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph, first line indented 2 characters; ``lead`` is a run-in bold phrase before ``text``."""

    text: str
    lead: str = ""


@dataclass(frozen=True)
class Cell:
    """A table cell; it covers ``colspan`` × ``rowspan`` grid cells. Lines of ``text`` become paragraphs."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    align: str = "left"  # "left" | "center"
    bold: bool = False


@dataclass(frozen=True)
class Table:
    """A real table: header rows (repeated on every page) and body rows, cells placed as in HTML.

    Each row lists only the cells that start in it; a cell with ``rowspan`` > 1 occupies the grid below it, and
    later rows skip those columns. ``widths`` are relative column widths.
    """

    widths: tuple[int, ...]
    header: tuple[tuple[Cell, ...], ...]
    rows: tuple[tuple[Cell, ...], ...]
    font_pt: float = SIZE_SMALL_4


@dataclass(frozen=True)
class AttachmentList:
    """The 附件 note after the body: 附件：1. … 2. … (numbers only when there are several)."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Signature:
    """The issuer and date block, right of the page (see ``signature_indents``)."""

    issuer: str
    date: dt.date


@dataclass(frozen=True)
class AttachmentMark:
    """The 附件 label at the top left of an attachment's first page (黑体)."""

    label: str = "附件"


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


@dataclass(frozen=True)
class TocEntry:
    """One line of the table of contents as shown before Word or WPS refreshes the field."""

    level: int
    text: str


@dataclass(frozen=True)
class Toc:
    """A table of contents: a real TOC field over the headings of ``levels`` levels."""

    levels: int = 1
    entries: tuple[TocEntry, ...] = ()
    title: str = "目　　录"


Block = (Title | Subtitle | Addressee | Heading | Paragraph | Table | AttachmentList | Signature | AttachmentMark
         | PageBreak | Toc)


@dataclass(frozen=True)
class Document:
    """A whole document: its blocks in order and its properties (title, author)."""

    title: str
    author: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    def headings(self) -> list[Heading]:
        """Return the headings in order (what a table of contents lists)."""
        return [b for b in self.blocks if isinstance(b, Heading)]


@dataclass(frozen=True)
class Slot:
    """One grid position of a table row: the cell starting here, or a position covered by a cell above/left."""

    cell: Cell | None
    #: Where the covering cell starts (row, column) when ``cell`` is None.
    origin: tuple[int, int]


def table_grid(rows: tuple[tuple[Cell, ...], ...], columns: int) -> list[list[Slot]]:
    """Place HTML-style rows on a grid of ``columns`` columns; raise ValueError when the cells do not fit.

    Every grid position gets exactly one slot: the cell that starts there, or the origin of the cell covering it.
    """
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    grid: list[list[Slot]] = []
    for r, row in enumerate(rows):
        line: list[Slot | None] = [None] * columns
        for c in range(columns):
            if (r, c) in covered:
                line[c] = Slot(None, covered[(r, c)])
        col = 0
        for cell in row:
            while col < columns and line[col] is not None:
                col += 1
            if col + cell.colspan > columns or any(line[c] is not None for c in range(col, col + cell.colspan)):
                raise ValueError(f"row {r}: cell {cell.text[:20]!r} does not fit {columns} columns")
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if dr == 0:
                        line[col + dc] = Slot(cell, (r, col)) if dc == 0 else Slot(None, (r, col))
                    else:
                        covered[(r + dr, col + dc)] = (r, col)
            col += cell.colspan
        if any(slot is None for slot in line):
            raise ValueError(f"row {r}: {sum(s is None for s in line)} of {columns} columns left empty")
        grid.append([s for s in line if s is not None])
    if any(r >= len(rows) for r, _c in covered):
        raise ValueError("a cell spans below the last row")
    return grid
