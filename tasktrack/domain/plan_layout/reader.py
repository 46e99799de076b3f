"""``read_plan``: find the plan in a document — metadata, context, sections and tasks.

1. Lines are repaired (broken lines joined, see :mod:`.markers`).
2. The head is what comes before the first section (or the first task table); its metadata is read
   by :mod:`.metadata`. The body starts after the last head line (title repeated before the text,
   the standalone date and signature, the addressees) and ends at the first attachment heading
   (附件 / 附 / 附表), a standalone date after the text (with its signature), 抄送 or 印发.
3. When the document has a task table (:mod:`.table`), its rows are the tasks and all of the
   body's prose, numbered paragraphs included, is context. Otherwise the body is read as
   numbered prose (:mod:`.prose`).
"""

from __future__ import annotations

import re

from tasktrack.domain.doc_blocks import DocText
from tasktrack.domain.plan_layout.markers import (
    DOC_NUMBER_RE,
    Entry,
    Line,
    TableAt,
    is_heading_like,
    is_standalone_date,
    repaired_entries,
    section_marker,
)
from tasktrack.domain.plan_layout.metadata import SEAL as _SEAL
from tasktrack.domain.plan_layout.metadata import member_units, parse_date, read_head
from tasktrack.domain.plan_layout.model import ContextPart, Layout, LayoutItem, PlanLayout
from tasktrack.domain.plan_layout.prose import read_sections, split_sections
from tasktrack.domain.plan_layout.table import find_header, read_task_tables

_ATTACHMENT = re.compile(r"^\s*附\s*(?:件|表|\s*[:：]|$)")
_CONTINUATION_LINE = re.compile(r"续表|^[-—\s\d第页/]+$")
_TAIL = re.compile(r"^\s*(?:抄送|抄报|[（(]此件)|印发$")


def _task_tables(entries: list[Entry]) -> list[TableAt]:
    """The task tables, with headerless tables that continue one (a page break).

    A table with no header continues the last task table when it has as many columns and nothing but
    "续表" or a page number stands between them.
    """
    found: list[TableAt] = []
    open_run = False
    for entry in entries:
        if isinstance(entry, Line):
            open_run = open_run and _CONTINUATION_LINE.search(entry.text) is not None
            continue
        width = len(entry.table.rows[0]) if entry.table.rows else 0
        continues = open_run and bool(found) and width == len(found[-1].table.rows[0])
        if find_header(entry.table) is not None or continues:
            found.append(entry)
            open_run = True
        else:
            open_run = False
    return found


def _is_head_line(text: str, title: str) -> bool:
    compact = re.sub(r"\s", "", text)
    return (
        (bool(title) and compact == re.sub(r"\s", "", title))
        or "关于印发" in compact
        or is_standalone_date(text)
        or DOC_NUMBER_RE.fullmatch(compact) is not None
        or (compact.endswith(("：", ":")) and "。" not in compact and "如下" not in compact and len(compact) <= 80)
        or re.match(r"^[（(]此件", compact) is not None
    )


def _body_bounds(lines: list[Line], first_section: int | None, title: str) -> tuple[int, int]:
    """Return [start, end) of the body among the lines."""
    head_end = first_section if first_section is not None else len(lines)
    start = 0
    for index in range(head_end):
        if _is_head_line(lines[index].text, title):
            start = index + 1
    end = len(lines)
    for index in range(max(start, first_section or 0), len(lines)):
        text = lines[index].text
        if _ATTACHMENT.match(text) or _TAIL.search(text):
            end = index
            break
        if is_standalone_date(text):
            end = index - 1 if index > start and is_heading_like(lines[index - 1].text) else index
            break
    return start, end


def read_plan(doc: DocText) -> PlanLayout:
    """Find the plan in a document: metadata, context, sections and tasks, with notes on the choices."""
    entries, joins = repaired_entries(doc)
    tables = _task_tables(entries)
    lines = [entry for entry in entries if isinstance(entry, Line)]
    first_section = next((i for i, line in enumerate(lines) if section_marker(line.text)), None)
    if tables:
        first_table = entries.index(tables[0])
        before_table = sum(1 for entry in entries[:first_table] if isinstance(entry, Line))
        if first_section is None or first_section > before_table:
            first_section = before_table
    head_lines = [line.text for line in lines[: first_section if first_section is not None else 40]]
    head = read_head(head_lines)
    if not head.title and tables:  # a sheet: the title is a one-cell row above the table's header
        found = find_header(tables[0].table)
        above = tables[0].table.rows[: found[0]] if found else ()
        titles = [cells[0] for row in above if len(cells := [c.strip() for c in row if c.strip()]) == 1]
        head = read_head(head_lines + titles) if titles else head
    start, end = _body_bounds(lines, first_section, head.title)
    issued_on, issuer = head.issued_on, head.issuer
    if issued_on is None:  # the signature and date after the text (a 实施意见 has no cover letter)
        for index in range(end, len(lines)):
            if is_standalone_date(lines[index].text):
                issued_on = parse_date(lines[index].text)
                signature = lines[index - 1].text if index > end else ""
                issuer = issuer or (_SEAL.sub("", signature.strip()) if is_heading_like(signature) else "")
                break
    body = lines[start:end]
    preamble, sections = split_sections(body)
    notes: list[str] = [f"修复断行{joins}处（PDF或文本提取时被拆开的句子）"] if joins else []
    context: list[ContextPart] = [ContextPart("", "\n".join(line.text for line in preamble))] if preamble else []
    layout: Layout
    items: list[LayoutItem]
    if tables:
        items, table_notes = read_task_tables(tables)
        context += [ContextPart(s.heading, "\n".join(line.text for line in s.lines)) for s in sections]
        section_count = len({(i.section_number, i.section_title) for i in items})
        prose = "；正文编号段落作为背景" if sections else ""
        notes.insert(0, f"找到任务表：{len(items)}行，{section_count}个主要任务{prose}")
        notes += table_notes
        layout = "table"
    else:
        items, prose_context, prose_notes = read_sections(sections)
        context += prose_context
        layout = "numbered" if any(item.number_text and not item.number_text.endswith("是") for item in items) \
            else "prose"
        kind = "编号条目" if layout == "numbered" else "段落和“一是、二是”"
        notes.insert(0, f"未找到任务表，按{kind}读取：{len(sections)}个部分，{len(items)}项任务")
        notes += prose_notes
    if preamble:
        notes.append("第一部分之前的导语作为背景")
    section_list = tuple(dict.fromkeys((item.section_number, item.section_title) for item in items))
    units = member_units(entries)
    if units:
        notes.append(f"附件成员单位名单：{len(units)}个单位")
    for label, value in (("文号", head.document_number), ("发文日期", issued_on), ("标题", head.title)):
        if not value:
            notes.append(f"未找到{label}")
    return PlanLayout(
        title=head.title,
        year=head.year,
        end_year=head.end_year,
        document_number=head.document_number,
        issuer=issuer,
        issued_on=issued_on,
        addressees=head.addressees,
        context=tuple(context),
        sections=section_list,
        items=tuple(items),
        member_units=units,
        layout=layout,
        notes=tuple(notes),
    )
