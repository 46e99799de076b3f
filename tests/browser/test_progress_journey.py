"""Issue #3 acceptance journey: a liaison of 省民政厅 reports a completion with a PDF; the secretariat's
dashboard counts change by exactly that one assignment; the xlsx export carries the report's narrative.

The suite pins today to 2024-07-18. 省民政厅's one overdue (red) assignment is task 6 (编印《清廉社会组织优秀
案例汇编》, due 2024-06-30, section 一); the liaison reports it completed today, so it turns from red to done,
late (逾期完成), and awaits the secretariat's 办结 (待确认办结).
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

UNIT = "省民政厅"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NARRATIVE = "《清廉社会组织优秀案例汇编》已编印完成，收录典型案例30个，已分发各设区市民政局。"
TILES = ("total", "red", "yellow", "green", "done", "due_soon", "stale", "completed_late", "claimed")
UNIT_COLUMNS = ("分配", "已完成", "完成率", "逾期", "未按期报送", "最近报送")


def tile_counts(pg: Any) -> dict[str, int]:
    """Read the dashboard's totals (the tiles and the sub-counts under them)."""
    return {k: int(pg.locator(f"[data-count='{k}']").inner_text()) for k in TILES}


def section_rows(pg: Any) -> dict[str, list[str]]:
    """Read the per-section table: section title -> [分配, 已完成, 完成率, 逾期, 预警]."""
    rows = pg.locator("table.sections tbody tr")
    return {r.locator("td").first.inner_text().strip(): [c.strip() for c in r.locator("td.n").all_inner_texts()]
            for r in rows.all()}


def unit_row(pg: Any, unit: str) -> dict[str, str]:
    """Read one unit's line of the per-unit table, keyed by column label."""
    row = pg.locator(f"table.units tr[data-unit='{unit}']")
    return {k: row.locator(f"td[data-label='{k}']").inner_text().strip() for k in UNIT_COLUMNS}


def test_liaison_report_changes_dashboard_and_export(live_url, page, shot, seeded, make_user, tmp_path):
    liaison = make_user("liaison", unit=UNIT, name="省民政厅联络员李华")
    office = make_user("secretariat", name="专班办公室王敏")

    # The secretariat, in a browser context of their own, reads the dashboard before the report.
    office_context = page.context.browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    office_context.set_default_timeout(15_000)
    office_page = office_context.new_page()
    try:
        sign_in(office_page, live_url, office.email, PASSWORD)
        office_page.wait_for_selector("h1")
        office_page.goto(f"{live_url}/dashboard")
        office_page.wait_for_selector("h1:has-text('督办总览')")
        before, unit_before = tile_counts(office_page), unit_row(office_page, UNIT)
        sections_before = section_rows(office_page)
        shot(office_page, "01_dashboard_before")

        # The liaison signs in and opens 我的任务.
        sign_in(page, live_url, liaison.email, PASSWORD)
        page.wait_for_selector("nav")
        page.click("nav >> text=我的任务")
        page.wait_for_selector("h1:has-text('我的任务')")
        assert UNIT in page.inner_text(".page-head")
        shot(page, "02_my_tasks")
        red_cards = page.locator("section.group-red li.my-task")
        card = red_cards.first
        assignment_id = card.get_attribute("data-assignment")
        task_number = int(card.get_attribute("data-task") or "0")
        assert (red_cards.count(), task_number) == (1, 6)
        assert "尚未报送" in card.inner_text()

        # Open its report form and report it completed today, with a narrative and a PDF.
        card.locator("a:has-text('报送进展')").click()
        page.wait_for_selector("h1:has-text('报送进展')")
        assert page.url.endswith(f"/assignments/{assignment_id}/report")
        pdf = tmp_path / "检查报告.pdf"
        pdf.write_bytes(PDF)
        page.select_option("#status", "completed")
        page.fill("#completed_on", "2024-07-18")
        page.fill("#narrative", NARRATIVE)
        page.set_input_files("#attachments", str(pdf))
        shot(page, "03_report_form")
        page.click("button[type=submit]:has-text('提交报送')")

        # Back on the assignment page: the flash, the claimed completion, the report and its attachment.
        page.wait_for_selector(".flash-success")
        assert page.url.endswith(f"/assignments/{assignment_id}")
        assert "待确认办结" in page.inner_text(".flash-success")
        assert "报送记录（1 版）" in page.inner_text("body")
        version = page.locator("article.report-version")
        assert version.count() == 1
        assert NARRATIVE in version.locator(".narrative").inner_text()
        link = version.locator("ul.files a")
        assert link.inner_text() == "检查报告.pdf"
        shot(page, "04_assignment_after_report")
        response = page.request.get(f"{live_url}{link.get_attribute('href')}")
        assert response.ok
        assert response.body() == PDF

        # The secretariat reloads the dashboard: exactly this one assignment moved from red to done (late, claimed).
        office_page.goto(f"{live_url}/dashboard")
        office_page.wait_for_selector("h1:has-text('督办总览')")
        after, unit_after = tile_counts(office_page), unit_row(office_page, UNIT)
        sections_after = section_rows(office_page)
        shot(office_page, "05_dashboard_after")
        expected = dict(before)
        expected["red"] -= 1
        expected["done"] += 1
        expected["completed_late"] += 1
        expected["claimed"] += 1
        assert after == expected
        total, done_before = int(unit_before["分配"]), int(unit_before["已完成"])
        assert unit_after["分配"] == str(total)
        assert unit_after["已完成"] == str(done_before + 1)
        assert unit_after["逾期"] == str(int(unit_before["逾期"]) - 1)
        assert unit_after["未按期报送"] == unit_before["未按期报送"]
        assert unit_after["完成率"] == f"{round(100 * (done_before + 1) / total)}%"
        assert unit_before["最近报送"] == "尚未报送"
        assert unit_after["最近报送"].startswith("2024年7月18日")
        # Section 一 (task 6's): 分配 64, 已完成 0 → 1 (2%), 逾期 1 → 0; every other section unchanged.
        section = "一、强化党建统领"
        assert sections_before[section] == ["64", "0", "0%", "1", sections_before[section][4]]
        assert sections_after[section] == ["64", "1", "2%", "0", sections_before[section][4]]
        assert {k: v for k, v in sections_after.items() if k != section} == {
            k: v for k, v in sections_before.items() if k != section}
        recent = office_page.locator("section:has(h2:has-text('最近报送')) li")
        assert recent.count() == 1
        assert f"{UNIT} · 任务 {task_number} · 已完成" in recent.inner_text()
        assert NARRATIVE in recent.inner_text()

        # The xlsx export downloads and re-opens with the narrative on that task × unit row.
        with office_page.expect_download() as info:
            office_page.click("a:has-text('导出 Excel')")
        download = info.value
        assert download.suggested_filename.endswith("_进展_20240718.xlsx")
        saved = tmp_path / "export.xlsx"
        download.save_as(saved)
        workbook = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))
        sheet = workbook["任务进展"]
        header = [c.value for c in sheet[1]]
        col = {name: header.index(name) for name in ("序号", "单位", "状态", "完成日期", "红黄绿灯", "灯色说明",
                                                      "最新进展")}
        rows = [r for r in sheet.iter_rows(min_row=2, values_only=True)
                if r[col["序号"]] == task_number and r[col["单位"]] == UNIT]
        assert len(rows) == 1
        row = rows[0]
        assert row[col["最新进展"]] == NARRATIVE
        assert row[col["状态"]] == "已完成"
        assert row[col["完成日期"]].date().isoformat() == "2024-07-18"
        assert (row[col["红黄绿灯"]], row[col["灯色说明"]]) == ("已完成", "逾期完成")
        # Only that row carries the narrative.
        assert sum(1 for r in sheet.iter_rows(min_row=2, values_only=True) if r[col["最新进展"]] == NARRATIVE) == 1
    finally:
        office_context.close()
