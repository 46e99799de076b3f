"""The plan layout reader (issue 11 item 1): a received document → sections, tasks, phrases, metadata.

Seed 004 must give exactly the 17 tasks of ``seed/plans/2024/tasks.tsv`` whatever shape its task table
takes; the 绍兴 and 上海 plans are counted as a reader counts them; small synthetic documents pin
every rule.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from tasktrack.domain.doc_blocks import DocText, Paragraph, Table
from tasktrack.domain.plan_layout import PlanLayout, read_plan
from tasktrack.domain.plan_layout.markers import flowed
from tasktrack.domain.plan_table import TaskRow, read_task_table
from tasktrack.uploads.text_blocks import read_pasted
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


def _plan(text: str) -> PlanLayout:
    return read_plan(doc_from_text(text))


def test_broken_lines_are_joined_unless_the_next_line_starts_a_point_or_the_previous_ends_one() -> None:
    plan = _plan("一、抓规范\n（一）加强登记管理。围绕全市产业布局，构建\n“一业一会”体系。\n"
                 "（二）开展检查。推进\n2. 事项\n（三）开展评估；\n持续推进工作。")
    texts = [i.text for i in plan.items]
    assert texts[0] == "加强登记管理。围绕全市产业布局，构建“一业一会”体系。"
    assert texts[1] == "开展检查。推进\n2. 事项"
    assert plan.items[1].sub_items == ("事项",)
    assert texts[2] == "开展评估；\n持续推进工作。"
    assert "修复断行1处（PDF或文本提取时被拆开的句子）" in plan.notes


@pytest.mark.parametrize(
    ("item", "text", "deadline", "responsible"),
    [
        ("（一）做好登记。（市民政局、市财政局按职责分工负责）", "做好登记。", "", "市民政局、市财政局按职责分工负责"),
        ("（一）做好登记（牵头单位：市民政局；配合单位：市财政局、各区县（市）政府）。", "做好登记。", "",
         "牵头单位：市民政局；配合单位：市财政局、各区县（市）政府"),
        ("（一）做好登记。（责任单位：市民政局）", "做好登记。", "", "责任单位：市民政局"),
        ("（一）做好登记。（市民政局、市委组织部、市发展改革委）", "做好登记。", "",
         "市民政局、市委组织部、市发展改革委"),
        ("（一）做好登记。（2025年6月底前完成）", "做好登记。", "2025年6月底前完成", ""),
        ("（一）做好登记。（市民政局负责，2025年底前完成）", "做好登记。", "2025年底前完成", "市民政局负责"),
        ("（一）做好登记（试行）工作。", "做好登记（试行）工作。", "", ""),
        ("（一）做好登记。完成时限：2025年12月底前。责任单位：市民政局。", "做好登记。", "2025年12月底前",
         "责任单位：市民政局"),
        ("（一）对照《评估办法（试行）》做好评估。", "对照《评估办法（试行）》做好评估。", "", ""),
    ],
)
def test_owner_and_time_phrases_at_the_end_of_an_item_are_found_and_removed_from_its_text(
    item: str, text: str, deadline: str, responsible: str
) -> None:
    found = _plan(f"一、抓规范\n{item}\n（二）其他。").items[0]
    assert (found.text, found.deadline_phrase, found.responsible_phrase) == (text, deadline, responsible)


def test_runs_in_a_numbered_item_are_its_sub_items_and_in_a_plain_section_each_run_is_a_task() -> None:
    plan = _plan("一、抓党建\n1. 强化引领。一是开展学习；二是加强培训。\n2、做好宣传。\n"
                 "二、抓规范\n围绕中心工作：一是开展检查。二是组织评估。三是统一是非标准。\n"
                 "三、抓服务\n提升服务质量，开展培训。")
    assert [(i.section_number, i.number, i.number_text) for i in plan.items] == [
        (1, 1, "1."), (1, 2, "2、"), (2, 3, "一是"), (2, 4, "二是"), (2, 5, "三是"), (3, 6, "")]
    assert plan.items[0].text == "强化引领。一是开展学习；二是加强培训。"
    assert plan.items[0].sub_items == ("开展学习；", "加强培训。")
    assert plan.items[4].text == "统一是非标准。"
    assert plan.layout == "numbered"
    assert any(c.heading == "二、抓规范" and c.text == "围绕中心工作：" for c in plan.context)


def test_context_sections_are_not_tasks_and_support_sections_are_read_as_tasks_with_a_note() -> None:
    plan = _plan("某市2025—2027年社会组织发展行动方案\n为推动发展，制定本方案。\n"
                 "一、总体要求\n（一）指导思想。以新思想为指导。\n（二）工作目标。到2027年，4A级以上社会组织达到200家。\n"
                 "二、主要任务\n（三）开展培训。\n（四）开展评估。\n"
                 "三、保障措施\n（五）加强组织领导。各部门要落实责任。")
    assert [(i.number, i.section_number, i.section_title, i.text) for i in plan.items] == [
        (1, 2, "主要任务", "开展培训。"), (2, 2, "主要任务", "开展评估。"),
        (3, 3, "保障措施", "加强组织领导。各部门要落实责任。")]
    assert plan.sections == ((2, "主要任务"), (3, "保障措施"))
    assert plan.context[0].text == "为推动发展，制定本方案。"
    assert plan.context[1].heading == "一、总体要求"
    assert "4A级以上社会组织达到200家" in plan.context[1].text
    assert (plan.year, plan.end_year) == (2025, 2027)
    assert plan.title == "某市2025—2027年社会组织发展行动方案"
    assert "“一、总体要求”作为背景，不作为任务" in plan.notes
    assert "“三、保障措施”中的1条按任务读取，可在审核时删除" in plan.notes


def test_sub_headings_above_numbered_points_are_not_items_the_points_are() -> None:
    plan = _plan("一、重点任务\n（一）党建引领\n1. 开展学习。\n2. 加强培训。\n（二）规范管理\n3. 开展检查。")
    assert [(i.number, i.number_text, i.text) for i in plan.items] == [
        (1, "1.", "开展学习。"), (2, "2.", "加强培训。"), (3, "3.", "开展检查。")]


@pytest.mark.parametrize(
    ("head", "number", "issuer", "issued_on"),
    [
        ("某市民政局文件\n某民发[2025]3号\n", "某民发[2025]3号", "某市民政局", None),
        ("某市社会组织工作专班\n（2025）2号\n", "某市社会组织工作专班（2025）2号", "某市社会组织工作专班", None),
        ("索取号: 123 发布机构: 某市民政局\n文件编号: 某民〔2025〕5 号 公开类别: 主动公开\n", "某民〔2025〕5号",
         "某市民政局", None),
        ("某市民政局\n2025-02-28\n", "", "某市民政局", date(2025, 2, 28)),
        ("某市社会组织工作专班（代章）\n2025年3月1日\n", "", "某市社会组织工作专班", date(2025, 3, 1)),
    ],
)
def test_document_number_issuer_and_date_in_their_usual_forms(
    head: str, number: str, issuer: str, issued_on: date | None
) -> None:
    plan = _plan(f"{head}关于印发《2025年某市社会组织工作要点》的通知\n各区民政局：\n一、抓党建\n1. 开展学习。")
    assert (plan.document_number, plan.issuer, plan.issued_on) == (number, issuer, issued_on)
    assert plan.title == "2025年某市社会组织工作要点"
    assert plan.addressees == "各区民政局"


@pytest.mark.parametrize("title", ["2024年省级专项督办任务", "2025年市委交办重点事项",
                                   "2025年清廉社会组织建设十项举措"])
def test_a_title_naming_tasks_or_measures_is_the_plans_title_with_its_year(title: str) -> None:
    plan = _plan(f"{title}\n一、压实属地责任\n（一）开展专项行动。（杭州市、湖州市负责，2024年12月底前完成）")
    assert plan.title == title
    assert plan.year == int(title[:4])


def test_the_year_comes_from_the_document_number_when_the_title_has_none() -> None:
    plan = _plan("某政办发〔2026〕1号\n某市人民政府办公室关于加强社会组织建设的意见\n一、抓党建\n1. 开展学习。")
    assert plan.title == "某市人民政府办公室关于加强社会组织建设的意见"
    assert (plan.year, plan.end_year) == (2026, 2026)


@pytest.mark.parametrize(
    "attachment",
    ["附件2\n成员单位名单\n市民政局\n市财政局\n2. 市公安局",
     "附件 2\n某市专班成员单位名单\n市民政局、市财政局、市公安局"],
)
def test_member_units_from_the_attachment_one_per_line_or_as_a_list(attachment: str) -> None:
    plan = _plan(f"2025年某市工作要点\n一、抓党建\n1. 开展学习。\n{attachment}")
    assert plan.member_units == ("市民政局", "市财政局", "市公安局")
    assert [i.text for i in plan.items] == ["开展学习。"]


def test_member_units_from_an_attachment_table() -> None:
    table = Table((("序号", "单位名称"), ("1", "市民政局"), ("2", "市财政局")))
    doc = DocText((Paragraph("一、抓党建"), Paragraph("1. 开展学习。"), Paragraph("附件2"),
                   Paragraph("成员单位名单"), table), "docx")
    assert read_plan(doc).member_units == ("市民政局", "市财政局")


def test_every_item_is_frozen_and_its_source_points_at_its_paragraph() -> None:
    plan = _plan("2025年某市工作要点\n一、抓党建\n1. 开展学习。\n2. 加强培训。")
    assert [i.source for i in plan.items] == ["第3段", "第4段"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.items[0].text = "x"  # type: ignore[misc]


def test_a_sheet_with_a_title_row_section_rows_numbered_in_the_number_column_and_extra_columns() -> None:
    table = Table((
        ("2026年某市社会组织重点工作任务清单", "", "", "", ""),
        ("序号", "任务名称", "责任单位", "完成时限", "备注"),
        ("一", "党建引领", "", "", ""),
        ("1", "开展党建培训", "市委社会工作部", "2026年6月", ""),
        ("二", "规范管理", "", "", ""),
        ("2", "开展年检", "市民政局", "每季度末", "重点"),
    ))
    plan = read_plan(DocText((table,), "xlsx"))
    assert plan.title == "2026年某市社会组织重点工作任务清单"
    assert plan.year == 2026
    assert [(i.section_number, i.section_title, i.number, i.text, i.deadline_phrase, i.responsible_phrase)
            for i in plan.items] == [(1, "党建引领", 1, "开展党建培训", "2026年6月", "市委社会工作部"),
                                     (2, "规范管理", 2, "开展年检", "每季度末", "市民政局")]


def test_a_section_column_numbered_like_items_carries_its_section_down() -> None:
    table = Table((
        ("类别", "工作任务", "时间安排"),
        ("（一）党建引领", "开展培训", "全年"),
        ("", "开展学习", "全年"),
        ("（二）规范管理", "开展年检", "6月底前"),
    ))
    plan = read_plan(DocText((Paragraph("2025年某县工作要点"), table), "docx"))
    assert [(i.section_number, i.section_title) for i in plan.items] == [
        (1, "党建引领"), (1, "党建引领"), (2, "规范管理")]
    assert plan.sections == ((1, "党建引领"), (2, "规范管理"))


def test_numbered_points_with_no_sections_above_them_and_runs_as_paragraphs_of_their_own() -> None:
    plan = _plan("2025年某局工作要点\n今年要做好以下工作。\n1. 开展学习。\n2. 开展培训。")
    assert [(i.section_number, i.section_title, i.text) for i in plan.items] == [
        (None, "", "开展学习。"), (None, "", "开展培训。")]
    assert plan.context[0].text == "今年要做好以下工作。"
    plan = _plan("2025年某局工作要点\n一、抓党建\n一是开展学习。\n二是开展培训。")
    assert [(i.number_text, i.text) for i in plan.items] == [("一是", "开展学习。"), ("二是", "开展培训。")]


def test_a_year_in_a_parenthesis_is_not_a_deadline_unless_it_reads_as_one() -> None:
    plan = _plan("一、抓规范\n（一）落实《条例（2024年修订）》要求（2025年6月）\n（二）开展评估（2024年修订版）。")
    assert [(i.text, i.deadline_phrase) for i in plan.items] == [
        ("落实《条例（2024年修订）》要求", "2025年6月"), ("开展评估（2024年修订版）。", "")]


def test_numbered_headings_with_paragraphs_under_them_are_items_holding_both() -> None:
    plan = _plan("2025年某区工作要点\n一、党建引领\n1. 加强党建引领\n推动社会组织党组织应建尽建。\n"
                 "2. 深化清廉建设\n开展清廉建设。（区民政局负责）")
    assert [(i.number_text, i.text, i.responsible_phrase) for i in plan.items] == [
        ("1.", "加强党建引领\n推动社会组织党组织应建尽建。", ""),
        ("2.", "深化清廉建设\n开展清廉建设。", "区民政局负责")]


def test_an_owner_parenthesis_with_labels_and_a_time_keeps_the_owners_as_written() -> None:
    item = _plan("一、抓党建\n（一）强化引领。"
                 "（责任单位：市委社会工作部，各区、县（市）政府；完成时限：2025年底前）").items[0]
    assert (item.text, item.deadline_phrase, item.responsible_phrase) == (
        "强化引领。", "2025年底前", "责任单位：市委社会工作部，各区、县（市）政府")


def test_a_headerless_table_after_a_task_table_continues_it_and_other_tables_do_not() -> None:
    head = Table((("主要任务", "具体工作", "完成时间", "责任单位"),
                  ("一、抓党建", "1. 开展学习。", "全年", "市民政局")))
    rest = Table((("", "2. 开展培训。", "全年", "市民政局"),))
    other = Table((("单位", "联系人", "电话", "备注"), ("市民政局", "张三", "123", "")))
    doc = DocText((Paragraph("2025年某市工作要点"), head, Paragraph("续表"), rest, Paragraph("附件2 联络员名单"),
                   other), "docx")
    plan = read_plan(doc)
    assert [(i.section_number, i.number, i.text) for i in plan.items] == [(1, 1, "开展学习。"), (1, 2, "开展培训。")]
    assert plan.items[1].source == "任务表续表1第1行"


def test_parts_circled_points_and_a_date_in_chinese_numerals() -> None:
    plan = _plan("某市社会组织工作专班\n二〇二五年三月十日\n2025年某市工作要点\n第一部分 总体要求\n坚持党建引领。\n"
                 "第二部分 重点任务\n1. 开展检查。\n①年检；\n②抽查。\n2. 开展评估。")
    assert plan.issued_on == date(2025, 3, 10)
    assert plan.issuer == "某市社会组织工作专班"
    assert plan.sections == ((2, "重点任务"),)
    assert [(i.number_text, i.sub_items) for i in plan.items] == [("1.", ("年检；", "抽查。")), ("2.", ())]
    assert plan.context[0].heading == "第一部分 总体要求"


def test_wrapped_table_cells_are_joined_but_sentences_and_points_stay_apart() -> None:
    assert flowed("开展“评比表\n彰”\n清理优化工作。") == "开展“评比表彰”清理优化工作。"
    assert flowed("选择1\n-2项重点工作") == "选择1-2项重点工作"
    assert flowed("Word\nWPS") == "Word WPS"
    assert flowed("第一项工作。\n1. 第二项") == "第一项工作。\n1. 第二项"
    assert flowed("  \n甲\n\n乙  ") == "甲乙"


def test_two_task_like_columns_the_left_one_groups_the_rows() -> None:

    grid = (("序号", "重点任务", "工作内容", "完成时限", "牵头单位", "配合单位"),
            ("1", "一、强化党建", "开展党纪学习教育", "2025年7月底前", "省民政厅", "省委组织部"),
            ("2", "", "规范党组织建设", "每季度末", "省民政厅", ""),
            ("3", "二、规范监管", "清理评比表彰", "2025年全年", "省财政厅", ""))
    layout = read_plan(DocText((Table(grid),), "xlsx"))
    assert [(i.section_number, i.section_title, i.text) for i in layout.items] == [
        (1, "强化党建", "开展党纪学习教育"), (1, "强化党建", "规范党组织建设"), (2, "规范监管", "清理评比表彰")]
    assert layout.items[0].responsible_phrase == "牵头单位：省民政厅；配合单位：省委组织部"


def test_runs_of_an_item_leave_its_owner_parenthesis_out() -> None:
    text = "某区2025年工作要点\n一、强化监管\n1、加强日常监管。一是开展抽查；二是开展评估。（区民政局负责，长期坚持）\n"
    (item,) = read_plan(doc_from_text(text)).items
    assert item.sub_items == ("开展抽查；", "开展评估。")
    assert (item.deadline_phrase, item.responsible_phrase) == ("长期坚持", "区民政局负责")


def test_a_markdown_task_table_under_a_table_title() -> None:
    text = ("# 2025年某市社会组织工作任务分解表\n\n| 序号 | 工作任务 | 责任单位 | 完成时间 |\n"
            "| --- | --- | --- | --- |\n| 1 | 开展年检 | 市民政局 | 2025年6月 |\n"
            "| 2 | 开展评估 | 市民政局、市财政局 | 每季度 |\n")
    plan = read_plan(read_pasted(text))
    assert (plan.title, plan.year, plan.layout) == ("2025年某市社会组织工作任务分解表", 2025, "table")
    assert [(i.text, i.deadline_phrase, i.responsible_phrase) for i in plan.items] == [
        ("开展年检", "2025年6月", "市民政局"), ("开展评估", "每季度", "市民政局、市财政局")]
