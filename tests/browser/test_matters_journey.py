"""Issue 15's acceptance journey in a real browser: a liaison meeting's two decisions become 交办事项 for two units;
unit A signs (签收) in one click, unit B does not and is chased by the daily reminder run — one 未签收 line in its
mail at the aiosmtpd loopback server and a signed markdown message at the loopback DingTalk robot; unit A reports
completion, the secretariat confirms it (办结); the dashboard and the xlsx show both matters.

The suite pins today to Thursday 2024-07-18 (the matters are assigned that day); ACK_REMIND_WORKDAYS = 2, so the
reminder run on Monday 2024-07-22 chases what is still 待签收. Screenshots go to tests/output/screens/.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa

from tasktrack import settings as app_settings
from tasktrack.extensions import db
from tasktrack.models import Assignment, Matter, Meeting, Role, Task, Unit
from tasktrack.services import units
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.robot_server import SECRET, robot_server_fixture
from tests.services.test_reminders_sweep import give_addresses
from tests.smtp_server import smtp_server_fixture

pytestmark = pytest.mark.browser

smtp_server = smtp_server_fixture()
robot_server = robot_server_fixture()

UNIT_A, UNIT_B = "省民政厅", "省教育厅"
DECISION_A = "梳理本系统社会组织廉洁风险点，形成风险清单报专班办公室"
DECISION_B = "建立教育类社会组织数据共享机制，明确共享清单和更新频次"
CHASE_DAY = dt.date(2024, 7, 22)  # the 2nd working day after Thursday 18 July
NARRATIVE = "已形成本系统社会组织廉洁风险清单（共 12 项），于7月22日报专班办公室。"


def _count(model: type) -> int:
    db.session.rollback()  # see what the live server committed
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def _assignment(text: str) -> Assignment:
    db.session.rollback()
    matter = db.session.scalar(sa.select(Matter).join(Task, Matter.task_id == Task.id).where(Task.text == text))
    assert matter is not None, text
    [assignment] = matter.task.assignments
    return assignment


def _context(page: Any) -> Any:
    context = page.context.browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    return context


def _mail_text(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content()).replace("\r\n", "\n")


def test_meeting_decisions_become_matters_signed_chased_and_closed(app, live_url, page, shot, seeded, make_user,
                                                                   smtp_server, robot_server, tmp_path, runner):
    give_addresses()
    unit_a, unit_b = units.find_unit(UNIT_A), units.find_unit(UNIT_B)
    assert isinstance(unit_a, Unit)
    assert isinstance(unit_b, Unit)
    a_id, b_id = unit_a.id, unit_b.id
    b_mail = unit_b.contact_emails
    office = make_user(Role.SECRETARIAT, name="专班办公室王敏")
    liaison_a = make_user(Role.LIAISON, unit=UNIT_A, name="省民政厅联络员李华")

    # 1. The secretariat records the liaison meeting, inviting both units.
    sign_in(page, live_url, office.email, PASSWORD)
    page.wait_for_selector("nav")
    page.goto(f"{live_url}/meetings")
    page.wait_for_selector("h1:has-text('联络员会议')")
    page.fill("#title", "2024年第二次清廉社会组织建设工作专班成员单位联络员会议")
    page.fill("#held_on", "2024-07-16")
    page.fill("#place", "省民政厅301会议室")
    page.fill("#agenda", "通报上半年工作进展；研究部署下半年重点工作。")
    page.check(f"input[name=invited][value='{a_id}']")
    page.check(f"input[name=invited][value='{b_id}']")
    shot(page, "01_meeting_form")
    page.click("#new-meeting button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert "会议通知已发往 2 个单位" in page.inner_text(".flash-success")

    # 2. A decision whose deadline cannot be read is refused on its field; nothing is written.
    page.fill("#text", DECISION_A)
    page.fill("#deadline_phrase", "尽快")
    page.fill("#responsible_phrase", UNIT_A)
    page.click("#new-decision button[type=submit]")
    page.wait_for_selector("#new-decision .error")
    assert "尽快" in page.inner_text("#new-decision")
    assert page.input_value("#text") == DECISION_A  # what was typed is kept
    shot(page, "02_decision_refused")
    assert _count(Matter) == 0

    # 3. The two decisions become 交办事项, one unit each; the minutes record who was present.
    for text, owner in ((DECISION_A, UNIT_A), (DECISION_B, UNIT_B)):
        page.fill("#text", text)
        page.fill("#deadline_phrase", "2024年8月底前")
        page.fill("#responsible_phrase", owner)
        page.click("#new-decision button[type=submit]")
        page.wait_for_selector(".flash-success")
        assert "议定事项已转为交办事项" in page.inner_text(".flash-success")
    page.check(f"#minutes input[name=present][value='{a_id}']")
    page.check(f"#minutes input[name=present][value='{b_id}']")
    page.fill("#minutes textarea[name=minutes]", "会议议定两项事项，分别由省民政厅、省教育厅牵头落实。")
    page.click("#minutes button[type=submit]")
    page.wait_for_selector(".flash-success")
    decisions = page.inner_text("table")
    assert DECISION_A in decisions
    assert DECISION_B in decisions
    shot(page, "03_meeting_with_decisions")
    assert (_count(Meeting), _count(Matter)) == (1, 2)
    matter_a, matter_b = _assignment(DECISION_A), _assignment(DECISION_B)
    assert (matter_a.unit_id, matter_b.unit_id) == (a_id, b_id)
    assert matter_a.acknowledged_at is None  # a matter's assignment starts 待签收
    assert matter_b.acknowledged_at is None
    a_assignment, b_assignment = matter_a.id, matter_b.id

    # 4. Unit B's DingTalk robot: a webhook that is not http(s) is refused, then the loopback robot is set.
    robot_url = f"{live_url}/admin/units/{b_id}/dingtalk"
    page.goto(robot_url)
    page.fill("#dingtalk_webhook", "ftp://oapi.dingtalk.com/robot/send?access_token=abc")
    page.fill("#dingtalk_secret", SECRET)
    page.click("section.card form button:has-text('保存')")
    page.wait_for_selector(".error")
    assert "必须以 https:// 或 http:// 开头" in page.inner_text("body")
    db.session.rollback()
    assert db.session.get(Unit, b_id).dingtalk_webhook is None
    page.fill("#dingtalk_webhook", robot_server.webhook)
    page.fill("#dingtalk_secret", SECRET)
    page.click("section.card form button:has-text('保存')")
    page.wait_for_selector(".flash-success")
    assert "已保存钉钉机器人设置" in page.inner_text(".flash-success")
    page.goto(robot_url)
    body = page.inner_text("body")
    assert SECRET not in body
    assert robot_server.token not in body
    shot(page, "04_robot_set")

    # 5. Unit A's liaison signs the matter in one click from 我的任务; unit B's does nothing.
    liaison_context = _context(page)
    try:
        liaison = liaison_context.new_page()
        sign_in(liaison, live_url, liaison_a.email, PASSWORD)
        liaison.wait_for_selector("h1:has-text('我的任务')")
        card = liaison.locator(f"li.my-task[data-assignment='{a_assignment}']")
        assert DECISION_A in card.inner_text()
        assert "待签收" in card.inner_text()
        shot(liaison, "05_my_tasks_pending")
        card.locator("button:has-text('签收')").click()
        liaison.wait_for_selector(".flash-success")
        card = liaison.locator(f"li.my-task[data-assignment='{a_assignment}']")
        assert "已签收" in card.inner_text()
        assert card.locator("form.ack-form").count() == 0
        db.session.rollback()
        assert db.session.get(Assignment, a_assignment).acknowledged_at is not None
        assert db.session.get(Assignment, b_assignment).acknowledged_at is None

        # 6. The daily reminder run two working days later, then the outbox: mail and robot.
        app.config["PINNED_TODAY"] = CHASE_DAY
        result = runner.invoke(args=["reminders", "run"])
        assert result.exit_code == 0, result.output
        typed = app_settings.of(app)
        with app_settings.overridden(app, smtp=dataclasses.replace(typed.smtp, host=smtp_server.host,
                                                                   port=smtp_server.port, timeout=5),
                                     robots=dataclasses.replace(typed.robots, timeout=5)):
            result = runner.invoke(args=["outbox", "deliver"])
        assert result.exit_code == 0, result.output
        reminders_sent = [m for m in smtp_server.messages if "任务提醒" in m.message["Subject"]]
        [b_message] = [m.message for m in reminders_sent if b_mail in m.rcpt_tos]
        b_text = _mail_text(b_message)
        assert "未签收" in b_message["Subject"]
        [b_line] = [line for line in b_text.splitlines() if DECISION_B in line]
        assert "【未签收（已下达4天，请登录系统签收）】交办2. " in b_line  # numbered apart from plan task 2
        a_mails = [_mail_text(m.message) for m in reminders_sent if b_mail not in m.rcpt_tos]
        assert not any(DECISION_A in line and "未签收" in line for t in a_mails for line in t.splitlines())
        [robot_message] = robot_server.messages  # accepted = token, timestamp and signature checked
        assert [r.errcode for r in robot_server.requests] == [0]
        assert robot_message["msgtype"] == "markdown"
        markdown = robot_message["markdown"]["text"]
        assert UNIT_B in markdown
        [robot_line] = [line for line in markdown.splitlines() if DECISION_B in line]
        assert "【未签收（已下达4天，请登录系统签收）】[交办2. " in robot_line
        assert f"/assignments/{b_assignment})" in robot_line

        # 7. Unit A reports completion through the report page.
        liaison.goto(f"{live_url}/assignments/{a_assignment}/report")
        liaison.wait_for_selector("h1:has-text('报送进展')")
        liaison.select_option("#status", "completed")
        liaison.fill("#completed_on", CHASE_DAY.isoformat())
        liaison.fill("#narrative", NARRATIVE)
        shot(liaison, "06_report_form")
        liaison.click("button[type=submit]:has-text('提交报送')")
        liaison.wait_for_selector(".flash-success")
        assert "待确认办结" in liaison.inner_text(".flash-success")
    finally:
        liaison_context.close()

    # 8. The secretariat confirms it (办结).
    page.goto(f"{live_url}/assignments/{a_assignment}")
    page.wait_for_selector("text=办结审核")
    shot(page, "07_review")
    page.click("button:has-text('确认办结')")
    page.wait_for_selector(".flash-success")
    db.session.rollback()
    assert db.session.get(Assignment, a_assignment).completion_state.value == "confirmed"

    # 9. The dashboard's 交办事项 section shows both matters; its xlsx carries both texts.
    page.goto(f"{live_url}/dashboard")
    page.wait_for_selector("h1:has-text('督办总览')")
    section = page.locator("section#matters")
    rows = section.locator("tbody tr")
    assert rows.count() == 2
    assert DECISION_B in rows.nth(0).inner_text()  # the unfinished one first
    assert DECISION_A in rows.nth(1).inner_text()  # the 办结 one stays listed after it
    assert "已完成" in rows.nth(1).inner_text()
    assert section.locator("[data-matters='done']").inner_text() == "1"
    shot(page, "08_dashboard")
    with page.expect_download() as info:
        section.locator("a:has-text('Excel')").first.click()
    saved = tmp_path / "matters.xlsx"
    info.value.save_as(saved)
    workbook = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))
    cells = {str(c) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c}
    assert DECISION_A in cells
    assert DECISION_B in cells
