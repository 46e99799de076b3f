"""Matrix rows of 新建年度计划 and 结转 (the secretariat's): the plan page's button and the 结转 page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tasktrack.extensions import db
from tasktrack.models import ImportStatus, Plan, PlanImport
from tests.web.matrix import SECRETARIAT, Ctx, Route


def setup(ctx: Ctx, people: dict[str, Any], now: dt.datetime) -> None:
    """A plan published from a draft copied from the seeded plan (cheap: no tasks), so 结转 has a page."""
    source = db.session.get(Plan, ctx.plan_id)
    assert source is not None
    plan = Plan(work_group_id=source.work_group_id, year=2025, title="矩阵测试结转计划", issuer="专班", created_at=now)
    db.session.add(plan)
    db.session.flush()
    db.session.add(PlanImport(
        work_group_id=source.work_group_id, status=ImportStatus.PUBLISHED, title=plan.title, year=2025,
        source_name="矩阵测试.tsv", source_format="tsv", source_size=0, source_sha256="0" * 64, source_key="none",
        plan_id=plan.id, derived_from_id=source.id, created_at=now, updated_at=now))
    ctx.extra["derived_plan_id"] = plan.id


ROUTES = [
    Route("secretariat.plan_next_year", "POST", lambda c: f"/plans/{c.plan_id}/next-year", SECRETARIAT,
          data=lambda c: {"year": "2026"}),
    Route("secretariat.plan_carry_over", "GET", lambda c: f"/plans/{c.extra['derived_plan_id']}/carry-over",
          SECRETARIAT),
    Route("secretariat.plan_carry_over", "GET", lambda c: f"/plans/{c.plan_id}/carry-over", SECRETARIAT, ok=404,
          note="a plan not copied from another has nothing to carry over"),
    Route("secretariat.plan_carry_over", "POST", lambda c: f"/plans/{c.extra['derived_plan_id']}/carry-over",
          SECRETARIAT, data=lambda c: {"action": "close", "picked": [str(c.other_assignment_id)],
                                       "reason": "矩阵测试关闭"}),
]
