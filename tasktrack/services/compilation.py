"""Compile the year's 《清廉社会组织优秀案例汇编》 as a .docx on the 公文 layer (``documents/docx_writer.py``).

Layout: a cover (title, issuer, month, number of cases); a table of contents (a real Word TOC field over the
chapter headings, filled with the chapter titles so it reads before Word or WPS refreshes it, which they do on
opening); then one chapter per featured case in the secretariat's order, each on a new page: a level-1 heading
(案例1　title, which feeds the TOC), the unit, kind and related item, then 摘要 and 正文 (level-2 headings) with the
case's paragraphs. A4, GB/T 9704 margins and fonts, page numbers at the outer side.

Stored text goes in through the renderer's ``safe_text.for_xml``: a character XML cannot hold shows as U+FFFD.
"""

from __future__ import annotations

import datetime as dt

from tasktrack.clock import local_date
from tasktrack.documents.docx_writer import render
from tasktrack.domain import gongwen as gw
from tasktrack.domain.safe_text import for_xml
from tasktrack.models import CaseReport, Plan


def compilation_title(plan: Plan) -> str:
    """Return the document title, e.g. 2024年清廉社会组织优秀案例汇编."""
    return f"{plan.year}年清廉社会组织优秀案例汇编"


def compilation_filename(plan: Plan) -> str:
    """Return the download name (Chinese kept; sent with RFC 5987 ``filename*``)."""
    return f"{compilation_title(plan)}.docx"


def chapter_heading(position: int, case: CaseReport) -> str:
    """Return a chapter's heading: 案例1  title."""
    return f"案例{position}　{case.title}"


def compose(plan: Plan, cases: list[CaseReport], *, now: dt.datetime) -> gw.Document:
    """Return the compilation as a 公文 document; ``cases`` are the featured cases in order."""
    day = local_date(now)
    blocks: list[gw.Block] = [gw.Subtitle("") for _ in range(6)]
    blocks += [gw.Title(compilation_title(plan)), gw.Subtitle(plan.issuer), gw.Subtitle(f"{day.year}年{day.month}月"),
               gw.Subtitle(f"共收录案例{len(cases)}篇"), gw.PageBreak()]
    headings = [chapter_heading(position, case) for position, case in enumerate(cases, start=1)]
    blocks.append(gw.Toc(levels=1, entries=tuple(gw.TocEntry(1, h) for h in headings)))
    if not cases:
        blocks.append(gw.Paragraph("（尚无入选案例）"))
    for heading, case in zip(headings, cases, strict=True):
        blocks += [gw.PageBreak(), gw.Heading(1, heading)]
        meta = [f"报送单位：{case.unit.name}", f"案例类型：{case.kind.label}"]
        if case.focus_item is not None:
            meta.append(f"工作重点：{case.focus_item.name}")
        if case.task is not None:
            meta.append(f"相关任务：{case.task.number}. {case.task.text}")
        blocks += [gw.Paragraph(entry) for entry in meta]
        blocks += [gw.Heading(2, "一、摘要"), gw.Paragraph(for_xml(case.summary).strip()), gw.Heading(2, "二、正文")]
        # for_xml first: a stored control character is a line break to splitlines() and whitespace to strip().
        blocks += [gw.Paragraph(line.strip()) for line in for_xml(case.body).splitlines() if line.strip()]
    return gw.Document(title=compilation_title(plan), author=plan.issuer, blocks=tuple(blocks))


def build_compilation(plan: Plan, cases: list[CaseReport], *, now: dt.datetime) -> bytes:
    """Return the compilation as .docx bytes; ``cases`` are the featured cases in order."""
    return render(compose(plan, cases, now=now))
