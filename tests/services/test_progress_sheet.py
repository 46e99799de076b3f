"""The workbook's first sheet, 工作进展情况表: rows, merged sections, print setup, fonts, text never a formula."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from openpyxl import load_workbook

from tasktrack.extensions import db
from tasktrack.models import AssignmentStatus, ProgressReport
from tasktrack.services import exports
from tests.dashboard_data import NOW, scaled_plan, small_plan

TODAY = dt.date(2024, 7, 18)
HEADER = ["序号", "工作任务", "责任单位", "进展情况", "存在问题", "下步计划"]


def workbook(plan_id: int) -> tuple[Any, bytes]:
    _name, content = exports.export_plan(plan_id, "xlsx", TODAY)
    return load_workbook(io.BytesIO(content)), content


def test_first_sheet_is_one_row_per_task_under_merged_section_rows(app: Any) -> None:
    s = small_plan()
    wb, _ = workbook(s.plan.id)
    assert wb.sheetnames == ["工作进展情况表", "任务进展"]  # no targets: no 指标 sheet
    assert wb.active.title == "工作进展情况表"
    ws = wb["工作进展情况表"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "测试任务表工作进展情况"
    assert values[1][0] == "截至2024年7月18日"
    assert values[2] == HEADER
    assert [v[0] for v in values[3:]] == ["一、强化党建统领", 1, 2, "二、加强规范监管", 3, 4]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:F1", "A2:F2", "A4:F4", "A7:F7"} <= merged
    t1, t2, t3, t4 = values[4], values[5], values[7], values[8]
    assert t1[1] == "编印案例汇编，做好宣传\n完成时限：2024年06月30日前"
    assert t1[2] == "甲单位、乙单位"
    assert t1[3] == "乙单位：已完成，2024年6月20日完成。汇编已印发，共收录 36 个案例。\n尚未报送：甲单位（牵头）"
    assert t1[4] == "逾期18天：甲单位"
    assert t1[5] is None  # 下步计划: for the office to write
    assert t2[4] == "距截止7天：甲单位"
    assert t3[3] == "乙单位：进行中，40%。第二季度完成 12 家试点。\n尚未报送：甲单位"
    assert t3[4] == "本期未报送进展：甲单位"
    assert t4[3] == "乙单位（牵头）：进行中，20%。已完成方案起草"  # the closed assignment is not listed
    assert t4[4] is None
    # A row is as tall as its longest cell needs, at least one line.
    assert ws.row_dimensions[5].height >= 2 * 11 * 1.45


def test_every_sheet_prints_a4_landscape_one_page_wide_with_titles_and_page_footer(app: Any) -> None:
    s = small_plan()
    wb, _ = workbook(s.plan.id)
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert wb["工作进展情况表"].print_title_rows == "$3:$3"
    assert wb["任务进展"].print_title_rows == "$1:$1"
    assert wb["任务进展"].auto_filter.ref  # the data sheet keeps its AutoFilter


def test_first_sheet_text_is_at_least_10_pt_wrapped_and_fits_a4_landscape_at_full_size(app: Any) -> None:
    s = small_plan()
    ws = workbook(s.plan.id)[0]["工作进展情况表"]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert min(c.font.sz for c in cells) >= 10
    assert all(c.alignment.wrap_text for c in ws[5][1:5])
    # A4 landscape (297 mm) less 2 × 12.7 mm margins is 1,026 px at 96 dpi; a column is 8 px a unit (Arial's
    # digit, the workbook's default font) + 5.
    widths = [ws.column_dimensions[letter].width for letter in "ABCDEF"]
    assert sum(8 * w + 5 for w in widths) <= (297 - 2 * 12.7) / 25.4 * 96
    assert ws.page_margins.left == ws.page_margins.right == 0.5


def test_user_text_in_the_first_sheet_never_becomes_a_formula(app: Any) -> None:
    s = small_plan()
    s.a2.task.text = "=1+1"
    for minutes, narrative in ((1, "@SUM(A1:A9)"), (2, "=HYPERLINK(\"http://evil.example\")")):
        db.session.add(ProgressReport(assignment=s.a3, author=s.liaison_a, narrative=narrative,
                                      created_at=NOW + dt.timedelta(minutes=minutes),
                                      status=AssignmentStatus.IN_PROGRESS))
    s.a1.task.responsible_phrase = "+甲单位"
    db.session.commit()
    wb, content = workbook(s.plan.id)
    ws = wb["工作进展情况表"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert cells["=1+1\n完成时限：2024年07月25日前"].data_type == "s"
    assert cells["+甲单位"].data_type == "s"
    assert any(v.startswith('甲单位：未开始。=HYPERLINK("http://evil.example")') for v in cells)  # as written
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert not re.search(r"<f[ >]", xml)


def test_export_queries_do_not_grow_with_the_plan(app: Any, count_queries: Any) -> None:
    small, big = scaled_plan(1), scaled_plan(10)

    def count(plan_id: int) -> int:
        db.session.expire_all()
        with count_queries() as q:
            exports.export_plan(plan_id, "xlsx", TODAY)
        return q.count

    assert count(small.id) == count(big.id)
