"""The print view printed by the real browser: the 2024 plan with the demo data fits in five A4 landscape pages.

Chromium prints /plans/<id>/print to PDF with the page's own @page size (A4 landscape); pdfminer counts the pages
and reads the text; the first pages are rendered to tests/output/print-view-*.png to be looked at.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import Plan, PlanKind, Task
from tasktrack.services import seeding
from tasktrack.services.work_groups import default_work_group
from tests import office
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

NOW = dt.datetime(2024, 7, 18, 2, 0, tzinfo=dt.UTC)


def squeeze(text: str) -> str:
    """Return text without white space, NFKC-folded: Chromium's PDF maps some glyphs to Kangxi radicals (⼯ for 工)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def printed_as(text: str) -> re.Pattern[str]:
    """Match text as the PDF spells it: any character may come out as a CJK radical NFKC leaves alone (⻔ for 门)."""
    return re.compile("".join(f"(?:{re.escape(c)}|[\u2e80-\u2eff])" for c in squeeze(text)))


def test_print_view_of_the_2024_plan_fits_five_a4_landscape_pages(live_url: str, page: Any, shot: Any, seeded: None,
                                                                   make_user: Any, tmp_path: Path) -> None:
    seeding.seed_demo(now=NOW, fast_hash=True)
    db.session.commit()
    province = default_work_group().id  # the demo adds the cities' and the county's 2024 plans too
    plan = db.session.scalars(sa.select(Plan).where(Plan.year == 2024, Plan.work_group_id == province,
                                                  Plan.kind == PlanKind.PLAN)).one()  # not the 交办事项
    tasks = db.session.scalars(sa.select(Task).where(Task.plan_id == plan.id, Task.is_deleted.is_(False))).all()
    viewer = make_user("viewer")
    sign_in(page, live_url, viewer.email, PASSWORD)
    page.wait_for_selector("h1")
    page.goto(f"{live_url}/plans/{plan.id}/print")
    page.wait_for_selector(".print-table")
    assert page.locator("tr.task-row").count() == len(tasks)  # the task text once: one row per task
    assert page.locator("tr.section-row").count() == 5
    # A status label is never wrapped one character per line.
    heights = page.eval_on_selector_all(".print-table .state", "els => els.map(e => e.getBoundingClientRect().height)")
    line = page.eval_on_selector(".print-table .state", "e => parseFloat(getComputedStyle(e).lineHeight)")
    assert heights
    assert max(heights) < 1.5 * line

    shot(page, "screen")  # the page on screen, before it is printed
    pdf = tmp_path / "print.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    office.render_png(pdf, "print-view", first_pages=2, dpi=80)
    sizes = office.page_sizes(pdf)
    assert 1 <= len(sizes) <= 5, len(sizes)
    assert all(office.is_size(size, office.A4_LANDSCAPE) for size in sizes), sizes
    printed = office.text(pdf)
    squeezed = squeeze(printed)
    assert "返回总览" not in printed  # no buttons, no navigation on paper
    assert "督办总览" not in printed
    for task in tasks:  # a cell's lines are read beside its neighbours' (pdfminer): its first line is printed whole
        assert printed_as(task.text[:8]).search(squeezed), task.text
    assert squeeze("湖州市德清县观察点") in squeeze(office.lines(pdf)[-1].text)  # the last row, printed to its end
    assert printed_as("临近截止：省教育厅（40%）").search(squeezed)  # the demo's reports, grouped by state
    assert printed_as("逾期：省民政厅（60%）").search(squeezed)
    assert printed_as("已征集各地案例42篇").search(squeezed)
    # Every page repeats the header row.
    header_pages = {line.page for line in office.lines(pdf) if squeeze("责任单位及进展") in squeeze(line.text)}
    assert header_pages == set(range(1, len(sizes) + 1))
    sizes_pt = [s for line in office.lines(pdf) for s in line.sizes]
    assert min(sizes_pt) >= 9  # readable on paper
    assert office.outside(pdf, top=10 * office.MM, right=10 * office.MM, bottom=10 * office.MM,
                          left=10 * office.MM) == []
