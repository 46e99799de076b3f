"""Tests for tasktrack.domain.plan_review: every problem on its row, blocking names gathered once each."""

from __future__ import annotations

import datetime as dt

import pytest

from tasktrack.domain.plan_review import DraftRow, Names, review

NAMES = Names(
    unit_names=("省民政厅", "省财政厅", "省教育厅"),
    category_aliases={"业务主管单位": "业务主管单位", "行业管理部门": "行业管理部门", "空类别": "空类别"},
    unit_aliases={"民政厅": "省民政厅"},
    members={"业务主管单位": ["省教育厅", "省财政厅"], "行业管理部门": ["省财政厅"], "空类别": []},
    unit_order=("省民政厅", "省财政厅", "省教育厅"),
)


def row(number: int, deadline: str = "2025年6月底前", owners: str = "省民政厅", text: str = "任务内容") -> DraftRow:
    return DraftRow(key=number, section_number=1, section_title="强化党建统领", number=number, text=text,
                    deadline_phrase=deadline, responsible_phrase=owners)


def test_a_clean_row_reads_its_deadline_and_owners() -> None:
    result = review([row(1, owners="省民政厅、业务主管单位")], NAMES, year=2025)
    assert result.ready
    (r,) = result.rows
    assert r.deadline is not None
    assert r.deadline.due == dt.date(2025, 6, 30)
    assert r.deadline_reading
    assert r.leads == ("省民政厅",)
    assert r.co_owners == ("省财政厅", "省教育厅")


def test_each_unknown_name_is_its_own_problem_and_gathered_once() -> None:
    rows = [row(1, owners="市民政局、市财政局、省民政厅"), row(2, owners="市财政局")]
    result = review(rows, NAMES, year=2025)
    assert not result.ready
    assert [p.name for p in result.rows[0].problems] == ["市民政局", "市财政局"]
    assert dict(result.unknown_names) == {"市民政局": (1,), "市财政局": (1, 2)}


def test_vague_owners_need_a_choice() -> None:
    result = review([row(1, owners="省民政厅、有关部门")], NAMES, year=2025)
    assert [p.kind for p in result.rows[0].problems] == ["vague"]
    assert "有关部门" in result.vague_names


def test_a_unit_alias_resolves_to_its_unit() -> None:
    result = review([row(1, owners="民政厅牵头，省财政厅配合")], NAMES, year=2025)
    assert result.ready
    assert result.rows[0].leads == ("省民政厅",)
    assert result.rows[0].co_owners == ("省财政厅",)


def test_a_category_without_members_is_a_problem() -> None:
    result = review([row(1, owners="空类别")], NAMES, year=2025)
    assert [p.kind for p in result.rows[0].problems] == ["empty_category"]
    assert dict(result.empty_categories) == {"空类别": (1,)}


def test_deadline_problems_sit_on_their_row() -> None:
    rows = [row(1, deadline=""), row(2, deadline="尽快"), row(3, deadline="2027年底前"), row(4)]
    result = review(rows, NAMES, year=2025)
    kinds = [[p.field for p in r.problems] for r in result.rows]
    assert kinds == [["deadline"], ["deadline"], ["deadline"], []]
    assert "2027" in result.rows[2].problems[0].message


def test_a_multi_year_plan_accepts_its_years() -> None:
    result = review([row(1, deadline="2027年底前"), row(2, deadline="长期坚持")], NAMES, year=2025, end_year=2027)
    assert result.ready
    assert result.rows[0].deadline is not None
    assert result.rows[0].deadline.due == dt.date(2027, 12, 31)


def test_empty_text_owners_and_duplicate_numbers() -> None:
    rows = [row(1, text=" "), row(2, owners=""), row(2)]
    result = review(rows, NAMES, year=2025)
    assert [p.kind for p in result.rows[0].problems] == ["empty"]
    assert {p.kind for p in result.rows[1].problems} == {"duplicate", "empty"}
    assert [p.kind for p in result.rows[2].problems] == ["duplicate"]
    assert result.problem_count == 4


def test_no_rows_is_never_ready() -> None:
    assert not review([], NAMES, year=2025).ready


def test_the_names_are_indexed_once_however_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    # A 200-row review spent most of its time normalising every name of the work group again for every row.
    from tasktrack.domain import owners

    calls = []
    real = owners.name_table
    monkeypatch.setattr(owners, "name_table", lambda *a: calls.append(1) or real(*a))
    owners._name_index.cache_clear()
    names = Names(unit_names=(*NAMES.unit_names, "省体育局"), category_aliases=NAMES.category_aliases,
                  unit_aliases=NAMES.unit_aliases, members=NAMES.members, unit_order=NAMES.unit_order)
    result = review([row(n, owners="省民政厅、业务主管单位、民政厅") for n in range(1, 51)], names, year=2025)
    assert result.ready
    assert len(calls) == 1
    again = review([row(1, owners="省体育局")], names, year=2025)
    assert again.rows[0].leads == ("省体育局",)
    assert len(calls) == 1
