"""The 工作进展情况表's rows: units grouped by state, progress and problem lines, narratives shortened."""

from __future__ import annotations

import datetime as dt

import pytest

from tasktrack.domain import progress_table as pt
from tasktrack.domain.lights import Light, LightResult, Reason

GREEN = LightResult(Light.GREEN, Reason.ON_TRACK, 120)
DONE = LightResult(Light.DONE, Reason.COMPLETED, None)
RED = LightResult(Light.RED, Reason.OVERDUE, -18)
SOON = LightResult(Light.YELLOW, Reason.DUE_SOON, 3)
STALE = LightResult(Light.YELLOW, Reason.STALE, None)


def unit(name: str, light: LightResult = GREEN, *, status: str = "in_progress", percent: int | None = None,
         narrative: str | None = "有进展。", lead: bool = False, completed_on: dt.date | None = None
         ) -> pt.UnitProgress:
    return pt.UnitProgress(unit=name, is_lead=lead, light=light, status=status, percent=percent,
                           completed_on=completed_on, narrative=narrative)


@pytest.mark.parametrize(
    ("u", "state"),
    [
        (unit("A", DONE, status="completed"), pt.State.DONE),
        (unit("A", DONE, status="completed", narrative=None), pt.State.DONE),  # a claimed completion lights done
        (unit("A", RED), pt.State.OVERDUE),
        (unit("A", RED, narrative=None), pt.State.OVERDUE),  # late first: it is what must be chased
        (unit("A", STALE, narrative=None), pt.State.UNREPORTED),
        (unit("A", GREEN, narrative=None), pt.State.UNREPORTED),
        (unit("A", STALE), pt.State.STALE),
        (unit("A", SOON), pt.State.DUE_SOON),
        (unit("A", GREEN, status="not_started"), pt.State.NOT_STARTED),
        (unit("A", GREEN), pt.State.IN_PROGRESS),
    ],
)
def test_state_of_follows_the_table(u: pt.UnitProgress, state: pt.State) -> None:
    assert pt.state_of(u) is state


def test_groups_come_in_a_fixed_order_with_percent_on_open_work() -> None:
    units = [unit("E", narrative=None), unit("D", RED, percent=10), unit("C", percent=40),
             unit("A", DONE, status="completed", percent=100), unit("B", DONE, status="completed")]
    assert pt.state_groups(units) == [(pt.State.DONE, ["A", "B"]), (pt.State.IN_PROGRESS, ["C（40%）"]),
                                      (pt.State.OVERDUE, ["D（10%）"]), (pt.State.UNREPORTED, ["E"])]
    assert pt.state_summary(units) == "已完成：A、B；进行中：C（40%）；逾期：D（10%）；未报送：E"
    assert pt.state_summary([]) == ""


def test_progress_lines_one_per_reporting_unit_then_the_silent_ones() -> None:
    units = [unit("省民政厅", percent=40, lead=True, narrative="已印发通知，\n完成第一轮学习。"),
             unit("省教育厅", DONE, status="completed", completed_on=dt.date(2024, 6, 30), narrative="已完成。"),
             unit("省科技厅", narrative=None), unit("省体育局", status="not_started", narrative=""),
             unit("杭州市", RED, narrative=None)]
    assert pt.progress_lines(units) == [
        "省民政厅（牵头）：进行中，40%。已印发通知， 完成第一轮学习。",
        "省教育厅：已完成，2024年6月30日完成。已完成。",
        "省体育局：未开始。",
        "尚未报送：省科技厅、杭州市",
    ]
    assert pt.progress_lines([]) == []


def test_problem_lines_name_the_units_of_each_fact_and_say_all_when_it_is_all() -> None:
    units = [unit("A", RED), unit("B", RED), unit("C", SOON), unit("D", STALE), unit("E"),
             unit("F", DONE, status="completed")]
    assert pt.problem_lines(units) == ["逾期18天：A、B", "距截止3天：C", "本期未报送进展：D"]
    everyone = [unit("A", STALE), unit("B", STALE, narrative=None)]
    assert pt.problem_lines(everyone) == ["本期未报送进展：全部2家责任单位"]
    assert pt.problem_lines([unit("A", STALE)]) == ["本期未报送进展：A"]  # one unit is named
    assert pt.problem_lines([unit("A"), unit("B", DONE)]) == []


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("短句。", 60, "短句。"),
        ("  多余的\n空白  ", 60, "多余的 空白"),
        ("第一句话说完了。第二句话很长很长很长", 12, "第一句话说完了。…"),  # cut at the sentence end
        ("一二三。四五六七八九十甲乙丙丁", 12, "一二三。四五六七八九十…"),  # the sentence end keeps too little
        ("甲" * 70, 60, "甲" * 59 + "…"),
    ],
)
def test_shorten(text: str, limit: int, expected: str) -> None:
    assert pt.shorten(text, limit) == expected
    assert len(pt.shorten(text, limit)) <= limit + 1
