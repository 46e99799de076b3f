"""API: the caller's part of the work-group tree and a group's dashboard figures (the same numbers as the pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, abort, jsonify

from tasktrack import context
from tasktrack.cache_scopes import Page
from tasktrack.models import Plan, WorkGroup
from tasktrack.permissions import Action, can, visible_group_ids
from tasktrack.services import work_group_admin
from tasktrack.services.read import dashboard as dash
from tasktrack.services.read import lean, levels
from tasktrack.services.work_groups import home_work_group
from tasktrack.web.api.dashboard import COUNTS_SCHEMA_KEYS
from tasktrack.web.api.schemas import nullable, ref
from tasktrack.web.api.views import api_user, bp
from tasktrack.web.page_cache import cached_json


def _group_json(group: WorkGroup) -> dict[str, Any]:
    return {"id": group.id, "name": group.name, "level": group.level.value, "level_label": group.level.label,
            "parent_id": group.parent_id}


@bp.route("/work-groups")
def work_groups() -> Response:
    """List the work groups the caller reads: their own and every one below it (id, name, level, parent)."""
    nodes = work_group_admin.tree(home_work_group(api_user()))
    return jsonify({"work_groups": [{**_group_json(n.group), "depth": n.depth} for n in nodes]})


@bp.route("/work-groups/<int:group_id>/dashboard")
def work_group_dashboard(group_id: int) -> Response:
    """Return a group's figures: its current plan's totals, its inbound tasks and each lower group's counts."""
    group = work_group_admin.get_group(group_id)  # NotFound: the JSON 404
    if not can(api_user(), Action.VIEW_PLAN, group):
        abort(403)  # outside the caller's part of the tree
    return _group_dashboard(group.id)


@cached_json(scopes=lambda group_id: Page("group_plan", group_id))
def _group_dashboard(group_id: int) -> dict[str, Any]:
    today = context.today()
    scope = visible_group_ids(api_user())
    group = work_group_admin.get_group(group_id)
    plan = dash.find_plan(None, today, visible=scope, group_id=group.id)
    totals = _plan_totals(plan, today).as_dict() if plan is not None else None
    view = levels.level_view(group, today, scope)
    return {
        "work_group": _group_json(group),
        "today": today.isoformat(),
        "plan": {"id": plan.id, "year": plan.year, "title": plan.title} if plan is not None else None,
        "totals": totals,
        "inbound": {**view.inbound_counts.as_dict(), "items": [
            {"assignment_id": i.assignment.id, "plan_id": i.assignment.task.plan_id,
             "task_number": i.assignment.task.number, "state": i.rollup.state.value,
             "light": i.rollup.light.light.value} for i in view.inbound]},
        "children": [{**_group_json(s.group), "unit": {"id": s.unit.id, "name": s.unit.name} if s.unit else None,
                      "inbound": s.inbound.as_dict(), "own": s.own.as_dict()} for s in view.children],
    }


def _plan_totals(plan: Plan, today: dt.date) -> dash.Counts:
    """Count a plan's open assignments as its 督办总览 does (the same rows and lights; only the totals are read)."""
    counts = dash.Counts()
    for row in lean.plan_light_rows(plan, today):
        counts.add(row)
    return counts


_GROUP = {"type": "object", "required": ["id", "name", "level", "level_label", "parent_id"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "level": {"type": "string",
                                                                    "enum": ["province", "city", "county"]},
    "level_label": {"type": "string"}, "parent_id": nullable({"type": "integer"})}}
_INBOUND_KEYS = ["total", "undecomposed", "red", "yellow", "green", "done", "may_claim"]
_OWN_KEYS = ["plans", "total", "red", "done"]

OPENAPI_SCHEMAS: dict[str, Any] = {
    "WorkGroup": _GROUP,
    "WorkGroupDashboard": {"type": "object", "required": ["work_group", "today", "plan", "totals", "inbound",
                                                          "children"], "properties": {
        "work_group": ref("WorkGroup"),
        "today": {"type": "string", "format": "date"},
        "plan": nullable({"type": "object", "required": ["id", "year", "title"]}),
        "totals": nullable({"type": "object", "required": COUNTS_SCHEMA_KEYS}),
        "inbound": {"type": "object", "required": [*_INBOUND_KEYS, "items"]},
        "children": {"type": "array", "items": {"type": "object", "required": ["id", "name", "level", "unit",
                                                                               "inbound", "own"]}}}},
}

OPENAPI_PATHS: dict[str, Any] = {
    "/work-groups": {"get": {
        "operationId": "listWorkGroups", "summary": "本专班及下级工作专班（树，先序）",
        "responses": {
            "200": {"description": "工作专班", "content": {"application/json": {"schema": {
                "type": "object", "required": ["work_groups"],
                "properties": {"work_groups": {"type": "array", "items": ref("WorkGroup")}}}}}},
            "401": {"description": "未认证", "content": {"application/json": {"schema": ref("Error")}}}}}},
    "/work-groups/{group_id}/dashboard": {"get": {
        "operationId": "getWorkGroupDashboard", "summary": "某专班的督办总览数据（本级计划、上级下达任务、下级专班）",
        "parameters": [{"name": "group_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {
            "200": {"description": "统计", "content": {"application/json": {"schema": ref("WorkGroupDashboard")}}},
            "401": {"description": "未认证", "content": {"application/json": {"schema": ref("Error")}}},
            "404": {"description": "专班不存在或不在本专班及下级范围内",
                    "content": {"application/json": {"schema": ref("Error")}}}}}},
}
