"""API: the caller's work group's 上级下达任务 (inbound assignments) with their decomposition and roll-up."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from tasktrack import context
from tasktrack.permissions import Action, require
from tasktrack.services import cascade
from tasktrack.services.work_groups import home_work_group
from tasktrack.web.api.schemas import LIGHTS, ref
from tasktrack.web.api.views import api_user, bp

STATES = ["undecomposed", "in_progress", "may_claim", "completed"]


def _row_json(row: cascade.InboundRow) -> dict[str, Any]:
    a, r = row.assignment, row.rollup
    return {
        "assignment_id": a.id, "plan_id": row.plan.id, "plan_title": row.plan.title, "task_id": row.task.id,
        "task_number": row.task.number, "task_text": row.task.text, "deadline_phrase": row.task.deadline_phrase,
        "due_date": a.effective_due.isoformat() if a.effective_due else None, "status": a.status.value,
        "completion_state": a.completion_state.value,
        "rollup": {"state": r.state.value, "label": r.label, "light": r.light.light.value,
                   "reason": r.light.reason.value, "total": r.total, "done": r.done, "overdue": r.overdue,
                   "reported_this_period": r.reported_this_period},
        "overdue_units": row.overdue_units,
        "linked_tasks": [{"task_id": lt.task.id, "plan_id": lt.task.plan_id, "number": lt.task.number,
                          "text": lt.task.text,
                          "assignments": [{"assignment_id": s.assignment.id, "unit": s.unit.name,
                                           "status": s.assignment.status.value, "light": s.light.light.value}
                                          for s in lt.rows]}
                         for lt in row.linked],
    }


@bp.route("/inbound")
def inbound_list() -> Response:
    """Return the caller's work group's inbound assignments with their roll-up (the secretariat's)."""
    user = api_user()
    require(user, Action.DECOMPOSE)
    group = home_work_group(user)
    rows = cascade.inbound_assignments(group, context.today())
    return jsonify({"work_group_id": group.id, "inbound": [_row_json(r) for r in rows]})


_INT, _STR = {"type": "integer"}, {"type": "string"}
OPENAPI_SCHEMAS: dict[str, Any] = {
    "InboundAssignment": {"type": "object", "properties": {
        "assignment_id": _INT, "plan_id": _INT, "plan_title": _STR, "task_id": _INT, "task_number": _INT,
        "task_text": _STR, "deadline_phrase": _STR,
        "due_date": {"type": "string", "format": "date", "nullable": True}, "status": _STR,
        "completion_state": _STR,
        "rollup": {"type": "object", "properties": {
            "state": {"type": "string", "enum": STATES}, "label": _STR, "light": {"type": "string", "enum": LIGHTS},
            "reason": _STR, "total": _INT, "done": _INT, "overdue": _INT, "reported_this_period": _INT}},
        "overdue_units": {"type": "array", "items": _STR},
        "linked_tasks": {"type": "array", "items": {"type": "object", "properties": {
            "task_id": _INT, "plan_id": _INT, "number": _INT, "text": _STR,
            "assignments": {"type": "array", "items": {"type": "object", "properties": {
                "assignment_id": _INT, "unit": _STR, "status": _STR, "light": _STR}}}}}}}},
    "InboundList": {"type": "object", "required": ["work_group_id", "inbound"], "properties": {
        "work_group_id": _INT, "inbound": {"type": "array", "items": ref("InboundAssignment")}}},
}

OPENAPI_PATHS: dict[str, Any] = {
    "/inbound": {"get": {
        "operationId": "listInbound",
        "summary": "本专班的上级下达任务及其分解、汇总状态（未分解在前；专班办公室）",
        "responses": {
            "200": {"description": "上级下达任务", "content": {"application/json": {"schema": ref("InboundList")}}},
            "401": {"description": "未认证", "content": {"application/json": {"schema": ref("Error")}}},
            "403": {"description": "非专班办公室", "content": {"application/json": {"schema": ref("Error")}}}}}},
}
