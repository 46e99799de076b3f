"""API: the dashboard figures of a plan (the same numbers as the dashboard page)."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from tasktrack import context
from tasktrack.cache_scopes import Page
from tasktrack.permissions import visible_group_ids
from tasktrack.services.read import dashboard as dash
from tasktrack.web.api.schemas import DATETIME, nullable, ref
from tasktrack.web.api.views import api_user, bp
from tasktrack.web.page_cache import cached_json
from tasktrack.web.params import id_arg


@bp.route("/dashboard")
def dashboard() -> Response:
    """Return a plan's totals by light, by section and by unit (optionally one unit category).

    The plan is one of the caller's part of the tree (another is not found); by default their own group's current.
    """
    return _dashboard_json(id_arg("plan"), request.args.get("category") or None)


@cached_json(scopes=lambda plan_id, _category: Page("plan", plan_id) if plan_id is not None
             else Page("group_plan", api_user().work_group_id))
def _dashboard_json(plan_id: int | None, category: str | None) -> dict[str, Any]:
    today = context.today()
    user = api_user()
    data = dash.dashboard(plan_id, today, category=category, visible=visible_group_ids(user),
                          group_id=user.work_group_id if plan_id is None else None)
    return {
        "plan": {"id": data.plan.id, "year": data.plan.year, "title": data.plan.title},
        "today": today.isoformat(),
        "totals": data.counts.as_dict(),
        "sections": [{"id": s.section.id, "number": s.section.number, "title": s.section.title,
                      **s.counts.as_dict()} for s in data.sections],
        "units": [{"id": u.unit.id, "name": u.unit.name,
                   "last_reported_at": u.last_report_at.isoformat() if u.last_report_at else None,
                   **u.counts.as_dict()} for u in data.units],
        "overdue": [{"assignment_id": r.assignment.id, "task_number": r.assignment.task.number,
                     "unit": {"id": r.unit.id, "name": r.unit.name}, "days_left": r.light.days_left}
                    for r in data.overdue],
    }


_COUNT_KEYS = ["total", "red", "yellow", "green", "done", "stale", "due_soon", "completed_late", "claimed",
               "unacknowledged", "completion_rate"]
_COUNTS = {key: {"type": "integer"} for key in _COUNT_KEYS}
COUNTS_SCHEMA_KEYS = _COUNT_KEYS

OPENAPI_SCHEMAS: dict[str, Any] = {
    "Counts": {"type": "object", "additionalProperties": False, "required": _COUNT_KEYS, "properties": _COUNTS},
    "Dashboard": {"type": "object", "additionalProperties": False,
                  "required": ["plan", "today", "totals", "sections", "units", "overdue"], "properties": {
        "plan": {"type": "object", "required": ["id", "year", "title"], "properties": {
            "id": {"type": "integer"}, "year": {"type": "integer"}, "title": {"type": "string"}}},
        "today": {"type": "string", "format": "date"},
        "totals": ref("Counts"),
        "sections": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "number", "title", *_COUNT_KEYS],
            "properties": {"id": {"type": "integer"}, "number": {"type": "integer"}, "title": {"type": "string"},
                           **_COUNTS}}},
        "units": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "name", "last_reported_at", *_COUNT_KEYS],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                           "last_reported_at": nullable(DATETIME), **_COUNTS}}},
        "overdue": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["assignment_id", "task_number", "unit", "days_left"],
            "properties": {"assignment_id": {"type": "integer"}, "task_number": {"type": "integer"},
                           "unit": ref("UnitRef"), "days_left": {"type": "integer"}}}}}},
}

OPENAPI_PATHS: dict[str, Any] = {
    "/dashboard": {"get": {
        "operationId": "getDashboard", "summary": "督办总览数据（按灯色、主要任务、单位统计）",
        "parameters": [
            {"name": "plan", "in": "query", "schema": {"type": "integer"}, "description": "计划 id；默认当年计划"},
            {"name": "category", "in": "query", "schema": {"type": "string"}, "description": "单位类别代码"},
        ],
        "responses": {
            "200": {"description": "统计", "content": {"application/json": {"schema": ref("Dashboard")}}},
            "401": {"description": "未认证", "content": {"application/json": {"schema": ref("Error")}}},
            "404": {"description": "计划不存在", "content": {"application/json": {"schema": ref("Error")}}},
            "422": {"description": "参数无效", "content": {"application/json": {"schema": ref("Error")}}}}}},
}
