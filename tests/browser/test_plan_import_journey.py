"""The plan import journey in a browser: upload a Word plan in the numbered layout, fix its two problems on the
review page (a unit the work group lacks, a deadline nobody can read), publish, and the new unit's liaison finds
the task in 我的任务. Screenshots go to tests/output/screens/."""

from __future__ import annotations

import io

import docx
import pytest

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

TITLE = "2025年全省社会组织清廉建设工作要点"


def numbered_plan_docx() -> bytes:
    """A small plan as a secretariat receives it: sections 一、, items （一） with the owners (and the deadline) in a
    trailing parenthesis; 省数据局 is not a unit of the work group and "2025年汛期前完成" is no date."""
    document = docx.Document()
    document.add_heading(TITLE, level=1)
    for line in (
        "为深入推进清廉社会组织建设，现提出2025年工作要点如下。",
        "一、强化党建引领",
        "（一）推进党建入章。推动社会组织将党建工作写入章程，实现应入尽入。"
        "（省民政厅、省委组织部按职责分工负责，2025年6月底前完成）",
        "（二）建立信息共享机制。归集社会组织登记、年检、评估和处罚信息，向成员单位开放查询。"
        "（省数据局负责，2025年9月底前完成）",
        "二、加强规范管理",
        "（三）开展专项检查。对行业协会商会涉企收费开展专项检查，发现问题限期整改。"
        "（省民政厅负责，2025年汛期前完成）",
    ):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_import_fix_publish_and_the_new_units_liaison_sees_the_task(live_url, page, shot, seeded, make_user):
    secretary = make_user("secretariat", name="专班办公室王敏")
    sign_in(page, live_url, secretary.email, PASSWORD)
    page.wait_for_selector("nav >> text=工作计划")

    # The page is found from 工作计划, not typed in.
    page.goto(f"{live_url}/plans")
    page.click("a:has-text('导入工作计划')")
    page.wait_for_selector("h1:has-text('导入工作计划')")
    shot(page, "import_form")
    page.set_input_files("input[type=file]", files=[{
        "name": "2025年工作要点.docx", "buffer": numbered_plan_docx(),
        "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}])
    page.click("button:has-text('读取并生成草稿')")

    page.wait_for_selector(f"h1:has-text('{TITLE}')")
    assert f"已读取《{TITLE}》：3项任务" in page.inner_text(".flash-success")
    assert "还有 2 处问题待处理" in page.inner_text("main")
    assert page.locator("button:has-text('发布计划')").is_disabled()
    names = page.locator("#names").inner_text()
    assert "省数据局" in names
    assert "系统中没有这个单位" in names
    assert page.locator("tr#task-3 input[aria-label=完成时间节点]").input_value() == "2025年汛期前完成"
    assert "无法识别的完成时间节点" in page.locator("tr#task-3 .error").inner_text()
    assert page.locator("tr#task-2 .error").inner_text().count("省数据局") == 1
    assert page.locator("tr#task-1 .error").count() == 0
    # No role wording: the two units share the task, neither leads.
    assert "负责：省委组织部、省民政厅" in page.locator("tr#task-1").inner_text()
    delete = page.locator("tr#task-1 button:has-text('删除此行')")
    assert delete.is_visible()
    assert delete.evaluate("e => getComputedStyle(e).color") != "rgb(255, 255, 255)"  # it was white on white
    assert not page.locator("button:has-text('确定放弃草稿')").is_visible()  # 放弃草稿 asks first
    page.click("summary:has-text('放弃草稿')")
    assert page.locator("button:has-text('确定放弃草稿')").is_visible()
    page.click("summary:has-text('放弃草稿')")
    folder = shot(page, "review_before").parent
    page.locator("tr#task-2").scroll_into_view_if_needed()
    page.screenshot(path=str(folder / "review_before_rows_viewport.png"))  # the sticky header and save bar
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "review_before_phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Problem 1: the unit the document names does not exist yet — 新建单位, right on the review page.
    page.locator("#names tr:has-text('省数据局') button:has-text('新建单位')").click()
    page.wait_for_selector(".flash-success:has-text('已新建单位“省数据局”')")
    assert page.locator("tr#task-2 .error").count() == 0
    assert "省数据局" in page.locator("tr#task-2").inner_text()

    # Problem 2: the deadline, corrected in the table and saved with Enter (the form's first button is 保存修改,
    # not row 1's 删除此行).
    page.fill("tr#task-3 input[aria-label=完成时间节点]", "2025年6月底前")
    page.press("tr#task-3 input[aria-label=完成时间节点]", "Enter")
    page.wait_for_selector(".flash-success:has-text('已保存 1 行修改')")
    assert page.locator("tr.has-problem").count() == 0
    assert page.locator("tr#task-1 textarea[aria-label=具体工作]").input_value().startswith("推进党建入章")
    assert "2025年6月30日前" in page.locator("tr#task-3").inner_text()
    assert "没有待处理的问题，可以发布" in page.inner_text("main")
    shot(page, "review_after")

    page.click("button:has-text('发布计划')")
    page.wait_for_selector(f".flash-success:has-text('已发布《{TITLE}》')")
    assert page.locator("tr.task-row").count() == 3

    # A liaison account for the new unit, made on the secretariat's account page.
    page.goto(f"{live_url}/admin/users/new")
    page.fill("#email", "shujuju@example.org")
    page.fill("#name", "省数据局联络员李娜")
    page.select_option("#role", label="联络员")
    page.select_option("#unit_id", label="省数据局")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('保存')")
    page.wait_for_selector(".flash-success:has-text('已创建账号 shujuju@example.org')")
    page.click("nav button:has-text('退出')")

    sign_in(page, live_url, "shujuju@example.org", PASSWORD)
    page.wait_for_selector("h1:has-text('我的任务')")
    tasks = page.locator("li.my-task")
    assert tasks.count() == 1
    assert "建立信息共享机制" in tasks.inner_text()
    assert "2025年9月底前完成" in tasks.inner_text()
    assert "牵头" in tasks.inner_text()
    shot(page, "liaison_my_tasks")
