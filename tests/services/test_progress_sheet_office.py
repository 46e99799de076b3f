"""The workbook printed by a real office suite: the seeded 2024 plan with the demo data, through LibreOffice to PDF.

One LibreOffice run for the module. Checks what an office sees: A4 landscape pages, a page count within bounds,
the 工作进展情况表 text at 10 pt or more (after the fit-to-width scale), every task's text printed whole, nothing
outside the page; the first pages are rendered to tests/output/workbook-*.png to be looked at.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import Plan, PlanKind, Task
from tasktrack.services import exports, seeding
from tasktrack.services.work_groups import default_work_group
from tests import office

TODAY = dt.date(2024, 7, 18)
NOW = dt.datetime(2024, 7, 18, 2, 0, tzinfo=dt.UTC)

pytestmark = [pytest.mark.slow, pytest.mark.office]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_seeded_workbook_prints_as_an_office_expects(app: Any, seeded: None, tmp_path: Path) -> None:
    seeding.seed_demo(now=NOW, fast_hash=True)
    db.session.commit()
    province = default_work_group().id  # the demo adds the cities' and the county's 2024 plans too
    plan = db.session.scalars(sa.select(Plan).where(Plan.year == 2024, Plan.work_group_id == province,
                                                  Plan.kind == PlanKind.PLAN)).one()  # not the 交办事项
    tasks = db.session.scalars(sa.select(Task).where(Task.plan_id == plan.id, Task.is_deleted.is_(False))).all()
    _name, content = exports.export_plan(plan.id, "xlsx", TODAY)
    source = tmp_path / "workbook.xlsx"
    source.write_bytes(content)
    [pdf] = office.convert([source], tmp_path / "pdf")
    office.render_png(pdf, "workbook", first_pages=2, dpi=80)

    sizes = office.page_sizes(pdf)
    assert all(office.is_size(size, office.A4_LANDSCAPE) for size in sizes), sizes
    lines = office.lines(pdf)
    # The 工作进展情况表's pages are those with its header row (repeated on each).
    first = sorted({line.page for line in lines if "工作任务" in line.text})
    assert first[0] == 1
    assert first == list(range(1, len(first) + 1))
    assert 2 <= len(first) <= 5, len(first)  # 17 tasks, 199 assignments
    assert len(sizes) <= len(first) + 6  # the data sheet and the 指标 sheet follow
    body = [line for line in lines if line.page in first and line.sizes and line.y0 > 40]  # not the footer
    assert len(body) > 100
    assert min(min(line.sizes) for line in body) >= 10.5, "the fit-to-width scale shrank the 11 pt text"
    assert plan.title in office.text(pdf)
    assert "截至2024年7月18日" in office.text(pdf)
    printed = _squeeze("".join(line.text for line in lines if line.page in first))
    for task in tasks:
        # A cell's lines may be read beside the next cell's: each printed line of the task text must be there.
        assert all(piece in printed for piece in re.split(r"[，。、；]", _squeeze(task.text)) if piece), task.text
    assert "第1页共" in _squeeze(office.text(pdf))
    assert office.outside(pdf, top=5 * office.MM, right=8 * office.MM, bottom=5 * office.MM,
                          left=8 * office.MM) == []
