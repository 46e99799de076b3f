"""API: assignments (filtered, paginated), one assignment with its report history, and reporting progress."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, jsonify, request, url_for

from tasktrack import context, db_engine
from tasktrack.cache_scopes import Page
from tasktrack.domain.lights import Light
from tasktrack.extensions import db
from tasktrack.models import AssignmentStatus, Plan, Unit
from tasktrack.permissions import Action, can, require, visible_group_ids
from tasktrack.services import NotFound, ServiceError, acknowledgements, progress
from tasktrack.services.read import dashboard as dash
from tasktrack.services.read import overdue, overview
from tasktrack.web.api.schemas import LIGHTS, STATUSES, assignment_json, nullable, ref, report_json
from tasktrack.web.api.views import api_user, bp
from tasktrack.web.page_cache import cached_json
from tasktrack.web.params import MAX_PAGE, choice_arg, id_arg, int_arg, json_body, page_arg

MAX_PER_PAGE = 100


def _file_url(attachment_id: int) -> str:
    return url_for("everyone.attachment", attachment_id=attachment_id)


def _scope(today: dt.date) -> Plan | None:
    """Return the plan asked for (default: the caller's current plan), or None for ``plan=all`` (every plan the
    caller reads); a plan of another part of the work-group tree is 404."""
    if request.args.get("plan", "").strip() == dash.ALL_PLANS:
        return None
    plan_id = id_arg("plan")
    if plan_id is None:
        return overview.require_current_plan(today, api_user())
    plan = dash.resolve_plan(plan_id, today)
    if not can(api_user(), Action.VIEW_PLAN, plan):
        raise NotFound("工作计划不存在")
    return plan


@bp.route("/assignments")
def assignment_list() -> Response:
    """List the open assignments of a plan (or of every plan), filtered by unit and light, one page at a time."""
    today, user = context.today(), api_user()
    plan = _scope(today)
    light = choice_arg("light", LIGHTS)
    unit_id = None
    if request.args.get("unit"):
        unit_id = dash.find_unit_id(request.args["unit"], groups=visible_group_ids(user), prefer=user.work_group_id)
        unit = db.session.get(Unit, unit_id) if unit_id is not None else None
        if unit is None or not can(user, Action.VIEW_UNIT, unit):
            raise ServiceError("单位不存在", field="unit")
    page_no = page_arg()
    per_page = int_arg("per_page", dash.PER_PAGE, low=1, high=MAX_PER_PAGE)
    assert per_page is not None
    filters = dash.Filters(light=Light(light) if light else None, unit_id=unit_id,
                           groups=visible_group_ids(user), inbound_group=user.work_group_id)
    return _assignment_list_json(plan.id if plan is not None else None, filters, page_no, per_page)


def _list_page(plan_id: int | None, filters: dash.Filters, *_args: object) -> Page:
    if plan_id is not None:
        return Page("plan", plan_id)
    return Page("group_red" if overdue.selects_red(filters) else "group", api_user().work_group_id)


@cached_json(scopes=_list_page)
def _assignment_list_json(plan_id: int | None, filters: dash.Filters, page_no: int, per_page: int) -> dict[str, Any]:
    plan = dash.resolve_plan(plan_id, context.today()) if plan_id is not None else None
    page = dash.assignment_page(plan, context.today(), filters, page=page_no, per_page=per_page)
    return {"plan_id": plan_id, "total": page.total, "page": page.page, "per_page": page.per_page,
            "pages": page.pages, "assignments": [assignment_json(r) for r in page.rows]}


def _detail(assignment_id: int) -> dict[str, Any]:
    row = dash.find_assignment(assignment_id, context.today())
    entries = progress.history(row.assignment)
    return {"assignment": assignment_json(row),
            "reports": [report_json(e.report, e.attachments, _file_url) for e in entries]}


@bp.route("/assignments/<int:assignment_id>")
def assignment_detail(assignment_id: int) -> Response:
    """Return one assignment with its light and every progress report, newest first."""
    return jsonify(_detail(assignment_id))


def _parse_report(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ServiceError("请求体必须是 JSON 对象", field=None)
    status = body.get("status")
    if status not in STATUSES:
        raise ServiceError("status 必须是 not_started、in_progress 或 completed", field="status")
    percent = body.get("percent")
    if percent is not None and (isinstance(percent, bool) or not isinstance(percent, int)):
        raise ServiceError("percent 必须是 0 到 100 的整数", field="percent")
    completed_on = body.get("completed_on")
    if completed_on is not None:
        try:
            completed_on = dt.date.fromisoformat(completed_on) if isinstance(completed_on, str) else None
        except ValueError:
            completed_on = None
        if completed_on is None:
            raise ServiceError("completed_on 必须是 YYYY-MM-DD 格式的日期", field="completed_on")
    narrative = body.get("narrative", "")
    if not isinstance(narrative, str):
        raise ServiceError("narrative 必须是字符串", field="narrative")
    return {"status": AssignmentStatus(status), "percent": percent, "completed_on": completed_on,
            "narrative": narrative, "target_values": _target_values(body.get("target_values"))}


def _target_values(raw: Any) -> dict[int, str | None]:
    """Read ``target_values: [{target_id, value}]`` (a number, or text such as "98%"; null: not reported)."""
    if raw is None:
        return {}
    message = "target_values 必须是 [{target_id, value}] 形式的数组，value 为数字或文字"
    if not isinstance(raw, list):
        raise ServiceError(message, field="target_values")
    values: dict[int, str | None] = {}
    for item in raw:
        if not isinstance(item, dict) or set(item) - {"target_id", "value"}:
            raise ServiceError(message, field="target_values")
        target_id, value = item.get("target_id"), item.get("value")
        if isinstance(target_id, bool) or not isinstance(target_id, int) or isinstance(value, bool) \
                or not isinstance(value, int | float | str | None):
            raise ServiceError(message, field="target_values")
        if target_id in values:
            raise ServiceError(f"target_values 中指标 {target_id} 出现了两次", field="target_values")
        values[target_id] = None if value is None else str(value)
    return values


@bp.route("/assignments/<int:assignment_id>/reports", methods=["POST"])
def report_create(assignment_id: int) -> tuple[Response, int]:
    """Append a progress report to an assignment of the caller's own unit."""
    user = api_user()
    row = dash.find_assignment(assignment_id, context.today())
    require(user, Action.REPORT_PROGRESS, row.assignment)
    fields = _parse_report(json_body())
    report = progress.submit_report(row.assignment, author=user, now=context.now(), **fields)
    # The answer is what was just written, as the session holds it (no query, and not the whole history with its
    # diffs, which GET /assignments/{id} shows); a JSON report carries no files.
    answer = {"report": report_json(report, [], _file_url),
              "assignment": assignment_json(dash.find_assignment(assignment_id, context.today()))}
    db.session.commit()
    return jsonify(answer), 201


def _parse_acknowledgement(body: Any) -> dict[str, str | None]:
    """Read the optional ``{handler_name, handler_phone}`` of a 签收 (no body at all is fine: one click)."""
    if body is None:
        return {"handler_name": None, "handler_phone": None}
    if not isinstance(body, dict) or set(body) - {"handler_name", "handler_phone"}:
        raise ServiceError("请求体只能包含 handler_name 和 handler_phone", field=None)
    for key in ("handler_name", "handler_phone"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise ServiceError(f"{key} 必须是字符串", field=key)
    return {"handler_name": body.get("handler_name"), "handler_phone": body.get("handler_phone")}


@bp.route("/assignments/<int:assignment_id>/acknowledge", methods=["POST"])
def assignment_acknowledge(assignment_id: int) -> Response:
    """签收 an assignment of the caller's own unit; a repeat is 200 with the assignment unchanged (idempotent)."""
    user = api_user()
    row = dash.find_assignment(assignment_id, context.today())
    require(user, Action.ACKNOWLEDGE, row.assignment)
    fields = _parse_acknowledgement(json_body())
    acknowledgements.acknowledge(row.assignment, actor=user, now=context.now(), **fields)
    db.session.commit()
    with db_engine.read_only():
        return jsonify(assignment_json(dash.find_assignment(assignment_id, context.today())))


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ID_PARAM = {"name": "assignment_id", "in": "path", "required": True, "schema": {"type": "integer"}}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "AssignmentPage": {"type": "object", "additionalProperties": False,
                       "required": ["plan_id", "total", "page", "per_page", "pages", "assignments"], "properties": {
                           "plan_id": nullable({"type": "integer", "description": "plan=all 时为 null"}),
                           "total": {"type": "integer"},
                           "page": {"type": "integer"}, "per_page": {"type": "integer"},
                           "pages": {"type": "integer"},
                           "assignments": {"type": "array", "items": ref("Assignment")}}},
    "AssignmentDetail": {"type": "object", "additionalProperties": False, "required": ["assignment", "reports"],
                         "properties": {"assignment": ref("Assignment"),
                                        "reports": {"type": "array", "items": ref("Report")}}},
    "NewReport": {"type": "object", "required": ["status", "narrative"], "properties": {
        "status": {"type": "string", "enum": STATUSES},
        "percent": {"type": "integer", "minimum": 0, "maximum": 100, "nullable": True},
        "completed_on": {"type": "string", "format": "date", "nullable": True,
                         "description": "必填于 status=completed；在计划起始日（当年 1 月 1 日）至今天之间"},
        "narrative": {"type": "string",
                      "description": "进展情况说明（必填，须有可见文字；不能含制表符、换行以外的控制字符）"},
        "target_values": {"type": "array",
                          "description": "指标当前值：本任务的指标（牵头单位另含全计划指标），随报送保存",
                          "items": {"type": "object", "additionalProperties": False, "required": ["target_id"],
                                    "properties": {"target_id": {"type": "integer"},
                                                   "value": {"anyOf": [{"type": "number", "nullable": True},
                                                                       {"type": "string"}],
                                                             "description": "数值，或带单位的文字如 \"98%\""}}}}}},
    "Acknowledgement": {"type": "object", "additionalProperties": False, "properties": {
        "handler_name": {"type": "string", "maxLength": acknowledgements.HANDLER_NAME_MAX, "nullable": True,
                         "description": "承办人（可选）"},
        "handler_phone": {"type": "string", "maxLength": acknowledgements.HANDLER_PHONE_MAX, "nullable": True,
                          "description": "联系电话（可选）：数字、-、+ 和空格"}}},
    "ReportCreated": {"type": "object", "additionalProperties": False, "required": ["report", "assignment"],
                      "properties": {"report": ref("Report"), "assignment": ref("Assignment")}},
}

OPENAPI_PATHS: dict[str, Any] = {
    "/assignments": {"get": {
        "operationId": "listAssignments", "summary": "任务分配清单（按计划或全部计划，可按单位、灯色筛选，分页）",
        "parameters": [
            {"name": "plan", "in": "query",
             "schema": {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": [dash.ALL_PLANS]}]},
             "description": "计划 id，或 all（全部计划）；默认当年计划"},
            {"name": "unit", "in": "query", "schema": {"type": "string"}, "description": "单位 id 或全称"},
            {"name": "light", "in": "query", "schema": {"type": "string", "enum": LIGHTS}},
            {"name": "page", "in": "query",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
            {"name": "per_page", "in": "query",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": dash.PER_PAGE}},
        ],
        "responses": {"200": _ok("一页任务分配", ref("AssignmentPage")), "401": _error("未认证"),
                      "404": _error("计划不存在"), "422": _error("参数无效")}}},
    "/assignments/{assignment_id}": {"get": {
        "operationId": "getAssignment", "summary": "一项任务分配及其全部报送记录",
        "parameters": [ID_PARAM],
        "responses": {"200": _ok("任务分配与报送记录", ref("AssignmentDetail")), "401": _error("未认证"),
                      "404": _error("不存在")}}},
    "/assignments/{assignment_id}/acknowledge": {"post": {
        "operationId": "acknowledgeAssignment",
        "summary": "签收（仅限本单位的任务分配；可同时填写承办人和联系电话）",
        "description": "一次请求即签收，请求体可省略。重复签收是幂等的：返回 200 和未改变的任务分配"
                       "（acknowledged_at 仍是第一次签收的时间）；已签收后再提交不同的承办人或电话则更新它们。",
        "parameters": [ID_PARAM],
        "requestBody": {"required": False, "content": {"application/json": {"schema": ref("Acknowledgement")}}},
        "responses": {"200": _ok("已签收（或此前已签收）", ref("Assignment")),
                      "400": _error("请求体不是有效的 JSON"), "401": _error("未认证"),
                      "403": _error("不是本单位的任务"), "404": _error("不存在"),
                      "422": _error("内容无效（field 指明字段）")}}},
    "/assignments/{assignment_id}/reports": {"post": {
        "operationId": "createReport", "summary": "报送进展（仅限本单位的任务分配）",
        "parameters": [ID_PARAM],
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref("NewReport")}}},
        "responses": {"201": _ok("已报送", ref("ReportCreated")), "400": _error("请求体不是有效的 JSON"),
                      "401": _error("未认证"),
                      "403": _error("不是本单位的任务"), "404": _error("不存在"),
                      "409": _error("与当前状态冲突"), "422": _error("内容无效（field 指明字段）")}}},
}
