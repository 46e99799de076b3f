"""Deadlines for people: ``describe`` reads a parsed deadline back in Chinese for the review page, and
``shift_year`` moves the years written in a phrase, for next year's plan copied from this one."""

from __future__ import annotations

import datetime
import re

from tasktrack.domain.deadlines.model import Deadline, DeadlineKind

_CADENCE_NAMES = {1: "每月", 2: "每两个月", 3: "每季度", 4: "每四个月", 6: "每半年", 12: "每年"}
_STAGE_COUNTS = {2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九"}
_PLAN_CADENCE = "（按计划周期报送）"

_FULL_WIDTH_DIGITS = "０１２３４５６７８９"
_DIGIT = "0-9０-９"
_YEAR_WRITTEN = re.compile(rf"(?<![{_DIGIT}])[{_DIGIT}]{{4}}(?![{_DIGIT}])")


def _date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def describe(deadline: Deadline) -> str:
    """Return a Chinese reading of ``deadline``, e.g. "2025年6月30日前" or "每季度（3个月）报送，至2025年12月31日"."""
    if deadline.milestones:
        count = len(deadline.milestones)
        stages = "；".join(f"{m.label} {_date(m.due)}" for m in deadline.milestones)
        return f"{_STAGE_COUNTS.get(count, str(count))}阶段：{stages}"
    if deadline.kind is DeadlineKind.YEAR_ROUND:
        return f"全年{_PLAN_CADENCE}"
    if deadline.kind is DeadlineKind.ONGOING:
        return f"长期{_PLAN_CADENCE}"
    until = f"，至{_date(deadline.due)}" if deadline.due is not None else ""
    if deadline.kind is DeadlineKind.RECURRING:
        months = deadline.period_months
        if months is None:
            return f"定期{_PLAN_CADENCE}{until}"
        return f"{_CADENCE_NAMES.get(months, f'每{months}个月')}（{months}个月）报送{until}"
    return f"{_date(deadline.due)}前" if deadline.due is not None else "未定完成时间"


def _shifted(match: re.Match[str], years: int) -> str:
    written = match.group()
    full_width = written[0] in _FULL_WIDTH_DIGITS
    value = int(written.translate(str.maketrans(_FULL_WIDTH_DIGITS, "0123456789"))) + years
    if not 1000 <= value <= 9999:
        raise ValueError(f"year {written} moved by {years} is not a four-digit year")
    text = str(value)
    return text.translate(str.maketrans("0123456789", _FULL_WIDTH_DIGITS)) if full_width else text


def shift_year(phrase: str, years: int = 1) -> str:
    """Return ``phrase`` with every written four-digit year moved by ``years``, all else as written.

    "2024 年 7 月底前" → "2025 年 7 月底前"; full-width years stay full-width; a phrase without a year
    (年底前, 每季度, 长期坚持) is returned unchanged.
    """
    return _YEAR_WRITTEN.sub(lambda m: _shifted(m, years), phrase)
