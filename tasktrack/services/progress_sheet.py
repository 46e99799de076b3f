"""The workbook's first sheet, 工作进展情况表: one row per task as offices print it for leaders.

A title row (the plan's name) and an as-of row, the header row (repeated on every printed page), then per
主要任务 a section row merged across the table and one row per task: 序号 / 工作任务 (with its 完成时限) /
责任单位 (the phrase as written) / 进展情况 (one line per unit that reported, the others named in one line) /
存在问题 (the lights' facts per unit) / 下步计划 (left empty: reports have no such field, the office writes it).

The column widths add up to A4 landscape between 12.7 mm margins at 100 %, so "one page wide" prints the 11 pt
text at full size; row heights are computed from the text (``sheets.row_height``). Every cell goes through
``tasktrack.sheets``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tasktrack import sheets
from tasktrack.domain import progress_table as pt
from tasktrack.domain.text import chinese_number
from tasktrack.models import Plan, Task

SHEET_TITLE = "工作进展情况表"
#: (header, width in Excel units): 120 units of 8 px (+ 5 px a column) = 990 px, inside the 1,026 px of A4
#: landscape between 12.7 mm margins, so the sheet prints one page wide at 100 %.
COLUMNS = (("序号", 5), ("工作任务", 28), ("责任单位", 14), ("进展情况", 41), ("存在问题", 20), ("下步计划", 12))
BODY_PT = 11
BODY_FONT = "仿宋_GB2312"
HEAD_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
HEADER_ROW = 3
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")


@dataclass(frozen=True)
class TaskLine:
    """A task with every open assignment's progress, in plan order (lead units first)."""

    task: Task
    units: list[pt.UnitProgress] = field(default_factory=list)

    @property
    def groups(self) -> list[tuple[pt.State, list[str]]]:
        """Return the units grouped by state (print view)."""
        return pt.state_groups(self.units)

    @property
    def notes(self) -> list[tuple[str, str]]:
        """Return (unit, shortened latest narrative) for every unit that wrote one (print view)."""
        return [(u.name, pt.shorten(u.narrative)) for u in self.units if u.narrative and u.narrative.strip()]

    @property
    def progress(self) -> str:
        """Return the 进展情况 cell: one line per unit."""
        return "\n".join(pt.progress_lines(self.units))

    @property
    def problems(self) -> str:
        """Return the 存在问题 cell: the lights' facts per unit."""
        return "\n".join(pt.problem_lines(self.units))


def as_of_label(today: dt.date) -> str:
    """Return the as-of line, e.g. 截至2024年7月18日."""
    return f"截至{today.year}年{today.month}月{today.day}日"


def _task_cell(task: Task) -> str:
    return f"{task.text}\n完成时限：{task.deadline_phrase}" if task.deadline_phrase else task.text


def _style(ws: Worksheet, row: int, *, font: Font, align: Alignment, fill: PatternFill | None = None) -> None:
    for column in range(1, len(COLUMNS) + 1):
        cell = ws.cell(row=row, column=column)
        cell.font, cell.alignment, cell.border = font, align, BORDER
        if fill is not None:
            cell.fill = fill


def _merged_row(ws: Worksheet, text: str) -> int:
    row = sheets.append_row(ws, [text] + [None] * (len(COLUMNS) - 1))
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
    return row


def add_progress_sheet(wb: Workbook, plan: Plan, lines: Iterable[TaskLine], today: dt.date) -> Worksheet:
    """Add the 工作进展情况表 as the workbook's first sheet and return it."""
    ws = wb.create_sheet(SHEET_TITLE, 0)
    last = get_column_letter(len(COLUMNS))
    for index, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    title = _merged_row(ws, f"{plan.title}工作进展情况")
    ws.cell(row=title, column=1).font = Font(name=TITLE_FONT, size=18)
    ws.cell(row=title, column=1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[title].height = 36
    as_of = _merged_row(ws, as_of_label(today))
    ws.cell(row=as_of, column=1).font = Font(name="楷体_GB2312", size=BODY_PT)
    ws.cell(row=as_of, column=1).alignment = Alignment(horizontal="right", vertical="center")
    ws.row_dimensions[as_of].height = 20
    header = sheets.append_row(ws, [title for title, _ in COLUMNS])
    _style(ws, header, font=Font(name=HEAD_FONT, size=BODY_PT, bold=True),
           align=Alignment(horizontal="center", vertical="center", wrap_text=True), fill=SECTION_FILL)
    ws.row_dimensions[header].height = 24
    body_font = Font(name=BODY_FONT, size=BODY_PT)
    body = sheets.cell_style(ws, font=body_font, alignment=Alignment(vertical="top", wrap_text=True), border=BORDER)
    number = sheets.cell_style(ws, font=body_font, alignment=Alignment(horizontal="center", vertical="top"),
                               border=BORDER)
    styles = [number, *[body] * (len(COLUMNS) - 1)]
    section_id: int | None = None
    for line in lines:
        task = line.task
        if task.section_id != section_id:
            section_id = task.section_id
            row = _merged_row(ws, f"{chinese_number(task.section.number)}、{task.section.title}")
            _style(ws, row, font=Font(name=HEAD_FONT, size=BODY_PT), align=Alignment(vertical="center"),
                   fill=SECTION_FILL)
            ws.row_dimensions[row].height = round(BODY_PT * sheets.LINE_PITCH + 8, 1)
        values: list[sheets.Value] = [task.number, _task_cell(task), task.responsible_phrase, line.progress,
                                      line.problems, ""]
        row = sheets.append_row(ws, values, styles)
        ws.row_dimensions[row].height = sheets.row_height(
            ((str(v or ""), width) for v, (_, width) in zip(values, COLUMNS, strict=True)), BODY_PT)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_area = f"A1:{last}{ws.max_row}"
    sheets.print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    return ws
