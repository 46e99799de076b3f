"""The secretariat reads the audit trail in a real browser: menu, table, filter form, pager, CSV link.
Screenshots go to tests/output/screens/."""

from __future__ import annotations

import pytest

from tasktrack.extensions import db
from tasktrack.models import AssignmentStatus, Role
from tasktrack.services import progress, units, users
from tasktrack.services.read.overview import unit_rows
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_secretariat_reads_and_filters_the_trail(live_url, page, shot, seeded, make_user, now):
    office = make_user(Role.SECRETARIAT, email="office@example.org", name="专班办公室王敏")
    liaison = make_user(Role.LIAISON, unit="省民政厅", email="mzt@example.org", name="省民政厅联络员李强")
    assignment = unit_rows(units.find_unit("省民政厅").id, now.date())[0].assignment
    progress.submit_report(assignment, author=liaison, status=AssignmentStatus.IN_PROGRESS, percent=30,
                           completed_on=None, narrative="已完成换届指引初稿<script>alert(1)</script>", now=now)
    users.update_user(liaison, actor=office, name="省民政厅联络员李强", role=Role.LIAISON, unit=liaison.unit,
                      phone="0571-8888 0000", now=now)
    db.session.commit()

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, live_url, office.email, PASSWORD)
    page.click("nav >> text=操作日志")
    page.wait_for_selector("h1:has-text('操作日志')")
    assert page.locator("table.audit tbody tr").count() == 50
    assert "第 1 /" in page.inner_text(".pager")
    # The sign-in is stamped with the live server's time of day, which may be before or after the fixed `now` of
    # the account change: find the change by its label, not by its place.
    first = page.locator("table.audit tbody tr", has_text="修改账号").first.inner_text()
    assert "电话" in first
    assert "0571-8888 0000" in first
    shot(page, "audit_all")

    page.select_option("select[name=action]", "progress.report")
    page.click("button:has-text('查询')")
    page.wait_for_selector("text=共 1 条")
    row = page.locator("table.audit tbody tr").first
    assert "报送进展" in row.inner_text()
    assert "<script>alert(1)</script>" in row.inner_text()  # shown as text, exactly as written
    assert dialogs == []  # the stored script never ran
    link = row.locator("a", has_text="进展报送")
    assert link.get_attribute("href") == f"/assignments/{assignment.id}"
    csv_href = page.get_attribute("a:has-text('下载 CSV')", "href")
    assert csv_href == "/admin/audit.csv?action=progress.report"
    shot(page, "audit_filtered")

    page.fill("input[name=from]", "2024-07-20")
    page.fill("input[name=to]", "2024-07-01")
    page.click("button:has-text('查询')")
    page.wait_for_selector(".flash-danger")
    assert "结束日期不能早于开始日期" in page.inner_text("#error-to")
    shot(page, "audit_bad_dates")

    page.goto(f"{live_url}/admin/audit")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "audit_phone")
