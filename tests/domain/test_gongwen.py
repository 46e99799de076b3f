"""The 公文 page arithmetic, table placement and the bulletin composer's traceability (pure, milliseconds)."""

from __future__ import annotations

import datetime as dt

import pytest

from tasktrack.domain import bulletin
from tasktrack.domain import gongwen as gw
from tasktrack.domain.lights import Light, LightResult, Reason
from tasktrack.domain.report_text import clean_narrative, cn_number, trim, work_name


def test_gb9704_grid_gives_22_lines_of_28_characters() -> None:
    grid = gw.grid_for()
    assert (grid.page_width, grid.page_height) == (11906, 16838)
    assert (grid.top, grid.bottom, grid.left, grid.right) == (2098, 1984, 1587, 1474)
    assert grid.line_pitch == 579
    assert grid.lines_per_page() == 22
    assert grid.chars_per_line() == 28
    assert -900 < grid.char_space < 0
    pitch = gw.SIZE_3 * 20 + grid.char_spacing  # twips a body character takes off the grid
    assert 28 * pitch <= grid.text_width < 29 * pitch


def test_signature_centres_the_issuer_over_the_date() -> None:
    assert gw.signature_indents("专班", "2024年7月18日") == (4 + (6.5 - 2) / 2, 4.0)
    issuer, date = gw.signature_indents("浙江省清廉社会组织建设工作专班", "2024年7月18日")
    assert issuer == 2.0
    assert date == 2 + (15 - 6.5) / 2
    assert gw.page_number_text(3) == "— 3 —"
    assert gw.chinese_date(dt.date(2024, 7, 8)) == "2024年7月8日"


def test_table_grid_places_row_and_column_spans() -> None:
    a, b, c = gw.Cell("a", rowspan=2), gw.Cell("b", colspan=2), gw.Cell("c")
    grid = gw.table_grid(((a, b), (c, gw.Cell("d"))), 3)
    assert [[s.cell.text if s.cell else s.origin for s in row] for row in grid] == [
        ["a", "b", (0, 1)], [(0, 0), "c", "d"]]
    with pytest.raises(ValueError, match="does not fit"):
        gw.table_grid(((gw.Cell("x", colspan=4),),), 3)
    with pytest.raises(ValueError, match="left empty"):
        gw.table_grid(((gw.Cell("x"),),), 2)


def test_narratives_are_trimmed_at_a_sentence_and_stay_a_prefix() -> None:
    text = "第一句说完了。第二句也说完了。" + "第三句很长" * 40
    assert trim(text, 30) == "第一句说完了。第二句也说完了。"
    hard = trim("没有句号的一段话，" * 20, 40)
    assert hard.endswith("……")
    assert ("没有句号的一段话，" * 20).startswith(hard.removesuffix("……"))
    assert clean_narrative("  第一行\n\n第二行。\n") == "第一行，第二行。"
    assert trim("未完", 50) == "未完。"
    assert cn_number(1) == "一"
    assert cn_number(10) == "十"
    assert cn_number(21) == "二十一"
    assert work_name("2024年省清廉社会组织建设工作任务表") == "2024年省清廉社会组织建设"


def _unit(name: str, narrative: str | None, light: Light = Light.GREEN, *, in_period: bool = True,
          order: int = 0) -> bulletin.UnitState:
    reason = {Light.GREEN: Reason.ON_TRACK, Light.RED: Reason.OVERDUE, Light.DONE: Reason.COMPLETED,
              Light.YELLOW: Reason.STALE}[light]
    return bulletin.UnitState(name, False, LightResult(light, reason, None), narrative, light is Light.DONE,
                              in_period and narrative is not None, (order, order))


DATA = bulletin.BulletinData(
    plan_title="2024年省清廉社会组织建设工作任务表", issuer="浙江省清廉社会组织建设工作专班",
    as_of=dt.date(2024, 7, 18),
    period_start=dt.date(2024, 4, 18), sections=(
        bulletin.SectionState(1, "强化党建统领", (
            bulletin.TaskState(1, "开展党纪学习教育", "7月底前", (
                _unit("省民政厅", "已印发通知，部署主管的 36 家社会组织开展学习。\n完成第一轮集中学习。", order=2),
                _unit("省教育厅", None, Light.RED, order=1))),
        )),
        bulletin.SectionState(2, "空的部分", ()),
    ))


def test_bulletin_quotes_only_reports_and_names_the_silent() -> None:
    doc = bulletin.compose(DATA)
    texts = [getattr(b, "text", "") for b in doc.blocks]
    assert "None" not in "".join(texts)
    task = next(b for b in doc.blocks if isinstance(b, gw.Paragraph) and b.lead.startswith("1. "))
    quoted = task.text.split("截至")[0].removeprefix("【省民政厅】")
    assert quoted in clean_narrative(DATA.sections[0].tasks[0].units[0].narrative or "")
    assert "省教育厅尚未报送进展情况" in task.text
    assert all("空的部分" not in t for t in texts)  # no empty heading
    assert "【省教育厅】第1项。" in texts  # overdue and unreported, named by unit
    headings = [b.text for b in doc.blocks if isinstance(b, gw.Heading)]
    assert headings[:3] == ["一、总体进展情况", "二、各项任务推进情况", "（一）强化党建统领"]
    f = bulletin.figures(DATA)
    assert (f.tasks, f.assignments, f.overdue, f.on_track, f.unreported) == (1, 2, 1, 1, 1)
    table = next(b for b in doc.blocks if isinstance(b, gw.Table))
    assert [c.text for c in table.header[0]] == ["序号", "工作任务", "责任单位", "进展情况"]
    assert table.rows[0][0].colspan == 4
