"""Tests for the deadline phrases of imported plans: ongoing work, month-only dates, cadences, stages,
the plan's period, ``describe`` and ``shift_year`` (issue 11, item 4)."""

from __future__ import annotations

import calendar
import datetime

import pytest

from tasktrack.domain.deadlines import (
    Deadline,
    DeadlineKind,
    DeadlineParseError,
    Milestone,
    describe,
    parse_deadline,
    shift_year,
)
from tasktrack.domain.text import normalize
from tests.domain.test_deadlines import CASES

D = datetime.date
DATED, YEAR_ROUND = DeadlineKind.DATED, DeadlineKind.YEAR_ROUND
RECURRING, ONGOING = DeadlineKind.RECURRING, DeadlineKind.ONGOING
ONE = (2025, 2025)
THREE = (2025, 2027)

# (phrase, period, kind, due, period_months, milestones); default_year is 2025 throughout.
ACCEPTED: list[tuple[str, tuple[int, int] | None, DeadlineKind, datetime.date, int | None, tuple[Milestone, ...]]] = [
    # ongoing work: words of 长期/持续/常态/长效, optionally followed by 坚持/推进/开展 …
    ("长期", None, ONGOING, D(2025, 12, 31), None, ()),
    ("长期坚持", ONE, ONGOING, D(2025, 12, 31), None, ()),
    ("持续推进", ONE, ONGOING, D(2025, 12, 31), None, ()),
    ("常态化", ONE, ONGOING, D(2025, 12, 31), None, ()),
    ("持续开展", ONE, ONGOING, D(2025, 12, 31), None, ()),
    ("常态长效", ONE, ONGOING, D(2025, 12, 31), None, ()),
    ("常态化推进", ONE, ONGOING, D(2025, 12, 31), None, ()),
    ("长效化", ONE, ONGOING, D(2025, 12, 31), None, ()),
    ("长期持续推进", ONE, ONGOING, D(2025, 12, 31), None, ()),
    ("长期坚持", THREE, ONGOING, D(2027, 12, 31), None, ()),  # due at the end of the plan's period
    (" 长期\u3000坚持。", THREE, ONGOING, D(2027, 12, 31), None, ()),
    ("2026年持续推进", THREE, ONGOING, D(2026, 12, 31), None, ()),
    # ranges of years: ongoing over those years
    ("2025—2027年", THREE, ONGOING, D(2027, 12, 31), None, ()),
    ("2025-2027年", THREE, ONGOING, D(2027, 12, 31), None, ()),
    ("２０２５－２０２７年", THREE, ONGOING, D(2027, 12, 31), None, ()),
    ("2025年至2027年", THREE, ONGOING, D(2027, 12, 31), None, ()),
    ("2025至2026年", THREE, ONGOING, D(2026, 12, 31), None, ()),
    ("2025年—2027年", None, ONGOING, D(2027, 12, 31), None, ()),
    ("2025—2027年持续推进", THREE, ONGOING, D(2027, 12, 31), None, ()),
    ("2025年—2027年每季度", THREE, RECURRING, D(2027, 12, 31), 3, ()),
    # by a year
    ("到2027年", THREE, DATED, D(2027, 12, 31), None, ()),
    ("至2026年", THREE, DATED, D(2026, 12, 31), None, ()),
    ("2027年前", THREE, DATED, D(2027, 12, 31), None, ()),
    ("到2027年底", THREE, DATED, D(2027, 12, 31), None, ()),
    ("于2025年6月底前", THREE, DATED, D(2025, 6, 30), None, ()),
    # month only
    ("2025年6月", None, DATED, D(2025, 6, 30), None, ()),
    ("6月份", None, DATED, D(2025, 6, 30), None, ()),
    ("6月", ONE, DATED, D(2025, 6, 30), None, ()),
    ("2月", ONE, DATED, D(2025, 2, 28), None, ()),
    ("２０２５年　６月", ONE, DATED, D(2025, 6, 30), None, ()),
    ("2025年6月份", THREE, DATED, D(2025, 6, 30), None, ()),
    ("6月份底前", ONE, DATED, D(2025, 6, 30), None, ()),
    # year end
    ("2025年年底前", ONE, DATED, D(2025, 12, 31), None, ()),
    ("年底前", ONE, DATED, D(2025, 12, 31), None, ()),
    ("2025年底", ONE, DATED, D(2025, 12, 31), None, ()),
    ("2026 年 年底前", THREE, DATED, D(2026, 12, 31), None, ()),
    # a dated phrase followed by its work
    ("2025年6月底前完成", ONE, DATED, D(2025, 6, 30), None, ()),
    ("年底前出台方案", ONE, DATED, D(2025, 12, 31), None, ()),
    ("7月中旬上线运行", ONE, DATED, D(2025, 7, 20), None, ()),
    ("6月底前完成，", ONE, DATED, D(2025, 6, 30), None, ()),
    # cadences
    ("每季度末", ONE, RECURRING, D(2025, 12, 31), 3, ()),
    ("按季度", ONE, RECURRING, D(2025, 12, 31), 3, ()),
    ("按季", ONE, RECURRING, D(2025, 12, 31), 3, ()),
    ("每季度末前", ONE, RECURRING, D(2025, 12, 31), 3, ()),
    ("每月底前", ONE, RECURRING, D(2025, 12, 31), 1, ()),
    ("每月末", ONE, RECURRING, D(2025, 12, 31), 1, ()),
    ("按月", ONE, RECURRING, D(2025, 12, 31), 1, ()),
    ("每个月", ONE, RECURRING, D(2025, 12, 31), 1, ()),
    ("每两个月", ONE, RECURRING, D(2025, 12, 31), 2, ()),
    ("每2个月", ONE, RECURRING, D(2025, 12, 31), 2, ()),
    ("每三个月", ONE, RECURRING, D(2025, 12, 31), 3, ()),
    ("每４个月", ONE, RECURRING, D(2025, 12, 31), 4, ()),
    ("每半年", ONE, RECURRING, D(2025, 12, 31), 6, ()),
    ("按半年", ONE, RECURRING, D(2025, 12, 31), 6, ()),
    ("每半年末", ONE, RECURRING, D(2025, 12, 31), 6, ()),
    ("每十二个月", ONE, RECURRING, D(2025, 12, 31), 12, ()),
    ("每年年底前", ONE, RECURRING, D(2025, 12, 31), 12, ()),
    ("按年", ONE, RECURRING, D(2025, 12, 31), 12, ()),
    ("每季度报送", ONE, RECURRING, D(2025, 12, 31), 3, ()),
    ("按月上报一次", ONE, RECURRING, D(2025, 12, 31), 1, ()),
    ("每半年末报告", ONE, RECURRING, D(2025, 12, 31), 6, ()),
    ("每季度", THREE, RECURRING, D(2027, 12, 31), 3, ()),
    ("定期", THREE, RECURRING, D(2027, 12, 31), None, ()),
    ("2026年每月", THREE, RECURRING, D(2026, 12, 31), 1, ()),
    # 全年: in a plan of several years, every year of the period
    ("全年", ONE, YEAR_ROUND, D(2025, 12, 31), None, ()),
    ("全年", THREE, YEAR_ROUND, D(2027, 12, 31), None, ()),
    ("2026年全年", THREE, YEAR_ROUND, D(2026, 12, 31), None, ()),
    # stages
    (
        "3月底前启动，12月底前完成", ONE, DATED, D(2025, 12, 31), None,
        (Milestone("启动", D(2025, 3, 31)), Milestone("完成", D(2025, 12, 31))),
    ),
    (
        "2025年6月底前出台方案，年底前全面完成", THREE, DATED, D(2025, 12, 31), None,
        (Milestone("出台方案", D(2025, 6, 30)), Milestone("全面完成", D(2025, 12, 31))),
    ),
    (
        "３月底前启动；１２月底前完成。", ONE, DATED, D(2025, 12, 31), None,
        (Milestone("启动", D(2025, 3, 31)), Milestone("完成", D(2025, 12, 31))),
    ),
    (
        "2025年 上半年 试点，2026年6月30日前推广、2027年底前全面完成", THREE, DATED, D(2027, 12, 31), None,
        (
            Milestone("试点", D(2025, 6, 30)),
            Milestone("推广", D(2026, 6, 30)),
            Milestone("全面完成", D(2027, 12, 31)),
        ),
    ),
    (
        "第一季度末摸底,第三季度末整改", None, DATED, D(2025, 9, 30), None,
        (Milestone("摸底", D(2025, 3, 31)), Milestone("整改", D(2025, 9, 30))),
    ),
    (
        "3月底前启动。12月底前完成。", ONE, DATED, D(2025, 12, 31), None,
        (Milestone("启动", D(2025, 3, 31)), Milestone("完成", D(2025, 12, 31))),
    ),
    (
        "6月底前启动，6月底前完成", ONE, DATED, D(2025, 6, 30), None,
        (Milestone("启动", D(2025, 6, 30)), Milestone("完成", D(2025, 6, 30))),
    ),
]


@pytest.mark.parametrize(("phrase", "period", "kind", "due", "months", "milestones"), ACCEPTED)
def test_accepted_phrase(
    phrase: str,
    period: tuple[int, int] | None,
    kind: DeadlineKind,
    due: datetime.date,
    months: int | None,
    milestones: tuple[Milestone, ...],
) -> None:
    assert parse_deadline(phrase, default_year=2025, period=period) == Deadline(
        phrase=phrase, kind=kind, due=due, period_months=months, milestones=milestones
    )


# (phrase, period, the reason named in the message)
REFUSED = [
    ("2027年底前", ONE, "完成时间节点的年份2027年不在计划期2025年内"),
    ("2024年12月底前", ONE, "完成时间节点的年份2024年不在计划期2025年内"),
    ("2028年6月", THREE, "完成时间节点的年份2028年不在计划期2025—2027年内"),
    ("2024年全年", THREE, "完成时间节点的年份2024年不在计划期2025—2027年内"),
    ("2028年每季度", THREE, "不在计划期"),
    ("2025—2028年", THREE, "完成时间节点的年份2028年不在计划期2025—2027年内"),
    ("到2030年", THREE, "2030年不在计划期"),
    ("2030年前", THREE, "2030年不在计划期"),
    ("3月底前启动，2028年底前完成", THREE, "跨年度计划的完成时间须写明年份"),
    ("2025年3月底前启动，2028年底前完成", THREE, "2028年不在计划期"),
    ("7月底前", THREE, "跨年度计划的完成时间须写明年份"),
    ("6月", THREE, "跨年度计划的完成时间须写明年份"),
    ("年底前", THREE, "跨年度计划的完成时间须写明年份"),
    ("上半年", THREE, "跨年度计划的完成时间须写明年份"),
    ("6月底前完成", THREE, "跨年度计划的完成时间须写明年份"),
    ("2027—2025年", None, "起止年份颠倒"),
    ("10月底前启动，3月底前完成", ONE, "分阶段的完成时间须按先后顺序书写"),
    ("2026年底前启动，2025年底前完成", THREE, "分阶段的完成时间须按先后顺序书写"),
    ("每五个月", ONE, "报送周期须为1、2、3、4、6或12个月"),
    ("每7个月", ONE, "报送周期须为1、2、3、4、6或12个月"),
    ("13月", ONE, "月份不存在"),
    ("2月30日前启动，年底前完成", ONE, "日期不存在"),
    # not recognised at all
    ("2025年", ONE, "无法识别"),
    ("2025—2027", THREE, "无法识别"),
    ("6月前", ONE, "无法识别"),
    ("6月起", ONE, "无法识别"),
    ("6月以前", ONE, "无法识别"),
    ("6月份左右", ONE, "无法识别"),
    ("7月中下旬", ONE, "无法识别"),
    ("6月至12月", ONE, "无法识别"),
    ("3月底前启动12月底前完成", ONE, "无法识别"),
    ("3月底前，12月底前", ONE, "无法识别"),
    ("3月底前启动，长期坚持", ONE, "无法识别"),
    ("每季度前", ONE, "无法识别"),
    ("6月底前!", ONE, "无法识别"),
    ("6月底前（暂定）", ONE, "无法识别"),
    ("每周", ONE, "无法识别"),
    ("长期以来", ONE, "无法识别"),
    ("坚持", ONE, "无法识别"),
    ("全年推进", ONE, "无法识别"),
    ("，", ONE, "无法识别"),
]


@pytest.mark.parametrize(("phrase", "period", "reason"), REFUSED)
def test_refused_phrase_names_its_reason_and_itself(phrase: str, period: tuple[int, int] | None, reason: str) -> None:
    with pytest.raises(DeadlineParseError) as excinfo:
        parse_deadline(phrase, default_year=2025, period=period)
    assert reason in excinfo.value.reason
    assert str(excinfo.value).endswith(f"：“{phrase}”")


def test_a_long_text_in_the_deadline_cell_is_refused() -> None:
    text = "6月底前" + "推进各项工作" * 2000 + "2025年"
    with pytest.raises(DeadlineParseError, match="无法识别"):
        parse_deadline(text, default_year=2025, period=ONE)


def test_out_of_period_message_in_full() -> None:
    with pytest.raises(DeadlineParseError) as excinfo:
        parse_deadline("2027年底前", default_year=2025, period=(2025, 2025))
    assert str(excinfo.value) == "完成时间节点的年份2027年不在计划期2025年内：“2027年底前”"


def test_a_period_with_its_years_reversed_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="first year after last") as excinfo:
        parse_deadline("年底前", default_year=2025, period=(2027, 2025))
    assert not isinstance(excinfo.value, DeadlineParseError)


def test_without_a_period_any_written_year_is_taken_as_written() -> None:
    assert parse_deadline("2027年底前", default_year=2025).due == D(2027, 12, 31)
    assert parse_deadline("长期坚持", default_year=2030).due == D(2030, 12, 31)


@pytest.mark.parametrize(("phrase", "kind", "due", "months"), CASES)
def test_every_earlier_phrase_reads_the_same_in_its_own_single_year_plan(
    phrase: str, kind: DeadlineKind, due: datetime.date, months: int | None
) -> None:
    if due.year == 2024:
        assert parse_deadline(phrase, default_year=2024, period=(2024, 2024)) == Deadline(phrase, kind, due, months)
    else:
        with pytest.raises(DeadlineParseError, match=f"年份{due.year}年不在计划期2024年内"):
            parse_deadline(phrase, default_year=2024, period=(2024, 2024))


# -- describe --------------------------------------------------------------------------------------

DESCRIBED = [
    ("2025年6月底前", ONE, "2025年6月30日前"),
    ("6月份", ONE, "2025年6月30日前"),
    ("全年", ONE, "全年（按计划周期报送）"),
    ("全年", THREE, "全年（按计划周期报送）"),
    ("长期坚持", THREE, "长期（按计划周期报送）"),
    ("2025—2027年", THREE, "长期（按计划周期报送）"),
    ("每季度末", ONE, "每季度（3个月）报送，至2025年12月31日"),
    ("按月", THREE, "每月（1个月）报送，至2027年12月31日"),
    ("每两个月", ONE, "每两个月（2个月）报送，至2025年12月31日"),
    ("每半年", ONE, "每半年（6个月）报送，至2025年12月31日"),
    ("每年年底前", ONE, "每年（12个月）报送，至2025年12月31日"),
    ("每四个月", ONE, "每四个月（4个月）报送，至2025年12月31日"),
    ("定期", ONE, "定期（按计划周期报送），至2025年12月31日"),
    ("3月底前启动，12月底前完成", ONE, "两阶段：启动 2025年3月31日；完成 2025年12月31日"),
    (
        "2025年上半年试点，2026年6月30日前推广，2027年底前全面完成", THREE,
        "三阶段：试点 2025年6月30日；推广 2026年6月30日；全面完成 2027年12月31日",
    ),
]


@pytest.mark.parametrize(("phrase", "period", "reading"), DESCRIBED)
def test_describe(phrase: str, period: tuple[int, int], reading: str) -> None:
    assert describe(parse_deadline(phrase, default_year=2025, period=period)) == reading


def test_describe_a_deadline_without_a_date() -> None:
    assert describe(Deadline("", DATED, None, None)) == "未定完成时间"
    assert describe(Deadline("", RECURRING, None, 3)) == "每季度（3个月）报送"


# -- shift_year ------------------------------------------------------------------------------------

SHIFTED = [
    ("2024 年 7 月底前", 1, "2024 年 7 月底前".replace("2024", "2025")),
    ("2024年全年", 1, "2025年全年"),
    ("２０２４年７月底前", 1, "２０２５年７月底前"),
    ("\u30002024\u3000年\u00a07 月底前 ", 1, "\u30002025\u3000年\u00a07 月底前 "),
    ("2024-06-30", 1, "2025-06-30"),
    ("2025—2027年", 3, "2028—2030年"),
    ("2025年6月底前出台方案，2026年底前全面完成", 1, "2026年6月底前出台方案，2027年底前全面完成"),
    ("2025年底前", -1, "2024年底前"),
    ("年底前", 1, "年底前"),
    ("每季度", 1, "每季度"),
    ("长期坚持", 5, "长期坚持"),
    ("7月底前", 1, "7月底前"),
    ("12月31日前", 1, "12月31日前"),
    ("2024年7月底前", 0, "2024年7月底前"),
]


@pytest.mark.parametrize(("phrase", "years", "shifted"), SHIFTED)
def test_shift_year(phrase: str, years: int, shifted: str) -> None:
    assert shift_year(phrase, years) == shifted


def test_shift_year_defaults_to_next_year() -> None:
    assert shift_year("2024 年 7 月底前") == "2025 年 7 月底前"


def test_shift_year_refuses_to_leave_four_digits() -> None:
    with pytest.raises(ValueError, match="four-digit"):
        shift_year("9999年底前")


# Every earlier phrase but the ones naming 29 February as a day (a date next year does not have).
MOVABLE = [case for case in CASES if "29" not in normalize(case[0])]


@pytest.mark.parametrize(("phrase", "kind", "due", "months"), MOVABLE)
def test_every_earlier_phrase_moved_a_year_reads_a_year_later(
    phrase: str, kind: DeadlineKind, due: datetime.date, months: int | None
) -> None:
    moved = parse_deadline(shift_year(phrase), default_year=due.year + 1)
    month_end = due.day == calendar.monthrange(due.year, due.month)[1]  # stays a month end (Feb 28 ↔ 29)
    expected = D(due.year + 1, due.month, calendar.monthrange(due.year + 1, due.month)[1] if month_end else due.day)
    assert (moved.kind, moved.due, moved.period_months) == (kind, expected, months)
