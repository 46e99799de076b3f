"""The plan layout reader's rules (issue 11 item 1), each pinned by a small synthetic document: joined lines,
owner and time phrases, runs and sub-items, context sections, metadata, member units, sheets and tables."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from tasktrack.domain.doc_blocks import DocText, Paragraph, Table
from tasktrack.domain.plan_layout import PlanLayout, read_plan
from tasktrack.domain.plan_layout.markers import flowed
from tasktrack.uploads.text_blocks import read_pasted
from tests.plan_text import doc_from_text


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
