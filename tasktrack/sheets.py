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
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from openpyxl.cell.cell import Cell
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


def append_row(ws: Worksheet, values: Sequence[Value]) -> int:
    """Append a row to a worksheet through :func:`set_value`; return its row number."""
    ws.append([None] * len(values))  # openpyxl's own "next row" (the first row of an empty sheet is row 1)
    row = ws.max_row
    for column, value in enumerate(values, start=1):
        set_value(ws.cell(row=row, column=column), value)
    return row
