"""Reader of the annual task table (工作任务表) in its TSV form, e.g. ``seed/plans/2024/tasks.tsv``.

Format: tab-separated; a header row 主要任务 / 序号 / 具体工作 / 完成时间节点 / 责任单位, then one row
per task. The 主要任务 cell holds "一、强化党建统领" on the first row of a section and may be blank
on the following rows (like the merged cells of the printed table); a blank cell carries the
section down. Blank lines and repeated header rows (the printed table repeats its header after a
page break) are skipped. A UTF-8 BOM and CRLF line ends are tolerated; extra trailing cells are
tolerated only when blank. Cells are stripped of surrounding whitespace; inner spaces are kept
("2024 年 7 月底前" stays as written).

The reader checks the table's shape only. It does not parse deadlines or responsible units: callers
do that with ``parse_deadline`` / ``parse_responsible`` so that one import reports every error.
All problems are collected into one ``PlanTableError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasktrack.domain.text import normalize

HEADER: tuple[str, ...] = ("主要任务", "序号", "具体工作", "完成时间节点", "责任单位")

_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SECTION = re.compile(r"(?P<numeral>[一二三四五六七八九十]+)[、.](?P<title>.+)")
_BAD_SECTION = (0, "")
_NUMBER = re.compile(r"(?P<number>\d+)[.、]?")


@dataclass(frozen=True)
class TaskRow:
    """One row of the task table, as written."""

    section_number: int
    section_title: str  # without the numeral prefix, e.g. "强化党建统领"
    number: int
    text: str
    deadline_phrase: str
    responsible_phrase: str
    line: int  # 1-based line number in the TSV text


class PlanTableError(ValueError):
    """A malformed task table; ``problems`` lists (line, message) for every problem found."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        lines = "\n".join(f"第{line}行：{message}" for line, message in problems)
        super().__init__(f"任务表有{len(problems)}处错误：\n{lines}")


def chinese_numeral(numeral: str) -> int | None:
    """Return the value of a Chinese numeral from 一 to 九十九, or None if it is not one."""
    if numeral in _DIGITS:
        return _DIGITS[numeral]
    tens, sep, units = numeral.partition("十")
    if not sep or (tens and tens not in _DIGITS) or (units and units not in _DIGITS):
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[units] if units else 0)


def _parse_section(cell: str) -> tuple[int, str] | None:
    match = _SECTION.fullmatch(normalize(cell))
    if match is None:
        return None
    number = chinese_numeral(match["numeral"])
    if number is None:
        return None
    # Keep the title as written: drop the prefix (numeral and 、) from the original cell.
    title = re.sub(r"^\s*[一二三四五六七八九十]+\s*[、.．]\s*", "", cell).strip()
    return number, title


def read_task_table(text: str) -> list[TaskRow]:
    """Read a task table in TSV form; raise PlanTableError listing every problem with its line."""
    text = text.removeprefix("\ufeff")
    problems: list[tuple[int, str]] = []
    rows: list[TaskRow] = []
    header_seen = False
    section: tuple[int, str] | None = None
    section_titles: dict[int, tuple[str, int]] = {}
    number_lines: dict[int, int] = {}

    for line_number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if not line.strip():
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if tuple(cells[: len(HEADER)]) == HEADER and not any(cells[len(HEADER) :]):
            header_seen = True
            continue
        if not header_seen:
            problems.append((line_number, f"缺少表头，第一行应为：{'、'.join(HEADER)}（以制表符分隔）"))
            header_seen = True  # report once, then check the rows anyway
        if len(cells) < len(HEADER) or any(cells[len(HEADER) :]):
            problems.append((line_number, f"应有{len(HEADER)}列（以制表符分隔），实有{len(cells)}列"))
            if cells[0]:  # still follow the section, so later rows are not misreported
                section = _parse_section(cells[0]) or _BAD_SECTION
            continue
        section_cell, number_cell, task_text, deadline, responsible = cells[: len(HEADER)]
        row_ok = True

        if section_cell:
            parsed = _parse_section(section_cell)
            if parsed is None:
                problems.append((line_number, f"无法识别的主要任务“{section_cell}”，应如“一、强化党建统领”"))
                section, row_ok = _BAD_SECTION, False
            else:
                number, title = parsed
                earlier = section_titles.get(number)
                if earlier is not None and earlier[0] != title:
                    problems.append(
                        (line_number, f"主要任务编号{number}与第{earlier[1]}行的“{earlier[0]}”重复")
                    )
                    row_ok = False
                elif earlier is not None and section is not None and section[0] != number:
                    problems.append((line_number, f"主要任务“{section_cell}”与第{earlier[1]}行不相连"))
                    row_ok = False
                section_titles.setdefault(number, (title, line_number))
                section = parsed
        elif section is None:
            problems.append((line_number, "缺少主要任务（第一条任务须写明所属主要任务，如“一、…”）"))
            row_ok = False
        elif section is _BAD_SECTION:
            row_ok = False  # already reported on the section's first row

        match = _NUMBER.fullmatch(normalize(number_cell))
        number_value: int | None = None
        if not number_cell:
            problems.append((line_number, "序号为空"))
        elif match is None or int(match["number"]) < 1:
            problems.append((line_number, f"序号“{number_cell}”不是正整数"))
        else:
            number_value = int(match["number"])
            if number_value in number_lines:
                problems.append(
                    (line_number, f"序号{number_value}与第{number_lines[number_value]}行重复")
                )
            else:
                number_lines[number_value] = line_number
        for value, label in ((task_text, "具体工作"), (deadline, "完成时间节点"), (responsible, "责任单位")):
            if not value:
                problems.append((line_number, f"{label}为空"))
                row_ok = False

        if row_ok and number_value is not None and section is not None and section is not _BAD_SECTION:
            rows.append(
                TaskRow(
                    section_number=section[0],
                    section_title=section[1],
                    number=number_value,
                    text=task_text,
                    deadline_phrase=deadline,
                    responsible_phrase=responsible,
                    line=line_number,
                )
            )

    if not header_seen:
        problems.append((1, f"缺少表头：{'、'.join(HEADER)}（以制表符分隔）"))
    elif not rows and not problems:
        problems.append((1, "任务表中没有任务"))
    if problems:
        raise PlanTableError(problems)
    return rows
