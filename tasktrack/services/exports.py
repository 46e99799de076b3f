"""Exports of a plan's task table with every unit's current status and latest narrative (.xlsx, CSV, print).

The workbook's first sheet is the 工作进展情况表 offices print for leaders: one row per task, the units' progress
inside the row (services/progress_sheet.py); the print view shows the same rows (:func:`task_lines`).
The second sheet, 任务进展, is the data: ONE sheet with a 主要任务 column rather than one sheet per section: the
office filters and sorts the whole plan at once (by unit, by light) with Excel's AutoFilter, which a split
workbook would defeat, and one row per task × unit is what pivot tables and mail merges expect. The header row
is frozen and repeated on every printed page.
A plan with targets (指标) gets a third sheet, 指标: each target with every unit's latest value against it.
Every sheet prints on A4 landscape, one page wide, with its header rows repeated (``sheets.print_setup``).

Every cell is written through ``tasktrack.sheets``: the narratives come from the units, so no text may become a
formula (.xlsx string cells, CSV ``'`` prefix) or break the file (stored control characters).

Speed (issue 16, the cache off): the lines are read as columns (:class:`ExportRow`, two statements), each column's
look is made once, and the data sheet's rows go straight to the sheet's XML (``sheets.SheetRows``) rather than
through a Cell object each; a plan of ~420 lines went from about 1.3 s to 0.16 s of CPU on a busy 2-core machine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import joinedload

from tasktrack import sheets
from tasktrack.clock import local_date
from tasktrack.domain import safe_text
from tasktrack.domain.lights import LightResult
from tasktrack.domain.progress_table import UnitProgress
from tasktrack.extensions import db
from tasktrack.models import Assignment, AssignmentStatus, Plan, ProgressReport, Section, Task, Unit
from tasktrack.services import NotFound
from tasktrack.services.progress_sheet import TaskLine, add_progress_sheet
from tasktrack.services.read.overview import LIGHT_COLUMNS, LightColumns, light_from
from tasktrack.services.targets import Standing, plan_standings


class ExportRow(NamedTuple):
    """One task × unit line of the export, read as columns (a plan has hundreds: no ORM object per line)."""

    assignment_id: int
    task_id: int
    section_number: int
    section_title: str
    task_number: int
    task_text: str
    deadline_phrase: str
    due_date: dt.date | None
    responsible_phrase: str
    unit_name: str
    is_lead: bool
    status: AssignmentStatus
    percent: int | None
    completed_on: dt.date | None
    extended_due: dt.date | None
    last_reported_at: dt.datetime | None
    light: LightResult
    #: The latest report's narrative; None when the unit never reported.
    narrative: str | None


@dataclass(frozen=True)
class Column:
    title: str
    width: int
    wrap: bool = False


COLUMNS = (
    Column("主要任务", 18, True),
    Column("序号", 6),
    Column("具体工作", 48, True),
    Column("完成时间节点", 16, True),
    Column("截止日期", 12),
    Column("延期至", 12),
    Column("责任单位（原文）", 24, True),
    Column("单位", 18, True),
    Column("牵头/配合", 9),
    Column("状态", 9),
    Column("完成百分比", 10),
    Column("完成日期", 12),
    Column("红黄绿灯", 10),
    Column("灯色说明", 14),
    Column("最近报送", 17),
    Column("最新进展", 60, True),
)

#: The 指标 sheet: one line per target and reporting unit (a target nobody reported on has one line with no value).
#: Every cell is text, numbers included ("98%", "200 家"), as the office reads them against the target.
TARGET_COLUMNS = (
    Column("范围", 10),
    Column("指标", 40, True),
    Column("目标", 14),
    Column("年度", 8),
    Column("原文", 48, True),
    Column("填报单位", 18, True),
    Column("最新填报值", 14),
    Column("填报日期", 12),
    Column("对照目标", 10),
)

LIGHT_FILLS = {"red": "FDECEA", "yellow": "FFF4DB", "green": "E8F5E9", "done": "ECEFF1"}


def export_rows(plan: Plan, today: dt.date) -> list[ExportRow]:
    """Return the plan's open assignments in plan order (section, task, lead first, unit order) with lights and
    latest narratives (one query: the lines as columns, each with its newest report's narrative joined through the
    assignment's mirror of it). Put in plan order here, not by the database (the same keys: its sort of a plan's
    rows on six keys from four tables cost more than the join, as for lean.plan_light_rows)."""
    found = db.session.execute(
        sa.select(Assignment.id, Assignment.task_id, Section.number, Section.title, Task.number, Task.text,
                  Task.deadline_phrase, Task.responsible_phrase, Unit.name, Assignment.is_lead, Assignment.percent,
                  ProgressReport.narrative, Unit.sort_order, Assignment.unit_id, *LIGHT_COLUMNS)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .join(Section, Task.section_id == Section.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .outerjoin(ProgressReport, ProgressReport.id == Assignment.latest_report_id)
        .where(Task.plan_id == plan.id, Task.is_deleted.is_(False), Assignment.closed_at.is_(None))
    ).tuples().all()
    # ORDER BY sections.number, tasks.number, assignments.is_lead DESC, units.sort_order, units.id, assignments.id
    found = sorted(found, key=lambda r: (r[2], r[4], not r[9], r[12], r[13], r[0]))
    rows = []
    for aid, task_id, section_number, section_title, number, text, phrase, responsible, unit, is_lead, percent, \
            narrative, _sort_order, _unit_id, *light in found:
        c = LightColumns(*light)
        rows.append(ExportRow(aid, task_id, section_number, section_title, number, text, phrase, c.due_date,
                              responsible, unit, is_lead, c.status, percent, c.completed_on, c.extended_due,
                              c.last_reported_at, light_from(c, today), narrative))
    return rows


def unit_progress(row: ExportRow) -> UnitProgress:
    """Return one export row as the progress table reads it."""
    return UnitProgress(unit=row.unit_name, is_lead=row.is_lead, light=row.light, status=row.status.value,
                        percent=row.percent, completed_on=row.completed_on, narrative=row.narrative)


def task_lines(plan: Plan, rows: list[ExportRow]) -> list[TaskLine]:
    """Return every task of the plan in plan order with its units' progress (one query: the tasks and sections).

    A task with no open assignment keeps its row (its cells say nothing), so the table always lists the whole plan.
    """
    tasks = db.session.scalars(
        sa.select(Task).where(Task.plan_id == plan.id, Task.is_deleted.is_(False)).options(joinedload(Task.section))
    ).all()
    lines = {t.id: TaskLine(t) for t in sorted(tasks, key=lambda t: (t.section.number, t.number, t.id))}
    for row in rows:
        line = lines.get(row.task_id)
        if line is not None:
            line.units.append(unit_progress(row))
    return list(lines.values())


def plan_lines(plan: Plan, today: dt.date) -> list[TaskLine]:
    """Return the plan's tasks with their units' progress as of today (the print view; four queries)."""
    return task_lines(plan, export_rows(plan, today))


def _values(row: ExportRow) -> list[sheets.Value]:
    return [
        f"{row.section_number}. {row.section_title}",
        row.task_number,
        row.task_text,
        row.deadline_phrase,
        row.due_date,
        row.extended_due,
        row.responsible_phrase,
        row.unit_name,
        "牵头" if row.is_lead else "配合",
        row.status.label,
        row.percent,
        row.completed_on,
        row.light.light.label,
        row.light.reason_label,
        local_date(row.last_reported_at) if row.last_reported_at else None,
        row.narrative or "",
    ]


def target_lines(standings: list[Standing]) -> list[list[sheets.Value]]:
    """Return the 指标 sheet's lines, all text: a target's own cells, then one unit's latest value against it."""
    lines: list[list[sheets.Value]] = []
    for s in standings:
        t = s.target
        head: list[sheets.Value] = [s.scope_label, t.what, t.label.removeprefix(t.what).strip(),
                                    f"{t.year}年" if t.year else "", t.phrase]
        lines += [[*head, v.unit.name, v.label, local_date(v.value.reported_at).isoformat(),
                   "达标" if v.is_met else "未达标"] for v in s.values]
        if not s.values:
            lines.append([*head, "", "尚未填报", "", ""])
    return lines


def _add_targets_sheet(wb: Workbook, standings: list[Standing]) -> sheets.SheetRows:
    ws = wb.create_sheet("指标")
    sheets.append_row(ws, [c.title for c in TARGET_COLUMNS], [sheets.cell_style(ws, font=Font(bold=True))] * len(
        TARGET_COLUMNS))
    for index, column in enumerate(TARGET_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    body = [sheets.cell_style(ws, alignment=Alignment(vertical="top", wrap_text=c.wrap)) for c in TARGET_COLUMNS]
    table = sheets.SheetRows(ws)
    for line in target_lines(standings):
        table.append(line, body)
    ws.freeze_panes = "A2"
    sheets.print_setup(ws, title_rows="1:1")
    return table


def file_stem(plan: Plan, today: dt.date) -> str:
    """Return the download name without extension, e.g. 2024年…任务表_进展_20240718."""
    return f"{plan.title}_进展_{today:%Y%m%d}"


def to_xlsx(plan: Plan, rows: list[ExportRow], today: dt.date, standings: list[Standing] | None = None) -> bytes:
    """Return the formatted workbook (with a 指标 sheet when the plan has targets)."""
    wb = sheets.new_workbook()
    add_progress_sheet(wb, plan, task_lines(plan, rows), today)
    ws = wb.worksheets[1]
    ws.title = "任务进展"
    header = sheets.cell_style(ws, font=Font(bold=True, color="FFFFFF"), fill=PatternFill("solid", fgColor="B3261E"),
                               alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
    sheets.append_row(ws, [c.title for c in COLUMNS], [header] * len(COLUMNS))
    for index, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    body = [sheets.cell_style(ws, alignment=Alignment(vertical="top", wrap_text=c.wrap)) for c in COLUMNS]
    light_column = [c.title for c in COLUMNS].index("红黄绿灯")
    lit = {light: [*body[:light_column],
                   sheets.cell_style(ws, alignment=Alignment(vertical="top", wrap_text=COLUMNS[light_column].wrap),
                                     fill=PatternFill("solid", fgColor=color)),
                   *body[light_column + 1:]]
           for light, color in LIGHT_FILLS.items()}
    table = sheets.SheetRows(ws)
    for row in rows:
        table.append(_values(row), lit[row.light.light.value])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    sheets.print_setup(ws, title_rows="1:1")
    tables = [table]
    if standings:
        tables.append(_add_targets_sheet(wb, standings))
    wb.active = 0
    wb.properties.title = safe_text.for_xml(plan.title)
    wb.properties.creator = "清廉社会组织建设任务督办"
    wb.properties.created = dt.datetime.combine(today, dt.time())
    return sheets.save(wb, tables)


def to_csv(rows: list[ExportRow]) -> bytes:
    """Return the same table as CSV in UTF-8 with a BOM, so Excel opens the Chinese text correctly."""
    return sheets.csv_bytes([c.title for c in COLUMNS], (_values(row) for row in rows))


def export_plan(plan_id: int, fmt: str, today: dt.date) -> tuple[str, bytes]:
    """Return (file name, content) of a plan's export as "xlsx" or "csv"."""
    plan = db.session.get(Plan, plan_id)  # the view has read it (web/scope.py): no query, not every plan listed
    if plan is None or plan.is_deleted:
        raise NotFound("工作计划不存在")
    rows = export_rows(plan, today)
    stem = file_stem(plan, today)
    if fmt == "xlsx":
        return f"{stem}.xlsx", to_xlsx(plan, rows, today, plan_standings(plan.id))
    if fmt == "csv":
        return f"{stem}.csv", to_csv(rows)
    raise ValueError(fmt)
