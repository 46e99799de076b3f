"""Which dates people may enter for what already happened: from the plan's period start up to today.

A completion date (完成日期) or a pilot-log date (试点进展日期) records something that happened while working on a
plan. It cannot lie in the future, nor before the plan's period began: a plan for year Y starts on 1 January of Y,
or on its issue date when the document was issued before that (a plan issued in December for the next year).
``0001-01-01`` and ``9999-12-31`` are typing slips, refused with a message that says which window is open.

Pure functions, no Flask.
"""

from __future__ import annotations

import datetime as dt


def cn_date(day: dt.date) -> str:
    """Return a date as written in Chinese documents, e.g. 2024年7月18日."""
    return f"{day.year}年{day.month}月{day.day}日"


def plan_period_start(year: int, issued_on: dt.date | None) -> dt.date:
    """Return the first day a plan's work may be recorded: 1 January of its year, or an earlier issue date."""
    start = dt.date(year, 1, 1)
    return min(start, issued_on) if issued_on is not None else start


def past_date_problem(day: dt.date, *, earliest: dt.date, today: dt.date, label: str) -> str | None:
    """Return why ``day`` cannot be a date of something already done (None: it can)."""
    if day > today:
        return f"{label}不能晚于今天"
    if day < earliest:
        return f"{label}不能早于 {cn_date(earliest)}（本计划的起始日期），请检查年份"
    return None
