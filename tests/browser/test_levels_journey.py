"""Supervision at two levels, end to end in a browser (issue 12's journey).

The provincial secretariat imports and publishes a plan whose task goes to the cities (杭州市、湖州市); 杭州's
secretariat decomposes it (分解) into a task of its own plan for two of its member units; 市民政局 reports completion
while 市财政局 is overdue; the province's 督办总览 shows 杭州 red and drills down to the overdue city unit; after
市财政局 reports, 杭州 claims completion and the province confirms it (办结). 杭州's secretariat is refused (403) on
湖州's pages and API. Screenshots under tests/output/screens/test_province_to_city_and_back/.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import Assignment, Plan, Task, Unit
from tasktrack.services import users
from tests.browser.conftest import sign_in
from tests.levels import PASSWORD, build_levels

pytestmark = pytest.mark.browser

TITLE = "2024年省级专项督办任务"
TASK = "开展社会组织清廉建设“回头看”专项行动"
PLAN_TEXT = f"""{TITLE}
一、压实属地责任
（一）{TASK}，对照清单逐项整改。（杭州市、湖州市负责，2024年12月底前完成）
"""
CITY_TASK = "全市社会组织清廉建设“回头看”专项行动"


def _inbound_of(unit_name: str) -> Assignment:
    return db.session.scalars(
        sa.select(Assignment).join(Task).join(Plan).join(Unit, Unit.id == Assignment.unit_id)
        .where(Plan.title == TITLE, Unit.name == unit_name)).one()


def test_province_to_city_and_back(live_url: str, page: Any, shot: Any, seeded: None, now: Any,
                                   tmp_path: Any) -> None:
    lv = build_levels(now)
    db.session.commit()

    # 1. The province imports its plan and publishes it: the task goes to 杭州市 and 湖州市.
    sign_in(page, live_url, lv.province_secretariat.email, PASSWORD)
    page.goto(f"{live_url}/plans/import")
    source = tmp_path / "省级专项督办任务.txt"
    source.write_text(PLAN_TEXT, encoding="utf-8")
    page.set_input_files("input[type=file]", str(source))
    page.click("button:has-text('读取并生成草稿')")
    page.wait_for_selector(f"h1:has-text('{TITLE}')")
    assert "负责：杭州市、湖州市" in page.inner_text("main")
    page.click("button:has-text('发布计划')")
    page.wait_for_selector(".flash-success")
    shot(page, "01_province_published")
    db.session.rollback()
    inbound, sibling_inbound = _inbound_of("杭州市"), _inbound_of("湖州市")

    # 2. 杭州's secretariat finds it under 上级下达任务 and decomposes it to 市民政局 (lead) and 市财政局.
    city = page.context.browser.new_page()
    sign_in(city, live_url, lv.city_secretariat.email, PASSWORD)
    city.click("nav >> text=上级下达任务")
    city.wait_for_selector(f"#inbound-{inbound.id}")
    assert "未分解" in city.inner_text(f"#inbound-{inbound.id}")
    city.click(f"#inbound-{inbound.id} a.btn")
    city.wait_for_selector("#decompose")
    city.select_option("#decompose select[name=plan]", str(lv.city_plan.id))
    city.fill("#decompose textarea[name=text]", CITY_TASK)
    city.fill("#decompose input[name=deadline_phrase]", "2024年7月15日前")
    city.fill("#decompose input[name=responsible_phrase]", "市民政局牵头，市财政局配合")
    city.click("#decompose button[type=submit]")
    city.wait_for_selector("#decomposition h3")
    shot(city, "02_city_decomposed")

    # 3. 市民政局 reports completion; 市财政局 has not reported and is past its 7月15日 date.
    liaison = page.context.browser.new_page()
    sign_in(liaison, live_url, lv.mz_liaison.email, PASSWORD)
    liaison.click("nav >> text=我的任务")
    card = liaison.locator("li.my-task", has_text=CITY_TASK)
    card.locator("a:has-text('报送进展')").click()
    liaison.select_option("#status", "completed")
    liaison.fill("#completed_on", "2024-07-10")
    liaison.fill("#narrative", "已完成全市 126 家社会组织的自查和抽查，整改问题 14 个。")
    liaison.click("button[type=submit]:has-text('提交报送')")
    liaison.wait_for_selector(".flash-success")
    liaison.close()

    # 4. The province's 督办总览: 杭州 red among the lower work groups; the drill-down names 市财政局.
    page.goto(f"{live_url}/dashboard?plan={inbound.task.plan_id}")
    row = page.locator("table.children tr", has_text="杭州市清廉社会组织建设工作专班")
    assert row.locator("[data-count=red]").inner_text() == "1"
    shot(page, "03_province_dashboard_hangzhou_red")
    row.locator("a", has_text="杭州市清廉社会组织建设工作专班").click()
    page.wait_for_selector("#inbound")
    task_row = page.locator(f"table.inbound tr[data-assignment='{inbound.id}']")
    assert TASK in task_row.inner_text()
    assert "推进中" in task_row.inner_text()
    assert "逾期" in task_row.locator("[data-label=灯色]").inner_text()  # rolled up from 市财政局
    shot(page, "03b_hangzhou_dashboard_as_the_province_sees_it")
    task_row.locator("a").first.click()
    page.wait_for_selector("#decomposition")
    assert "逾期单位：市财政局" in page.inner_text("#overdue-units")
    assert "市民政局" not in page.inner_text("#overdue-units")
    shot(page, "04_province_drills_to_the_overdue_unit")

    # A claim of completion is refused while 市财政局 is open.
    city.goto(f"{live_url}/inbound/{inbound.id}")
    assert "可以申报完成" not in city.inner_text("#summary")

    # 5. 市财政局 reports completion; 杭州 may now claim, and claims with its summary.
    late = page.context.browser.new_page()
    sign_in(late, live_url, lv.cz_liaison.email, PASSWORD)
    late.click("nav >> text=我的任务")
    late.locator("li.my-task", has_text=CITY_TASK).locator("a:has-text('报送进展')").click()
    late.select_option("#status", "completed")
    late.fill("#completed_on", "2024-07-18")
    late.fill("#narrative", "补齐 3 家单位的整改台账，已全部完成。")
    late.click("button[type=submit]:has-text('提交报送')")
    late.wait_for_selector(".flash-success")
    late.close()
    city.goto(f"{live_url}/inbound/{inbound.id}")
    assert "可以申报完成" in city.inner_text("#summary")
    city.select_option("#summary select[name=status]", "completed")
    city.fill("#summary input[name=completed_on]", "2024-07-18")
    city.fill("#summary textarea[name=narrative]", "全市两家责任单位均已完成“回头看”专项行动，整改问题 17 个。")
    city.click("#summary button[type=submit]")
    city.wait_for_selector(".flash-success")
    shot(city, "05_city_claims_completion")

    # 6. The province confirms 杭州's completion (办结).
    page.goto(f"{live_url}/review/completions")
    confirm = page.locator("button:has-text('确认办结')")
    claim = page.locator("article, li, section", has_text="杭州市").filter(has=confirm)
    claim.first.locator("button:has-text('确认办结')").click()
    page.wait_for_selector(".flash-success")
    shot(page, "06_province_confirms")
    db.session.rollback()
    assert db.session.get(Assignment, inbound.id).completion_state.value == "confirmed"

    # 7. 杭州's secretariat is refused on 湖州's pages and API.
    for path in (f"/dashboard?group={lv.sibling.id}", f"/assignments/{sibling_inbound.id}",
                 f"/inbound/{sibling_inbound.id}", f"/work-groups/{lv.sibling.id}"):
        assert city.goto(f"{live_url}{path}").status == 403, path
    token = users.issue_token(lv.city_secretariat, actor=None, now=now)
    db.session.commit()
    for path in (f"/api/v1/work-groups/{lv.sibling.id}/dashboard", f"/api/v1/assignments/{sibling_inbound.id}"):
        answer = city.request.get(f"{live_url}{path}", headers={"Authorization": f"Bearer {token}"})
        assert answer.status == 403, path
        assert "error" in answer.json()
    city.close()
