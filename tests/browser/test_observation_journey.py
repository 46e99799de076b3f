"""Issue #5's acceptance journey in a real browser: an observation point chooses two focus items (a third is
refused), logs pilot progress and submits a case with a PDF; the secretariat returns it, the unit revises and
resubmits, the secretariat accepts and features it and downloads the compilation, which opens as a .docx with
the case as a chapter. Screenshots go to tests/output/screens/<test>/."""

from __future__ import annotations

import datetime as dt
import re

import docx
import pytest
import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import CaseReport, CaseStatus, Category, FocusChoice, FocusItem, Role, UnitKind
from tasktrack.services import units
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
POINT = "宁波市鄞州区观察点"
TITLE_V1 = "鄞州区社会组织内部治理“三张清单”试点"
TITLE_V2 = "鄞州区社会组织内部治理“三张清单”试点经验"


def _focus(name_code: str) -> FocusItem:
    item = db.session.scalar(sa.select(FocusItem).where(FocusItem.code == name_code))
    assert item is not None
    return item


def _current_choice_items(unit_id: int) -> dict[str, str]:
    db.session.rollback()  # see what the live server committed
    choice = db.session.scalar(sa.select(FocusChoice).where(FocusChoice.unit_id == unit_id,
                                                            FocusChoice.is_current.is_(True)))
    assert choice is not None
    return {i.focus_item.code: i.plan_text for i in choice.items}


def test_observation_point_and_case_journey(app, live_url, page, shot, seeded, make_user, now, tmp_path):
    # The choice is due by 2024-04-30 (the seed's deadline): the journey happens a week before it.
    app.config["PINNED_TODAY"] = dt.date(2024, 4, 22)
    category = db.session.scalar(sa.select(Category).where(Category.name == "观察点"))
    unit, _ = units.save_unit(None, actor=None, name=POINT, kind=UnitKind.OBSERVATION_POINT, categories=[category],
                              contact_emails="", leader_email=None, now=now)
    db.session.commit()
    unit_id = unit.id
    point_user = make_user(Role.OBSERVATION_POINT, unit=POINT, name="鄞州区观察点联络员李娜")
    secretariat = make_user(Role.SECRETARIAT, name="专班办公室王敏")
    internal, awards, nonprofit = (_focus("internal_management"), _focus("awards_cleanup"),
                                   _focus("nonprofit_supervision"))

    # 1. The observation point chooses two focus items, each with a short plan.
    sign_in(page, live_url, point_user.email, PASSWORD)
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))
    page.goto(f"{live_url}/observation/")
    page.wait_for_selector(f"h1:has-text('{POINT}')")
    assert "尚未选择工作重点" in page.inner_text("section.obs-current")
    page.check(f"#item-{internal.id}")
    page.fill(f"#plan-{internal.id}", "修订章程，建立理事会议事规则和财务审批清单。")
    page.check(f"#item-{awards.id}")
    page.fill(f"#plan-{awards.id}", "梳理辖区内评比表彰活动，年底前清理不合规项目。")
    shot(page, "01_choose_two")
    page.click("#choice-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert "已保存工作重点选择（第 1 版）" in page.inner_text(".flash-success")
    current = page.inner_text("section.obs-current")
    assert internal.name in current
    assert awards.name in current
    assert nonprofit.name not in current
    shot(page, "02_saved_two")

    # 2. A third item is refused with a clear message, and nothing is saved.
    page.check(f"#item-{nonprofit.id}")
    page.fill(f"#plan-{nonprofit.id}", "试点社会服务机构非营利监管。")
    page.click("#choice-form button[type=submit]")
    page.wait_for_selector("#choice-form .error")
    assert "最多只能选择 2 项工作重点，您选择了 3 项，未保存" in page.inner_text("#choice-form .error")
    # The form keeps what was typed, so the user can untick one and try again.
    assert page.is_checked(f"#item-{nonprofit.id}")
    assert page.input_value(f"#plan-{nonprofit.id}") == "试点社会服务机构非营利监管。"
    # The pilot-log form beside it is not blanked by the refused choice (its date still defaults to today).
    assert page.input_value("#log_date") == "2024-04-22"
    shot(page, "03_third_refused")
    assert _current_choice_items(unit_id) == {
        "internal_management": "修订章程，建立理事会议事规则和财务审批清单。",
        "awards_cleanup": "梳理辖区内评比表彰活动，年底前清理不合规项目。",
    }
    page.goto(f"{live_url}/observation/points/{unit_id}")
    current = page.inner_text("section.obs-current")
    assert "第 1 版" in current
    assert nonprofit.name not in current

    # 3a. A pilot note with a program renamed .pdf is refused; the page keeps the saved choice ticked.
    fake = tmp_path / "进展材料.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    page.select_option("#focus_item_id", str(internal.id))
    page.fill("#note", "召开理事会，审议通过新版章程和财务审批清单。")
    page.set_input_files("#attachments", str(fake))
    page.click("#log-form button[type=submit]")
    page.wait_for_selector("#log-form .error")
    shot(page, "04a_log_refused")
    assert page.locator("#timeline li.timeline-entry").count() == 0
    assert page.is_checked(f"#item-{internal.id}")
    assert page.is_checked(f"#item-{awards.id}")
    assert not page.is_checked(f"#item-{nonprofit.id}")
    assert page.input_value("#note") == "召开理事会，审议通过新版章程和财务审批清单。"

    # 3. Pilot progress: a dated note on a chosen item shows on the timeline.
    page.select_option("#focus_item_id", str(internal.id))
    page.fill("#log_date", "2024-04-19")
    page.fill("#note", "召开理事会，审议通过新版章程和财务审批清单。")
    page.click("#log-form button[type=submit]")
    page.wait_for_selector(".flash-success:has-text('已记录试点进展')")
    entry = page.locator("#timeline li.timeline-entry").filter(has_text="召开理事会")
    assert entry.count() == 1
    assert entry.locator(".when").inner_text() == "2024年4月19日"
    # It sits under the item it was logged on, not the other one.
    assert page.locator("#timeline h3").first.inner_text() == internal.name
    shot(page, "04_pilot_log")

    # 4. A case report with a PDF attachment.
    pdf = tmp_path / "三张清单试点材料.pdf"
    pdf.write_bytes(PDF)
    page.goto(f"{live_url}/cases/new")
    page.wait_for_selector("h1:has-text('报送案例')")
    page.select_option("#kind", "practice")
    page.fill("#title", TITLE_V1)
    page.fill("#summary", "鄞州区在 12 家社会组织试行权力、责任、负面“三张清单”。")
    page.fill("#body", "一、背景\n二、主要做法\n三、初步成效")
    page.select_option("#focus_item_id", str(internal.id))
    page.set_input_files("#attachments", str(pdf))
    shot(page, "05_case_form")
    page.click("#case-form button[type=submit]")
    page.wait_for_selector("#case-status")
    assert f"已报送《{TITLE_V1}》" in page.inner_text(".flash-success")
    assert page.inner_text("#case-status") == "待审核"
    assert "经验做法" in page.inner_text(".page-head")
    assert page.locator("a:has-text('三张清单试点材料.pdf')").count() == 1
    assert internal.name in page.inner_text(".page-head")
    case_url = page.url
    shot(page, "06_case_submitted")
    db.session.rollback()
    case = db.session.scalar(sa.select(CaseReport).where(CaseReport.unit_id == unit_id))
    assert case is not None
    assert case.status is CaseStatus.SUBMITTED
    assert case.version == 1
    case_id = case.id

    # 5. The secretariat (a second browser) returns it with a comment.
    context = page.context.browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    office = context.new_page()
    try:
        sign_in(office, live_url, secretariat.email, PASSWORD)
        office.wait_for_url(re.compile(r"^(?!.*/login).*$"))
        office.goto(f"{live_url}/cases/")
        office.wait_for_selector(f".case-row[data-case='{case_id}']")
        shot(office, "07_library")
        office.click(f".case-row[data-case='{case_id}'] a")
        office.wait_for_selector("#review-form")
        office.select_option("#action", "return")
        office.fill("#comment", "请补充试点成效的具体数据。")
        shot(office, "08_return_form")
        office.click("#review-form button[type=submit]")
        office.wait_for_selector(".flash-success")
        assert f"已退回修改《{TITLE_V1}》" in office.inner_text(".flash-success")
        assert office.inner_text("#case-status") == "已退回修改"
        shot(office, "09_returned")

        # 6. The unit sees the comment, revises and resubmits; both versions are kept.
        page.goto(case_url)
        page.wait_for_selector("#case-status")
        assert page.inner_text("#case-status") == "已退回修改"
        assert "请补充试点成效的具体数据。" in page.inner_text("ol.timeline")
        page.click("a:has-text('修改后重新报送')")
        page.wait_for_selector("#case-form")
        assert "退回意见：请补充试点成效的具体数据。" in page.inner_text(".page-head")
        assert page.input_value("#title") == TITLE_V1
        page.fill("#title", TITLE_V2)
        page.fill("#body", "一、背景\n二、主要做法\n三、初步成效：12 家社会组织全部完成章程修订。")
        shot(page, "10_revise")
        page.click("#case-form button[type=submit]")
        page.wait_for_selector(".flash-success")
        assert f"已重新报送《{TITLE_V2}》（第 2 版）" in page.inner_text(".flash-success")
        versions = page.locator("details.case-version")
        assert versions.count() == 2
        assert TITLE_V2 in versions.nth(0).inner_text()
        assert TITLE_V1 in versions.nth(1).inner_text()
        assert page.locator("a:has-text('三张清单试点材料.pdf')").count() == 1  # the upload is kept
        shot(page, "11_resubmitted")

        # 7. The secretariat accepts and features it.
        office.goto(case_url)
        office.wait_for_selector("details.case-version")
        assert office.locator("details.case-version").count() == 2
        for action, flash in (("accept", "采用"), ("feature", "入选汇编")):
            office.select_option("#action", action)
            office.click("#review-form button[type=submit]")
            office.wait_for_selector(f".flash-success:has-text('{flash}')")
        assert office.inner_text("#case-status") == "入选汇编"
        assert "汇编第 1 篇" in office.inner_text(".page-head")
        shot(office, "12_featured")
        db.session.rollback()
        case = db.session.get(CaseReport, case_id)
        assert case is not None
        assert case.status is CaseStatus.FEATURED
        assert case.version == 2

        # 8. The compilation lists it and downloads as a .docx with the case as a chapter heading.
        office.goto(f"{live_url}/cases/compilation")
        office.wait_for_selector("#order-form")
        assert TITLE_V2 in office.inner_text("#order-form")
        shot(office, "13_compilation")
        with office.expect_download() as info:
            office.click("#download-compilation")
        download = info.value
        assert download.suggested_filename.endswith(".docx")
        target = tmp_path / "汇编.docx"
        download.save_as(str(target))
    finally:
        context.close()
    document = docx.Document(str(target))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert f"案例1　{TITLE_V2}" in headings, headings
    assert not any(TITLE_V1 in h and TITLE_V2 not in h for h in headings)
    text = "\n".join(p.text for p in document.paragraphs)
    assert POINT in text
    assert "12 家社会组织全部完成章程修订" in text
