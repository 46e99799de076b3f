"""The neutral text form of a received document: paragraphs and tables, in reading order.

Every format adapter (``tasktrack.uploads.text_blocks``: .docx, .xlsx, PDF, plain text, .tsv)
produces a ``DocText``; the pure layout reader (``tasktrack.domain.plan_layout``) reads the plan
out of it. Nothing here knows about files or the database.

Conventions every adapter keeps:

* text is as written (no normalisation), with surrounding whitespace stripped; empty paragraphs
  are dropped;
* a table is a rectangular grid of cell texts; a merged cell's text stands in its first (top-left)
  grid cell and the cells it covers are ``""`` (readers of the grid must also tolerate a format
  that repeats the text instead);
* ``heading_level`` is set only when the format says so (a Word heading style, a Markdown ``#``);
  numbering such as ``一、`` is left to the layout reader.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of running text."""

    text: str
    heading_level: int | None = None


@dataclass(frozen=True)
class Table:
    """One table as a grid of cell texts (rows of equal length)."""

    rows: tuple[tuple[str, ...], ...]


Block = Paragraph | Table


@dataclass(frozen=True)
class DocText:
    """A document as paragraphs and tables in reading order."""

    blocks: tuple[Block, ...]
    #: The format it was read from: "docx", "xlsx", "pdf", "txt", "tsv".
    source_format: str

    @property
    def is_empty(self) -> bool:
        """Return True when the document holds no visible text at all."""
        for block in self.blocks:
            if isinstance(block, Paragraph) and block.text.strip():
                return False
            if isinstance(block, Table) and any(cell.strip() for row in block.rows for cell in row):
                return False
        return True
