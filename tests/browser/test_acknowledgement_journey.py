"""签收 in a real browser: a liaison signs one task in one click from 我的任务, another with the folded 承办人 fields,
and a phone-sized screen still shows the button. Screenshots go to tests/output/screens/."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_liaison_signs_in_one_click(live_url, page, shot, seeded, make_user):
    user = make_user("liaison", unit="省教育厅", name="省教育厅联络员陈静")
    sign_in(page, live_url, user.email, PASSWORD)
    page.wait_for_selector("h1:has-text('我的任务')")
    buttons = page.locator("form.ack-form button:has-text('签收')")
    before = buttons.count()
    assert before == page.locator("li.my-task").count() > 1
    shot(page, "pending")

    card = page.locator("li.my-task[data-task='1']")
    card.locator("button:has-text('签收')").click()
    page.wait_for_selector("text=已签收：任务 1")
    card = page.locator("li.my-task[data-task='1']")
    assert "已签收" in card.inner_text()
    assert card.locator("form.ack-form").count() == 0

    card = page.locator("li.my-task[data-task='2']")
    card.locator("summary:has-text('填写承办人')").click()
    card.locator("input[name=handler_name]").fill("王芳")
    card.locator("input[name=handler_phone]").fill("0571-88886666")
    card.locator("button:has-text('签收')").click()
    page.wait_for_selector("text=已签收：任务 2")
    assert "承办人 王芳 0571-88886666" in page.locator("li.my-task[data-task='2']").inner_text()
    assert page.locator("form.ack-form button:has-text('签收')").count() == before - 2
    shot(page, "signed")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("li.my-task[data-task='3'] button:has-text('签收')").is_visible()
    shot(page, "phone")
