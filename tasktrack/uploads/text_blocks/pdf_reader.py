"""PDF text layers as text blocks (pdfminer.six), page by page in reading order.

pdfminer groups characters into text pieces (``LTTextLineHorizontal``; text in form XObjects included), split
where the gap between two characters exceeds 0.6 of a character width (pdfminer's default of 2 widths would glue
the cells of a dense table together). The pieces of a page are then put back in reading order by position: pieces
whose vertical centres lie within half a line height of each other form one visual line, lines run top to bottom
and a line's pieces left to right. Each visual line is one ``Paragraph``, its pieces joined with a space (a
paragraph broken across lines or pages is the layout reader's business to join).

Ruled tables (drawn borders) are read cell by cell from their grid lines (pdf_grid.py), vertical merges included.
Other simple tables are rebuilt from positions: a visual line with pieces at three or more distinct x positions is a
table row, and two or more consecutive table rows on a page (no more than two line heights apart) form one
``Table`` whose columns are those of its widest row (a lone such line, such as a letter-spaced title, stays a
paragraph). A line with fewer pieces that follows a table row closely (gap under a line height) and whose pieces
all fall in the table's columns is a wrapped continuation: its text is added to the cells above with "\\n".
Multi-column page layouts and tables without at least three columns come out as paragraphs; a table that runs
over a page break comes out as one table per page.

A PDF whose pages hold no text at all is a scan (``UnreadableDocument`` "no_text"); one that needs a password is
refused as encrypted.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTContainer, LTItem, LTTextLineHorizontal
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from tasktrack.domain.doc_blocks import Block, DocText, Paragraph, Table
from tasktrack.uploads.text_blocks.errors import encrypted, scanned_pdf, too_large
from tasktrack.uploads.text_blocks.pdf_grid import Piece, Rules, grid_table, page_rules

_MIN_TABLE_COLUMNS = 3
_MIN_TABLE_ROWS = 2
_CHAR_MARGIN = 0.6
# Table rows further apart than this many line heights belong to different tables.
_MAX_ROW_GAP = 2.0
_MAX_PAGES = 2000


def read_pdf(data: bytes, name: str) -> DocText:
    """Read a PDF's text layer as paragraphs and simple tables (``UnreadableDocument`` for scans, passwords)."""
    blocks: list[Block] = []
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # pdfminer logs every odd font at WARNING
    try:
        laparams = LAParams(char_margin=_CHAR_MARGIN, all_texts=True)
        for number, page in enumerate(extract_pages(io.BytesIO(data), laparams=laparams)):
            if number >= _MAX_PAGES:
                raise too_large(name, f"超过 {_MAX_PAGES} 页")
            blocks.extend(page_blocks(list(_text_lines(page)), page_rules(page)))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise encrypted(name) from exc
    doc = DocText(blocks=tuple(blocks), source_format="pdf")
    if doc.is_empty:
        raise scanned_pdf(name)
    return doc


def _text_lines(item: LTItem) -> Iterator[Piece]:
    """Yield the non-empty horizontal text lines inside a layout item."""
    if isinstance(item, LTTextLineHorizontal):
        text = item.get_text().strip()
        if text:
            yield Piece(text=text, x0=item.x0, x1=item.x1, bottom=item.y0, top=item.y1)
    elif isinstance(item, LTContainer):
        for child in item:
            yield from _text_lines(child)


def visual_rows(lines: list[Piece]) -> list[list[Piece]]:
    """Group lines into visual rows (top to bottom), each row's lines left to right."""
    rows: list[list[Piece]] = []
    for line in sorted(lines, key=lambda ln: (-ln.top, ln.x0)):
        if rows:
            row = rows[-1]
            middle = sum(ln.middle for ln in row) / len(row)
            height = max(ln.height for ln in row)
            if abs(line.middle - middle) <= min(height, line.height) / 2:
                row.append(line)
                continue
        rows.append([line])
    for row in rows:
        row.sort(key=lambda ln: ln.x0)
    return rows


def page_blocks(lines: list[Piece], rules: Rules | None = None) -> list[Block]:
    """Turn a page's text pieces into paragraphs, ruled tables and rebuilt tables, in reading order."""
    blocks: list[Block] = []
    run: list[list[Piece]] = []  # the table rows being collected

    def flush() -> None:
        if len(run) >= _MIN_TABLE_ROWS:
            blocks.append(_table(run))
        else:
            blocks.extend(_paragraph(row) for row in run)
        run.clear()

    rows = visual_rows(lines)
    index = 0
    while index < len(rows):
        ruled = grid_table(rows, index, rules) if rules is not None else None
        if ruled is not None:
            flush()
            blocks.append(ruled[0])
            index = ruled[1]
            continue
        row = rows[index]
        index += 1
        if len(row) >= _MIN_TABLE_COLUMNS:
            if run and _gap(run[-1], row) > _MAX_ROW_GAP * max(ln.height for ln in row):
                flush()
            run.append(row)
        elif run and _continues(run, row):
            run[-1] = run[-1] + row
        else:
            flush()
            blocks.append(_paragraph(row))
    flush()
    return blocks


def _gap(above: list[Piece], below: list[Piece]) -> float:
    """Return the vertical white space between two visual lines (negative when they overlap)."""
    return min(ln.bottom for ln in above) - max(ln.top for ln in below)


def _paragraph(row: list[Piece]) -> Paragraph:
    """Return a visual line as one paragraph, its pieces left to right joined with a space."""
    return Paragraph(text=" ".join(line.text for line in sorted(row, key=lambda ln: ln.x0)))


def _head(row: list[Piece]) -> list[Piece]:
    """Return a table row's first visual line (wrapped continuation lines are appended after it)."""
    return [ln for ln in row if abs(ln.middle - row[0].middle) < row[0].height / 2]


def _columns(run: list[list[Piece]]) -> list[tuple[float, float]]:
    """Return the table's column spans: those of the row whose first visual line has the most pieces."""
    widest = max((_head(row) for row in run), key=len)
    return [(ln.x0, ln.x1) for ln in sorted(widest, key=lambda ln: ln.x0)]


def _column_of(line: Piece, columns: list[tuple[float, float]]) -> int:
    """Return the index of the column a line belongs to (largest overlap, else nearest centre)."""
    best, best_overlap = 0, 0.0
    for index, (x0, x1) in enumerate(columns):
        overlap = min(line.x1, x1) - max(line.x0, x0)
        if overlap > best_overlap:
            best, best_overlap = index, overlap
    if best_overlap > 0:
        return best
    centre = (line.x0 + line.x1) / 2
    return min(range(len(columns)), key=lambda i: abs((columns[i][0] + columns[i][1]) / 2 - centre))


def _continues(run: list[list[Piece]], row: list[Piece]) -> bool:
    """Tell whether a short row is the wrapped continuation of the table row above it."""
    if _gap(run[-1], row) > max(ln.height for ln in row):
        return False
    columns = _columns(run)
    return all(
        any(min(ln.x1, x1) - max(ln.x0, x0) > 0 for x0, x1 in columns) for ln in row
    )


def _table(run: list[list[Piece]]) -> Table:
    """Build a table from rows of lines, putting each line in its column (lines of one cell joined by "\\n")."""
    columns = _columns(run)
    grid: list[tuple[str, ...]] = []
    for row in run:
        cells: list[list[str]] = [[] for _ in columns]
        for line in sorted(row, key=lambda ln: -ln.top):
            cells[_column_of(line, columns)].append(line.text)
        grid.append(tuple("\n".join(parts) for parts in cells))
    return Table(rows=tuple(grid))
