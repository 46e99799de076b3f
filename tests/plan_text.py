"""Test-only converter: plain text → DocText, the way the .txt adapter reads it.

One Paragraph per non-empty line; consecutive lines holding a TAB → one Table split on tabs (rows
padded to equal length); Markdown ``# `` headings → ``heading_level`` (the ``#`` removed).
"""

from __future__ import annotations

import re

from tasktrack.domain.doc_blocks import Block, DocText, Paragraph, Table


def doc_from_text(text: str) -> DocText:
    """Return the DocText of a plain-text document."""
    blocks: list[Block] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            width = max(len(row) for row in rows)
            blocks.append(Table(tuple(tuple(row + [""] * (width - len(row))) for row in rows)))
            rows.clear()

    for raw in text.splitlines():
        if "\t" in raw and raw.strip():
            rows.append([cell.strip() for cell in raw.split("\t")])
            continue
        flush()
        line = raw.strip()
        if not line:
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            blocks.append(Paragraph(heading[2].strip(), len(heading[1])))
        else:
            blocks.append(Paragraph(line))
    flush()
    return DocText(tuple(blocks), "txt")
