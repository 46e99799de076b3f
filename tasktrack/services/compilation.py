"""Compile the year's 《清廉社会组织优秀案例汇编》 as a .docx (python-docx).

Layout: a cover page; a table of contents (a Word TOC field, refreshed when the reader updates fields, and a
static list below it so the file reads correctly without refreshing); then one chapter (Heading 1) per
featured case in the secretariat's order, with unit, kind, related item, summary and body.

Stored text goes in through ``safe_text.for_xml``: a character XML cannot hold (a control character stored
before such characters were refused) shows as U+FFFD instead of failing the whole document for everyone.
"""

from __future__ import annotations

import datetime as dt
import io

import docx
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from tasktrack.clock import local_date
from tasktrack.domain.safe_text import for_xml
from tasktrack.models import CaseReport, Plan

FONT = "宋体"


def compilation_title(plan: Plan) -> str:
    """Return the document title, e.g. 2024年清廉社会组织优秀案例汇编."""
    return f"{plan.year}年清廉社会组织优秀案例汇编"


def compilation_filename(plan: Plan) -> str:
    """Return the download name (Chinese kept; sent with RFC 5987 ``filename*``)."""
    return f"{compilation_title(plan)}.docx"


def chapter_heading(position: int, case: CaseReport) -> str:
    """Return a chapter's heading: 案例1  title."""
    return f"案例{position}　{case.title}"


def _east_asian_font(document: docx.document.Document) -> None:
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = document.styles[name]
        style.font.name = FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), FONT)


def _toc_field(paragraph: Paragraph) -> None:
    """Insert a Word TOC field (headings level 1) that Word fills in on "update field"."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = 'TOC \\o "1-1" \\h \\z \\u'
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    placeholder = OxmlElement("w:t")
    placeholder.text = "（在 Word 中右键“更新域”可生成带页码的目录）"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, placeholder, end):
        run._r.append(element)


def build_compilation(plan: Plan, cases: list[CaseReport], *, now: dt.datetime) -> bytes:
    """Return the compilation as .docx bytes; ``cases`` are the featured cases in order."""
    document = docx.Document()
    _east_asian_font(document)
    core = document.core_properties
    core.title, core.author = compilation_title(plan), for_xml(plan.issuer)
    core.created = now.replace(tzinfo=None)

    for _ in range(6):
        document.add_paragraph()
    title = document.add_paragraph(compilation_title(plan), style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in (for_xml(plan.issuer), f"{local_date(now).year}年{local_date(now).month}月",
                 f"共收录案例 {len(cases)} 篇"):
        line = document.add_paragraph(text)
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line.runs[0].font.size = Pt(14)

    document.add_section(WD_SECTION.NEW_PAGE)
    heading = document.add_paragraph("目　录", style="Heading 2")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _toc_field(document.add_paragraph())
    for position, case in enumerate(cases, start=1):
        document.add_paragraph(for_xml(f"{chapter_heading(position, case)}（{case.unit.name}）"), style="List Number")
    if not cases:
        document.add_paragraph("（尚无入选案例）")

    for position, case in enumerate(cases, start=1):
        document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        document.add_heading(for_xml(chapter_heading(position, case)), level=1)
        meta = [f"报送单位：{case.unit.name}", f"案例类型：{case.kind.label}"]
        if case.focus_item is not None:
            meta.append(f"工作重点：{case.focus_item.name}")
        if case.task is not None:
            meta.append(f"相关任务：{case.task.number}. {case.task.text}")
        for entry in meta:
            document.add_paragraph(for_xml(entry))
        document.add_heading("摘要", level=2)
        document.add_paragraph(for_xml(case.summary))
        document.add_heading("正文", level=2)
        for block in for_xml(case.body).splitlines():
            if block.strip():
                document.add_paragraph(block.strip())
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
