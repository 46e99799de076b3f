"""Next year's plan (issue 11, item 5): the copy's period, its moved phrases, its task table, 结转's default task."""

from __future__ import annotations

import pytest

from tasktrack.domain.doc_blocks import DocText
from tasktrack.domain.next_year import (
    CopiedRow,
    PeriodError,
    copy_rows,
    default_target,
    moved_title,
    next_period,
    section_label,
    task_table_tsv,
)
from tasktrack.domain.plan_layout import read_plan
from tasktrack.uploads.text_blocks import read_document

ROWS = [
    CopiedRow(1, "强化党建统领", 1, "巩固拓展主题教育成果。", "2024 年 7 月底前", "业务主管单位、党建工作机构"),
    CopiedRow(1, "强化党建统领", 2, "规范社会组织党组织建设。", "２０２４年全年", "省民政厅"),
    CopiedRow(2, "健全制度体系", 3, "完善\t内部治理\n制度。", "长期坚持", "省民政厅牵头，省财政局配合"),
    CopiedRow(2, "健全制度体系", 4, "开展年度检查。", "2024年6月底前启动，2024年底前完成", ""),
]


# -- next_period -------------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "end_year", "first", "expected"), [
    (2024, None, None, (2025, None, 1)),
    (2024, 2024, None, (2025, None, 1)),  # an end year equal to the first is a one-year plan
    (2025, 2027, None, (2028, 2030, 3)),  # several years: the next period of the same length
    (2024, None, 2026, (2026, None, 2)),
    (2025, 2027, 2026, (2026, 2028, 1)),  # a chosen year moves the whole period by the difference
])
def test_next_period(year: int, end_year: int | None, first: int | None,
                     expected: tuple[int, int | None, int]) -> None:
    period = next_period(year, end_year, first_year=first)
    assert (period.year, period.end_year, period.shift) == expected


@pytest.mark.parametrize(("year", "end_year", "first", "message"), [
    (2024, None, 2024, "晚于原计划"),
    (2024, None, 2023, "晚于原计划"),
    (2099, 2100, None, "2000—2100"),
    (2024, None, 2101, "2000—2100"),
])
def test_next_period_refuses(year: int, end_year: int | None, first: int | None, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        next_period(year, end_year, first_year=first)


# -- copied rows and title -----------------------------------------------------------------------


def test_copy_moves_only_the_years_of_deadline_phrases() -> None:
    copied = copy_rows(ROWS, 1)
    assert [r.deadline_phrase for r in copied] == [
        "2025 年 7 月底前", "２０２５年全年", "长期坚持", "2025年6月底前启动，2025年底前完成"]
    for old, new in zip(ROWS, copied, strict=True):
        assert (new.section_number, new.section_title, new.number, new.text, new.responsible_phrase) == (
            old.section_number, old.section_title, old.number, old.text, old.responsible_phrase)


def test_copy_of_a_plan_of_several_years_moves_by_its_length() -> None:
    rows = [CopiedRow(1, "一", 1, "建设。", "2026年底前", "省民政厅"),
            CopiedRow(1, "一", 2, "推进。", "2025—2027年", "")]
    assert [r.deadline_phrase for r in copy_rows(rows, 3)] == ["2029年底前", "2028—2030年"]


def test_title_years_move() -> None:
    assert moved_title("2024年全省清廉社会组织建设工作要点", 1) == "2025年全省清廉社会组织建设工作要点"
    assert moved_title("三年行动计划（2025—2027年）", 3) == "三年行动计划（2028—2030年）"
    assert moved_title("全省清廉社会组织建设工作要点", 1) == "全省清廉社会组织建设工作要点"


# -- the task table ------------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "label"), [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (35, "三十五"),
                                               (100, "100")])
def test_section_label(number: int, label: str) -> None:
    assert section_label(number, "标题") == f"{label}、标题"


def test_task_table_tsv_is_one_task_a_line_with_the_section_on_its_first_row() -> None:
    lines = task_table_tsv(ROWS).splitlines()
    assert lines[0] == "主要任务\t序号\t具体工作\t完成时间节点\t责任单位"
    assert lines[1].split("\t") == ["一、强化党建统领", "1", "巩固拓展主题教育成果。", "2024 年 7 月底前",
                                    "业务主管单位、党建工作机构"]
    assert lines[2].split("\t")[0] == ""
    assert lines[3].split("\t") == ["二、健全制度体系", "3", "完善 内部治理 制度。", "长期坚持",
                                    "省民政厅牵头，省财政局配合"]
    assert len(lines) == 5
    assert all(line.count("\t") == 4 for line in lines)


def test_the_importer_reads_the_table_back_as_the_same_rows() -> None:
    copied = copy_rows(ROWS, 1)
    doc: DocText = read_document(task_table_tsv(copied).encode("utf-8"), "计划.tsv")
    items = read_plan(doc).items
    assert [(i.section_number, i.section_title, i.number, i.text, i.deadline_phrase, i.responsible_phrase)
            for i in items] == [
        (r.section_number, r.section_title, r.number, " ".join(r.text.split()), r.deadline_phrase,
         r.responsible_phrase) for r in copied]


# -- 结转: the task an old one continues ------------------------------------------------------------

NEW_TASKS = [(101, 1, "巩固拓展主题教育成果。"), (102, 2, "规范社会组织党组织建设。"),
             (103, 5, "巩固拓展主题教育成果。"), (104, 3, "全新的任务。")]


def test_default_target_prefers_the_same_text_at_the_same_number() -> None:
    assert default_target(1, "巩固拓展主题教育成果。", NEW_TASKS) == 101
    assert default_target(5, "巩固拓展主题教育成果。", NEW_TASKS) == 103


def test_default_target_finds_the_same_text_at_another_number() -> None:
    assert default_target(7, "规范社会组织党组织建设。", NEW_TASKS) == 102
    assert default_target(9, " 巩固拓展主题教育成果。", NEW_TASKS) == 101  # the lowest number; spaces aside


def test_default_target_is_none_when_no_text_is_the_same() -> None:
    assert default_target(3, "已经改写的任务。", NEW_TASKS) is None  # the same number alone is not enough
    assert default_target(1, "巩固拓展主题教育成果。", []) is None
