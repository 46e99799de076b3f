"""Tables written for other people to open (CSV, .xlsx): the one way user text gets into a spreadsheet.

A spreadsheet reads a cell that starts with ``=`` (or ``+ - @``, a tab, a CR, or their full-width forms in some
programs) as a formula, and a formula can fetch URLs or start programs (``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``).
The files this app writes go to everyone in the province, so no text a user wrote may ever become one:

* CSV: every text cell goes through ``safe_text.for_csv`` (the OWASP rule: a leading ``'`` before a trigger);
* .xlsx: every text cell is a string cell (``data_type "s"``, written as an inline string, never ``<f>``),
  whatever it starts with, so it is shown as written;
* both: characters XML cannot hold (control characters stored before they were refused) become U+FFFD
  (``safe_text.for_xml``) instead of breaking the whole file for everyone.

Numbers and dates stay typed cells. Exports build their rows and hand them to :func:`csv_bytes` or
:func:`append_row`; nothing writes cells by hand. Pure functions, no Flask.

Printing is set up here too, the same for every sheet (:func:`print_setup`: A4 landscape, one page wide, header rows
repeated, 第 N 页 共 M 页), and so are row heights (:func:`row_height`): neither Excel nor LibreOffice sizes a row to
wrapped text written by openpyxl, so a row gets the height its longest cell needs, estimated from its text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import unicodedata
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.worksheet import Worksheet

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


def text_width(text: str, font_pt: float) -> float:
    """Return the width of a line in pixels at 96 dpi: a wide (CJK) character is one em, any other about half."""
    em = font_pt * 96 / 72
    return sum(em if unicodedata.east_asian_width(ch) in "WF" else em * 0.55 for ch in text)


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
