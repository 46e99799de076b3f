"""Tables written for other people to open (CSV, .xlsx): the one way user text gets into a spreadsheet.

A spreadsheet reads a cell that starts with ``=`` (or ``+ - @``, a tab, a CR, or their full-width forms in some
programs) as a formula, and a formula can fetch URLs or start programs (``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``).
The files this app writes go to everyone in the province, so no text a user wrote may ever become one:

* CSV: every text cell goes through ``safe_text.for_csv`` (the OWASP rule: a leading ``'`` before a trigger);
* .xlsx: every text cell is a string cell (``data_type "s"``, written as an inline string, never ``<f>``),
  whatever it starts with, so it is shown as written;
* both: characters XML cannot hold (control characters stored before they were refused) become U+FFFD
  (``safe_text.for_xml``) instead of breaking the whole file for everyone.

Numbers and dates stay typed cells. Exports build their rows and hand them to :func:`csv_bytes`, :func:`append_row`
or, for a long table, :class:`SheetRows` (the same cells written straight as the sheet's XML when :func:`save` writes
the workbook); a cell's look is made once per table (:func:`cell_style`); nothing writes cells by hand. No Flask.

Printing is set up here too, the same for every sheet (:func:`print_setup`: A4 landscape, one page wide, header rows
repeated, 第 N 页 共 M 页), and so are row heights (:func:`row_height`): neither Excel nor LibreOffice sizes a row to
wrapped text written by openpyxl, so a row gets the height its longest cell needs, estimated from its text.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Border, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from tasktrack.domain import safe_text

#: The cell values a table may hold.
Value = str | int | float | dt.date | None


def csv_cell(value: Value) -> str | int | float:
    """Return one CSV cell: text neutralised, a date as YYYY-MM-DD, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text.for_csv(safe_text.for_xml(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Value]]) -> bytes:
    """Return a CSV file in UTF-8 with a BOM (so Excel reads the Chinese) and CRLF line ends."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(v) for v in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def set_value(cell: Cell, value: Value) -> Cell:
    """Put a value in an .xlsx cell: text as a string cell (never a formula), other values typed."""
    if isinstance(value, str):
        cell.value = safe_text.for_xlsx(value)
        cell.data_type = "s"  # openpyxl makes "=…" a formula cell on assignment; this makes it text again
    else:
        cell.value = value
    return cell


def cell_style(ws: Worksheet, *, font: Font | None = None, fill: PatternFill | None = None,
               border: Border | None = None, alignment: Alignment | None = None) -> StyleArray:
    """Return a look for :func:`append_row`'s cells (font, fill, border, alignment), registered once in the workbook.

    A table's cells share a handful of looks: setting the parts cell by cell looks each one up in the workbook
    again for every cell (most of the time an export took), a look made once is copied into each cell instead.
    A date still gets its yyyy-mm-dd format from its value.
    """
    probe = Cell(ws)
    if font is not None:
        probe.font = font
    if fill is not None:
        probe.fill = fill
    if border is not None:
        probe.border = border
    if alignment is not None:
        probe.alignment = alignment
    return probe._style  # openpyxl's own record of the parts' ids, which Cell(style_array=…) takes


def append_row(ws: Worksheet, values: Sequence[Value], styles: Sequence[StyleArray | None] | None = None) -> int:
    """Append a row to a worksheet, each value as :func:`set_value` writes it, each cell with its look from
    ``styles`` (:func:`cell_style`; None: the default); return the row's number."""
    row = ws._current_row + 1  # openpyxl's own "next row" (ws.max_row would scan every cell of the sheet)
    cells = []
    for column, value in enumerate(values, start=1):
        cell = Cell(ws, row=row, column=column, style_array=styles[column - 1] if styles else None)
        cells.append(set_value(cell, value) if value is not None else cell)
    ws.append(cells)
    return row


#: Excel's most characters in a cell (openpyxl cuts longer text to it, and so does :class:`SheetRows`).
CELL_TEXT_LIMIT = 32767


class SheetRows:
    """A long table's rows, written as the sheet's XML when the workbook is saved with :func:`save`.

    openpyxl keeps a Cell object per cell and serialises each through lxml when saving: most of an export's time
    for a plan's few thousand cells. A table appended here skips both: as openpyxl hands the sheet over, each row
    becomes the text openpyxl would have written for it (string cells for all text, never a formula; typed numbers
    and dates, a date with its yyyy-mm-dd format; each cell's look from :func:`cell_style`), after the rows openpyxl
    holds (the header). tests/test_sheets.py holds the two ways to the same bytes.
    """

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self._first = ws._current_row + 1  # after the rows openpyxl holds (openpyxl's own "next row")
        self._rows: list[tuple[Sequence[Value], Sequence[StyleArray | None] | None]] = []

    def append(self, values: Sequence[Value], styles: Sequence[StyleArray | None] | None = None) -> int:
        """Append a row as :func:`append_row` would (the values are written as they are when the sheet is saved);
        return its number."""
        self._rows.append((values, styles))
        return self._first + len(self._rows) - 1

    def _xml(self) -> tuple[bytes, int]:
        """Return the rows' XML (ASCII, other characters as references, as lxml writes a sheet) and their widest
        row's cell count."""
        ws = self.ws
        epoch = ws.parent.epoch
        # A look (with the value's type: a date adds its format) → the workbook's style index, in the order openpyxl
        # would meet them (after the cells it wrote); keyed by id, so each look is kept alive with its index.
        xfs: dict[tuple[int, type | None], tuple[StyleArray | None, str | None]] = {}
        parts = []
        width = 0
        for number, (values, styles) in enumerate(self._rows, start=self._first):
            row = str(number)
            parts.append(f'<row r="{row}">')
            for index, value in enumerate(values):
                style = styles[index] if styles else None
                kind = type(value) if isinstance(value, dt.date) else None
                found = xfs.get((id(style), kind))
                if found is None:
                    probe = Cell(ws, value=value if kind else None, style_array=style)  # a date adds its format
                    found = xfs[(id(style), kind)] = (
                        style, str(ws.parent._cell_styles.add(probe._style)) if probe.has_style else None)
                xf = found[1]
                head = f'<c r="{_COLUMN_LETTERS[index]}{row}" s="{xf}"' if xf is not None else \
                    f'<c r="{_COLUMN_LETTERS[index]}{row}"'
                if value is None:
                    if xf is not None:
                        parts.append(head + ' t="n"></c>')
                elif isinstance(value, str):
                    text = safe_text.for_xlsx(value)[:CELL_TEXT_LIMIT]
                    if not text:
                        parts.append(head + ' t="inlineStr"></c>')
                    else:
                        space = ' xml:space="preserve"' if text != text.strip() else ""
                        parts.append(f'{head} t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>')
                elif kind is not None:
                    parts.append(f'{head} t="n"><v>{safe_string(to_excel(value, epoch))}</v></c>')
                else:
                    parts.append(f'{head} t="n"><v>{safe_string(value)}</v></c>')
            parts.append("</row>")
            width = max(width, len(values))
        return "".join(parts).encode("ascii", "xmlcharrefreplace"), width

    def _fill(self, xml: bytes) -> bytes:
        """Return the sheet's XML as openpyxl wrote it, with these rows after its own and its size to match."""
        if not self._rows:
            return xml
        rows, width = self._xml()
        if b"</sheetData>" in xml:
            xml = xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)
        else:
            xml = xml.replace(b"<sheetData/>", b"<sheetData>" + rows + b"</sheetData>", 1)
        ws = self.ws
        held = bool(ws._cells)
        last = self._first + len(self._rows) - 1
        top = f"{get_column_letter(ws.min_column if held else 1)}{ws.min_row if held else self._first}"
        size = f"{top}:{get_column_letter(max(ws.max_column if held else 1, width))}{last}"
        return _DIMENSION.sub(f'<dimension ref="{size}"/>'.encode(), xml, count=1)


_COLUMN_LETTERS = [get_column_letter(i) for i in range(1, 16385)]
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')


def _xml_text(text: str) -> str:
    """Return the text as lxml escapes element text: ``&``, ``<``, ``>`` and a CR (XML would read a bare one as a
    line feed). Four replaces, ``&`` first so that no escape is escaped again: several times faster over Chinese text
    than a translate table."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


class _Archive(zipfile.ZipFile):
    """The .xlsx being written: a sheet with :class:`SheetRows` gets them as openpyxl hands the sheet over."""

    def __init__(self, file: io.BytesIO, tables: dict[str, SheetRows]) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._tables = tables

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        table = self._tables.get(arcname)
        if table is None:
            super().write(filename, arcname, *args, **kwargs)
            return
        with open(filename, "rb") as f:
            self.writestr(arcname, table._fill(f.read()))


def save(wb: Workbook, tables: Iterable[SheetRows] = ()) -> bytes:
    """Return the workbook as .xlsx bytes (as ``wb.save`` writes it), each table's rows in its sheet."""
    # openpyxl names the n-th sheet's part sheet<n>.xml as it writes them (ExcelWriter._write_worksheets).
    parts = {f"xl/worksheets/sheet{wb.worksheets.index(t.ws) + 1}.xml": t for t in tables}
    buffer = io.BytesIO()
    wb.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)  # as openpyxl's save_workbook
    archive = _Archive(buffer, parts)
    try:
        ExcelWriter(wb, archive).save()
    finally:
        archive.close()  # already closed by a save that went through
    return buffer.getvalue()


#: The workbooks' default font. A column's width is counted in digits of the default font, so the font decides
#: how wide a column prints: Excel's Calibri is missing on Linux and LibreOffice measures a wider fallback, while
#: Arial is on every Windows machine and Liberation Sans (metric-compatible) comes with LibreOffice.
DEFAULT_FONT = "Arial"
DEFAULT_FONT_PT = 11
#: Pixels of one unit of column width: the default font's digit width (Arial 11: 8 px), as Excel counts it.
DIGIT_PX = 8
#: Pixels a cell keeps free at its edges (Excel adds 5 px to every column).
CELL_PADDING_PX = 5
#: Line pitch as a multiple of the font size, the larger of the suites': Excel sets 11 pt 宋体 at 14.25 pt (1.3 em),
#: LibreOffice the Noto CJK fonts at their ascent + descent, 1.45 em. A row a little high beats clipped text.
LINE_PITCH = 1.45
#: Excel's highest row.
MAX_ROW_HEIGHT = 409.0
#: Footer of every printed page (Excel's codes: &P the page, &N the pages).
PAGE_FOOTER = "第 &P 页 共 &N 页"


def new_workbook() -> Workbook:
    """Return an empty workbook whose default font is :data:`DEFAULT_FONT`, so column widths print alike everywhere."""
    wb = Workbook()
    font = Font(name=DEFAULT_FONT, sz=DEFAULT_FONT_PT, family=2)
    wb._fonts = IndexedList([font])  # font 0: the font of every cell without one of its own
    wb._named_styles["Normal"].font = font  # the 常规 style, whose digit width is the unit of column widths
    return wb


@functools.cache
def _wide_bmp() -> re.Pattern[str]:
    """Return a pattern of the wide and full-width (W, F) characters of the Basic Multilingual Plane (built once: a
    row's height counts a few thousand characters, one ``east_asian_width`` call each was most of the sheet's time)."""
    ranges: list[str] = []
    start = None
    for cp in range(0x10001):
        wide = cp < 0x10000 and unicodedata.east_asian_width(chr(cp)) in "WF"
        if wide and start is None:
            start = cp
        elif not wide and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(cp - 1))}")
            start = None
    return re.compile(f"[{''.join(ranges)}]")


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def text_width(text: str, font_pt: float) -> float:
    """Return the width of a line in pixels at 96 dpi: a wide (CJK) character is one em, any other about half."""
    em = font_pt * 96 / 72
    wide = len(_wide_bmp().findall(text))
    wide += sum(unicodedata.east_asian_width(ch) in "WF" for ch in _ASTRAL.findall(text))
    return em * wide + em * 0.55 * (len(text) - wide)


def text_lines(text: str, width: float, font_pt: float) -> int:
    """Return how many lines a wrapped cell of column ``width`` (Excel units) shows of ``text`` at ``font_pt``.

    Each paragraph takes its width divided by the cell's usable width, rounded up, with 10 % to spare because
    office suites break lines before punctuation and at words; an empty paragraph is one line.
    """
    usable = max(1.0, (width * DIGIT_PX + CELL_PADDING_PX - 2 * 3) * 0.9)
    return sum(max(1, math.ceil(text_width(p, font_pt) / usable)) for p in str(text).split("\n"))


def row_height(cells: Iterable[tuple[str, float]], font_pt: float) -> float:
    """Return the row height in points that shows every cell's text: ``cells`` are (text, column width) pairs."""
    lines = max((text_lines(text, width, font_pt) for text, width in cells), default=1)
    return min(MAX_ROW_HEIGHT, round(lines * font_pt * LINE_PITCH + 6, 1))


def print_setup(ws: Worksheet, *, title_rows: str | None = None, landscape: bool = True) -> None:
    """Set a sheet up to print: A4, landscape, one page wide (as many tall as it needs), header rows repeated,
    centred horizontally, the footer 第 N 页 共 M 页."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.7
    ws.page_margins.header = 0.3
    ws.page_margins.footer = 0.3
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = PAGE_FOOTER
    ws.oddFooter.center.size = 10
