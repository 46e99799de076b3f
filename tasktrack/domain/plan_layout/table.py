"""The task table (工作任务表): find it by its header, read one task per row.

A table is a task table when one of its first three rows is a header with a column meaning 具体工作
and at least one meaning 完成时间 or 责任单位. Columns may come in any order; 主要任务 and 序号 are
optional; 牵头单位 and 配合单位 may be two columns. A table right after a task table with the same
number of columns and no header of its own continues it (a page break); a repeated header is
skipped, as are blank rows. A section cell that is blank or repeats the section above keeps the
section; a row holding only a section ("一、强化党建统领" alone) opens it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasktrack.domain.doc_blocks import Table
from tasktrack.domain.plan_layout.markers import TableAt, flowed, item_marker, section_marker
from tasktrack.domain.plan_layout.model import LayoutItem
from tasktrack.domain.plan_table import chinese_numeral
from tasktrack.domain.text import normalize

#: Header words by column role, most specific first (a 类别 column is a section even if it says 任务).
_ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("number", ("序号", "编号")),
    ("section", ("类别", "主要任务", "任务分类", "工作板块", "重点领域")),
    ("lead", ("牵头单位", "牵头部门")),
    ("co", ("配合单位", "配合部门", "协同单位", "参与单位")),
    ("owner", ("责任单位", "责任部门", "责任主体", "承办单位", "负责单位", "主责单位")),
    ("deadline", ("完成时间", "时间节点", "完成时限", "时间安排", "完成期限", "时限", "时间")),
    ("task", ("具体工作", "工作任务", "工作内容", "任务内容", "重点任务", "具体任务", "工作举措", "具体措施")),
    ("task", ("任务", "内容", "措施", "举措", "事项")),
)


@dataclass(frozen=True)
class Columns:
    """Column index of each role found in a header row."""

    roles: dict[str, int]
    width: int
    header: tuple[str, ...]


def _role(cell: str) -> str | None:
    key = normalize(cell)
    if not key:
        return None
    for role, words in _ROLES:
        if any(word in key for word in words):
            return role
    return None


def header_columns(row: tuple[str, ...]) -> Columns | None:
    """Return the columns of a task-table header row, or None when the row is not one."""
    roles: dict[str, int] = {}
    tasks: list[int] = []
    for index, cell in enumerate(row):
        role = _role(cell)
        if role == "task":
            tasks.append(index)
        if role is not None and role not in roles:
            roles[role] = index
    if "section" not in roles and len(tasks) >= 2:
        # Two task-like columns (重点任务 | 工作内容): the left one groups the rows, the next one is the task.
        roles["section"], roles["task"] = tasks[0], tasks[1]
    if "task" not in roles and "section" in roles:
        roles["task"] = roles.pop("section")  # 主要任务 alone is the task column
    if "task" not in roles or not roles.keys() & {"deadline", "owner", "lead", "co"}:
        return None
    return Columns(roles, len(row), tuple(normalize(cell) for cell in row))


def find_header(table: Table) -> tuple[int, Columns] | None:
    """Return (row index, columns) of the table's header among its first three rows."""
    for index, row in enumerate(table.rows[:3]):
        columns = header_columns(row)
        if columns is not None:
            return index, columns
    return None


@dataclass
class _Cursor:
    section: tuple[int | None, str] | None = None
    section_cell: str = ""
    sections_seen: int = 0


def _cell(row: tuple[str, ...], columns: Columns, role: str) -> str:
    index = columns.roles.get(role)
    return flowed(row[index]) if index is not None and index < len(row) else ""


def _open_section(cursor: _Cursor, cell: str) -> None:
    if normalize(cell) == normalize(cursor.section_cell):
        return  # the same text repeated on every row of a merged cell
    cursor.section_cell = cell
    cursor.sections_seen += 1
    parsed = section_marker(cell)
    marker = item_marker(cell) if parsed is None else None
    if marker is not None:
        parsed = (marker[1], marker[3])  # "（一）强化党建统领" in a section column
    cursor.section = parsed if parsed is not None else (cursor.sections_seen, cell)


def _responsible(row: tuple[str, ...], columns: Columns) -> str:
    owner, lead, co = (_cell(row, columns, role) for role in ("owner", "lead", "co"))
    parts = [owner] if owner else []
    parts += [f"牵头单位：{lead}"] if lead else []
    parts += [f"配合单位：{co}"] if co else []
    return "；".join(parts)


def _number(row: tuple[str, ...], columns: Columns, text: str) -> tuple[str, int | None, str]:
    """Return (number as written, its value, text without a number prefix)."""
    number_cell = _cell(row, columns, "number")
    marker = item_marker(text)
    if marker is not None:
        text = marker[3]
    if number_cell:
        match = re.fullmatch(r"\D{0,2}?(\d{1,4})\D{0,2}", normalize(number_cell))
        return number_cell, int(match[1]) if match else None, text
    if marker is not None:
        return marker[2], marker[1], text
    return "", None, text


def read_task_tables(tables: list[TableAt]) -> tuple[list[LayoutItem], list[str]]:
    """Read the task rows of a run of task tables; return the items and notes on what was done."""
    items: list[LayoutItem] = []
    written: list[int | None] = []
    cursor = _Cursor()
    columns: Columns | None = None
    skipped_headers = 0
    for position, at in enumerate(tables):
        found = find_header(at.table)
        start = 0
        if found is not None:
            start, columns = found[0] + 1, found[1]
            skipped_headers += position > 0
        if columns is None:
            continue
        where = "任务表" if position == 0 else f"任务表续表{position}"
        for row_index in range(start, len(at.table.rows)):
            row = at.table.rows[row_index]
            if not any(cell.strip() for cell in row):
                continue
            if tuple(normalize(cell) for cell in row) == columns.header:
                skipped_headers += 1
                continue
            section_cell = _cell(row, columns, "section")
            if section_cell:
                _open_section(cursor, section_cell)
            text = _cell(row, columns, "task")
            deadline = _cell(row, columns, "deadline")
            responsible = _responsible(row, columns)
            if not section_cell and not deadline and not responsible:
                lone = next((cell.strip() for cell in row if cell.strip()), "")
                numeral = chinese_numeral(re.sub(r"[、.．\s]", "", _cell(row, columns, "number")))
                if section_marker(lone):
                    _open_section(cursor, lone)  # a full-width section row: "一、强化党建统领"
                    continue
                if numeral is not None and text:
                    _open_section(cursor, f"{_cell(row, columns, 'number')}、{text}")  # 序号 "一" + title
                    cursor.section = (numeral, text)
                    continue
            if not text:
                continue
            number_text, value, text = _number(row, columns, text)
            written.append(value)
            section = cursor.section
            items.append(
                LayoutItem(
                    section_number=section[0] if section else None,
                    section_title=section[1] if section else "",
                    number=len(items) + 1,
                    number_text=number_text,
                    text=text,
                    deadline_phrase=deadline,
                    responsible_phrase=responsible,
                    sub_items=(),
                    source=f"{where}第{row_index + 1}行",
                )
            )
    notes: list[str] = []
    if any(value is not None for value in written) and written != list(range(1, len(written) + 1)):
        notes.append("任务表序号不是从1起连续编号，按表中顺序重新编号")
    if len(tables) > 1:
        notes.append(f"任务表跨{len(tables)}个表格（分页续表），重复的表头{skipped_headers}行已跳过")
    return items, notes
