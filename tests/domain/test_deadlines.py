"""Tests for tasktrack.domain.deadlines.parse_deadline."""

from __future__ import annotations

import datetime

import pytest

from tasktrack.domain.deadlines import Deadline, DeadlineKind, DeadlineParseError, parse_deadline
from tasktrack.domain.text import normalize

D = datetime.date
DATED, YEAR_ROUND, RECURRING = DeadlineKind.DATED, DeadlineKind.YEAR_ROUND, DeadlineKind.RECURRING

CASES = [
    # every distinct phrase of the 2024 task table, exactly as written
    ("2024 年 7 月底前", DATED, D(2024, 7, 31), None),
    ("2024 年全年", YEAR_ROUND, D(2024, 12, 31), None),
    ("2024 年 12 月底前", DATED, D(2024, 12, 31), None),
    ("2024 年 6 月底前", DATED, D(2024, 6, 30), None),
    ("2024年12月底前", DATED, D(2024, 12, 31), None),
    ("2024年全年", YEAR_ROUND, D(2024, 12, 31), None),
    # month end
    ("2024年7月底前", DATED, D(2024, 7, 31), None),
    ("２０２４年７月底前", DATED, D(2024, 7, 31), None),
    ("7月底前", DATED, D(2024, 7, 31), None),
    ("7月底", DATED, D(2024, 7, 31), None),
    ("\u30002024\u3000年\u00a07 月底前 ", DATED, D(2024, 7, 31), None),
    ("2月底前", DATED, D(2024, 2, 29), None),
    ("2023年2月底前", DATED, D(2023, 2, 28), None),
    ("2025年4月底前", DATED, D(2025, 4, 30), None),
    # a day
    ("4月30日前", DATED, D(2024, 4, 30), None),
    ("6月30日前", DATED, D(2024, 6, 30), None),
    ("2024年6月30日前", DATED, D(2024, 6, 30), None),
    ("2024年6月30日", DATED, D(2024, 6, 30), None),
    ("２０２４年６月３０日前", DATED, D(2024, 6, 30), None),
    ("2024-06-30", DATED, D(2024, 6, 30), None),
    ("2024.6.30", DATED, D(2024, 6, 30), None),
    ("2024/6/30", DATED, D(2024, 6, 30), None),
    ("２０２４．６．３０", DATED, D(2024, 6, 30), None),
    ("2月29日前", DATED, D(2024, 2, 29), None),
    # year end, half years
    ("年底前", DATED, D(2024, 12, 31), None),
    ("2024年底前", DATED, D(2024, 12, 31), None),
    ("2025年底前", DATED, D(2025, 12, 31), None),
    ("年内", DATED, D(2024, 12, 31), None),
    ("上半年", DATED, D(2024, 6, 30), None),
    ("2024年上半年", DATED, D(2024, 6, 30), None),
    ("上半年前", DATED, D(2024, 6, 30), None),
    ("下半年", DATED, D(2024, 12, 31), None),
    # quarters
    ("第一季度末", DATED, D(2024, 3, 31), None),
    ("一季度末", DATED, D(2024, 3, 31), None),
    ("第1季度末", DATED, D(2024, 3, 31), None),
    ("一季度", DATED, D(2024, 3, 31), None),
    ("第二季度末", DATED, D(2024, 6, 30), None),
    ("第三季度末", DATED, D(2024, 9, 30), None),
    ("第四季度末", DATED, D(2024, 12, 31), None),
    ("2025年第一季度末", DATED, D(2025, 3, 31), None),
    # ten-day periods
    ("7月上旬", DATED, D(2024, 7, 10), None),
    ("7月中旬", DATED, D(2024, 7, 20), None),
    ("7月下旬", DATED, D(2024, 7, 31), None),
    ("7月上旬前", DATED, D(2024, 7, 10), None),
    ("7月中旬前", DATED, D(2024, 7, 20), None),
    ("7月下旬前", DATED, D(2024, 7, 31), None),
    ("2月下旬", DATED, D(2024, 2, 29), None),
    # year-round
    ("全年", YEAR_ROUND, D(2024, 12, 31), None),
    ("2025年全年", YEAR_ROUND, D(2025, 12, 31), None),
    # recurring
    ("定期", RECURRING, D(2024, 12, 31), None),
    ("每季度", RECURRING, D(2024, 12, 31), 3),
    ("每月", RECURRING, D(2024, 12, 31), 1),
    ("每半年", RECURRING, D(2024, 12, 31), 6),
    ("每年", RECURRING, D(2024, 12, 31), 12),
]


@pytest.mark.parametrize(("phrase", "kind", "due", "period"), CASES)
def test_parse_deadline(phrase: str, kind: DeadlineKind, due: datetime.date, period: int | None) -> None:
    assert parse_deadline(phrase, default_year=2024) == Deadline(
        phrase=phrase, kind=kind, due=due, period_months=period
    )


def test_year_in_phrase_wins_over_default_year() -> None:
    assert parse_deadline("2024年7月底前", default_year=2030).due == D(2024, 7, 31)
    assert parse_deadline("7月底前", default_year=2030).due == D(2030, 7, 31)
    assert parse_deadline("2024年全年", default_year=2030).due == D(2024, 12, 31)


def test_phrase_is_kept_exactly_as_written() -> None:
    assert parse_deadline(" 2024 年 7 月底前", default_year=2024).phrase == " 2024 年 7 月底前"


REJECTED = [
    "尽快",
    "7月底前后",
    "明年",
    "13月底前",
    "0月底前",
    "2月30日前",
    "2023年2月29日",
    "2024-02-30",
    "4月31日前",
    "13月1日前",
    "2024-6/30",
    "第五季度末",
    "7月底之前",
    "2024年",
    "24年7月底前",
    "0000年7月底前",
    "每两周",
    "7月中下旬",
]


@pytest.mark.parametrize("phrase", REJECTED)
def test_rejected_phrase_is_named(phrase: str) -> None:
    with pytest.raises(DeadlineParseError) as excinfo:
        parse_deadline(phrase, default_year=2024)
    assert f"“{phrase}”" in str(excinfo.value)
    assert excinfo.value.phrase == phrase


@pytest.mark.parametrize("phrase", ["", "   ", "\u3000", "\u00a0\t"])
def test_blank_phrase_is_an_error(phrase: str) -> None:
    with pytest.raises(DeadlineParseError, match="为空"):
        parse_deadline(phrase, default_year=2024)


def test_unrecognised_message_is_chinese() -> None:
    with pytest.raises(DeadlineParseError, match="无法识别的完成时间节点：“尽快”"):
        parse_deadline("尽快", default_year=2024)


def test_parse_error_is_a_value_error() -> None:
    assert issubclass(DeadlineParseError, ValueError)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("２０２４年７月底前", "2024年7月底前"),
        (" 2024 年\u3000全年\u00a0", "2024年全年"),
        ("各市、县(市、区)", "各市、县（市、区）"),
        ("各市、县（市、区）", "各市、县（市、区）"),
        ("1—2", "1-2"),
        ("1–2", "1-2"),
        ("1－2", "1-2"),
        ("ＡＢｃ，；：", "ABc,;:"),
        ("\ufeff省民政厅\u200b", "省民政厅"),
    ],
)
def test_normalize(raw: str, key: str) -> None:
    assert normalize(raw) == key
