"""Tasks from numbered prose: sections ``一、…``, items ``（一）…`` / ``1.`` / ``1、``, and 一是… runs.

Within one section the items are the highest-level numbered paragraphs (``（一）`` above ``1.`` above
``（1）``) that are not bare sub-headings; an item runs until the next item or section, its
continuation paragraphs joined (lower-level points become its sub-items as well). A paragraph
holding 一是…二是… runs gives its item sub-items. A section with no numbered items gives one task
per run, and one task per plain sentence paragraph. Sections whose title means 总体要求 / 指导思想 /
基本原则 / 目标 are context; so is the lead-in before a section's first item. 工作要求 / 保障措施 /
组织实施 sections are read as tasks (in seed 004 the official task table turned its 工作要求 into
tasks 15–17); the secretariat can delete them on the review page. When every item but the last is
one paragraph, the paragraphs after the last item's first are the document's closing (结束语), kept
as context. Notes ("（注：…）") and closing clauses ("本意见自…起施行") are never tasks.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from tasktrack.domain.plan_layout.markers import (
    SENTENCE_PUNCT,
    Line,
    is_heading_like,
    item_marker,
    section_marker,
)
from tasktrack.domain.plan_layout.model import ContextPart, LayoutItem
from tasktrack.domain.plan_layout.phrases import extract_phrases, lone_run, runs

_CONTEXT_TITLES = re.compile(r"总体要求|指导思想|基本原则|工作原则|工作目标|主要目标|发展目标|目标任务$|总体目标")
_SUPPORT_TITLES = re.compile(r"工作要求|保障措施|组织实施|组织保障|保障机制|工作保障")
_NOTE = re.compile(r"^\s*(?:[（(]\s*注|注\s*[:：])")
_CLOSING = re.compile(r"^本\S{0,12}自.{0,30}(?:施行|执行|实施)|^本\S{0,12}由.{0,30}负责解释")


@dataclass
class Section:
    """One ``一、…`` section (or the whole body when the document has none)."""

    number: int | None
    title: str
    heading: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class _Draft:
    marker: str
    parts: list[str]
    subs: list[str]
    ordinal: int


def split_sections(body: list[Line]) -> tuple[list[Line], list[Section]]:
    """Return (preamble lines, sections) of the body."""
    preamble: list[Line] = []
    sections: list[Section] = []
    for line in body:
        marker = section_marker(line.text)
        if marker is not None:
            title, rest = marker[1], ""
            split = re.match(r"(.+?)[。：:]", title)
            if split and set(title) & SENTENCE_PUNCT and not is_heading_like(title):
                title, rest = split[1], title[split.end() :].strip()
            sections.append(Section(marker[0], title, line.text))
            if rest:
                sections[-1].lines.append(Line(rest, None, line.ordinal))
        elif sections:
            sections[-1].lines.append(line)
        else:
            preamble.append(line)
    if not sections:  # numbered points with no sections above them: one unnamed section
        first = next((i for i, line in enumerate(preamble) if _numbered_point(line.text)), None)
        if first is not None:
            sections.append(Section(None, "", "", preamble[first:]))
            preamble = preamble[:first]
    return preamble, sections


def _numbered_point(text: str) -> bool:
    marker = item_marker(text)
    return marker is not None and not is_heading_like(marker[3])


def _item_level(section: Section) -> int | None:
    """The level of the section's items: the highest marker level that is not only bare sub-headings.

    Sub-headings ("（一）党建引领" with no sentence) count as items when no lower-level points follow
    (the text of each item is then its heading and the paragraphs under it).
    """
    marked = [(m[0], is_heading_like(m[3])) for line in section.lines if (m := item_marker(line.text))]
    levels = sorted({level for level, _ in marked})
    for position, level in enumerate(levels):
        bare = all(heading for lvl, heading in marked if lvl == level)
        if not bare or position == len(levels) - 1:
            return level
    return None


def _is_task_paragraph(text: str) -> bool:
    return not _NOTE.match(text) and not _CLOSING.match(text) and not is_heading_like(text)


def _item(section: Section, marker: str, text: str, subs: list[str], ordinal: int) -> LayoutItem:
    text, deadline, responsible = extract_phrases(text)
    return LayoutItem(
        section_number=section.number,
        section_title=section.title,
        number=0,
        number_text=marker,
        text=text,
        deadline_phrase=deadline,
        responsible_phrase=responsible,
        sub_items=tuple(subs),
        source=f"第{ordinal}段",
    )


def read_section(
    section: Section, split_last: bool = False
) -> tuple[list[LayoutItem], list[ContextPart], list[int]]:
    """Return the section's items, its context parts, and each item's paragraph count.

    With ``split_last`` the paragraphs after the last item's first one are a closing (结束语).
    """
    if _CONTEXT_TITLES.search(section.title):
        text = "\n".join(line.text for line in section.lines)
        return [], [ContextPart(section.heading, text)], []
    level = _item_level(section)
    context: list[str] = []
    items: list[LayoutItem] = []
    sizes: list[int] = []
    if level is None:
        for line in section.lines:
            lead, found = runs(line.text)
            if found:
                if lead:
                    context.append(lead)
                items += [_item(section, mark, text, [], line.ordinal) for mark, text in found]
                sizes += [1] * len(found)
            elif _is_task_paragraph(line.text):
                mark, text = lone_run(line.text) or ("", line.text)
                items.append(_item(section, mark, text, [], line.ordinal))
                sizes.append(1)
            else:
                context.append(line.text)
    else:
        drafts: list[_Draft] = []
        for line in section.lines:
            marker = item_marker(line.text)
            if marker is not None and marker[0] == level:
                drafts.append(_Draft(marker[2], [marker[3]], [], line.ordinal))
            elif marker is not None and marker[0] < level:
                context.append(line.text)  # a bare sub-heading above the items
            elif drafts and not _NOTE.match(line.text) and not _CLOSING.match(line.text):
                drafts[-1].parts.append(line.text)
                if marker is not None:
                    drafts[-1].subs.append(marker[3])
            else:
                context.append(line.text)
        if split_last and drafts and len(drafts[-1].parts) > 1 and not drafts[-1].subs:
            closing = drafts[-1].parts[1:]
            drafts[-1].parts[1:] = []
            context.append("\n".join(closing))
        for draft in drafts:
            text = "\n".join(draft.parts)
            subs = draft.subs or [run for _, run in runs(extract_phrases(text)[0])[1]]  # without the owners
            items.append(_item(section, draft.marker, text, subs, draft.ordinal))
            sizes.append(len(draft.parts))
    parts = [ContextPart(section.heading, "\n".join(context))] if context else []
    return items, parts, sizes


def read_sections(sections: list[Section]) -> tuple[list[LayoutItem], list[ContextPart], list[str]]:
    """Read every section; return items numbered 1… in order, context parts, and notes."""
    items: list[LayoutItem] = []
    context: list[ContextPart] = []
    notes: list[str] = []
    sizes: list[int] = []
    for section in sections:
        found, parts, counts = read_section(section)
        items += found
        context += parts
        sizes += counts
        if _CONTEXT_TITLES.search(section.title):
            notes.append(f"“{section.heading}”作为背景，不作为任务")
        elif _SUPPORT_TITLES.search(section.title) and found:
            notes.append(f"“{section.heading}”中的{len(found)}条按任务读取，可在审核时删除")
        elif found and not found[0].number_text.strip():
            notes.append(f"“{section.heading}”没有编号条目，按段落读取为{len(found)}项任务")
    if len(sizes) >= 3 and all(size == 1 for size in sizes[:-1]) and sizes[-1] > 1:
        last = max(index for index, s in enumerate(sections) if read_section(s)[0])
        before = sum(len(read_section(s)[0]) for s in sections[:last])
        found, parts, _ = read_section(sections[last], split_last=True)
        items[before:] = found
        context = [part for part in context if part.heading != sections[last].heading] + parts
        notes.append(f"“{sections[last].heading}”最后一条之后的段落作为结束语，不并入该条任务")
    numbered = [dataclasses.replace(item, number=n) for n, item in enumerate(items, start=1)]
    return numbered, context, notes
