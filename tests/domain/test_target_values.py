"""Reported values against targets: reading a typed current value, and whether it meets the target (达标)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tasktrack.domain.targets import Comparator, Target, TargetParseError, parse_value


@pytest.mark.parametrize(
    ("typed", "unit", "value"),
    [
        ("98", "%", Decimal("98")),
        ("98.5%", "%", Decimal("98.5")),
        (" ９８．５％ ", "%", Decimal("98.5")),  # full-width, as a Chinese IME types it
        ("1,200 家", "家", Decimal("1200")),
        ("1.2万", "元", Decimal("12000")),
        ("二百", "家", Decimal("200")),
        ("0", "个", Decimal("0")),
    ],
)
def test_a_current_value_is_read_with_or_without_its_unit(typed: str, unit: str, value: Decimal) -> None:
    assert parse_value(typed, unit) == value


@pytest.mark.parametrize(
    ("typed", "unit", "message"),
    [
        ("很多", "家", "当前值须为数字"),
        ("98家", "%", "当前值须为数字"),  # another unit than the target's
        ("-3", "%", "不能为负数"),
        ("1.00001", "", "四位小数"),
        ("1" + "0" * 15, "", "过大"),
        ("1e5", "", "当前值须为数字"),
        ("", "%", "当前值须为数字"),
    ],
)
def test_what_is_not_a_value_is_refused_in_chinese(typed: str, unit: str, message: str) -> None:
    with pytest.raises(TargetParseError, match=message):
        parse_value(typed, unit)


@pytest.mark.parametrize(
    ("comparator", "reported", "met"),
    [
        (Comparator.GE, "98", True), (Comparator.GE, "97.9", False),
        (Comparator.LE, "98", True), (Comparator.LE, "98.1", False),
        (Comparator.EQ, "98.0", True), (Comparator.EQ, "99", False),
        (Comparator.GT, "98", False), (Comparator.GT, "98.01", True),
        (Comparator.LT, "98", False), (Comparator.LT, "1", True),
    ],
)
def test_a_value_meets_a_target_by_its_comparator(comparator: Comparator, reported: str, met: bool) -> None:
    target = Target("党建入章率", comparator, Decimal(98), "%", None, "")
    assert target.is_met_by(Decimal(reported)) is met
