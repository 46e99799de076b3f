"""上级下达任务 in a browser: 杭州's secretariat decomposes a provincial task into a task for two of its units;
the province reads the decomposition on the assignment page (screenshots under tests/output/screens/)."""

from __future__ import annotations

from typing import Any

import pytest

from tasktrack.extensions import db
from tests.browser.conftest import sign_in
from tests.levels import PASSWORD, build_levels

pytestmark = pytest.mark.browser


def test_city_decomposes_and_province_reads(live_url: str, page: Any, shot: Any, seeded: None, now: Any) -> None:
    lv = build_levels(now)
    db.session.commit()
    sign_in(page, live_url, lv.city_secretariat.email, PASSWORD)
    page.click("nav >> text=上级下达任务")
    page.wait_for_selector("h1:has-text('上级下达任务')")
    assert page.locator(f"#inbound-{lv.inbound.id}").inner_text().count("未分解") == 1
    shot(page, "inbound-list-before")
    page.click(f"#inbound-{lv.inbound.id} a.btn")
    page.wait_for_selector("#decompose")
    page.select_option("#decompose select[name=plan]", str(lv.city_plan.id))
    page.fill("#decompose textarea[name=text]", "全市社会组织清廉建设专项行动")
    page.fill("#decompose input[name=deadline_phrase]", "2024年6月底前")
    page.fill("#decompose input[name=responsible_phrase]", "市民政局牵头，市财政局配合")
    page.click("#decompose button[type=submit]")
    page.wait_for_selector("text=已分解")
    assert "逾期单位：市民政局、市财政局" in page.locator("#decomposition").inner_text()
    shot(page, "inbound-detail-decomposed")

    page.context.clear_cookies()
    sign_in(page, live_url, lv.province_secretariat.email, PASSWORD)
    page.goto(f"{live_url}/assignments/{lv.inbound.id}")
    page.wait_for_selector("#decomposition")
    assert "市财政局" in page.locator("#decomposition").inner_text()
    shot(page, "inbound-province-drill-down")
