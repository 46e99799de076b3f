"""Tests for tasktrack.domain.owners: reading 责任单位 phrases of imported plans without raising."""

from __future__ import annotations

import pytest

from tasktrack.domain.owners import OwnerReading, OwnerTerm, expand_owners, read_owners
from tasktrack.domain.responsibility import (
    DEFAULT_CATEGORY_ALIASES,
    Responsible,
    expand_responsible,
    parse_responsible,
)
from tests.domain.test_responsibility import MEMBERS, TASKS, UNIT_ORDER

CITY_UNITS = ["市民政局", "市财政局", "市委组织部", "市文化广电和旅游局"]
CITY_ALIASES = {"业务主管单位": "业务主管单位", "行业管理部门": "行业管理部门"}


def _read(phrase: str, units: list[str] = CITY_UNITS, aliases: dict[str, str] = CITY_ALIASES) -> OwnerReading:
    return read_owners(phrase, unit_names=units, category_aliases=aliases)


def _roles(reading: OwnerReading) -> list[tuple[str, str | None]]:
    return [(term.text, term.role) for term in reading.terms]


@pytest.mark.parametrize(
    ("phrase", "unknown"),
    [
        ("市教育局、市卫健委、市体育局", ("市教育局", "市卫健委", "市体育局")),
        ("市教育局，市民政局；市体育局", ("市教育局", "市体育局")),
        ("市教育局和市体育局", ("市教育局", "市体育局")),
        ("市教育局及市体育局与市科技局", ("市教育局", "市体育局", "市科技局")),
        ("市教育局以及市民政局", ("市教育局",)),
        # 和 inside an unknown name whose first part is not a unit ending stays part of the name
        ("市住房和城乡建设局、市民政局", ("市住房和城乡建设局",)),
        ("市自然资源和规划局和市财政局", ("市自然资源和规划局",)),
        ("市委社会工作部（市委两新工委）、市体育局", ("市委社会工作部（市委两新工委）", "市体育局")),
        ("市工商业联合会", ("市工商业联合会",)),
        ("各市、县", ("各市、县",)),
        ("各区、县（市）政府、市民政局", ("各区、县（市）政府",)),
        ("省共同富裕示范区建设办公室、市民政局", ("省共同富裕示范区建设办公室",)),
    ],
)
def test_each_unknown_name_on_its_own(phrase: str, unknown: tuple[str, ...]) -> None:
    reading = _read(phrase)
    assert reading.unknown == unknown
    assert reading.vague == ()
    for name in unknown:
        assert f"未知的责任单位：“{name}”（请新建单位或对应到已有单位）" in reading.problems


def test_known_names_containing_separators_stay_whole() -> None:
    reading = _read("市文化广电和旅游局和市民政局", [*CITY_UNITS], CITY_ALIASES)
    assert [(t.unit, t.category) for t in reading.terms] == [("市文化广电和旅游局", None), ("市民政局", None)]
    reading = _read("相关市、县（市、区）、市财政局", CITY_UNITS, {"相关市、县（市、区）": "各市、县（市、区）"})
    assert [(t.text, t.category) for t in reading.terms] == [
        ("相关市、县（市、区）", "各市、县（市、区）"),
        ("市财政局", None),
    ]
    assert reading.vague == ()
    assert reading.problems == ()


def test_a_gloss_after_a_known_name_belongs_to_it() -> None:
    reading = _read("市委组织部（市委两新工委）、市民政局")
    assert [(t.text, t.unit) for t in reading.terms] == [
        ("市委组织部（市委两新工委）", "市委组织部"),
        ("市民政局", "市民政局"),
    ]
    assert reading.problems == ()


@pytest.mark.parametrize(
    ("phrase", "vague", "named"),
    [
        ("相关市、县（市、区）", ("相关市、县（市、区）",), []),
        ("有关部门", ("有关部门",), []),
        ("各有关单位", ("各有关单位",), []),
        ("相关单位、市民政局", ("相关单位",), ["市民政局"]),
        ("市民政局、其他相关职能部门", ("其他相关职能部门",), ["市民政局"]),
        ("各地各部门", ("各地各部门",), []),
        ("市民政局、市体育局等", ("等",), ["市民政局", "市体育局"]),
        ("市民政局、市体育局等部门", ("等部门",), ["市民政局", "市体育局"]),
        ("市民政局等有关单位", ("等有关单位",), ["市民政局"]),
        ("市民政局、相关县（市、区）", ("相关县（市、区）",), ["市民政局"]),
        ("市级有关部门、市民政局", ("市级有关部门",), ["市民政局"]),
    ],
)
def test_vague_owners_need_a_choice(phrase: str, vague: tuple[str, ...], named: list[str]) -> None:
    reading = _read(phrase)
    assert reading.vague == vague
    assert [t.text for t in reading.terms] == named
    assert len(reading.problems) == len(reading.vague) + len(reading.unknown)


def test_open_list_problem_says_the_list_is_open() -> None:
    reading = _read("市民政局、市体育局等")
    assert reading.unknown == ("市体育局",)
    assert "责任单位列表以“等”结尾，未列全：请补全具体单位或删去“等”" in reading.problems
    assert "责任单位不明确：“有关部门”，请指定具体单位" in _read("有关部门").problems


@pytest.mark.parametrize(
    ("phrase", "tail"),
    [
        ("市民政局、市财政局按职责分工负责", "按职责分工负责"),
        ("市民政局、市财政局按职责分工落实", "按职责分工落实"),
        ("市民政局、市财政局分别负责", "分别负责"),
        ("市民政局、市财政局共同负责", "共同负责"),
        ("市民政局、市财政局按职责负责", "按职责负责"),
        ("（市民政局、市财政局按照职责分工负责）", "按照职责分工负责"),
        ("市民政局、市财政局负责。", "负责"),
    ],
)
def test_tails_are_understood_not_names(phrase: str, tail: str) -> None:
    reading = _read(phrase)
    assert reading.tail == tail
    assert reading.unknown == ()
    assert _roles(reading) == [("市民政局", "co"), ("市财政局", "co")]


@pytest.mark.parametrize(
    ("phrase", "roles"),
    [
        ("牵头单位：市民政局；配合单位：市财政局、市委组织部",
         [("市民政局", "lead"), ("市财政局", "co"), ("市委组织部", "co")]),
        ("牵头单位:市民政局;协办单位:市财政局", [("市民政局", "lead"), ("市财政局", "co")]),
        ("责任单位：市民政局；参与单位：市财政局", [("市民政局", "lead"), ("市财政局", "co")]),
        ("责任单位：市民政局、市财政局", [("市民政局", None), ("市财政局", None)]),
        ("市民政局牵头，市财政局、市委组织部配合", [("市民政局", "lead"), ("市财政局", "co"), ("市委组织部", "co")]),
        ("市民政局牵头、市财政局参与", [("市民政局", "lead"), ("市财政局", "co")]),
        ("市民政局会同市财政局", [("市民政局", "lead"), ("市财政局", "co")]),
        ("市民政局联合市财政局、业务主管单位", [("市民政局", "lead"), ("市财政局", "co"), ("业务主管单位", "co")]),
        ("市民政局牵头会同市财政局", [("市民政局", "lead"), ("市财政局", "co")]),
        ("由市民政局负责", [("市民政局", "lead")]),
        ("市民政局负责", [("市民政局", "lead")]),
        ("由市民政局负责，市财政局配合", [("市民政局", "lead"), ("市财政局", "co")]),
        ("市民政局、市财政局分别牵头", [("市民政局", "lead"), ("市财政局", "lead")]),
        ("市民政局牵头，市财政局、市委组织部按职责分工负责",
         [("市民政局", "lead"), ("市财政局", "co"), ("市委组织部", "co")]),
        ("市财政局配合，市民政局负责", [("市财政局", "co"), ("市民政局", "lead")]),
        ("市教育局牵头，市体育局配合", [("市教育局", "lead"), ("市体育局", "co")]),
        ("市民政局、市财政局", [("市民政局", None), ("市财政局", None)]),
        ("市民政局（牵头）、市财政局", [("市民政局", "lead"), ("市财政局", None)]),
        ("市教育局（牵头），市体育局（配合）", [("市教育局", "lead"), ("市体育局", "co")]),
        ("（责任单位：市民政局，市财政局）", [("市民政局", None), ("市财政局", None)]),
        ("市民政局、市财政局按职责分工负责，市体育局抓好落实",
         [("市民政局", "co"), ("市财政局", "co"), ("市体育局", "co")]),
        ("市民政局负责落实", [("市民政局", "lead")]),
    ],
)  # fmt: skip
def test_roles(phrase: str, roles: list[tuple[str, str | None]]) -> None:
    assert _roles(_read(phrase)) == roles


def test_unknown_names_keep_their_roles() -> None:
    reading = _read("市教育局牵头，市体育局等部门配合")
    assert reading.unknown == ("市教育局", "市体育局")
    assert reading.vague == ("等部门",)
    assert reading.terms == (OwnerTerm("市教育局", None, None, "lead"), OwnerTerm("市体育局", None, None, "co"))


@pytest.mark.parametrize("phrase", ["", "  ", "、", "按职责分工负责"])
def test_empty_phrase_is_a_problem_not_an_error(phrase: str) -> None:
    reading = _read(phrase)
    assert reading.terms == ()
    assert reading.problems == (f"责任单位为空：“{phrase}”",)


@pytest.mark.parametrize("number", range(1, 18))
def test_the_2024_seed_reads_exactly_as_before(number: int) -> None:
    phrase = TASKS[number].responsible_phrase
    names = [*UNIT_ORDER, *(u for units in MEMBERS.values() for u in units if u not in UNIT_ORDER)]
    reading = read_owners(phrase, unit_names=names, category_aliases=DEFAULT_CATEGORY_ALIASES)
    old = parse_responsible(phrase, unit_names=names, category_aliases=DEFAULT_CATEGORY_ALIASES)
    assert [(t.text, t.unit, t.category, t.role) for t in reading.terms] == [
        (t.text, t.unit, t.category, None) for t in old
    ]
    assert (reading.unknown, reading.vague, reading.tail, reading.problems) == ((), (), "", ())
    expanded = expand_owners(reading, members=MEMBERS, unit_order=UNIT_ORDER)
    assert expanded == expand_responsible(old, members=MEMBERS, unit_order=UNIT_ORDER)


MEMBERS_SMALL = {"业务主管单位": ["市委组织部", "市民政局", "市财政局"]}
ORDER_SMALL = ["市委组织部", "市民政局", "市财政局", "市文化广电和旅游局"]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        # no role said: the first term, if a unit, leads (the old rule)
        ("市财政局、业务主管单位", [("市财政局", True), ("市委组织部", False), ("市民政局", False)]),
        ("业务主管单位、市财政局", [("市委组织部", False), ("市民政局", False), ("市财政局", False)]),
        # explicit roles: a lead named later is still the lead, a unit named twice is listed once
        ("业务主管单位配合，市财政局牵头", [("市财政局", True), ("市委组织部", False), ("市民政局", False)]),
        ("市文化广电和旅游局会同业务主管单位、市文化广电和旅游局",
         [("市文化广电和旅游局", True), ("市委组织部", False), ("市民政局", False), ("市财政局", False)]),
        # a leading category: each member leads
        ("牵头单位：业务主管单位；配合单位：市文化广电和旅游局",
         [("市委组织部", True), ("市民政局", True), ("市财政局", True), ("市文化广电和旅游局", False)]),
        # 按职责分工负责 with several owners: nobody leads
        ("市财政局、市民政局按职责分工负责", [("市民政局", False), ("市财政局", False)]),
        # unknown and vague owners expand to nothing
        ("市教育局牵头，市财政局、有关部门配合", [("市财政局", False)]),
    ],
)  # fmt: skip
def test_expand_owners(phrase: str, expected: list[tuple[str, bool]]) -> None:
    reading = _read(phrase)
    result = expand_owners(reading, members=MEMBERS_SMALL, unit_order=ORDER_SMALL)
    assert result == [Responsible(unit, lead) for unit, lead in expected]
