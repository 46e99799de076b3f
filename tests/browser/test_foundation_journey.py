"""First browser journeys: the secretariat sees the 17 tasks, a liaison sees their unit's tasks, a wrong
password is refused. Screenshots go to tests/output/screens/."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_secretariat_sees_the_plan(live_url, page, shot, seeded, make_user):
    user = make_user("secretariat", name="专班办公室王敏")
    sign_in(page, live_url, user.email, PASSWORD)
    page.wait_for_selector("h1:has-text('2024年省清廉社会组织建设工作任务表')")
    assert page.locator("tr.task-row").count() == 17
    assert page.locator("section.section h2").count() == 5
    assert page.locator("tr.task-row[data-task='6']").inner_text().count("省民政厅") >= 1
    assert "2024 年 7 月底前" in page.locator("tr.task-row[data-task='1']").inner_text()
    shot(page, "plan")
    page.click("tr.task-row[data-task='16'] a")
    page.wait_for_selector("h1:has-text('16.')")
    assert page.locator("table.assignments tbody tr").count() == 28
    shot(page, "task16")


def test_liaison_sees_their_units_tasks(live_url, page, shot, seeded, make_user):
    user = make_user("liaison", unit="省教育厅", name="省教育厅联络员陈静")
    sign_in(page, live_url, user.email, PASSWORD)
    page.wait_for_selector("h1:has-text('我的任务')")
    assert "省教育厅" in page.inner_text(".page-head")
    numbers = {int(n) for n in page.locator("li.my-task").evaluate_all("els => els.map(e => e.dataset.task)")}
    # 省教育厅 is 业务主管单位 + 行业管理部门 + member: tasks 1,2,3,4,5,7,9,10,11,12,14,15,16.
    assert numbers == {1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 14, 15, 16}
    assert page.locator("nav >> text=账号管理").count() == 0
    shot(page, "my_tasks")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "my_tasks_phone")


def test_wrong_password_is_refused(live_url, page, shot, seeded, make_user):
    user = make_user("viewer")
    sign_in(page, live_url, user.email, "not-the-password")
    page.wait_for_selector(".flash-danger")
    assert "邮箱或密码不正确" in page.inner_text(".flash-danger")
    assert page.url.endswith("/login")
    shot(page, "wrong_password")
