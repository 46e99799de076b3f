"""Word documents (.docx) as text blocks, in body order.

The body's XML children are walked in order: ``w:p`` is a ``Paragraph``, ``w:tbl`` a ``Table``; content controls
(``w:sdt``) and custom XML wrappers are looked through. python-docx opens the package; the walk itself reads the
XML, because python-docx's own ``Table.rows`` repeats merged cells and misses runs inside revisions.

* Paragraph text: the ``w:t`` runs (hyperlinks, fields' results and inserted revisions included; deleted
  revisions, field codes, ruby (phonetic) text and text boxes left out), ``w:tab`` as a TAB, ``w:br``/``w:cr``
  as a line break (page and column breaks dropped). Headers, footers and footnotes are not read.
* ``heading_level``: the paragraph's outline level (its own, else its style's or a base style's), else a style
  named "Heading N" / "标题 N".
* Automatic list numbering ("一、", "1.") is put before the text as Word shows it (docx_numbering.py), in the body
  and in table cells alike.
* Tables: one row per ``w:tr``, one grid column per ``w:gridCol`` (``w:gridSpan``, ``w:gridBefore`` and
  ``w:gridAfter`` honoured). A merged cell's text stands in its top-left grid cell; the cells a ``w:gridSpan``
  covers and ``w:vMerge`` continuation cells are ``""``. The paragraphs of a cell are joined with "\\n"; a table
  nested in a cell becomes lines of that cell, its row's cells joined with a space.
"""

from __future__ import annotations

import io
import re

import docx
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from tasktrack.domain.doc_blocks import Block, DocText, Paragraph, Table
from tasktrack.uploads.text_blocks.docx_numbering import ListNumbers, parse_int
from tasktrack.uploads.text_blocks.plain import make_table

_W_P = qn("w:p")
_W_TBL = qn("w:tbl")
_W_TR = qn("w:tr")
_W_TC = qn("w:tc")
_W_T = qn("w:t")
_W_TAB = qn("w:tab")
_W_BR = qn("w:br")
_W_CR = qn("w:cr")
_W_NO_BREAK_HYPHEN = qn("w:noBreakHyphen")
_W_VAL = qn("w:val")
_W_TYPE = qn("w:type")
# Wrappers whose block-level children are read as if they stood in their parent.
_BLOCK_WRAPPERS = frozenset({qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:smartTag")})
# Subtrees of a paragraph whose text is not part of it.
_SKIPPED_IN_PARAGRAPH = frozenset(
    {qn("w:del"), qn("w:moveFrom"), qn("w:txbxContent"), qn("w:pPr"), qn("w:rPr"), qn("w:instrText"),
     qn("w:delText"), qn("w:fldData"), qn("w:footnoteReference"), qn("w:endnoteReference"), qn("w:rt")}
    | {"{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
)
_HEADING_NAME_RE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_BODY_TEXT_OUTLINE = 9  # w:outlineLvl 9 means "body text"
_MAX_CELLS = 1_000_000


class _Styles:
    """Paragraph styles by id: their names, outline levels, list numbering and base styles."""

    def __init__(self, styles_root: BaseOxmlElement | None) -> None:
        """Index the ``w:style`` elements of styles.xml (``None`` when the package has none)."""
        self._by_id: dict[str, tuple[str, int | None, str | None]] = {}
        self._numbering: dict[str, tuple[str | None, str | None]] = {}
        if styles_root is None:
            return
        for style in styles_root.iterchildren(qn("w:style")):
            style_id = style.get(qn("w:styleId"))
            if style_id is None:
                continue
            name_el = style.find(qn("w:name"))
            based_el = style.find(qn("w:basedOn"))
            ppr = style.find(qn("w:pPr"))
            self._by_id[style_id] = (
                name_el.get(_W_VAL, "") if name_el is not None else "",
                _outline_level(ppr),
                based_el.get(_W_VAL) if based_el is not None else None,
            )
            self._numbering[style_id] = _num_pr(ppr)

    def heading_level(self, style_id: str | None) -> int | None:
        """Return the heading level a style gives (outline level or "Heading N" name, through its bases)."""
        seen: set[str] = set()
        while style_id is not None and style_id not in seen and style_id in self._by_id:
            seen.add(style_id)
            name, outline, based_on = self._by_id[style_id]
            if outline is not None:
                return outline
            match = _HEADING_NAME_RE.match(name.strip())
            if match is not None:
                return int(match.group(1))
            style_id = based_on
        return None


    def numbering(self, style_id: str | None) -> tuple[str | None, str | None]:
        """Return the (numId, ilvl) a style gives its paragraphs, through its bases (``None`` parts if unset)."""
        num_id: str | None = None
        ilvl: str | None = None
        seen: set[str] = set()
        while style_id is not None and style_id not in seen and style_id in self._by_id:
            seen.add(style_id)
            own_num, own_lvl = self._numbering[style_id]
            num_id = num_id if num_id is not None else own_num
            ilvl = ilvl if ilvl is not None else own_lvl
            style_id = self._by_id[style_id][2]
        return num_id, ilvl


def _num_pr(ppr: BaseOxmlElement | None) -> tuple[str | None, str | None]:
    """Return the (numId, ilvl) of a ``w:numPr`` in ``ppr`` (``None`` parts when unset)."""
    num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
    if num_pr is None:
        return None, None
    num_el = num_pr.find(qn("w:numId"))
    lvl_el = num_pr.find(qn("w:ilvl"))
    return (
        num_el.get(_W_VAL) if num_el is not None else None,
        lvl_el.get(_W_VAL) if lvl_el is not None else None,
    )


def _outline_level(ppr: BaseOxmlElement | None) -> int | None:
    """Return the 1-based heading level of a ``w:outlineLvl`` in ``ppr`` (``None`` for none or body text)."""
    if ppr is None:
        return None
    el = ppr.find(qn("w:outlineLvl"))
    if el is None:
        return None
    try:
        value = int(el.get(_W_VAL, ""))
    except ValueError:
        return None
    return value + 1 if 0 <= value < _BODY_TEXT_OUTLINE else None


def read_docx(data: bytes) -> DocText:
    """Read a .docx package's body as paragraphs and tables in body order."""
    document = docx.Document(io.BytesIO(data))
    try:
        numbering_root = document.part.numbering_part.element
    except (KeyError, NotImplementedError):  # no numbering part
        numbering_root = None
    reader = _BodyReader(_Styles(document.styles.element), ListNumbers(numbering_root))
    reader.read_children(document.element.body)
    return DocText(blocks=tuple(reader.blocks), source_format="docx")


class _BodyReader:
    """Walks block-level XML and collects the blocks."""

    def __init__(self, styles: _Styles, numbers: ListNumbers) -> None:
        """Start with no blocks."""
        self.styles = styles
        self.numbers = numbers
        self.blocks: list[Block] = []
        self.cells = 0

    def read_children(self, parent: BaseOxmlElement) -> None:
        """Read the block-level children of ``parent`` (a body or a wrapper) in order."""
        for child in parent.iterchildren():
            if child.tag == _W_P:
                text = self._paragraph(child)
                if text:
                    self.blocks.append(Paragraph(text=text, heading_level=self._heading_level(child)))
            elif child.tag == _W_TBL:
                table = self._table(child)
                if table is not None:
                    self.blocks.append(table)
            elif child.tag in _BLOCK_WRAPPERS:
                self.read_children(child)

    def _paragraph(self, p: BaseOxmlElement) -> str:
        """Return a paragraph's text with its automatic list number before it (counted even when empty)."""
        ppr = p.find(qn("w:pPr"))
        num_id, ilvl = _num_pr(ppr)
        if num_id is None or ilvl is None:
            style_el = ppr.find(qn("w:pStyle")) if ppr is not None else None
            style_num, style_lvl = self.styles.numbering(style_el.get(_W_VAL) if style_el is not None else None)
            num_id = num_id if num_id is not None else style_num
            ilvl = ilvl if ilvl is not None else style_lvl
        text = paragraph_text(p)
        if num_id is None or num_id == "0":
            return text
        label = self.numbers.label(num_id, parse_int(ilvl, 0))
        return label + text if text else ""

    def _heading_level(self, p: BaseOxmlElement) -> int | None:
        """Return a paragraph's heading level from its own outline level or its style."""
        ppr = p.find(qn("w:pPr"))
        own = _outline_level(ppr)
        if own is not None:
            return own
        style_el = ppr.find(qn("w:pStyle")) if ppr is not None else None
        return self.styles.heading_level(style_el.get(_W_VAL) if style_el is not None else None)

    def _table(self, tbl: BaseOxmlElement) -> Table | None:
        """Read a ``w:tbl`` as a grid (merged cells per the DocText convention)."""
        grid_cols = len(tbl.findall(f"{qn('w:tblGrid')}/{qn('w:gridCol')}"))
        rows: list[list[str]] = []
        for tr in _iter_wrapped(tbl, _W_TR):
            row: list[str] = [""] * _tr_count(tr, "w:gridBefore")
            for tc in _iter_wrapped(tr, _W_TC):
                tcpr = tc.find(qn("w:tcPr"))
                span = _int_val(tcpr, "w:gridSpan", 1) if tcpr is not None else 1
                vmerge = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
                continued = vmerge is not None and vmerge.get(_W_VAL, "continue") == "continue"
                row.append("" if continued else self.cell_text(tc))
                row.extend([""] * (max(span, 1) - 1))
            row.extend([""] * _tr_count(tr, "w:gridAfter"))
            self.cells += max(len(row), grid_cols)
            if self.cells > _MAX_CELLS:
                raise ValueError("too many table cells")
            rows.append(row)
        if grid_cols and rows:
            rows[0].extend([""] * (grid_cols - len(rows[0])))
        return make_table(rows)

    def cell_text(self, tc: BaseOxmlElement) -> str:
        """Return a table cell's text: its paragraphs joined with "\\n", nested tables as lines."""
        lines: list[str] = []
        self._cell_lines(tc, lines)
        return "\n".join(lines).strip()

    def _cell_lines(self, parent: BaseOxmlElement, lines: list[str]) -> None:
        """Collect the non-empty lines of a cell's block-level content in order."""
        for child in parent.iterchildren():
            if child.tag == _W_P:
                text = self._paragraph(child)
                if text:
                    lines.append(text)
            elif child.tag == _W_TBL:
                for tr in _iter_wrapped(child, _W_TR):
                    texts = [self.cell_text(tc) for tc in _iter_wrapped(tr, _W_TC)]
                    line = " ".join(t.replace("\n", " ") for t in texts if t)
                    if line:
                        lines.append(line)
            elif child.tag in _BLOCK_WRAPPERS:
                self._cell_lines(child, lines)


def _iter_wrapped(parent: BaseOxmlElement, tag: str) -> list[BaseOxmlElement]:
    """Return ``parent``'s children with ``tag``, looking through content controls and custom XML."""
    found: list[BaseOxmlElement] = []
    for child in parent.iterchildren():
        if child.tag == tag:
            found.append(child)
        elif child.tag in _BLOCK_WRAPPERS:
            found.extend(_iter_wrapped(child, tag))
    return found


def _int_val(parent: BaseOxmlElement, tag: str, default: int) -> int:
    """Return the integer ``w:val`` of ``parent``'s child ``tag`` (``default`` when absent or malformed)."""
    el = parent.find(qn(tag))
    if el is None:
        return default
    try:
        return min(int(el.get(_W_VAL, "")), 1000)
    except ValueError:
        return default


def _tr_count(tr: BaseOxmlElement, tag: str) -> int:
    """Return a row's ``w:gridBefore``/``w:gridAfter`` count (grid cells with no ``w:tc``)."""
    trpr = tr.find(qn("w:trPr"))
    return max(_int_val(trpr, tag, 0), 0) if trpr is not None else 0


def paragraph_text(p: BaseOxmlElement) -> str:
    """Return a ``w:p``'s visible text, stripped."""
    parts: list[str] = []
    _collect_text(p, parts)
    return "".join(parts).strip()


def _collect_text(el: BaseOxmlElement, parts: list[str]) -> None:
    """Append the text of ``el``'s descendants, skipping subtrees that are not visible text."""
    for child in el.iterchildren():
        tag = child.tag
        if tag in _SKIPPED_IN_PARAGRAPH or not isinstance(tag, str):
            continue
        if tag == _W_T:
            parts.append(child.text or "")
        elif tag == _W_TAB:
            parts.append("\t")
        elif tag == _W_BR:
            if child.get(_W_TYPE) in (None, "textWrapping"):
                parts.append("\n")
        elif tag == _W_CR:
            parts.append("\n")
        elif tag == _W_NO_BREAK_HYPHEN:
            parts.append("-")
        else:
            _collect_text(child, parts)
