"""Matrix rows of 上级下达任务 (/inbound, its forms, the API): the addressed work group's secretariat only.

The matrix's secretariat works in the provincial work group, so the setup puts a work group above it (a national
one whose plan addresses a task to a unit standing for the province): that task is the province's inbound
assignment. Every other role is refused by the secretariat blueprint (403); an assignment that is not the caller's
inbound task is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tasktrack.domain.plan_review import DraftRow
from tasktrack.extensions import db
from tasktrack.models import Plan, Unit, UnitKind, WorkGroup, WorkGroupLevel
from tasktrack.services import plans
from tests.web.matrix import SECRETARIAT, Ctx, Route


def setup(ctx: Ctx, people: dict[str, Any], now: dt.datetime) -> None:
    """A national work group above the province, its plan's task for the unit standing for the province."""
    plan = db.session.get(Plan, ctx.plan_id)
    assert plan is not None
    province = db.session.get(WorkGroup, plan.work_group_id)
    assert province is not None
    above = WorkGroup(name="矩阵测试上级专班", level=WorkGroupLevel.PROVINCE, created_at=now)
    db.session.add(above)
    db.session.flush()
    province.parent_id = above.id
    db.session.add(Unit(work_group_id=above.id, name="浙江省", kind=UnitKind.OTHER, created_at=now,
                        represents_work_group_id=province.id))
    db.session.flush()
    national = plans.import_plan(
        plans.PlanMeta(year=2024, title="矩阵测试上级计划", issuer="矩阵测试上级专班"),
        [DraftRow(key=1, section_number=1, section_title="一、矩阵", number=1, text="矩阵测试下达任务",
                  deadline_phrase="2024年12月底前", responsible_phrase="浙江省")],
        actor=None, now=now, work_group=above).plan
    inbound = national.sections[0].tasks[0].assignments[0]
    own_task = plan.sections[0].tasks[0]
    ctx.extra.update(inbound_id=inbound.id, own_task_id=own_task.id)


def _decompose(c: Ctx) -> dict[str, Any]:
    return {"plan": str(c.plan_id), "text": "矩阵分解任务", "deadline_phrase": "2024年11月底前",
            "responsible_phrase": "省民政厅"}


ROUTES = [
    Route("secretariat.inbound_list", "GET", lambda c: "/inbound", SECRETARIAT),
    Route("secretariat.inbound_detail", "GET", lambda c: f"/inbound/{c.extra['inbound_id']}", SECRETARIAT),
    Route("secretariat.inbound_detail", "GET", lambda c: f"/inbound/{c.own_assignment_id}", SECRETARIAT, ok=404,
          note="a plain assignment of the caller's own plan is not an inbound task"),
    Route("secretariat.inbound_decompose", "POST", lambda c: f"/inbound/{c.extra['inbound_id']}/decompose",
          SECRETARIAT, data=_decompose),
    Route("secretariat.inbound_decompose", "POST", lambda c: f"/inbound/{c.own_assignment_id}/decompose",
          SECRETARIAT, data=_decompose, ok=404),
    Route("secretariat.inbound_link", "POST", lambda c: f"/inbound/{c.extra['inbound_id']}/link", SECRETARIAT,
          data=lambda c: {"task_id": str(c.extra["own_task_id"])}),
    Route("secretariat.inbound_unlink", "POST", lambda c: f"/inbound/{c.extra['inbound_id']}/unlink", SECRETARIAT,
          data=lambda c: {"task_id": str(c.extra["own_task_id"])}, ok=404,
          note="nothing is linked in the shared setup: 404 (the web tests unlink a linked task)"),
    Route("secretariat.inbound_report", "POST", lambda c: f"/inbound/{c.extra['inbound_id']}/report", SECRETARIAT,
          data=lambda c: {"status": "in_progress", "narrative": "矩阵汇总"}),
    Route("api.inbound_list", "GET", lambda c: "/api/v1/inbound", SECRETARIAT),
]
