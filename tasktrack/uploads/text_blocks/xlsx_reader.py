"""Excel workbooks (.xlsx) as text blocks: one ``Table`` per visible sheet that holds any text.

openpyxl opens the workbook read-only with ``data_only=True``: a formula cell gives the value Excel cached when it
last saved the file, never the formula (a file written by a program that never calculated it gives ``""``).

* A sheet's table is trimmed of empty outer rows and columns; empty rows and columns inside stay.
* Merged ranges (read from the sheet's ``<mergeCells>``, which read-only mode does not expose): the text stands in
  the top-left cell and every covered cell is ``""``.
* Values are shown as a user sees them: 7 not 7.0, a percentage format as "85%", dates as 2025-06-30 (with the
  time when it is not midnight), TRUE/FALSE as Excel writes them.
* When more than one sheet holds text, each table is preceded by a ``Paragraph`` of its sheet's title.
* Hidden sheets are skipped: they hold lookup lists and scratch work, not what the sender meant to show.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from openpyxl.utils.cell import range_boundaries
from openpyxl.xml.functions import iterparse

from tasktrack.domain.doc_blocks import Block, DocText, Paragraph, Table
from tasktrack.uploads.text_blocks.errors import empty_sheets, too_large

_MAX_TEXT_CELLS = 1_000_000
_MAX_GRID_CELLS = 2_000_000
_MERGE_TAG = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}mergeCell"


def read_xlsx(data: bytes, name: str) -> DocText:
    """Read the visible sheets of an .xlsx workbook as tables (``UnreadableDocument`` when none holds text)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets: list[tuple[str, Table]] = []
        budget = [_MAX_TEXT_CELLS]
        for sheet in workbook.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            table = _sheet_table(sheet, name, budget)
            if table is not None:
                sheets.append((str(sheet.title), table))
    finally:
        workbook.close()
    if not sheets:
        raise empty_sheets(name)
    blocks: list[Block] = []
    for title, table in sheets:
        if len(sheets) > 1 and title.strip():
            blocks.append(Paragraph(text=title.strip()))
        blocks.append(table)
    return DocText(blocks=tuple(blocks), source_format="xlsx")


def _sheet_table(sheet: Any, name: str, budget: list[int]) -> Table | None:
    """Read one worksheet as a trimmed grid, or ``None`` when it holds no text."""
    texts: dict[tuple[int, int], str] = {}
    sheet.reset_dimensions()  # a declared A1:XFD1048576 would make openpyxl pad every row to that width
    for row in sheet.iter_rows():
        for cell in row:
            value = getattr(cell, "value", None)
            if value is None:
                continue
            text = cell_text(value, getattr(cell, "number_format", "General") or "General")
            if text:
                texts[(cell.row, cell.column)] = text
                budget[0] -= 1
                if budget[0] < 0:
                    raise too_large(name, f"超过 {_MAX_TEXT_CELLS} 个单元格")
    for min_col, min_row, max_col, max_row in _merged_ranges(sheet):
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                if (r, c) != (min_row, min_col):
                    texts.pop((r, c), None)
    if not texts:
        return None
    top = min(r for r, _ in texts)
    bottom = max(r for r, _ in texts)
    left = min(c for _, c in texts)
    right = max(c for _, c in texts)
    if (bottom - top + 1) * (right - left + 1) > _MAX_GRID_CELLS:
        raise too_large(name, f"工作表“{sheet.title}”的范围过大")
    return Table(
        rows=tuple(
            tuple(texts.get((r, c), "") for c in range(left, right + 1)) for r in range(top, bottom + 1)
        )
    )


def _merged_ranges(sheet: Any) -> list[tuple[int, int, int, int]]:
    """Return a read-only sheet's merged ranges as (min_col, min_row, max_col, max_row), read from its XML."""
    ranges: list[tuple[int, int, int, int]] = []
    with sheet._get_source() as source:  # openpyxl 3.1 read-only: the sheet part, opened on demand
        for _event, element in iterparse(source, events=("end",)):
            if element.tag == _MERGE_TAG:
                bounds = range_boundaries(element.get("ref", ""))
                if None not in bounds:
                    ranges.append(bounds)
            element.clear()
    return ranges


def cell_text(value: object, number_format: str) -> str:
    """Show a cell value as Excel displays it (numbers without a stray ".0", ISO dates, percentages)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M" if value.second == 0 else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M" if value.second == 0 else "%H:%M:%S")
    if isinstance(value, (int, float)):
        if "%" in number_format:
            return f"{_number(value * 100)}%"
        return _number(value)
    return str(value).strip()


def _number(value: float) -> str:
    """Format a number the way a General cell shows it: 7, 0.5, 1234.5 (no float noise)."""
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")
