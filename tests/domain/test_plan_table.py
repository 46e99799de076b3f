"""Tests for tasktrack.domain.plan_table.read_task_table, including the real 2024 seed table."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml

from tasktrack.domain.deadlines import DeadlineKind, parse_deadline
from tasktrack.domain.plan_table import PlanTableError, TaskRow, chinese_numeral, read_task_table
from tasktrack.domain.responsibility import DEFAULT_CATEGORY_ALIASES, parse_responsible

SEED = Path(__file__).resolve().parents[2] / "seed"
TSV = (SEED / "plans/2024/tasks.tsv").read_text(encoding="utf-8")
HEADER = "主要任务\t序号\t具体工作\t完成时间节点\t责任单位"


def test_seed_table_shape() -> None:
    rows = read_task_table(TSV)
    assert [row.number for row in rows] == list(range(1, 18))
    sections = {row.section_number: row.section_title for row in rows}
    assert sections == {
        1: "强化党建统领",
        2: "加强规范监管",
        3: "深化专项治理",
        4: "推进“数智”赋能",
        5: "加强工作协同",
    }
    per_section = [sum(1 for row in rows if row.section_number == n) for n in range(1, 6)]
    assert per_section == [6, 3, 3, 2, 3]


def test_seed_table_rows_as_written() -> None:
    rows = {row.number: row for row in read_task_table(TSV)}
    assert rows[6].text == "编印《清廉社会组织优秀案例汇编》。"
    assert rows[1] == TaskRow(
        section_number=1,
        section_title="强化党建统领",
        number=1,
        text="巩固拓展主题教育成果，在社会组织领域开展党纪学习教育。",
        deadline_phrase="2024 年 7 月底前",
        responsible_phrase="业务主管单位、行业管理部门、党建工作机构",
        line=2,
    )
    assert rows[16].responsible_phrase == "各专班成员单位，各市、县（市、区）"
    assert rows[17].text == "各观察点有侧重地选择1-2项重点工作，结合实际情况先行先试。"
    assert rows[17].responsible_phrase == "全省清廉社会组织建设观察点，相关市、县（市、区）"
    assert rows[7].section_number == 2
    assert all(not row.text[0].isdigit() for row in rows.values())


def test_every_seed_phrase_parses() -> None:
    plan = yaml.safe_load((SEED / "plans/2024/plan.yaml").read_text(encoding="utf-8"))
    units = [unit["name"] for unit in yaml.safe_load((SEED / "units.yaml").read_text(encoding="utf-8"))]
    for row in read_task_table(TSV):
        deadline = parse_deadline(row.deadline_phrase, default_year=plan["year"])
        assert deadline.kind in {DeadlineKind.DATED, DeadlineKind.YEAR_ROUND}
        assert deadline.due is not None
        assert datetime.date(2024, 6, 30) <= deadline.due <= datetime.date(2024, 12, 31)
        terms = parse_responsible(
            row.responsible_phrase, unit_names=units, category_aliases=DEFAULT_CATEGORY_ALIASES
        )
        assert terms


def test_seed_plan_and_reference_files() -> None:
    plan = yaml.safe_load((SEED / "plans/2024/plan.yaml").read_text(encoding="utf-8"))
    assert plan == {
        "year": 2024,
        "title": "2024年省清廉社会组织建设工作任务表",
        "issuer": "浙江省清廉社会组织建设工作专班",
        "document_number": "浙江省清廉社会组织建设工作专班〔2024〕4号",
        "issued_on": datetime.date(2024, 4, 15),
        "focus_choice_deadline": datetime.date(2024, 4, 30),
        "report_period_months": 3,
        "case_task": 16,
    }
    focus = yaml.safe_load((SEED / "focus_items.yaml").read_text(encoding="utf-8"))
    assert [item["name"] for item in focus] == [
        "健全完善社会组织内部管理制度",
        "清理优化“评比表彰”活动",
        "社会服务机构非营利监管",
        "构建多跨协同的数据共享机制",
    ]
    assert [item["sort_order"] for item in focus] == [1, 2, 3, 4]
    categories = yaml.safe_load((SEED / "categories.yaml").read_text(encoding="utf-8"))
    assert [c["name"] for c in categories] == [
        "业务主管单位", "行业管理部门", "党建工作机构", "综合监管部门", "登记管理机关",
        "各专班成员单位", "各市、县（市、区）", "观察点",
    ]  # fmt: skip
    assert all(c["code"].isascii() and c["description"] for c in categories)
    units = yaml.safe_load((SEED / "units.yaml").read_text(encoding="utf-8"))
    assert [u["name"] for u in units if u["kind"] == "member"] == [
        "省委组织部", "省发展改革委", "省经信厅", "省教育厅", "省科技厅", "省公安厅", "省民政厅", "省财政厅",
        "省商务厅", "省文化广电和旅游厅", "省卫生健康委", "省体育局", "浙江省税务局", "人行浙江省分行",
        "省科协", "省社科联", "省工商联",
    ]  # fmt: skip
    assert len([u for u in units if u["kind"] == "city"]) == 11
    assert all(u["emails"] == [] for u in units)


def _table(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def test_bom_crlf_blank_lines_and_repeated_header() -> None:
    text = "\ufeff" + "\r\n".join(
        [
            HEADER,
            "一、强化党建统领\t1\t甲。\t2024年全年\t省民政厅",
            "",
            HEADER,
            "\t2\t乙。\t 2024 年 7 月底前 \t业务主管单位",
            "二、加强规范监管\t３\t丙。\t年底前\t省民政厅",
            "",
        ]
    )
    rows = read_task_table(text)
    assert [(r.section_number, r.section_title, r.number, r.line) for r in rows] == [
        (1, "强化党建统领", 1, 2),
        (1, "强化党建统领", 2, 5),
        (2, "加强规范监管", 3, 6),
    ]
    assert rows[1].deadline_phrase == "2024 年 7 月底前"


def test_same_section_repeated_on_consecutive_rows_is_fine() -> None:
    rows = read_task_table(_table("十、甲\t1\t甲。\t全年\t省民政厅", "十、甲\t2\t乙。\t全年\t省民政厅"))
    assert {r.section_number for r in rows} == {10}


def test_malformed_table_names_every_line() -> None:
    text = _table(
        "一、强化党建统领\t1\t甲。\t2024年全年\t省民政厅",  # line 2: fine
        "\t2\t乙。\t2024年全年",  # line 3: missing column
        "\t1\t丙。\t2024年全年\t省民政厅",  # line 4: duplicate number
        "\t4\t\t2024年全年\t省民政厅",  # line 5: blank text
        "\t5\t戊。\t\t",  # line 6: blank deadline and responsible
        "\tx\t己。\t全年\t省民政厅",  # line 7: bad number
    )
    with pytest.raises(PlanTableError) as excinfo:
        read_task_table(text)
    message = str(excinfo.value)
    lines = [line for line, _ in excinfo.value.problems]
    assert lines == [3, 4, 5, 6, 6, 7]
    for expected in [
        "第3行：应有5列",
        "第4行：序号1与第2行重复",
        "第5行：具体工作为空",
        "第6行：完成时间节点为空",
        "第6行：责任单位为空",
        "第7行：序号“x”不是正整数",
    ]:
        assert expected in message
    assert "6处错误" in message


def test_missing_header() -> None:
    with pytest.raises(PlanTableError, match="第1行：缺少表头"):
        read_task_table("一、强化党建统领\t1\t甲。\t全年\t省民政厅\n")


def test_wrong_header() -> None:
    with pytest.raises(PlanTableError, match="第1行：缺少表头"):
        read_task_table(
            _table("一、甲\t1\t甲。\t全年\t省民政厅", header="主要任务\t具体工作\t完成时间节点\t责任单位")
        )


def test_empty_table() -> None:
    with pytest.raises(PlanTableError, match="没有任务"):
        read_task_table(HEADER + "\n")
    with pytest.raises(PlanTableError, match="缺少表头"):
        read_task_table("")


def test_first_row_needs_a_section_and_sections_must_be_readable() -> None:
    with pytest.raises(PlanTableError) as excinfo:
        read_task_table(
            _table(
                "\t1\t甲。\t全年\t省民政厅",
                "强化党建统领\t2\t乙。\t全年\t省民政厅",
                "\t3\t丙。\t全年\t省民政厅",
            )
        )
    assert [line for line, _ in excinfo.value.problems] == [2, 3]
    assert "缺少主要任务" in str(excinfo.value)
    assert "无法识别的主要任务“强化党建统领”" in str(excinfo.value)


def test_section_number_reused_for_another_title() -> None:
    with pytest.raises(PlanTableError, match="第3行：主要任务编号1与第2行的“甲”重复"):
        read_task_table(_table("一、甲\t1\t甲。\t全年\t省民政厅", "一、乙\t2\t乙。\t全年\t省民政厅"))


def test_trailing_blank_cells_are_tolerated_but_extra_content_is_not() -> None:
    assert len(read_task_table(_table("一、甲\t1\t甲。\t全年\t省民政厅\t\t"))) == 1
    with pytest.raises(PlanTableError, match="第2行：应有5列"):
        read_task_table(_table("一、甲\t1\t甲。\t全年\t省民政厅\t备注"))


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1), ("五", 5), ("十", 10), ("十一", 11), ("二十", 20), ("九十九", 99),
        ("十十", None), ("百", None), ("", None),
    ],
)
def test_chinese_numeral(numeral: str, value: int | None) -> None:
    assert chinese_numeral(numeral) == value


def test_section_must_not_come_back_after_another() -> None:
    with pytest.raises(PlanTableError, match="第4行：主要任务“一、甲”与第2行不相连"):
        read_task_table(
            _table(
                "一、甲\t1\t甲。\t全年\t省民政厅",
                "二、乙\t2\t乙。\t全年\t省民政厅",
                "一、甲\t3\t丙。\t全年\t省民政厅",
            )
        )
