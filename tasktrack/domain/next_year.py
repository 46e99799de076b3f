"""Next year's plan copied from this one (新建年度计划), and where last year's unfinished work goes (结转).

Four pure rules:

* :func:`next_period` — the period of the copy and by how many years its phrases move. By default the copy
  starts the year after the plan ends, so a one-year plan moves by one year (2024 → 2025) and a plan of several
  years by its length (2025—2027 → 2028—2030); a chosen first year moves everything by the difference.
* :func:`copy_rows` — the copied rows: sections, numbers, texts and responsible phrases as written; years written
  in the deadline phrases moved (``shift_year``: "2024 年 7 月底前" → "2025 年 7 月底前", full-width digits
  stay full-width, 年底前 and 长期坚持 unchanged). The plan's title moves the same way (:func:`moved_title`).
* :func:`task_table_tsv` — the copied table as the file the draft keeps as its source, in the layout the
  importer reads (header 主要任务/序号/具体工作/完成时间节点/责任单位, one task a line), so importing it again
  reads the same rows.
* :func:`default_target` — the task of the new plan an unfinished assignment most likely continues: the one with
  the same text (at the same number first), else none (the secretariat picks).

No Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from tasktrack.domain.deadlines import shift_year
from tasktrack.domain.text import normalize

#: The header of the copied task table (the importer's table layout).
TSV_HEADER = ("主要任务", "序号", "具体工作", "完成时间节点", "责任单位")
FIRST_YEAR, LAST_YEAR = 2000, 2100

_NUMERALS = "〇一二三四五六七八九"
_CELL_BREAKS = re.compile(r"[\t\r\n\v\f\u2028\u2029]+")


class PeriodError(ValueError):
    """The chosen year cannot start the next plan; ``str(e)`` is a Chinese message."""


@dataclass(frozen=True)
class NextPeriod:
    """The copy's period and how far its phrases move."""

    year: int
    end_year: int | None
    shift: int


@dataclass(frozen=True)
class CopiedRow:
    """One task of a plan as written, the unit of copying."""

    section_number: int
    section_title: str
    number: int
    text: str
    deadline_phrase: str
    responsible_phrase: str


def next_period(year: int, end_year: int | None, *, first_year: int | None = None) -> NextPeriod:
    """Return the period of the plan after ``year``—``end_year``, starting at ``first_year`` when given.

    The copy spans as many years as the plan; it must start after the plan's first year and stay within
    2000—2100.
    """
    last = end_year if end_year is not None and end_year > year else year
    start = last + 1 if first_year is None else first_year
    if start <= year:
        raise PeriodError(f"新计划的年度须晚于原计划的起始年度（{year}年）")
    shift = start - year
    new_end = last + shift if last > year else None
    if start < FIRST_YEAR or (new_end or start) > LAST_YEAR:
        raise PeriodError(f"年度须在 {FIRST_YEAR}—{LAST_YEAR} 之间")
    return NextPeriod(year=start, end_year=new_end, shift=shift)


def moved_title(title: str, shift: int) -> str:
    """Return the title with the years written in it moved ("2024年…工作要点" → "2025年…工作要点")."""
    return shift_year(title, shift)


def copy_rows(rows: Iterable[CopiedRow], shift: int) -> list[CopiedRow]:
    """Return the rows with the years of their deadline phrases moved by ``shift``; all else as written."""
    return [replace(row, deadline_phrase=shift_year(row.deadline_phrase, shift)) for row in rows]


def section_label(number: int, title: str) -> str:
    """Return a section as a 主要任务 cell: "一、强化党建统领" (numbers past 99 in digits)."""
    return f"{_numeral(number)}、{title}"


def _numeral(number: int) -> str:
    if not 1 <= number <= 99:
        return str(number)
    tens, units = divmod(number, 10)
    if tens == 0:
        return _NUMERALS[units]
    return (_NUMERALS[tens] if tens > 1 else "") + "十" + (_NUMERALS[units] if units else "")


def _cell(text: str) -> str:
    return _CELL_BREAKS.sub(" ", text).strip()


def task_table_tsv(rows: Sequence[CopiedRow]) -> str:
    """Return the rows as a tab-separated task table (UTF-8 text, one task a line, tabs and breaks in cells
    replaced by spaces); the section cell is written on the first row of each section, as merged cells read."""
    lines = ["\t".join(TSV_HEADER)]
    previous: tuple[int, str] | None = None
    for row in rows:
        section = (row.section_number, row.section_title)
        cell = section_label(*section) if section != previous else ""
        previous = section
        lines.append("\t".join(_cell(value) for value in (
            cell, str(row.number), row.text, row.deadline_phrase, row.responsible_phrase)))
    return "\n".join(lines) + "\n"


def default_target(number: int, text: str, candidates: Sequence[tuple[int, int, str]]) -> int | None:
    """Return the key of the candidate (key, number, text) an old task continues: the same text at the same
    number, else the same text at the lowest other number; None when no text is the same (spaces, full-width
    forms and dashes aside)."""
    wanted = normalize(text)
    same = sorted((n != number, n, key) for key, n, t in candidates if normalize(t) == wanted)
    return same[0][2] if same else None
