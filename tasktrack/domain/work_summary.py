"""The 半年 / 年度工作总结 draft over a period, composed from plain data (the bulletin's engine, another span).

* 一、总体情况: counts over the period — assignments completed in it, assignments that reported in it, items
  late at its end, cases accepted and featured in it;
* 二、主要工作进展: per section and task that moved (a report in the period), each unit's latest narrative of the
  period in brackets, trimmed at a sentence boundary;
* 三、典型案例: the cases accepted or featured in the period (title, unit);
* 四、指标完成情况: where the plan has targets, each target against the values the units reported;
* 五、存在的问题: items still late at the period's end, by unit in the units' own order (named, never ranked).

Headings appear only with content; nothing is invented (narratives are parts of the reports' text).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tasktrack.domain import gongwen as gw
from tasktrack.domain.report_text import (
    bracket,
    clean_narrative,
    finish,
    level1,
    level2,
    short_date,
    task_numbers,
    trim,
    work_name,
)

NARRATIVE_LIMIT = 150


@dataclass(frozen=True)
class UnitMove:
    """A unit's latest report on a task within the period."""

    unit: str
    narrative: str
    completed_on: dt.date | None


@dataclass(frozen=True)
class TaskMoves:
    """A task with the units that reported on it in the period."""

    number: int
    text: str
    moves: tuple[UnitMove, ...]


@dataclass(frozen=True)
class SectionMoves:
    number: int
    title: str
    tasks: tuple[TaskMoves, ...]


@dataclass(frozen=True)
class CaseLine:
    """A case accepted or featured in the period."""

    title: str
    unit: str
    featured: bool


@dataclass(frozen=True)
class TargetLine:
    """A target and the values reported for it (``"省民政厅 35家（达到）"``)."""

    text: str
    scope: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class SummaryData:
    """Everything the summary says over ``start``..``end``."""

    plan_title: str
    issuer: str
    start: dt.date
    end: dt.date
    assignments: int
    completed: int
    reported: int
    #: Late at the period's end, by unit (unit name, task numbers), units in their own order.
    late: tuple[tuple[str, tuple[int, ...]], ...]
    sections: tuple[SectionMoves, ...]
    cases: tuple[CaseLine, ...]
    targets: tuple[TargetLine, ...]


def period_word(start: dt.date, end: dt.date) -> str:
    """Return 上半年 / 下半年 / 年度 / 阶段性 for the period."""
    if start.year == end.year and start == dt.date(start.year, 1, 1):
        if end == dt.date(end.year, 12, 31):
            return "年度"
        if end <= dt.date(end.year, 6, 30):
            return "上半年"
    if start == dt.date(start.year, 7, 1) and end == dt.date(start.year, 12, 31):
        return "下半年"
    return "阶段性"


def title(data: SummaryData) -> str:
    """Return e.g. 2024年省清廉社会组织建设上半年工作总结."""
    return f"{work_name(data.plan_title)}{period_word(data.start, data.end)}工作总结"


def filename(data: SummaryData) -> str:
    """Return the download name with the period."""
    return f"{title(data)}（{data.start.isoformat()}至{data.end.isoformat()}）.docx"


def _overview(data: SummaryData) -> str:
    span = f"{gw.chinese_date(data.start)}至{gw.chinese_date(data.end)}"
    text = (f"{span}，{data.plan_title}分解到责任单位的{data.assignments}项（次）任务中，"
            f"期间报送进展{data.reported}项（次），完成{data.completed}项（次）")
    late = sum(len(numbers) for _unit, numbers in data.late)
    text += f"；截至{short_date(data.end)}，逾期未完成{late}项（次）。" if late else "。"
    accepted = sum(1 for c in data.cases if not c.featured)
    featured = sum(1 for c in data.cases if c.featured)
    if data.cases:
        text += f"期间采用案例{accepted + featured}篇，其中入选汇编{featured}篇。"
    return text


def _task(task: TaskMoves) -> gw.Paragraph:
    pieces = []
    for move in task.moves:
        words = trim(clean_narrative(move.narrative), NARRATIVE_LIMIT)
        done = f"（{short_date(move.completed_on)}完成）" if move.completed_on else ""
        pieces.append(f"{bracket(move.unit)}{done}{words}")
    return gw.Paragraph("".join(pieces), lead=f"{task.number}. {finish(task.text.strip())}")


def compose(data: SummaryData) -> gw.Document:
    """Return the summary draft as a 公文 document (see the module docstring)."""
    blocks: list[gw.Block] = [
        gw.Title(title(data)),
        gw.Subtitle(f"（{gw.chinese_date(data.start)}至{gw.chinese_date(data.end)}）"),
    ]
    parts: list[tuple[str, list[gw.Block]]] = [("总体情况", [gw.Paragraph(_overview(data))])]
    moved: list[gw.Block] = []
    for position, section in enumerate([s for s in data.sections if s.tasks], start=1):
        moved.append(gw.Heading(2, level2(position, section.title)))
        moved.extend(_task(task) for task in section.tasks)
    if moved:
        parts.append(("主要工作进展", moved))
    if data.cases:
        parts.append(("典型案例", [
            gw.Paragraph(f"{bracket(c.unit)}《{c.title}》{'（入选汇编）' if c.featured else '（已采用）'}")
            for c in data.cases]))
    if data.targets:
        parts.append(("指标完成情况", [
            gw.Paragraph(f"{t.scope}：{t.text}。"
                         + (f"已报送：{'；'.join(t.values)}。" if t.values else "尚无单位报送。"))
            for t in data.targets]))
    if data.late:
        parts.append(("存在的问题", [
            gw.Paragraph(f"截至{short_date(data.end)}，以下事项逾期未完成："),
            *(gw.Paragraph(f"{bracket(unit)}{task_numbers(list(numbers))}。") for unit, numbers in data.late)]))
    for position, (heading, body) in enumerate(parts, start=1):
        blocks.append(gw.Heading(1, level1(position, heading)))
        blocks.extend(body)
    blocks.append(gw.Signature(data.issuer, data.end))
    return gw.Document(title=title(data), author=data.issuer, blocks=tuple(blocks))

