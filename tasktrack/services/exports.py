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
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tasktrack import sheets
from tasktrack.clock import local_date
from tasktrack.domain import safe_text
from tasktrack.domain.lights import LightResult
from tasktrack.domain.progress_table import UnitProgress
from tasktrack.extensions import db
from tasktrack.models import Assignment, Plan, ProgressReport, Task
from tasktrack.services.progress import latest_reports
from tasktrack.services.progress_sheet import TaskLine, add_progress_sheet
from tasktrack.services.read.dashboard import plan_rows, resolve_plan
from tasktrack.services.targets import Standing, plan_standings


@dataclass(frozen=True)
class ExportRow:
    """One task × unit line of the export."""

    assignment: Assignment
    light: LightResult
    latest: ProgressReport | None


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
    """Return the plan's open assignments in plan order with lights and latest reports (three queries)."""
    rows = plan_rows(plan, today)
    latest = latest_reports([r.assignment.id for r in rows])
    return [ExportRow(r.assignment, r.light, latest.get(r.assignment.id)) for r in rows]


def unit_progress(row: ExportRow) -> UnitProgress:
    """Return one export row as the progress table reads it."""
    a = row.assignment
    return UnitProgress(unit=a.unit.name, is_lead=a.is_lead, light=row.light, status=a.status.value,
                        percent=a.percent, completed_on=a.completed_on,
                        narrative=row.latest.narrative if row.latest else None)


def task_lines(plan: Plan, rows: list[ExportRow]) -> list[TaskLine]:
    """Return every task of the plan in plan order with its units' progress (one query: the tasks and sections).

    A task with no open assignment keeps its row (its cells say nothing), so the table always lists the whole plan.
    """
    tasks = db.session.scalars(
        select(Task).where(Task.plan_id == plan.id, Task.is_deleted.is_(False)).options(joinedload(Task.section))
    ).all()
    lines = {t.id: TaskLine(t) for t in sorted(tasks, key=lambda t: (t.section.number, t.number, t.id))}
    for row in rows:
        line = lines.get(row.assignment.task_id)
        if line is not None:
            line.units.append(unit_progress(row))
    return list(lines.values())


def plan_lines(plan: Plan, today: dt.date) -> list[TaskLine]:
    """Return the plan's tasks with their units' progress as of today (the print view; four queries)."""
    return task_lines(plan, export_rows(plan, today))


def _values(row: ExportRow) -> list[sheets.Value]:
    a, task = row.assignment, row.assignment.task
    return [
        f"{task.section.number}. {task.section.title}",
        task.number,
        task.text,
        task.deadline_phrase,
        task.due_date,
        a.extended_due,
        task.responsible_phrase,
        a.unit.name,
        "牵头" if a.is_lead else "配合",
        a.status.label,
        a.percent,
        a.completed_on,
        row.light.light.label,
        row.light.reason_label,
        local_date(a.last_reported_at) if a.last_reported_at else None,
        row.latest.narrative if row.latest else "",
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


def _add_targets_sheet(wb: Workbook, standings: list[Standing]) -> None:
    ws = wb.create_sheet("指标")
    sheets.append_row(ws, [c.title for c in TARGET_COLUMNS])
    for index, column in enumerate(TARGET_COLUMNS, start=1):
        ws.cell(row=1, column=index).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    for line in target_lines(standings):
        r = sheets.append_row(ws, line)
        for index, column in enumerate(TARGET_COLUMNS, start=1):
            ws.cell(row=r, column=index).alignment = Alignment(vertical="top", wrap_text=column.wrap)
    ws.freeze_panes = "A2"
    sheets.print_setup(ws, title_rows="1:1")


def file_stem(plan: Plan, today: dt.date) -> str:
    """Return the download name without extension, e.g. 2024年…任务表_进展_20240718."""
    return f"{plan.title}_进展_{today:%Y%m%d}"


def to_xlsx(plan: Plan, rows: list[ExportRow], today: dt.date, standings: list[Standing] | None = None) -> bytes:
    """Return the formatted workbook (with a 指标 sheet when the plan has targets)."""
    wb = sheets.new_workbook()
    add_progress_sheet(wb, plan, task_lines(plan, rows), today)
    ws = wb.worksheets[1]
    ws.title = "任务进展"
    sheets.append_row(ws, [c.title for c in COLUMNS])
    header_fill = PatternFill("solid", fgColor="B3261E")
    for index, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    light_column = [c.title for c in COLUMNS].index("红黄绿灯") + 1
    for row in rows:
        r = sheets.append_row(ws, _values(row))
        for index, column in enumerate(COLUMNS, start=1):
            cell = ws.cell(row=r, column=index)
            cell.alignment = Alignment(vertical="top", wrap_text=column.wrap)
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
        ws.cell(row=r, column=light_column).fill = PatternFill("solid", fgColor=LIGHT_FILLS[row.light.light.value])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(ws.max_row, 1)}"
    sheets.print_setup(ws, title_rows="1:1")
    if standings:
        _add_targets_sheet(wb, standings)
    wb.active = 0
    wb.properties.title = safe_text.for_xml(plan.title)
    wb.properties.creator = "清廉社会组织建设任务督办"
    wb.properties.created = dt.datetime.combine(today, dt.time())
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def to_csv(rows: list[ExportRow]) -> bytes:
    """Return the same table as CSV in UTF-8 with a BOM, so Excel opens the Chinese text correctly."""
    return sheets.csv_bytes([c.title for c in COLUMNS], (_values(row) for row in rows))


def export_plan(plan_id: int, fmt: str, today: dt.date) -> tuple[str, bytes]:
    """Return (file name, content) of a plan's export as "xlsx" or "csv"."""
    plan = resolve_plan(plan_id, today)
    rows = export_rows(plan, today)
    stem = file_stem(plan, today)
    if fmt == "xlsx":
        return f"{stem}.xlsx", to_xlsx(plan, rows, today, plan_standings(plan.id))
    if fmt == "csv":
        return f"{stem}.csv", to_csv(rows)
    raise ValueError(fmt)
