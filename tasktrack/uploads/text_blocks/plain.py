"""Plain text (.txt, pasted text) and tab-separated values (.tsv) as text blocks.

Decoding: a UTF-8 or UTF-16 byte-order mark wins; otherwise UTF-16 when NUL bytes fall on every other byte,
then strict UTF-8, then strict GB18030 (which covers GBK and GB2312, the encodings of Chinese Windows Notepad).
A PDF, Office or picture file, and anything with NUL or other control characters, is not text.

Lines (CRLF, CR or LF) are read one at a time:

* an empty line produces nothing, but ends a table;
* consecutive lines holding a TAB are one ``Table`` (split on tabs, rows padded to equal length) — what a copy
  from Word or Excel pastes;
* consecutive Markdown pipe-table lines (``| a | b |``) are one ``Table``; the ``|---|---|`` rule is dropped;
* ``# 标题`` … ``###### 标题`` is a heading ``Paragraph`` with the marker stripped;
* a bullet marker (``- ``, ``* ``, ``+ ``, ``• ``) is stripped; numbering such as ``1.`` is left as written;
* any other line is one ``Paragraph``.

A .tsv file is one ``Table`` of all its non-empty lines.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

from tasktrack.domain.doc_blocks import Block, DocText, Paragraph, Table
from tasktrack.uploads.text_blocks.errors import not_text, undecodable

_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_BULLET_RE = re.compile(r"^[-*+•·]\s+")
_PIPE_RULE_CELL_RE = re.compile(r"^:?-{3,}:?$")
# Files that are certainly not text: PDF, ZIP (DOCX/XLSX), OLE (DOC/XLS), PNG, JPEG, GIF.
_BINARY_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
# Control characters that never occur in a text document (TAB, LF, VT, FF, CR are allowed).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_BYTES_RE = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")


def decode_text(data: bytes, name: str) -> str:
    """Decode a text file's bytes (BOM, UTF-8, UTF-16 without BOM, GB18030), or raise ``UnreadableDocument``."""
    text: str | None = None
    if data.startswith(codecs.BOM_UTF8):
        text = _try_decode(data[len(codecs.BOM_UTF8) :], "utf-8")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _try_decode(data, "utf-16")
    elif data.startswith(_BINARY_MAGIC):
        raise not_text(name)
    else:
        utf16 = _utf16_without_bom(data)
        text = _try_decode(data, utf16) if utf16 is not None else None
        if text is None or _CONTROL_RE.search(text):
            if _CONTROL_BYTES_RE.search(data):  # no byte of a UTF-8 or GB18030 character is a control byte
                raise not_text(name)
            text = _try_decode(data, "utf-8")
            if text is None:
                text = _try_decode(data, "gb18030")
    if text is None:
        raise undecodable(name)
    if _CONTROL_RE.search(text):
        raise not_text(name)
    return text.lstrip("\ufeff")  # a second BOM (a file saved twice with one) is not text


def _utf16_without_bom(data: bytes) -> str | None:
    """Guess UTF-16 without a byte-order mark from where the NUL bytes fall ("utf-16-le"/"-be", else ``None``)."""
    if len(data) % 2 or b"\x00" not in data:
        return None
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    if odd > 4 * even:
        return "utf-16-le"
    if even > 4 * odd:
        return "utf-16-be"
    return None


def _try_decode(data: bytes, encoding: str) -> str | None:
    """Decode strictly, returning ``None`` when the bytes are not in ``encoding``."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def read_text(text: str) -> DocText:
    """Read decoded plain text (a .txt file or pasted text) as paragraphs and tables."""
    blocks: list[Block] = []
    tab_rows: list[list[str]] = []
    pipe_rows: list[list[str]] = []

    def flush() -> None:
        for rows in (tab_rows, pipe_rows):
            if rows:
                table = make_table(rows)
                if table is not None:
                    blocks.append(table)
                rows.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif "\t" in line:
            if pipe_rows:
                flush()
            tab_rows.append(raw.rstrip("\r\n").split("\t"))
        elif line.startswith("|") and line.endswith("|") and len(line) > 1:
            if tab_rows:
                flush()
            cells = _pipe_cells(line)
            if not all(_PIPE_RULE_CELL_RE.match(cell) for cell in cells):
                pipe_rows.append(cells)
        else:
            flush()
            blocks.append(_line_paragraph(line))
    flush()
    return DocText(blocks=tuple(b for b in blocks if not _is_blank(b)), source_format="txt")


def read_tsv(text: str) -> DocText:
    """Read tab-separated values as one table (empty lines skipped)."""
    rows = [line.split("\t") for line in text.splitlines() if line.strip()]
    table = make_table(rows)
    return DocText(blocks=(table,) if table is not None else (), source_format="tsv")


def make_table(rows: Iterable[Iterable[str]]) -> Table | None:
    """Build a rectangular ``Table`` from ragged rows of cell texts (stripped; ``None`` when there are no rows)."""
    grid = [[cell.strip() for cell in row] for row in rows]
    width = max((len(row) for row in grid), default=0)
    if width == 0:
        return None
    return Table(rows=tuple(tuple(row + [""] * (width - len(row))) for row in grid))


def _pipe_cells(line: str) -> list[str]:
    """Split a Markdown pipe-table line into cells (outer pipes dropped, ``\\|`` kept as a pipe)."""
    inner = line[1:-1] if line.endswith("|") and not line.endswith("\\|") else line[1:]
    parts = re.split(r"(?<!\\)\|", inner)
    return [part.replace("\\|", "|").strip() for part in parts]


def _line_paragraph(line: str) -> Paragraph:
    """Read one non-table line: a Markdown heading, a bullet item or plain text."""
    heading = _HEADING_RE.match(line)
    if heading is not None:
        return Paragraph(text=heading.group(2).strip(), heading_level=len(heading.group(1)))
    return Paragraph(text=_BULLET_RE.sub("", line, count=1).strip())


def _is_blank(block: Block) -> bool:
    """Tell whether a block holds no text at all (a heading marker alone, an all-empty table)."""
    if isinstance(block, Paragraph):
        return not block.text
    return not any(cell for row in block.rows for cell in row)
