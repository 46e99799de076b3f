"""Dates of things already done lie between the plan's period start and today."""

from __future__ import annotations

import datetime as dt

import pytest

from tasktrack.domain.date_window import past_date_problem, plan_period_start

TODAY = dt.date(2024, 7, 18)


def test_the_period_starts_on_1_january_or_an_earlier_issue_date() -> None:
    assert plan_period_start(2024, None) == dt.date(2024, 1, 1)
    assert plan_period_start(2024, dt.date(2024, 4, 15)) == dt.date(2024, 1, 1)
    assert plan_period_start(2024, dt.date(2023, 12, 20)) == dt.date(2023, 12, 20)


@pytest.mark.parametrize(("day", "problem"), [
    (dt.date(1, 1, 1), "完成日期不能早于 2024年1月1日（本计划的起始日期），请检查年份"),
    (dt.date(2023, 12, 31), "完成日期不能早于 2024年1月1日（本计划的起始日期），请检查年份"),
    (dt.date(2024, 1, 1), None),
    (TODAY, None),
    (dt.date(2024, 7, 19), "完成日期不能晚于今天"),
    (dt.date(9999, 12, 31), "完成日期不能晚于今天"),
])
def test_window(day: dt.date, problem: str | None) -> None:
    assert past_date_problem(day, earliest=dt.date(2024, 1, 1), today=TODAY, label="完成日期") == problem
