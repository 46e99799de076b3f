"""Matrix rows of progress reporting: the assignment page, reports, completion review, extension requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tasktrack.models import AssignmentStatus
from tasktrack.services import extension_requests, progress
from tasktrack.services.read.overview import unit_rows
from tests.web.matrix import ALL, SECRETARIAT, Ctx, Route

NOBODY: frozenset[str] = frozenset()
LIAISON = frozenset({"liaison"})


def setup(ctx: Ctx, people: dict[str, Any], now: dt.datetime) -> None:
    """Give the liaison's unit a claimed completion, a confirmed one (办结) and a pending extension request."""
    rows = [r.assignment for r in unit_rows(ctx.own_unit_id, now.date()) if r.assignment.id != ctx.own_assignment_id]
    claimed = rows[0]
    progress.submit_report(claimed, author=people["liaison"], status=AssignmentStatus.COMPLETED, percent=None,
                           completed_on=now.date(), narrative="已完成（矩阵）", now=now)
    dated = next(a for a in rows[1:] if a.task.due_date and a.task.due_date >= now.date())
    request = extension_requests.request_extension(dated, author=people["liaison"],
                                           requested_due=dated.task.due_date + dt.timedelta(days=30),
                                           reason="矩阵测试延期", now=now)
    confirmed = next(a for a in rows[1:] if a.id != dated.id)
    extendable = next(a for a in rows[1:] if a.id not in (dated.id, confirmed.id)
                      and extension_requests.refusal(a, today=now.date(), pending=None) is None)
    progress.submit_report(confirmed, author=people["liaison"], status=AssignmentStatus.COMPLETED, percent=None,
                           completed_on=now.date(), narrative="已完成（矩阵）", now=now)
    progress.confirm_completion(confirmed, actor=people["secretariat"], note=None, now=now)
    ctx.extra.update(extendable_id=extendable.id, later_due=str(extendable.effective_due + dt.timedelta(days=30)))
    ctx.extra.update(claimed_id=claimed.id, extension_id=request.id, dated_id=dated.id, confirmed_id=confirmed.id)


def _report(c: Ctx) -> dict[str, Any]:
    return {"status": "in_progress", "percent": "20", "narrative": "矩阵测试：继续推进",
            "base_report_id": str(c.extra["report_id"])}


ROUTES = [
    Route("everyone.assignment", "GET", lambda c: f"/assignments/{c.own_assignment_id}", ALL),
    Route("everyone.assignment", "GET", lambda c: f"/assignments/{c.other_assignment_id}", ALL,
          note="every signed-in role reads every assignment's history"),
    Route("liaison.report", "GET", lambda c: f"/assignments/{c.own_assignment_id}/report", LIAISON),
    Route("liaison.report", "GET", lambda c: f"/assignments/{c.other_assignment_id}/report", NOBODY),
    Route("liaison.report", "POST", lambda c: f"/assignments/{c.own_assignment_id}/report", LIAISON, data=_report),
    Route("liaison.report", "POST", lambda c: f"/assignments/{c.other_assignment_id}/report", NOBODY, data=_report,
          note="writing to another unit's assignment is 403"),
    Route("liaison.unchanged", "POST", lambda c: f"/assignments/{c.own_assignment_id}/unchanged", LIAISON,
          data=lambda c: {"base_report_id": str(c.extra["report_id"])}),
    Route("liaison.unchanged", "POST", lambda c: f"/assignments/{c.other_assignment_id}/unchanged", NOBODY,
          data=lambda c: {"base_report_id": ""}),
    Route("liaison.extension", "GET", lambda c: f"/assignments/{c.own_assignment_id}/extension", LIAISON),
    Route("liaison.extension", "GET", lambda c: f"/assignments/{c.other_assignment_id}/extension", NOBODY),
    Route("liaison.extension", "POST", lambda c: f"/assignments/{c.extra['extendable_id']}/extension", LIAISON,
          data=lambda c: {"requested_due": c.extra["later_due"], "reason": "矩阵"}),
    Route("liaison.extension", "POST", lambda c: f"/assignments/{c.own_assignment_id}/extension", LIAISON,
          data=lambda c: {"requested_due": "2024-12-31", "reason": "矩阵"}, ok=409,
          note="no due date to move: the page says why instead of a form (nothing written)"),
    Route("liaison.extension", "POST", lambda c: f"/assignments/{c.other_assignment_id}/extension", NOBODY,
          data=lambda c: {"requested_due": "2024-12-31", "reason": "矩阵"}),
    Route("secretariat.confirm", "POST", lambda c: f"/assignments/{c.extra['claimed_id']}/confirm", SECRETARIAT,
          data=lambda c: {"note": ""}),
    Route("secretariat.send_back", "POST", lambda c: f"/assignments/{c.extra['claimed_id']}/send-back", SECRETARIAT,
          data=lambda c: {"note": "材料不全"}),
    Route("secretariat.reopen_completion", "POST", lambda c: f"/assignments/{c.extra['confirmed_id']}/reopen",
          SECRETARIAT,
          data=lambda c: {"reason": "核实发现尚未完成"}, note="only the secretariat reopens a confirmed completion"),
    Route("liaison.report", "GET", lambda c: f"/assignments/{c.extra['confirmed_id']}/report", NOBODY,
          note="a confirmed completion (办结): its unit no longer reports or reopens it"),
    Route("liaison.report", "POST", lambda c: f"/assignments/{c.extra['confirmed_id']}/report", NOBODY,
          data=lambda c: {"status": "in_progress", "narrative": "重新打开", "reason": "单位想重新打开",
                          "base_report_id": ""}),
    Route("secretariat.completions", "GET", lambda c: "/review/completions", SECRETARIAT),
    Route("secretariat.extension_queue", "GET", lambda c: "/review/extensions", SECRETARIAT),
    Route("secretariat.decide_extension", "POST", lambda c: f"/extensions/{c.extra['extension_id']}/decide",
          SECRETARIAT, data=lambda c: {"decision": "approve", "note": ""}),
]
