"""Tests for tasktrack.domain.responsibility, against the seed data of the 2024 plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tasktrack.domain.plan_table import read_task_table
from tasktrack.domain.responsibility import (
    DEFAULT_CATEGORY_ALIASES,
    ResponsibilityParseError,
    Responsible,
    ResponsibleTerm,
    expand_responsible,
    parse_responsible,
)

SEED = Path(__file__).resolve().parents[2] / "seed"


def _load(name: str) -> Any:
    return yaml.safe_load((SEED / name).read_text(encoding="utf-8"))


UNITS: list[dict[str, Any]] = _load("units.yaml")
UNIT_ORDER = [unit["name"] for unit in UNITS]
MEMBERS: dict[str, list[str]] = {category["name"]: [] for category in _load("categories.yaml")}
for _unit in UNITS:
    for _category in _unit["categories"]:
        MEMBERS[_category].append(_unit["name"])
TASKS = {row.number: row for row in read_task_table((SEED / "plans/2024/tasks.tsv").read_text("utf-8"))}

MZT = "省民政厅"
ALL_MEMBERS = {
    "省委组织部", "省发展改革委", "省经信厅", "省教育厅", "省科技厅", "省公安厅", "省民政厅", "省财政厅",
    "省商务厅", "省文化广电和旅游厅", "省卫生健康委", "省体育局", "浙江省税务局", "人行浙江省分行",
    "省科协", "省社科联", "省工商联",
}  # fmt: skip
CITIES = {
    "杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市",
    "金华市", "衢州市", "舟山市", "台州市", "丽水市",
}  # fmt: skip
# 业务主管单位 ∪ 行业管理部门 ∪ 党建工作机构:
# every member except 省公安厅, 省财政厅, 浙江省税务局, 人行浙江省分行.
BUSINESS_INDUSTRY_PARTY = {
    "省委组织部", "省发展改革委", "省经信厅", "省教育厅", "省科技厅", "省民政厅", "省商务厅",
    "省文化广电和旅游厅", "省卫生健康委", "省体育局", "省科协", "省社科联", "省工商联",
}  # fmt: skip
# 业务主管单位 ∪ 党建工作机构
BUSINESS_PARTY = {
    "省委组织部", "省经信厅", "省教育厅", "省科技厅", "省民政厅", "省商务厅", "省文化广电和旅游厅",
    "省卫生健康委", "省体育局", "省科协", "省社科联", "省工商联",
}  # fmt: skip
# 业务主管单位 ∪ 行业管理部门
BUSINESS_INDUSTRY = {
    "省发展改革委", "省经信厅", "省教育厅", "省科技厅", "省民政厅", "省商务厅", "省文化广电和旅游厅",
    "省卫生健康委", "省体育局", "省科协", "省社科联", "省工商联",
}  # fmt: skip
# 省民政厅 ∪ 行业管理部门 ∪ 党建工作机构 ∪ 综合监管部门: every member except 省科协, 省社科联, 省工商联.
TASK_9 = {
    "省委组织部", "省发展改革委", "省经信厅", "省教育厅", "省科技厅", "省公安厅", "省民政厅", "省财政厅",
    "省商务厅", "省文化广电和旅游厅", "省卫生健康委", "省体育局", "浙江省税务局", "人行浙江省分行",
}  # fmt: skip

EXPECTED: dict[int, tuple[set[str], str | None]] = {
    1: (BUSINESS_INDUSTRY_PARTY, None),
    2: (BUSINESS_PARTY, None),
    3: (BUSINESS_PARTY, None),
    4: (BUSINESS_INDUSTRY_PARTY, MZT),
    5: (BUSINESS_INDUSTRY_PARTY, MZT),
    6: ({MZT}, MZT),
    7: (BUSINESS_INDUSTRY_PARTY, None),
    8: ({MZT}, MZT),
    9: (TASK_9, MZT),
    10: (BUSINESS_INDUSTRY, MZT),
    11: (BUSINESS_INDUSTRY, MZT),
    12: (BUSINESS_INDUSTRY, MZT),
    13: ({MZT}, MZT),
    14: (BUSINESS_INDUSTRY, MZT),
    15: (ALL_MEMBERS, None),
    16: (ALL_MEMBERS | CITIES, None),
    17: (CITIES, None),
}


def _expand(
    phrase: str, members: dict[str, list[str]] = MEMBERS, order: list[str] = UNIT_ORDER
) -> list[Responsible]:
    names = [*order, *(u for units in members.values() for u in units if u not in order)]
    terms = parse_responsible(phrase, unit_names=names, category_aliases=DEFAULT_CATEGORY_ALIASES)
    return expand_responsible(terms, members=members, unit_order=order)


def test_expected_sets_sizes() -> None:
    assert (len(ALL_MEMBERS), len(CITIES), len(BUSINESS_INDUSTRY_PARTY), len(TASK_9)) == (17, 11, 13, 14)


@pytest.mark.parametrize("number", range(1, 18))
def test_each_2024_task_expands_to_the_expected_units(number: int) -> None:
    units, lead = EXPECTED[number]
    result = _expand(TASKS[number].responsible_phrase)
    assert {r.unit for r in result} == units
    assert len(result) == len(units)  # no duplicates
    assert [r.unit for r in result if r.is_lead] == ([lead] if lead else [])
    if lead:
        assert result[0] == Responsible(unit=lead, is_lead=True)


def test_task_17_includes_observation_points_when_there_are_some() -> None:
    members = {key: list(value) for key, value in MEMBERS.items()}
    members["观察点"] = ["宁波市海曙区", "某某行业协会"]
    order = [*UNIT_ORDER, "宁波市海曙区", "某某行业协会"]
    result = _expand(TASKS[17].responsible_phrase, members, order)
    assert {r.unit for r in result} == CITIES | {"宁波市海曙区", "某某行业协会"}
    assert not any(r.is_lead for r in result)


def test_output_order_is_lead_then_seed_order() -> None:
    result = _expand("省体育局、党建工作机构、省民政厅、省委组织部")
    assert result == [
        Responsible("省体育局", True),
        Responsible("省委组织部", False),
        Responsible("省民政厅", False),
    ]


def test_lead_keeps_priority_when_also_in_a_category() -> None:
    result = _expand("省民政厅、登记管理机关、业务主管单位")
    assert result[0] == Responsible("省民政厅", True)
    assert [r.unit for r in result].count("省民政厅") == 1


def test_unit_not_first_is_not_lead() -> None:
    result = _expand("业务主管单位、省公安厅")
    assert not any(r.is_lead for r in result)
    assert "省公安厅" in {r.unit for r in result}


def test_units_outside_unit_order_come_last_in_appearance_order() -> None:
    terms = [ResponsibleTerm(name, name, None) for name in ("乙", "丙", "甲")]
    assert [r.unit for r in expand_responsible(terms, members={}, unit_order=["甲"])] == ["乙", "甲", "丙"]


def test_terms_keep_the_text_as_written() -> None:
    phrase = "全省清廉社会组织建设观察点，相关市、县（市、区）"
    terms = parse_responsible(phrase, unit_names=UNIT_ORDER, category_aliases=DEFAULT_CATEGORY_ALIASES)
    assert terms == [
        ResponsibleTerm("全省清廉社会组织建设观察点", None, "观察点"),
        ResponsibleTerm("相关市、县（市、区）", None, "各市、县（市、区）"),
    ]


@pytest.mark.parametrize(
    "phrase",
    [
        "各专班成员单位，各市、县（市、区）",
        "各专班成员单位,各市、县(市、区)",
        "各专班成员单位 ； 各市、县（市、区）",
        "成员单位、各市县",
        "专班成员单位;各市、县（市、区）",
        "各专班成员单位各市、县（市、区）",
    ],
)
def test_separators_and_paren_forms(phrase: str) -> None:
    terms = parse_responsible(phrase, unit_names=UNIT_ORDER, category_aliases=DEFAULT_CATEGORY_ALIASES)
    assert [t.category for t in terms] == ["各专班成员单位", "各市、县（市、区）"]
    assert [t.unit for t in terms] == [None, None]


def test_aliases() -> None:
    expected = {
        "专班成员单位": "各专班成员单位",
        "成员单位": "各专班成员单位",
        "各专班成员单位": "各专班成员单位",
        "各市、县（市、区）": "各市、县（市、区）",
        "相关市、县（市、区）": "各市、县（市、区）",
        "各市县": "各市、县（市、区）",
        "全省清廉社会组织建设观察点": "观察点",
        "各观察点": "观察点",
        "观察点": "观察点",
        "登记管理机构": "登记管理机关",
        "业务主管单位": "业务主管单位",
        "行业管理部门": "行业管理部门",
        "党建工作机构": "党建工作机构",
        "综合监管部门": "综合监管部门",
        "登记管理机关": "登记管理机关",
    }
    assert expected == DEFAULT_CATEGORY_ALIASES
    for alias, canonical in expected.items():
        terms = parse_responsible(alias, unit_names=UNIT_ORDER, category_aliases=DEFAULT_CATEGORY_ALIASES)
        assert terms == [ResponsibleTerm(alias, None, canonical)]


@pytest.mark.parametrize(
    ("phrase", "remainder"),
    [
        ("省民政厅、省司法厅", "省司法厅"),
        ("省司法厅", "省司法厅"),
        ("业务主管单位、有关部门、党建工作机构", "有关部门、党建工作机构"),
        ("省民政厅和省公安厅", "和省公安厅"),
        ("各市、县", "各市、县"),
    ],
)
def test_unknown_name_is_an_error_naming_it(phrase: str, remainder: str) -> None:
    with pytest.raises(ResponsibilityParseError) as excinfo:
        parse_responsible(phrase, unit_names=UNIT_ORDER, category_aliases=DEFAULT_CATEGORY_ALIASES)
    message = str(excinfo.value)
    assert f"“{remainder}”" in message
    assert f"“{phrase}”" in message
    assert excinfo.value.remainder == remainder


@pytest.mark.parametrize("phrase", ["", "  ", "、", "\u3000，"])
def test_empty_phrase_is_an_error(phrase: str) -> None:
    with pytest.raises(ResponsibilityParseError, match="责任单位为空"):
        parse_responsible(phrase, unit_names=UNIT_ORDER, category_aliases=DEFAULT_CATEGORY_ALIASES)


def test_name_meaning_both_a_unit_and_a_category_is_refused() -> None:
    with pytest.raises(ValueError, match="观察点"):
        parse_responsible("观察点", unit_names=["观察点"], category_aliases=DEFAULT_CATEGORY_ALIASES)
