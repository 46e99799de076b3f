"""The audit trail as CSV: the same rows for the page's download and ``flask --app wsgi audit list --csv``.

UTF-8 with a BOM (so Excel and WPS read the Chinese), CRLF rows, and every text cell through
``safe_text.for_csv``: a name, summary or narrative that starts with ``=`` ``+`` ``-`` ``@`` (or a tab, CR, or their
full-width forms) gets a leading ``'`` and so can never run as a formula in the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from typing import IO

from tasktrack.domain.safe_text import for_csv
from tasktrack.services.audit_filter import AuditFilter
from tasktrack.services.audit_log import BATCH, EventRow, iter_rows

CSV_HEADER = ("时间（北京时间）", "操作人", "操作人邮箱", "操作人单位", "操作", "操作代码", "对象类型", "对象编号",
              "说明", "变更内容", "记录编号")


def csv_cells(row: EventRow) -> list[str]:
    """Return a row's CSV cells; every text cell passes ``for_csv`` (no cell can start a formula)."""
    cells = [row.local_time, "系统" if row.is_system else (row.actor_name or ""), row.actor_email or "",
             row.unit_name or "", row.action_label, row.action, row.object_label,
             str(row.object_id) if row.object_id is not None else "", row.summary,
             "\n".join(c.line() for c in row.changes), str(row.id)]
    return [for_csv(cell) for cell in cells]


class CsvStream:
    """The CSV of the events matching a filter (UTF-8 with BOM, CRLF), produced in chunks; ``count`` rows so far."""

    def __init__(self, flt: AuditFilter, *, limit: int | None = None) -> None:
        self.filter, self.limit, self.count = flt, limit, 0

    def __iter__(self) -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_HEADER)
        yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        for row in iter_rows(self.filter, limit=self.limit):
            writer.writerow(csv_cells(row))
            self.count += 1
            if self.count % BATCH == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue().encode("utf-8")


#: A download is built in memory up to this size, then in a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


def spooled(flt: AuditFilter, *, limit: int | None = None) -> IO[bytes]:
    """Return the whole CSV as a file positioned at its start (built before the response, so a failure is a
    proper error page rather than a cut-off file, and memory stays bounded however long the trail is)."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the response closes it
    for chunk in CsvStream(flt, limit=limit):
        spool.write(chunk)
    spool.seek(0)
    return spool


def read_and_close(file: IO[bytes], block: int = 64 * 1024) -> Iterator[bytes]:
    """Yield a file's content in blocks and close it at the end (or when the client goes away)."""
    try:
        while chunk := file.read(block):
            yield chunk
    finally:
        file.close()


def csv_filename(today: dt.date) -> str:
    """Return the download name of the CSV."""
    return f"操作日志_{today:%Y%m%d}.csv"
