"""Received plan documents built in memory, as the bytes a user would upload (for the import pipeline's tests).

* ``seed004_docx()``: seed 004 (seed/plans/2024/source.txt) as a Word document — its paragraphs as paragraphs, its
  task table as ONE Word table whose section cells are vertically merged over their rows (the header row the text
  version repeats after the page break is dropped), and 附件2's member list as paragraphs after it.
* ``seed004_xlsx()``: the same task table as a worksheet, section cells merged over their rows.
* ``seed004_task_grid()``: the grid both should read back as (merged-over cells ``""``).
* ``text_pdf(lines)``: a minimal PDF whose text layer pdfminer extracts (CJK through the standard /STSong-Light
  font, /UniGB-UCS2-H encoding, not embedded); a TAB in a line moves to the next column stop, an empty line is
  left blank, a "\\f" line starts a new page.
* ``ruled_table_pdf(grid, widths)``: a PDF with a bordered table as Word exports one (cells wrapped to their
  column, a "" cell in column 0 under text merged into it with the text centred over the merged rows).
* ``scanned_pdf()``: a PDF whose only page holds an image and no text.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
import openpyxl

SEED004_SOURCE = Path(__file__).parents[1] / "seed" / "plans" / "2024" / "source.txt"

_PDF_PAGE_WIDTH = 595
_PDF_PAGE_HEIGHT = 842
_PDF_LEFT = 56
_PDF_TOP = 780
_PDF_FONT_SIZE = 10
_PDF_LINE_STEP = 16
_PDF_COLUMN_STOP = 130


def seed004_lines() -> list[str]:
    """Return seed 004's source text as lines (stripped of line ends, empty lines dropped)."""
    return [line.rstrip("\r\n") for line in SEED004_SOURCE.read_text(encoding="utf-8").splitlines() if line.strip()]


def seed004_task_grid() -> tuple[tuple[str, ...], ...]:
    """Return seed 004's task table as one grid: header once, section text only in its first row."""
    rows: list[tuple[str, ...]] = []
    for line in seed004_lines():
        if "\t" in line:
            row = tuple(cell.strip() for cell in line.split("\t"))
            if not rows or row != rows[0]:
                rows.append(row)
    return tuple(rows)


def _section_spans(grid: tuple[tuple[str, ...], ...]) -> list[tuple[int, int]]:
    """Return (first, last) body-row indexes of each section cell of the grid (row 0 is the header)."""
    starts = [i for i in range(1, len(grid)) if grid[i][0]]
    ends = [s - 1 for s in starts[1:]] + [len(grid) - 1]
    return list(zip(starts, ends, strict=True))


def seed004_docx() -> bytes:
    """Build seed 004 as a .docx: paragraphs, one task table with vertically merged section cells, 附件2."""
    document = docx.Document()
    grid = seed004_task_grid()
    table_done = False
    for line in seed004_lines():
        if "\t" in line:
            if not table_done:
                table = document.add_table(rows=len(grid), cols=len(grid[0]))
                table.style = "Table Grid"
                for r, row in enumerate(grid):
                    for c, text in enumerate(row):
                        if text:
                            table.cell(r, c).text = text
                for first, last in _section_spans(grid):
                    if last > first:
                        table.cell(first, 0).merge(table.cell(last, 0))
                table_done = True
            continue
        text = line.strip()
        if text.startswith("- "):
            text = text[2:]
        document.add_paragraph(text)
    return _save(document)


def seed004_xlsx() -> bytes:
    """Build seed 004's task table as an .xlsx sheet with the section cells merged over their rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "任务表"
    grid = seed004_task_grid()
    for r, row in enumerate(grid, start=1):
        for c, text in enumerate(row, start=1):
            if text:
                sheet.cell(row=r, column=c, value=text)
    for first, last in _section_spans(grid):
        if last > first:
            sheet.merge_cells(start_row=first + 1, start_column=1, end_row=last + 1, end_column=1)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _save(document: object) -> bytes:
    """Return a python-docx document's bytes."""
    out = io.BytesIO()
    document.save(out)  # type: ignore[attr-defined]
    return out.getvalue()


def pdf_of(objects: list[bytes]) -> bytes:
    """Assemble numbered PDF objects (object 1 is the catalog) with a correct xref table and trailer."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(content: bytes, extra: bytes = b"") -> bytes:
    """Return a PDF stream object body."""
    return b"<< /Length %d %s>>\nstream\n" % (len(content), extra) + content + b"\nendstream"


def _ucs2_hex(text: str) -> bytes:
    """Encode text for /UniGB-UCS2-H: UTF-16BE code units as a hex string."""
    return b"<" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _page_content(lines: list[str]) -> bytes:
    """Return a page's content stream: each line (TABs to column stops) at its own baseline."""
    ops = [b"BT", b"/F1 %d Tf" % _PDF_FONT_SIZE]
    for index, line in enumerate(lines):
        y = _PDF_TOP - index * _PDF_LINE_STEP
        for column, piece in enumerate(line.split("\t")):
            if piece:
                x = _PDF_LEFT + column * _PDF_COLUMN_STOP
                ops.append(b"1 0 0 1 %d %d Tm %s Tj" % (x, y, _ucs2_hex(piece)))
    ops.append(b"ET")
    return b"\n".join(ops)


def text_pdf(lines: list[str]) -> bytes:
    """Build a PDF whose text layer holds ``lines`` (CJK included); a "\\f" line starts a new page."""
    pages: list[list[str]] = [[]]
    for line in lines:
        if line == "\f":
            pages.append([])
        else:
            pages[-1].append(line)
    font = 3 + 2 * len(pages)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(len(pages))), len(pages)),
    ]
    for index, page_lines in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 %d 0 R >> >> "
            b"/Contents %d 0 R >>" % (_PDF_PAGE_WIDTH, _PDF_PAGE_HEIGHT, font, 4 + 2 * index)
        )
        objects.append(_stream(_page_content(page_lines)))
    objects.extend(_cjk_font_objects(font))
    return pdf_of(objects)


def scanned_pdf() -> bytes:
    """Build a one-page PDF holding only an image (a scan): no text layer at all."""
    pixels = bytes([200, 60, 200, 60] * 4)  # 4x4 grey
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        _stream(b"q 500 0 0 700 48 70 cm /Im1 Do Q"),
        _stream(pixels, b"/Type /XObject /Subtype /Image /Width 4 /Height 4 /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 "),
    ]
    return pdf_of(objects)


def _wrap(text: str, chars: int) -> list[str]:
    """Cut a cell's text into lines of at most ``chars`` characters (every character is one em wide here)."""
    return [text[i : i + chars] for i in range(0, len(text), chars)] if text else []


def ruled_table_pdf(
    grid: tuple[tuple[str, ...], ...],
    widths: list[int],
    *,
    before: tuple[str, ...] = (),
    after: tuple[str, ...] = (),
    font_size: int = 9,
) -> bytes:
    """Build a one-page PDF: paragraphs ``before``, a bordered table of ``grid``, paragraphs ``after``.

    Horizontal borders are drawn as thin filled rectangles and vertical ones as stroked lines (both ways Word
    and WPS export them). Column 0's empty cells continue the cell above: no border between them, and the text
    is centred over the merged rows.
    """
    step, pad = font_size + 3, 4
    ops = [b"BT", b"/F1 %d Tf" % font_size]
    rules: list[bytes] = []
    y = _PDF_TOP
    for line in before:
        ops.append(b"1 0 0 1 %d %d Tm %s Tj" % (_PDF_LEFT, y, _ucs2_hex(line)))
        y -= step * 2
    xs = [_PDF_LEFT + sum(widths[:i]) for i in range(len(widths) + 1)]
    chars = [(w - 2 * pad) // font_size for w in widths]
    top = y + font_size
    heights = [
        max([len(_wrap(cell, chars[c])) for c, cell in enumerate(row) if c > 0] + [1]) * step + 2 * pad
        for row in grid
    ]
    row_tops = [top - sum(heights[:r]) for r in range(len(grid) + 1)]
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            lines = _wrap(cell, chars[c])
            first_baseline = row_tops[r] - pad - font_size
            if c == 0 and cell:
                last = r
                while last + 1 < len(grid) and not grid[last + 1][0]:
                    last += 1
                span = row_tops[r] - row_tops[last + 1]
                first_baseline = round(row_tops[r] - (span - len(lines) * step) / 2 - font_size)
            for k, text in enumerate(lines):
                ops.append(b"1 0 0 1 %d %d Tm %s Tj" % (xs[c] + pad, first_baseline - k * step, _ucs2_hex(text)))
        if r > 0:
            x_from = xs[0] if row[0] else xs[1]
            rules.append(b"%d %.1f %d 0.5 re f" % (x_from, row_tops[r] - 0.25, xs[-1] - x_from))
    rules.append(b"%d %.1f %d 0.5 re f" % (xs[0], row_tops[0] - 0.25, xs[-1] - xs[0]))
    rules.append(b"%d %.1f %d 0.5 re f" % (xs[0], row_tops[-1] - 0.25, xs[-1] - xs[0]))
    rules.extend(b"%d %d m %d %d l S" % (x, row_tops[0], x, row_tops[-1]) for x in xs)
    y = row_tops[-1] - step * 2
    for line in after:
        ops.append(b"1 0 0 1 %d %d Tm %s Tj" % (_PDF_LEFT, y, _ucs2_hex(line)))
        y -= step * 2
    ops.append(b"ET")
    content = b"0.5 w\n" + b"\n".join(rules) + b"\n" + b"\n".join(ops)
    return pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 5 0 R >> >> "
            b"/Contents 4 0 R >>" % (_PDF_PAGE_WIDTH, _PDF_PAGE_HEIGHT),
            _stream(content),
            *_cjk_font_objects(5),
        ]
    )


def _cjk_font_objects(number: int) -> list[bytes]:
    """Return the three objects of the /STSong-Light Type0 font, numbered from ``number``."""
    return [
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [%d 0 R] >>" % (number + 1),
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
        b"/FontDescriptor %d 0 R /DW 1000 >>" % (number + 2),
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
