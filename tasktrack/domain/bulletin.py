"""The 工作进展情况通报 (progress bulletin) as a 公文 document, composed from plain data as of a date.

The service (``services/reports.py``) gathers, for each task, each responsible unit's state as of the date: the
light (``domain/lights.py`` with only the reports made by then), the latest narrative by then, and whether the
unit reported in the current reporting period. This module turns that into the document:

* 一、总体进展情况: the headline figures (tasks, assignments, completed, on schedule, due soon, overdue, not
  reported this period) — every figure a count of the rows given;
* 二、各项任务推进情况: per section (（一）) and task a paragraph: the task (bold), then each unit's latest
  narrative in brackets (【省民政厅】…), trimmed at a sentence boundary; the units with nothing reported are named;
* 三、需要关注的事项: overdue and not-reported items by unit, in the units' own order (named, never ranked or
  scored: 基层减负), each heading only when it has items;
* 附件 工作进展情况表: a real table 序号 / 工作任务 / 责任单位 / 进展情况, one row per task, section rows merged.

Nothing is invented: narratives are parts of the reports' text (``report_text.trim``), the other sentences
are counts and names from the data. A section with no tasks has no heading.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tasktrack.domain import gongwen as gw
from tasktrack.domain.lights import Light, LightResult, Reason
from tasktrack.domain.report_text import (
    bracket,
    clean_narrative,
    finish,
    level1,
    level2,
    short_date,
    task_numbers,
    trim,
    unit_list,
    work_name,
)

#: The longest narrative quoted for one unit in the body, and in the attachment table (characters).
BODY_LIMIT = 150
TABLE_LIMIT = 80


@dataclass(frozen=True)
class UnitState:
    """One responsible unit of a task as of the date."""

    unit: str
    is_lead: bool
    light: LightResult
    #: The latest report's narrative by the date (None: no report yet), and whether it says completed.
    narrative: str | None
    completed: bool
    #: Whether the unit reported on this task in the current reporting period.
    reported_in_period: bool
    #: The unit's place in the units' own order (for the by-unit lists; never a rank).
    unit_order: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class TaskState:
    """A task with its units as of the date."""

    number: int
    text: str
    deadline_phrase: str
    units: tuple[UnitState, ...]


@dataclass(frozen=True)
class SectionState:
    """A section (主要任务) with its tasks."""

    number: int
    title: str
    tasks: tuple[TaskState, ...]


@dataclass(frozen=True)
class BulletinData:
    """Everything the bulletin says, gathered as of ``as_of``."""

    plan_title: str
    issuer: str
    as_of: dt.date
    #: The first day of the current reporting period (reports since then count as reported this period).
    period_start: dt.date
    sections: tuple[SectionState, ...]


@dataclass(frozen=True)
class Figures:
    """The headline figures: counts of tasks and of their units' assignments by state."""

    sections: int
    tasks: int
    assignments: int
    completed: int
    on_track: int
    due_soon: int
    overdue: int
    stale: int
    unreported: int


def figures(data: BulletinData) -> Figures:
    """Count the tasks and assignments by state (each assignment in exactly one of the light states)."""
    states = [u for s in data.sections for t in s.tasks for u in t.units]

    def count(light: Light, reason: Reason | None = None) -> int:
        return sum(1 for u in states if u.light.light is light and (reason is None or u.light.reason is reason))

    return Figures(
        sections=sum(1 for s in data.sections if s.tasks), tasks=sum(len(s.tasks) for s in data.sections),
        assignments=len(states), completed=count(Light.DONE), on_track=count(Light.GREEN),
        due_soon=count(Light.YELLOW, Reason.DUE_SOON), overdue=count(Light.RED),
        stale=count(Light.YELLOW, Reason.STALE),
        unreported=sum(1 for u in states if not u.completed and not u.reported_in_period),
    )


def title(data: BulletinData) -> str:
    """Return 关于<work>工作进展情况的通报."""
    return f"关于{work_name(data.plan_title)}工作进展情况的通报"


def filename(data: BulletinData) -> str:
    """Return the download name: 2024年省清廉社会组织建设工作进展情况通报（截至2024-07-18）.docx."""
    return f"{work_name(data.plan_title)}工作进展情况通报（截至{data.as_of.isoformat()}）.docx"


def _headline(data: BulletinData, f: Figures) -> str:
    day = gw.chinese_date(data.as_of)
    parts = [f"已完成{f.completed}项", f"按计划推进{f.on_track}项"]
    if f.due_soon:
        parts.append(f"临近完成时限{f.due_soon}项")
    if f.stale:
        parts.append(f"本期未报送进展的常态化工作{f.stale}项")
    parts.append(f"逾期未完成{f.overdue}项")
    text = (f"截至{day}，{data.plan_title}共有主要任务{f.sections}项、具体任务{f.tasks}项，"
            f"分解到责任单位{f.assignments}项（次）。其中，{'，'.join(parts)}。")
    if f.unreported:
        text += f"{short_date(data.period_start)}以来，尚有{f.unreported}项（次）未报送进展情况。"
    return text


def task_paragraph(task: TaskState, as_of: dt.date) -> gw.Paragraph:
    """Return a task's paragraph: the task in bold, each reporting unit's latest words, the silent units named."""
    pieces = []
    for unit in task.units:
        if unit.narrative is None:
            continue
        words = trim(clean_narrative(unit.narrative), BODY_LIMIT)
        if words:
            pieces.append(f"{bracket(unit.unit)}{'（已完成）' if unit.completed else ''}{words}")
    silent = [u.unit for u in task.units if u.narrative is None or not clean_narrative(u.narrative)]
    if silent and pieces:
        pieces.append(f"截至{short_date(as_of)}，{unit_list(silent)}尚未报送进展情况。")
    elif silent:
        pieces.append(f"截至{short_date(as_of)}，责任单位{unit_list(silent)}尚未报送进展情况。")
    elif not pieces:
        pieces.append("（本任务尚未分解到责任单位。）")
    return gw.Paragraph("".join(pieces), lead=f"{task.number}. {finish(task.text.strip())}")


def _by_unit(data: BulletinData, wanted: str) -> list[str]:
    """Return one sentence per unit (units in their own order): 【unit】第1、4项."""
    found: dict[str, tuple[tuple[int, int], list[int]]] = {}
    for section in data.sections:
        for task in section.tasks:
            for unit in task.units:
                hit = (unit.light.light is Light.RED if wanted == "overdue"
                       else not unit.completed and not unit.reported_in_period)
                if hit:
                    found.setdefault(unit.unit, (unit.unit_order, []))[1].append(task.number)
    ordered = sorted(found.items(), key=lambda item: item[1][0])
    return [f"{bracket(name)}{task_numbers(numbers)}。" for name, (_order, numbers) in ordered]


def _attachment_table(data: BulletinData) -> gw.Table:
    header = ((gw.Cell("序号"), gw.Cell("工作任务"), gw.Cell("责任单位"), gw.Cell("进展情况")),)
    rows: list[tuple[gw.Cell, ...]] = []
    for section in data.sections:
        if not section.tasks:
            continue
        rows.append((gw.Cell(level1(section.number, section.title), colspan=4, bold=True),))
        for task in section.tasks:
            units = "\n".join(u.unit + ("（牵头）" if u.is_lead else "") for u in task.units) or "—"
            lines = []
            for u in task.units:
                said = trim(clean_narrative(u.narrative), TABLE_LIMIT) if u.narrative else ""
                lines.append(f"{bracket(u.unit)}{said or '未报送'}")
            rows.append((gw.Cell(str(task.number), align="center"), gw.Cell(task.text.strip()), gw.Cell(units),
                         gw.Cell("\n".join(lines) or "—")))
    return gw.Table(widths=(3, 12, 7, 18), header=header, rows=tuple(rows))


def compose(data: BulletinData) -> gw.Document:
    """Return the bulletin as a 公文 document (see the module docstring)."""
    f = figures(data)
    day = gw.chinese_date(data.as_of)
    blocks: list[gw.Block] = [
        gw.Title(title(data)), gw.Subtitle(f"（截至{day}）"), gw.Addressee("各成员单位："),
        gw.Paragraph(f"现将截至{day}{data.plan_title}落实情况通报如下。各项进展均摘自各责任单位报送的进展情况。"),
        gw.Heading(1, level1(1, "总体进展情况")), gw.Paragraph(_headline(data, f)),
    ]
    sections = [s for s in data.sections if s.tasks]
    if sections:
        blocks.append(gw.Heading(1, level1(2, "各项任务推进情况")))
        for position, section in enumerate(sections, start=1):
            blocks.append(gw.Heading(2, level2(position, section.title)))
            blocks.extend(task_paragraph(task, data.as_of) for task in section.tasks)
    concerns = [(label, lines) for label, lines in (("逾期未完成事项", _by_unit(data, "overdue")),
                                                    ("本期未报送进展事项", _by_unit(data, "unreported"))) if lines]
    if concerns:
        blocks.append(gw.Heading(1, level1(3 if sections else 2, "需要关注的事项")))
        for position, (label, lines) in enumerate(concerns, start=1):
            blocks.append(gw.Heading(2, level2(position, label)))
            blocks.extend(gw.Paragraph(line) for line in lines)
    if sections:
        blocks.append(gw.AttachmentList(("工作进展情况表",)))
    blocks.append(gw.Signature(data.issuer, data.as_of))
    if sections:
        blocks += [gw.PageBreak(), gw.AttachmentMark(), gw.Title("工作进展情况表"), gw.Subtitle(f"（截至{day}）"),
                   _attachment_table(data)]
    return gw.Document(title=title(data), author=data.issuer, blocks=tuple(blocks))
