"""Lay out any ``gongwen.Document`` as a .docx per GB/T 9704-2012 (python-docx): the one renderer, nothing
document-specific.

What Word, WPS and LibreOffice each need to show the same page:

* the page: A4, the GB/T 9704 margins, a document grid (``w:docGrid`` linesAndChars) of 22 lines × 28 characters;
* the fonts: every style and every run names its East Asian font in ``w:rFonts/@w:eastAsia`` (仿宋_GB2312, 黑体,
  楷体_GB2312, 方正小标宋简体) with Times New Roman for Latin text, and no theme fonts (a theme font attribute
  wins over an explicit name); a machine without those fonts substitutes its own (here: a fontconfig alias);
* the lines and characters: the grid is declared for Word's and WPS's page setup (每行 28 字，每页 22 行), but
  paragraphs do not snap to it (``w:snapToGrid`` off): LibreOffice puts a 16 pt character into two grid cells
  of 15.8 pt (14 characters a line), and a table would be stretched to the body pitch. Exact line spacing at the
  grid's line pitch (no space before or after) gives the 22 lines, and a character spacing of -0.25 pt on
  body-size text (``Grid.char_spacing``) gives the 28 characters, in Word, WPS and LibreOffice alike;
* page numbers "— 1 —" in 4号 at the outer side: odd pages right, even pages left (``evenAndOddHeaders``), each a
  PAGE field; the number stands one character in from the margin.

Stored text goes in through ``safe_text.for_xml`` (a character XML cannot hold shows as U+FFFD).
"""

from __future__ import annotations

import io
from xml.sax.saxutils import quoteattr

import docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Twips
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from tasktrack.domain import gongwen as gw
from tasktrack.domain.safe_text import for_xml

GRID = gw.grid_for(gw.GB9704)
_BODY = round(gw.SIZE_3 * 2)  # half-points
#: Style ids (built-in ones keep Word's ids, so WPS and Word treat headings and TOC lines as theirs).
TITLE, SUBTITLE, ADDRESSEE, BODY = "Title", "Subtitle", "GongwenAddressee", "Normal"
HEADINGS = {1: "Heading1", 2: "Heading2", 3: "Heading3"}
TABLE_TEXT, SIGNATURE, MARK = "GongwenTable", "GongwenSignature", "GongwenMark"
FOOTER, TOC_TITLE = "Footer", "TOCHeading"
TOC_LEVELS = {1: "TOC1", 2: "TOC2", 3: "TOC3"}


def _rpr(east: str, size_pt: float, *, bold: bool = False) -> str:
    """Return an ``w:rPr`` body: explicit fonts (Latin and East Asian), bold, black, size; body-size text gets the
    character spacing that fits the grid's characters to a line."""
    half = round(size_pt * 2)
    spacing = f'<w:spacing w:val="{GRID.char_spacing}"/>' if size_pt == GRID.font_pt else ""
    return (f'<w:rFonts w:ascii="{gw.FONT_LATIN}" w:hAnsi="{gw.FONT_LATIN}" w:cs="{gw.FONT_LATIN}" '
            f'w:eastAsia="{east}"/>' + ("<w:b/><w:bCs/>" if bold else '<w:b w:val="0"/><w:bCs w:val="0"/>')
            + f'<w:color w:val="000000"/>{spacing}<w:kern w:val="0"/><w:sz w:val="{half}"/><w:szCs w:val="{half}"/>')


def _ppr(*, align: str = "both", first_chars: float = 0, left_chars: float = 0, right_chars: float = 0,
         line: int = GRID.line_pitch, outline: int | None = None, keep_next: bool = False, grid: bool = True,
         before: int = 0) -> str:
    """Return a ``w:pPr`` body: alignment, exact line spacing, indents in grid characters (and twips)."""
    del grid  # every paragraph is off the grid (module docstring): the spacing and pitches give its layout
    # overflowPunct off: no full-width comma hangs into the right margin (Word's and LibreOffice's default does).
    parts = ["<w:keepNext/>" if keep_next else "", '<w:overflowPunct w:val="0"/>', '<w:snapToGrid w:val="0"/>',
             f'<w:spacing w:before="{before}" w:after="0" w:line="{line}" w:lineRule="exact"/>']
    ind = []
    if left_chars:
        ind.append(f'w:leftChars="{round(left_chars * 100)}" w:left="{GRID.chars_to_twips(left_chars)}"')
    if right_chars:
        ind.append(f'w:rightChars="{round(right_chars * 100)}" w:right="{GRID.chars_to_twips(right_chars)}"')
    if first_chars:
        ind.append(f'w:firstLineChars="{round(first_chars * 100)}" w:firstLine="{GRID.chars_to_twips(first_chars)}"')
    parts.append(f"<w:ind {' '.join(ind)}/>" if ind else '<w:ind w:firstLine="0" w:firstLineChars="0"/>')
    parts.append(f'<w:jc w:val="{align}"/>')
    if outline is not None:
        parts.append(f'<w:outlineLvl w:val="{outline}"/>')
    return "".join(parts)


#: style id → (name, pPr body, rPr body)
STYLES: dict[str, tuple[str, str, str]] = {
    BODY: ("Normal", _ppr(first_chars=2), _rpr(gw.FONT_BODY, gw.SIZE_3)),
    TITLE: ("Title", _ppr(align="center", line=round(GRID.line_pitch * 1.2)), _rpr(gw.FONT_TITLE, gw.SIZE_2)),
    SUBTITLE: ("Subtitle", _ppr(align="center"), _rpr(gw.FONT_HEADING_2, gw.SIZE_3)),
    ADDRESSEE: ("公文主送", _ppr(align="left"), _rpr(gw.FONT_BODY, gw.SIZE_3)),
    HEADINGS[1]: ("heading 1", _ppr(first_chars=2, outline=0, keep_next=True), _rpr(gw.FONT_HEADING_1, gw.SIZE_3)),
    HEADINGS[2]: ("heading 2", _ppr(first_chars=2, outline=1, keep_next=True), _rpr(gw.FONT_HEADING_2, gw.SIZE_3)),
    HEADINGS[3]: ("heading 3", _ppr(first_chars=2, outline=2, keep_next=True),
                  _rpr(gw.FONT_BODY, gw.SIZE_3, bold=True)),
    TABLE_TEXT: ("公文表格", _ppr(align="left", line=round(gw.SIZE_SMALL_4 * 1.4 * 20), grid=False),
                 _rpr(gw.FONT_BODY, gw.SIZE_SMALL_4)),
    SIGNATURE: ("公文落款", _ppr(align="right"), _rpr(gw.FONT_BODY, gw.SIZE_3)),
    MARK: ("公文附件标识", _ppr(align="left"), _rpr(gw.FONT_HEADING_1, gw.SIZE_3)),
    FOOTER: ("footer", _ppr(align="right", line=round(gw.SIZE_4 * 1.3 * 20), grid=False),
             _rpr(gw.FONT_PAGE_NUMBER, gw.SIZE_4)),
    TOC_TITLE: ("TOC Heading", _ppr(align="center"), _rpr(gw.FONT_HEADING_1, gw.SIZE_3)),
    TOC_LEVELS[1]: ("toc 1", _ppr(align="left"), _rpr(gw.FONT_BODY, gw.SIZE_3)),
    TOC_LEVELS[2]: ("toc 2", _ppr(align="left", left_chars=2), _rpr(gw.FONT_BODY, gw.SIZE_3)),
    TOC_LEVELS[3]: ("toc 3", _ppr(align="left", left_chars=4), _rpr(gw.FONT_BODY, gw.SIZE_3)),
}


def _set_styles(document: DocxDocument) -> None:
    """Write the document defaults and every style the renderer uses, replacing the template's."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        styles.remove(defaults)
    styles.insert(0, parse_xml(
        f'<w:docDefaults {nsdecls("w")}><w:rPrDefault><w:rPr>{_rpr(gw.FONT_BODY, gw.SIZE_3)}'
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        f'<w:pPrDefault><w:pPr>{_ppr()}</w:pPr></w:pPrDefault></w:docDefaults>'
    ))
    for style_id, (name, ppr, rpr) in STYLES.items():
        old = styles.find(f'{qn("w:style")}[@{qn("w:styleId")}="{style_id}"]')
        if old is not None:
            styles.remove(old)
        default = ' w:default="1"' if style_id == BODY else ""
        based = "" if style_id == BODY else '<w:basedOn w:val="Normal"/>'
        styles.append(parse_xml(
            f'<w:style {nsdecls("w")} w:type="paragraph"{default} w:styleId="{style_id}">'
            f'<w:name w:val={quoteattr(name)}/>{based}<w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>'
        ))


def _page(document: DocxDocument) -> None:
    """Set A4, the margins, the grid and the footers' distance on the (single) section."""
    section = document.sections[0]
    section.page_width, section.page_height = Twips(GRID.page_width), Twips(GRID.page_height)
    section.top_margin, section.bottom_margin = Twips(GRID.top), Twips(GRID.bottom)
    section.left_margin, section.right_margin = Twips(GRID.left), Twips(GRID.right)
    section.header_distance = Twips(gw.mm_to_twips(15))
    # The number's line starts 7 mm below the 版心 (GB/T 9704 §7.5): its 4号 line is about 6.4 mm high.
    section.footer_distance = Twips(gw.mm_to_twips(gw.GB9704.bottom_mm - 7 - 6.4))
    sect = section._sectPr
    old = sect.find(qn("w:docGrid"))
    if old is not None:
        sect.remove(old)
    sect.append(parse_xml(f'<w:docGrid {nsdecls("w")} w:type="linesAndChars" w:linePitch="{GRID.line_pitch}" '
                          f'w:charSpace="{GRID.char_space}"/>'))
    document.settings.odd_and_even_pages_header_footer = True
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        _style(paragraph, FOOTER)
        ppr = paragraph._p.get_or_add_pPr()
        side = "right" if odd else "left"
        ppr.append(parse_xml(f'<w:ind {nsdecls("w")} w:{side}="{round(gw.SIZE_4 * 20)}"/>'))
        ppr.append(parse_xml(f'<w:jc {nsdecls("w")} w:val="{side}"/>'))
        _run(paragraph, "— ", gw.FONT_PAGE_NUMBER, gw.SIZE_4)
        _field(paragraph, "PAGE", "1", gw.FONT_PAGE_NUMBER, gw.SIZE_4)
        _run(paragraph, " —", gw.FONT_PAGE_NUMBER, gw.SIZE_4)


def _run(paragraph: DocxParagraph, text: str, east: str, size_pt: float, *, bold: bool = False) -> None:
    """Append a run with its fonts spelled out (Word and WPS read the run's rFonts first)."""
    run = paragraph.add_run(for_xml(text))
    run._r.insert(0, parse_xml(f'<w:rPr {nsdecls("w")}>{_rpr(east, size_pt, bold=bold)}</w:rPr>'))


def _field_chars(kind: str) -> BaseOxmlElement:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


def _field(paragraph: DocxParagraph, instruction: str, shown: str, east: str, size_pt: float) -> None:
    """Append a complex field (begin, instruction, separate, the shown result, end)."""
    rpr = f'<w:rPr {nsdecls("w")}>{_rpr(east, size_pt)}</w:rPr>'
    for piece in ("begin", "instr", "separate", "shown", "end"):
        run = paragraph.add_run()
        run._r.insert(0, parse_xml(rpr))
        if piece == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        elif piece == "shown":
            run.text = shown
        else:
            run._r.append(_field_chars(piece))


def _style(paragraph: DocxParagraph, style_id: str) -> None:
    """Give a paragraph a style by its id (Word's built-in ids are not their names)."""
    paragraph._p.get_or_add_pPr().get_or_add_pStyle().val = style_id


def _paragraph(document: DocxDocument, style: str, text: str, east: str, size_pt: float, *,
               bold: bool = False) -> DocxParagraph:
    paragraph = document.add_paragraph()
    _style(paragraph, style)
    if text:
        _run(paragraph, text, east, size_pt, bold=bold)
    return paragraph


def _direct(paragraph: DocxParagraph, **ppr: object) -> None:
    """Replace a paragraph's direct spacing/indent/alignment (for the lines whose indent depends on their text)."""
    element = paragraph._p.get_or_add_pPr()
    element.extend(parse_xml(f'<w:pPr {nsdecls("w")}>{_ppr(**ppr)}</w:pPr>'))  # type: ignore[arg-type]


def _table(document: DocxDocument, block: gw.Table) -> None:
    columns = len(block.widths)
    rows = block.header + block.rows
    grid = gw.table_grid(rows, columns)
    total = sum(block.widths)
    widths = [GRID.text_width * w // total for w in block.widths]
    table: DocxTable = document.add_table(rows=len(rows), cols=columns)
    table.style = document.styles["Table Grid"]
    tbl_pr = table._tbl.tblPr
    tbl_pr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
    width = tbl_pr.find(qn("w:tblW"))
    if width is not None:
        tbl_pr.remove(width)
    tbl_pr.append(parse_xml(f'<w:tblW {nsdecls("w")} w:w="{sum(widths)}" w:type="dxa"/>'))
    tbl_pr.append(parse_xml(f'<w:jc {nsdecls("w")} w:val="center"/>'))
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(w))
    for r, line in enumerate(grid):
        tr = table.rows[r]._tr
        tr_pr = tr.get_or_add_trPr()
        if r < len(block.header):
            tr_pr.append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
            tr_pr.append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
        for c in range(len(line)):
            table.cell(r, c).width = Twips(widths[c])
    for r, line in enumerate(grid):
        for c, slot in enumerate(line):
            if slot.cell is None:
                continue
            cell = table.cell(r, c)
            if slot.cell.colspan > 1 or slot.cell.rowspan > 1:
                cell = cell.merge(table.cell(r + slot.cell.rowspan - 1, c + slot.cell.colspan - 1))
            is_header = r < len(block.header)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            lines = for_xml(slot.cell.text).split("\n") or [""]
            first = cell.paragraphs[0]
            for extra in cell.paragraphs[1:]:
                extra._p.getparent().remove(extra._p)
            for i, text in enumerate(lines):
                paragraph = first if i == 0 else cell.add_paragraph()
                _style(paragraph, TABLE_TEXT)
                if slot.cell.align == "center" or is_header:
                    paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:jc {nsdecls("w")} w:val="center"/>'))
                east = gw.FONT_HEADING_1 if is_header else gw.FONT_BODY
                _run(paragraph, text, east, block.font_pt, bold=slot.cell.bold)


def _toc(document: DocxDocument, block: gw.Toc) -> None:
    _paragraph(document, TOC_TITLE, block.title, gw.FONT_HEADING_1, gw.SIZE_3)
    entries = block.entries or (gw.TocEntry(1, "（在 Word 或 WPS 中右键“更新域”生成目录）"),)
    paragraphs = [_paragraph(document, TOC_LEVELS[min(e.level, 3)], "", gw.FONT_BODY, gw.SIZE_3) for e in entries]
    first, last = paragraphs[0], paragraphs[-1]
    rpr = f'<w:rPr {nsdecls("w")}>{_rpr(gw.FONT_BODY, gw.SIZE_3)}</w:rPr>'
    begin = first.add_run()
    begin._r.insert(0, parse_xml(rpr))
    begin._r.append(_field_chars("begin"))
    instr = first.add_run()
    instr._r.insert(0, parse_xml(rpr))
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f' TOC \\o "1-{block.levels}" \\h \\z \\u '
    instr._r.append(text)
    separate = first.add_run()
    separate._r.insert(0, parse_xml(rpr))
    separate._r.append(_field_chars("separate"))
    for paragraph, entry in zip(paragraphs, entries, strict=True):
        _run(paragraph, entry.text, gw.FONT_BODY, gw.SIZE_3)
    end = last.add_run()
    end._r.insert(0, parse_xml(rpr))
    end._r.append(_field_chars("end"))
    # Word and WPS refresh the field (page numbers) when the file opens.
    document.settings.element.append(parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>'))


def _block(document: DocxDocument, block: gw.Block) -> None:
    if isinstance(block, gw.Title):
        _paragraph(document, TITLE, block.text, gw.FONT_TITLE, gw.SIZE_2)
        _paragraph(document, BODY, "", gw.FONT_BODY, gw.SIZE_3)
    elif isinstance(block, gw.Subtitle):
        _paragraph(document, SUBTITLE, block.text, gw.FONT_HEADING_2, gw.SIZE_3)
    elif isinstance(block, gw.Addressee):
        _paragraph(document, ADDRESSEE, block.text, gw.FONT_BODY, gw.SIZE_3)
    elif isinstance(block, gw.Heading):
        level = min(max(block.level, 1), 3)
        east = {1: gw.FONT_HEADING_1, 2: gw.FONT_HEADING_2, 3: gw.FONT_BODY}[level]
        _paragraph(document, HEADINGS[level], block.text, east, gw.SIZE_3, bold=level == 3)
    elif isinstance(block, gw.Paragraph):
        paragraph = _paragraph(document, BODY, "", gw.FONT_BODY, gw.SIZE_3)
        if block.lead:
            _run(paragraph, block.lead, gw.FONT_BODY, gw.SIZE_3, bold=True)
        _run(paragraph, block.text, gw.FONT_BODY, gw.SIZE_3)
    elif isinstance(block, gw.Table):
        _table(document, block)
    elif isinstance(block, gw.AttachmentList):
        _paragraph(document, BODY, "", gw.FONT_BODY, gw.SIZE_3)
        numbered = len(block.items) > 1
        for i, item in enumerate(block.items, start=1):
            label = "附件：" if i == 1 else "　　　"
            text = f"{label}{i}. {item}" if numbered else f"{label}{item}"
            paragraph = _paragraph(document, BODY, text, gw.FONT_BODY, gw.SIZE_3)
            _direct(paragraph, align="left", left_chars=5, first_chars=0)
            ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
            if ind is not None:
                ind.set(qn("w:hangingChars"), "300")
                ind.set(qn("w:hanging"), str(GRID.chars_to_twips(3)))
    elif isinstance(block, gw.Signature):
        date_text = gw.chinese_date(block.date)
        issuer_right, date_right = gw.signature_indents(block.issuer, date_text)
        for _ in range(2):
            _paragraph(document, BODY, "", gw.FONT_BODY, gw.SIZE_3)
        for text, right in ((block.issuer, issuer_right), (date_text, date_right)):
            paragraph = _paragraph(document, SIGNATURE, text, gw.FONT_BODY, gw.SIZE_3)
            _direct(paragraph, align="right", right_chars=right)
    elif isinstance(block, gw.AttachmentMark):
        _paragraph(document, MARK, block.label, gw.FONT_HEADING_1, gw.SIZE_3)
    elif isinstance(block, gw.PageBreak):
        pass  # render() puts pageBreakBefore on the next block's first paragraph
    elif isinstance(block, gw.Toc):
        _toc(document, block)


def _break_before(document: DocxDocument, first: BaseOxmlElement | None) -> None:
    """Start ``first`` (the block's first element) on a new page: pageBreakBefore, or a break paragraph before a
    table (an empty paragraph holding only a break would show as a blank first line on the new page)."""
    if first is not None and first.tag == qn("w:p"):
        ppr = first.get_or_add_pPr()
        style = ppr.find(qn("w:pStyle"))
        ppr.insert(1 if style is not None else 0, parse_xml(f'<w:pageBreakBefore {nsdecls("w")}/>'))
        return
    breaker = OxmlElement("w:p")
    breaker.append(parse_xml(f'<w:r {nsdecls("w")}><w:br w:type="page"/></w:r>'))
    if first is not None:
        first.addprevious(breaker)


def render(doc: gw.Document) -> bytes:
    """Return the document as .docx bytes laid out per GB/T 9704-2012."""
    document = docx.Document()
    _set_styles(document)
    _page(document)
    core = document.core_properties
    core.title, core.author, core.last_modified_by = for_xml(doc.title), for_xml(doc.author), for_xml(doc.author)
    body = document.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)
    page_break = False
    for block in doc.blocks:
        if isinstance(block, gw.PageBreak):
            page_break = True
            continue
        count = len(body)
        _block(document, block)
        if page_break:
            _break_before(document, body[count - 1] if count else None)
            page_break = False
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
