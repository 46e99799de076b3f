"""Tests for tasktrack.domain.targets: targets found in running text and typed by the secretariat."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tasktrack.domain.targets import (
    Comparator,
    Target,
    TargetParseError,
    find_targets,
    format_number,
    parse_target,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plans"


def _labels(text: str) -> list[tuple[str, int | None]]:
    return [(target.label, target.year) for target in find_targets(text)]


def test_comparator_forms() -> None:
    assert [c.value for c in Comparator] == ["≥", "≤", "=", ">", "<"]
    assert [c.ascii for c in Comparator] == [">=", "<=", "=", ">", "<"]
    assert [c.chinese for c in Comparator] == ["不低于", "不高于", "等于", "高于", "低于"]


@pytest.mark.parametrize(
    ("target", "label"),
    [
        (Target("党建入章率", Comparator.GE, Decimal(98), "%", 2030, ""), "党建入章率 ≥ 98%"),
        (Target("4A级及以上社会组织", Comparator.GE, Decimal(200), "家", None, ""), "4A级及以上社会组织 ≥ 200 家"),
        (Target("事故率", Comparator.LE, Decimal("0.50"), "%", None, ""), "事故率 ≤ 0.5%"),
        (Target("社会组织总数", Comparator.GT, Decimal(80000), "家", None, ""), "社会组织总数 > 8万家"),
        (Target("投入", Comparator.GE, Decimal("2.2") * 100_000_000, "元", None, ""), "投入 ≥ 2.2亿元"),
        (Target("评分", Comparator.EQ, Decimal(12345), "", None, ""), "评分 = 12345"),
    ],
)
def test_label(target: Target, label: str) -> None:
    assert target.label == label


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal(200), "200"), (Decimal("98.50"), "98.5"), (Decimal(10000), "1万"), (Decimal(12345), "12345"),
     (Decimal(150_000_000), "1.5亿"), (Decimal("0.25"), "0.25")],
)  # fmt: skip
def test_format_number(value: Decimal, text: str) -> None:
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("到2030年党建入章率达到98%以上", [("党建入章率 ≥ 98%", 2030)]),
        ("到 2030 年，全市社会组织党建入章率达到 98% 以上。", [("社会组织党建入章率 ≥ 98%", 2030)]),
        ("4A级及以上社会组织达到200家", [("4A级及以上社会组织 ≥ 200 家", None)]),
        ("每个街道培育不少于50个社区社会组织", [("每个街道培育社区社会组织 ≥ 50 个", None)]),
        ("力争到2027年，全省社会组织总数超过8万家", [("社会组织总数 > 8万家", 2027)]),
        ("购买服务的比例原则上不低于30%", [("购买服务的比例 ≥ 30%", None)]),
        ("安全事故率控制在5%以内", [("安全事故率 ≤ 5%", None)]),
        ("投诉率不超过2%，差评率低于1%", [("投诉率 ≤ 2%", None), ("差评率 < 1%", None)]),
        ("签署率达到100%", [("签署率 = 100%", None)]),
        ("实现社区社会组织党组织全覆盖", [("社区社会组织党组织覆盖率 = 100%", None)]),
        ("社会组织覆盖率达到百分之九十八", [("社会组织覆盖率 ≥ 98%", None)]),
        ("培训人员达到二百名", [("培训人员 ≥ 200 名", None)]),
        ("累计投入达到2.2亿元", [("累计投入 ≥ 2.2亿元", None)]),
        ("服务群众超过1万人次", [("服务群众 > 1万人次", None)]),
        ("参评率达到８５％", [("参评率 ≥ 85%", None)]),
        ("2025年，等级评估覆盖率保持在60%左右", [("等级评估覆盖率 = 60%", 2025)]),
        ("公示期不少于5个工作日", [("公示期 ≥ 5 个工作日", None)]),
        ("（三）年检率达到95%以上，年报率达到90%", [("年检率 ≥ 95%", None), ("年报率 ≥ 90%", None)]),
        ("一是党建入章率达到98%", [("党建入章率 ≥ 98%", None)]),
        ("1. 社会组织党建入章率达到98%", [("社会组织党建入章率 ≥ 98%", None)]),
        ("年检率、年报率均达到95%", [("年检率、年报率 ≥ 95%", None)]),
    ],
)
def test_find_targets(text: str, found: list[tuple[str, int | None]]) -> None:
    assert _labels(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "绍政办发〔2025〕27号",
        "本实施意见自 2026 年 2 月 5 日起施行。",
        "1. 加强党建引领。（一）完善制度。",
        "每年开展1-2项专项行动",
        "覆盖率达到3至5家",
        "年检率达到90%-95%",
        "达到3～5个",
        "社会组织收入较上年增长10%",
        "达到2025年目标",
        "下达30个名额",
        "全市共投入2.2亿元，资助项目4600余个",
        "推动党建工作从“有形覆盖”向“有效覆盖”跨越",
        "达到一流水平",
        "，达到98%",
    ],
)
def test_no_false_targets(text: str) -> None:
    assert find_targets(text) == []


def test_phrase_keeps_the_words_as_written() -> None:
    [target] = find_targets("到 2030 年，全市社会组织党建入章率达到 98% 以上。")
    assert target.phrase == "全市社会组织党建入章率达到 98% 以上"
    assert (target.what, target.comparator, target.value, target.unit) == ("社会组织党建入章率", Comparator.GE, 98, "%")


def test_shaoxing_plan_targets() -> None:
    text = (FIXTURES / "shaoxing_2025.txt").read_text(encoding="utf-8")
    assert _labels(text) == [
        ("向社会组织购买的比例 ≥ 30%", None),
        ("捐赠承诺书签署率 = 100%", None),
        ("社会组织党建入章率 ≥ 98%", 2030),
    ]


def test_shanghai_plan_has_no_quantitative_targets() -> None:
    assert find_targets((FIXTURES / "shanghai_2025.txt").read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4A级及以上社会组织 ≥ 200 家", ("4A级及以上社会组织", Comparator.GE, Decimal(200), "家", None)),
        ("党建入章率≥98%", ("党建入章率", Comparator.GE, Decimal(98), "%", None)),
        ("党建入章率 >= 98 %", ("党建入章率", Comparator.GE, Decimal(98), "%", None)),
        ("党建入章率＞＝98％", ("党建入章率", Comparator.GE, Decimal(98), "%", None)),
        ("事故率 <= 0.5%", ("事故率", Comparator.LE, Decimal("0.5"), "%", None)),
        ("事故率 ≦ 0.5%", ("事故率", Comparator.LE, Decimal("0.5"), "%", None)),
        ("社会组织总数 > 8万 家", ("社会组织总数", Comparator.GT, Decimal(80000), "家", None)),
        ("差评率 < 1%", ("差评率", Comparator.LT, Decimal(1), "%", None)),
        ("签署率 = 100%", ("签署率", Comparator.EQ, Decimal(100), "%", None)),
        ("评估机构 不少于 五 家", ("评估机构", Comparator.GE, Decimal(5), "家", None)),
        ("到2030年，党建入章率 ≥ 98%", ("党建入章率", Comparator.GE, Decimal(98), "%", 2030)),
        ("党建入章率 ≥ 98%（2030年）", ("党建入章率", Comparator.GE, Decimal(98), "%", 2030)),
        ("评分 ≥ 90", ("评分", Comparator.GE, Decimal(90), "", None)),
    ],
)
def test_parse_target(text: str, expected: tuple[object, ...]) -> None:
    target = parse_target(text)
    assert (target.what, target.comparator, target.value, target.unit, target.year) == expected
    assert target.phrase == text


def test_parse_target_round_trips_its_label() -> None:
    for text in ("4A级及以上社会组织 ≥ 200 家", "党建入章率 ≥ 98%", "社会组织总数 > 8万家", "投入 ≥ 2.2亿元"):
        assert parse_target(text).label == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "指标为空"),
        ("   ", "指标为空"),
        ("党建入章率98%", "指标缺少比较符号"),
        ("≥ 98%", "指标缺少名称"),
        ("党建入章率 ≥", "指标缺少数值"),
        ("党建入章率 ≥ 很高", "指标缺少数值"),
    ],
)
def test_parse_target_errors(text: str, message: str) -> None:
    with pytest.raises(TargetParseError, match=message) as excinfo:
        parse_target(text)
    assert isinstance(excinfo.value, ValueError)
