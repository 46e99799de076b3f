"""The plan layout reader (issue 11 item 1): a received document → sections, tasks, phrases, metadata.

Seed 004 must give exactly the 17 tasks of ``seed/plans/2024/tasks.tsv`` whatever shape its task table
takes; the 绍兴 and 上海 plans are counted as a reader counts them. Small synthetic documents pin
every rule in test_plan_layout_rules.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tasktrack.domain.doc_blocks import DocText, Paragraph, Table
from tasktrack.domain.plan_layout import PlanLayout, read_plan
from tasktrack.domain.plan_table import TaskRow, read_task_table
from tests.plan_text import doc_from_text

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seed" / "plans" / "2024"
FIXTURES = ROOT / "tests" / "fixtures" / "plans"
SECTION_TEXT = {1: "一、强化党建统领", 2: "二、加强规范监管", 3: "三、深化专项治理", 4: "四、推进“数智”赋能",
                5: "五、加强工作协同"}


def _seed_rows() -> list[TaskRow]:
    return read_task_table((SEED / "tasks.tsv").read_text("utf-8"))


def _seed_doc() -> DocText:
    return doc_from_text((SEED / "source.txt").read_text("utf-8"))


def _cells(plan: PlanLayout) -> list[tuple[object, ...]]:
    return [(i.section_number, i.section_title, i.number, i.text, i.deadline_phrase, i.responsible_phrase)
            for i in plan.items]


def _expected() -> list[tuple[object, ...]]:
    return [(r.section_number, r.section_title, r.number, r.text, r.deadline_phrase, r.responsible_phrase)
            for r in _seed_rows()]


def _with_table(table: Table) -> DocText:
    """Seed 004 with its task tables replaced by one table."""
    doc = _seed_doc()
    blocks: list[Paragraph | Table] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            if not any(isinstance(b, Table) for b in blocks):
                blocks.append(table)
        else:
            blocks.append(block)
    return DocText(tuple(blocks), "docx")


def test_seed_004_as_text_gives_the_17_seeded_tasks_cell_by_cell_and_its_metadata() -> None:
    plan = read_plan(_seed_doc())
    assert plan.layout == "table"
    assert _cells(plan) == _expected()
    assert [i.number_text for i in plan.items] == [f"{n}." for n in range(1, 18)]
    assert plan.items[0].source == "任务表第2行"
    assert plan.items[7].source == "任务表续表1第2行"
    assert plan.document_number == "浙江省清廉社会组织建设工作专班〔2024〕4号"
    assert plan.issuer == "浙江省清廉社会组织建设工作专班"
    assert plan.issued_on == date(2024, 4, 15)
    assert plan.title == "2024年全省清廉社会组织建设工作要点"
    assert (plan.year, plan.end_year) == (2024, 2024)
    assert plan.addressees == "省清廉社会组织建设工作专班成员单位，各市清廉社会组织建设工作专班"
    assert len(plan.member_units) == 17
    assert plan.member_units[0] == "省委组织部"
    assert plan.member_units[-1] == "省工商联"
    assert plan.sections == tuple((n, t.split("、", 1)[1]) for n, t in SECTION_TEXT.items())
    # The numbered prose (1.…11., （一）…（三）) is context, not 28 more tasks.
    assert plan.context[0].heading == ""
    assert plan.context[0].text.startswith("2024 年是中华人民共和国成立")
    assert [c.heading for c in plan.context[1:]] == ["一、强化党建统领", "二、加强规范监管", "三、深化专项治理",
                                                    "四、推进“数智”赋能", "五、工作要求"]
    assert "以及关于社会组织工作的重要论述" in plan.context[1].text  # the broken line is joined
    assert plan.notes[0] == "找到任务表：17行，5个主要任务；正文编号段落作为背景"


def _table(header: tuple[str, ...], row_of: object) -> Table:
    rows = [header, *(row_of(r) for r in _seed_rows())]  # type: ignore[operator]
    return Table(tuple(tuple(row) for row in rows))


def _section_cell(row: TaskRow, repeat: bool) -> str:
    first = next(r for r in _seed_rows() if r.section_number == row.section_number)
    return SECTION_TEXT[row.section_number] if repeat or first is row or first.number == row.number else ""


def _lead_and_co(owners: str) -> tuple[str, str]:
    """The first unit as lead, the rest as co-owners."""
    lead, _, co = owners.partition("、")
    return lead, co


def _lead_and_co_phrase(owners: str) -> str:
    lead, co = _lead_and_co(owners)
    return f"牵头单位：{lead}" + (f"；配合单位：{co}" if co else "")


@pytest.mark.parametrize("shape", ["merged_numbered_text", "number_column", "reordered_repeated", "lead_and_co"])
def test_seed_004_with_its_table_in_other_shapes_gives_the_same_tasks(shape: str) -> None:
    expected = _expected()
    if shape == "merged_numbered_text":
        table = _table(("主要任务", "具体工作", "完成时间节点", "责任单位"),
                       lambda r: (_section_cell(r, False), f"{r.number}、{r.text}", r.deadline_phrase,
                                  r.responsible_phrase))
    elif shape == "number_column":
        table = _table(("主要任务", "序号", "具体工作", "完成时间节点", "责任单位"),
                       lambda r: (_section_cell(r, False), str(r.number), r.text, r.deadline_phrase,
                                  r.responsible_phrase))
    elif shape == "reordered_repeated":
        table = _table(("责任单位", "工作任务", "序号", "完成时限", "重点任务类别"),
                       lambda r: (r.responsible_phrase, r.text, str(r.number), r.deadline_phrase,
                                  _section_cell(r, True)))
    else:
        table = _table(("序号", "主要任务", "工作内容", "时间节点", "牵头单位", "配合单位"),
                       lambda r: (str(r.number), _section_cell(r, False), r.text, r.deadline_phrase,
                                  *_lead_and_co(r.responsible_phrase)))
        expected = [(*e[:5], _lead_and_co_phrase(str(e[5]))) for e in expected]
    plan = read_plan(_with_table(table))
    assert _cells(plan) == expected
    assert plan.layout == "table"
    assert plan.title == "2024年全省清廉社会组织建设工作要点"


def test_a_table_row_holding_only_a_section_opens_it_and_written_numbers_that_restart_are_renumbered() -> None:
    table = Table((
        ("序号", "工作任务", "完成时间", "责任单位"),
        ("一、抓党建", "", "", ""),
        ("1", "开展培训。", "2025年6月底前", "市民政局"),
        ("", "", "", ""),
        ("二、抓规范", "", "", ""),
        ("1", "开展检查。", "长期坚持", "市民政局、市财政局"),
    ))
    plan = read_plan(DocText((Paragraph("2025年某市社会组织工作要点"), table), "xlsx"))
    assert [(i.section_number, i.section_title, i.number, i.number_text, i.text) for i in plan.items] == [
        (1, "抓党建", 1, "1", "开展培训。"), (2, "抓规范", 2, "1", "开展检查。")]
    assert "任务表序号不是从1起连续编号，按表中顺序重新编号" in plan.notes
    assert plan.items[1].source == "任务表第6行"


def test_a_table_without_a_task_column_or_without_time_and_owner_columns_is_not_a_task_table() -> None:
    members = Table((("序号", "单位名称"), ("1", "市民政局")))
    budget = Table((("工作内容", "金额（万元）"), ("培训", "5")))
    plan = read_plan(DocText((Paragraph("一、抓党建"), Paragraph("1. 开展培训。"), members, budget), "docx"))
    assert plan.layout == "numbered"
    assert [i.text for i in plan.items] == ["开展培训。"]


def test_shaoxing_2025_four_sections_and_fourteen_items_under_them() -> None:
    plan = read_plan(doc_from_text((FIXTURES / "shaoxing_2025.txt").read_text("utf-8")))
    assert plan.layout == "numbered"
    assert [n for n, _ in plan.sections] == [1, 2, 3, 4]
    assert plan.sections[0] == (1, "加快专业化建设，提升服务效能")
    assert [i.number for i in plan.items] == list(range(1, 15))
    assert [i.number_text for i in plan.items][:2] == ["（一）", "（二）"]
    assert plan.items[-1].number_text == "（十四）"
    assert [sum(1 for i in plan.items if i.section_number == n) for n in (1, 2, 3, 4)] == [4, 3, 4, 3]
    assert plan.items[0].text.startswith("打造专业化行业协会商会。围绕全市产业布局，构建“一业一会”体系")
    assert plan.items[10].text.startswith("提升社会组织信用建设规范化。")
    assert "社会组织信用信息应用场景" in plan.items[10].text
    assert plan.items[-1].text.endswith("监督责任。")  # the closing paragraph is not part of item 14
    closing = [c for c in plan.context if c.heading == "四、推动制度化建设，夯实发展基础"]
    assert len(closing) == 1
    assert "各地各有关部门要把推动社会组织高质量发展摆上重要议事日程" in closing[0].text
    assert plan.context[0].text.startswith("为深入贯彻习近平总书记")
    assert plan.document_number == "绍政办发〔2025〕27号"
    assert plan.issuer == "绍兴市人民政府办公室"
    assert plan.issued_on == date(2025, 12, 30)
    assert plan.title == "绍兴市人民政府办公室关于进一步深化社会组织高质量发展的实施意见"
    assert plan.year == 2025
    assert plan.addressees == "各区、县（市）人民政府，市政府各部门、各单位"
    assert plan.member_units == ()


def test_shanghai_2025_five_sections_and_fifteen_tasks_from_paragraphs_and_runs() -> None:
    plan = read_plan(doc_from_text((FIXTURES / "shanghai_2025.txt").read_text("utf-8")))
    assert plan.layout == "prose"
    assert [n for n, _ in plan.sections] == [1, 2, 3, 4, 5]
    assert [sum(1 for i in plan.items if i.section_number == n) for n in (1, 2, 3, 4, 5)] == [1, 4, 3, 3, 4]
    assert plan.items[0].number_text == ""
    assert plan.items[0].text.startswith("突出党的全面领导")
    assert [i.number_text for i in plan.items[1:5]] == ["一是", "二是", "三是", "四是"]
    assert plan.items[1].text.startswith("助力加快推进“五个中心”建设。")
    assert plan.items[1].text.endswith("推动引进来和走出去。")
    assert not any("政策性文件留言咨询" in i.text for i in plan.items)
    assert plan.title == "2025年上海市社会组织工作要点"
    assert plan.document_number == "沪民社登发〔2025〕5号"
    assert plan.issuer == "上海市民政局"
    assert plan.issued_on == date(2025, 2, 26)
    assert plan.addressees == "各区民政局"
    assert plan.year == 2025
    assert plan.context[0].text.startswith("坚持以习近平新时代中国特色社会主义思想为引领")
