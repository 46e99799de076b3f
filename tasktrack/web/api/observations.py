"""API for observation points and case reports, on the api blueprint (same policy as the pages)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.domain.inputs import parse_id
from tasktrack.extensions import db
from tasktrack.models import CaseKind, CaseReport, CaseStatus, FocusChoice, FocusItem, Plan, Task, Unit, UnitKind
from tasktrack.permissions import Action, can, require
from tasktrack.services import NotFound, attachments, cases, observations
from tasktrack.services.cases import CaseFilter, CaseText
from tasktrack.services.read import overview
from tasktrack.web.api.views import api_error, api_user, bp
from tasktrack.web.params import enum_arg, id_arg, int_arg, json_body, page_arg
from tasktrack.web.uploads import uploads_from_request


def _plan() -> Plan:
    plan = overview.current_plan(context.today(), api_user())
    if plan is None:
        raise NotFound("没有工作计划")
    return plan


def _point(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.kind is not UnitKind.OBSERVATION_POINT or not can(api_user(), Action.VIEW_UNIT, unit):
        raise NotFound("观察点不存在")
    return unit


def _plan_of(unit: Unit) -> Plan:
    """Return the current plan of the point's work group (its choices and pilot logs are on it)."""
    return overview.group_plan(context.today(), unit.work_group_id)


def _choice_json(choice: FocusChoice | None) -> dict[str, Any] | None:
    if choice is None:
        return None
    return {"version": choice.version, "is_late": choice.is_late, "created_at": choice.created_at.isoformat(),
            "items": [i.focus_item_id for i in choice.items],
            "plans": {str(i.focus_item_id): i.plan_text for i in choice.items}}


def _case_json(case: CaseReport, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": case.id, "year": case.year, "unit": {"id": case.unit.id, "name": case.unit.name},
        "kind": case.kind.value, "kind_label": case.kind.label, "title": case.title, "summary": case.summary,
        "status": case.status.value, "version": case.version, "feature_order": case.feature_order,
        "task_id": case.task_id, "focus_item_id": case.focus_item_id, "submitted_at": case.submitted_at.isoformat(),
    }
    if full:
        data["body"] = case.body
    return data


@bp.route("/focus-items")
def focus_items() -> Response:
    """List the four focus items."""
    return jsonify({"focus_items": [{"id": f.id, "code": f.code, "name": f.name}
                                    for f in observations.list_focus_items()]})


@bp.route("/observation-points")
def observation_points() -> Response:
    """List the observation points with their current choices."""
    plan = _plan()
    m = observations.matrix(plan)
    return jsonify({"plan": {"id": plan.id, "focus_choice_deadline": plan.focus_choice_deadline.isoformat()
                             if plan.focus_choice_deadline else None},
                    "observation_points": [{"id": r.unit.id, "name": r.unit.name, "choice": _choice_json(r.choice),
                                            "reopened": r.reopened} for r in m.rows]})


@bp.route("/observation-points/<int:unit_id>/focus-choices", methods=["GET"])
def get_focus_choices(unit_id: int) -> Response:
    """Return a point's current choice, lock state and history."""
    unit = _point(unit_id)
    plan = _plan_of(unit)
    state = observations.choice_state(plan, unit, context.today())
    return jsonify({"unit": {"id": unit.id, "name": unit.name},
                    "deadline": state.deadline.isoformat() if state.deadline else None,
                    "locked": state.locked, "reopened": state.reopened,
                    "current": _choice_json(observations.current_choice(plan, unit)),
                    "history": [_choice_json(c) for c in observations.choice_history(plan, unit)]})


@bp.route("/observation-points/<int:unit_id>/focus-choices", methods=["PUT"])
def put_focus_choices(unit_id: int) -> Response | tuple[Response, int]:
    """Save a point's choice: {"items": [ids], "plans": {"<id>": "text"}} (1–2 items)."""
    unit = _point(unit_id)
    require(api_user(), Action.MANAGE_FOCUS, unit)
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("items"), list) or \
            not all(isinstance(i, int) and not isinstance(i, bool) for i in body["items"]) or \
            not isinstance(body.get("plans", {}), dict):
        return api_error("请求格式应为 {\"items\": [工作重点 id], \"plans\": {\"id\": \"试点计划\"}}", 400)
    plans = {item_id: str(v) for k, v in body.get("plans", {}).items() if (item_id := parse_id(k)) is not None}
    choice = observations.save_choice(_plan_of(unit), unit, actor=api_user(), items=body["items"], plans=plans,
                                      now=context.now())
    db.session.commit()
    return jsonify({"current": _choice_json(choice)})


@bp.route("/observation-points/<int:unit_id>/pilot-logs", methods=["GET"])
def pilot_logs(unit_id: int) -> Response:
    """Return every pilot log of a point, newest first; ``is_chosen`` is false for an item no longer chosen."""
    unit = _point(unit_id)
    plan = _plan_of(unit)
    current = observations.current_choice(plan, unit)
    timeline = observations.pilot_timeline(plan, unit, [i.focus_item for i in current.items] if current else [])
    logs = [(group, log) for group in timeline.groups for log in group.logs]
    logs.sort(key=lambda pair: (pair[1].log_date, pair[1].id), reverse=True)
    return jsonify({"unit": {"id": unit.id, "name": unit.name}, "pilot_logs": [{
        "id": log.id, "focus_item_id": group.item.id, "focus_item": group.item.name, "is_chosen": group.is_chosen,
        "log_date": log.log_date.isoformat(), "note": log.note, "author": log.author.name,
        "created_at": log.created_at.isoformat(),
        "attachments": [{"id": f.id, "name": f.original_name, "size": f.size} for f in timeline.files.get(log.id, [])],
    } for group, log in logs]})


@bp.route("/cases", methods=["GET"])
def list_cases() -> Response:
    """Search the case library (q, kind, unit, focus, year, status, page)."""
    flt = CaseFilter(q=request.args.get("q", "")[:100], kind=enum_arg("kind", CaseKind), unit_id=id_arg("unit"),
                     focus_item_id=id_arg("focus"), year=int_arg("year", low=1, high=9999),
                     status=enum_arg("status", CaseStatus))
    page = cases.search_cases(api_user(), flt, page=page_arg())
    return jsonify({"total": page.total, "page": page.page, "pages": page.pages,
                    "cases": [_case_json(c) for c in page.items]})


@bp.route("/cases", methods=["POST"])
def create_case() -> tuple[Response, int]:
    """Submit a case (multipart: kind, title, summary, body, task_id, focus_item_id, attachments)."""
    user = api_user()
    if user.unit is None:
        return api_error("没有权限", 403)
    require(user, Action.SUBMIT_CASE, user.unit)
    form = request.form
    try:
        kind = CaseKind(form.get("kind", ""))
    except ValueError:
        return api_error("kind 应为 positive / negative / practice", 422, field="kind")
    task_id, focus_id = parse_id(form.get("task_id")), parse_id(form.get("focus_item_id"))
    task = db.session.get(Task, task_id) if task_id is not None else None
    focus = db.session.get(FocusItem, focus_id) if focus_id is not None else None
    case = cases.submit_case(_plan(), user.unit, CaseText(
        kind=kind, title=form.get("title", ""), summary=form.get("summary", ""), body=form.get("body", ""),
        task=task, focus_item=focus), actor=user, files=uploads_from_request(), now=context.now())
    db.session.commit()
    files = attachments.attachments_of("case_report", [case.id])[case.id]
    return jsonify({"case": _case_json(case, full=True),
                    "attachments": [{"id": f.id, "name": f.original_name, "size": f.size} for f in files]}), 201


@bp.route("/cases/<int:case_id>/review", methods=["POST"])
def review_case(case_id: int) -> Response | tuple[Response, int]:
    """Review a case: {"action": "accept"|"return"|"feature", "comment": "…"}."""
    case = db.session.get(CaseReport, case_id)
    require(api_user(), Action.REVIEW_CASE)  # a role that never reviews: 403
    if case is None:
        raise NotFound("案例不存在")
    require(api_user(), Action.REVIEW_CASE, case)  # another work group's case: 403
    body = json_body() or {}
    if not isinstance(body, dict):
        return api_error("请求体必须是 JSON 对象", 422, field=None)
    action = body.get("action")
    if action not in ("accept", "return", "feature"):
        return api_error("action 应为 accept / return / feature", 422, field="action")
    cases.review_case(case, actor=api_user(), action=action, comment=str(body.get("comment") or ""), now=context.now())
    db.session.commit()
    return jsonify({"case": _case_json(case)})


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_ERROR = {"description": "错误", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "string"}, "field": {"type": "string", "nullable": True}},
    "required": ["error"]}}}}
_CHOICE = {"type": "object", "nullable": True, "properties": {
    "version": {"type": "integer"}, "is_late": {"type": "boolean"}, "created_at": {"type": "string"},
    "items": {"type": "array", "items": {"type": "integer"}},
    "plans": {"type": "object", "additionalProperties": {"type": "string"}}}}
_CASE = {"type": "object", "properties": {
    "id": {"type": "integer"}, "year": {"type": "integer"},
    "unit": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
    "kind": {"type": "string", "enum": [k.value for k in CaseKind]}, "title": {"type": "string"},
    "summary": {"type": "string"}, "status": {"type": "string", "enum": [s.value for s in CaseStatus]},
    "version": {"type": "integer"}, "feature_order": {"type": "integer", "nullable": True},
    "task_id": {"type": "integer", "nullable": True}, "focus_item_id": {"type": "integer", "nullable": True},
    "submitted_at": {"type": "string", "format": "date-time"}}}


def _ok(schema: dict[str, Any], description: str = "成功") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_UNIT_ID = [{"name": "unit_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_CASE_ID = [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}]

#: OpenAPI 3 path items of this module (merged into /api/v1/openapi.json by web/api/openapi.py).
OPENAPI_PATHS: dict[str, Any] = {
    "/focus-items": {"get": {"summary": "工作重点列表", "responses": {"200": _ok({"type": "object", "properties": {
        "focus_items": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"}}}}}}),
        "401": _ERROR}}},
    "/observation-points": {"get": {"summary": "观察点及其当前选择", "responses": {"200": _ok({
        "type": "object", "properties": {"observation_points": {"type": "array", "items": {"type": "object",
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "choice": _CHOICE,
                           "reopened": {"type": "boolean"}}}}}}), "401": _ERROR}}},
    "/observation-points/{unit_id}/focus-choices": {
        "parameters": _UNIT_ID,
        "get": {"summary": "观察点的工作重点选择（当前、锁定状态、历史）", "responses": {"200": _ok({
            "type": "object", "properties": {"locked": {"type": "boolean"}, "reopened": {"type": "boolean"},
                                             "deadline": {"type": "string", "format": "date", "nullable": True},
                                             "current": _CHOICE, "history": {"type": "array", "items": _CHOICE}}}),
            "401": _ERROR, "404": _ERROR}},
        "put": {"summary": "保存工作重点选择（1 至 2 项，每项附试点计划）",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["items"], "properties": {
                        "items": {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 2},
                        "plans": {"type": "object", "additionalProperties": {"type": "string"}}}}}}},
                "responses": {"200": _ok({"type": "object", "properties": {"current": _CHOICE}}),
                              "400": _ERROR, "401": _ERROR, "403": _ERROR, "404": _ERROR,
                              "409": _ERROR, "422": _ERROR}},
    },
    "/observation-points/{unit_id}/pilot-logs": {"parameters": _UNIT_ID, "get": {
        "summary": "观察点的全部试点进展（含已不在所选事项中的记录，is_chosen 为 false）",
        "responses": {"200": _ok({"type": "object", "required": ["unit", "pilot_logs"], "properties": {
            "unit": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            "pilot_logs": {"type": "array", "items": {"type": "object", "required": [
                "id", "focus_item_id", "focus_item", "is_chosen", "log_date", "note", "author", "created_at",
                "attachments"], "properties": {
                "id": {"type": "integer"}, "focus_item_id": {"type": "integer"}, "focus_item": {"type": "string"},
                "is_chosen": {"type": "boolean"}, "log_date": {"type": "string", "format": "date"},
                "note": {"type": "string"}, "author": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
                "attachments": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"}, "size": {"type": "integer"}}}}}}}}}),
            "401": _ERROR, "404": _ERROR}}},
    "/cases": {
        "get": {"summary": "案例库检索", "parameters": [
            {"name": n, "in": "query", "required": False, "schema": {"type": t}}
            for n, t in (("q", "string"), ("kind", "string"), ("unit", "integer"), ("focus", "integer"),
                         ("year", "integer"), ("status", "string"), ("page", "integer"))],
            "responses": {"200": _ok({"type": "object", "properties": {
                "total": {"type": "integer"}, "page": {"type": "integer"}, "pages": {"type": "integer"},
                "cases": {"type": "array", "items": _CASE}}}), "401": _ERROR, "422": _ERROR}},
        "post": {"summary": "报送案例（multipart，可附 PDF、Word、图片）",
                 "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                     "type": "object", "required": ["kind", "title", "summary", "body"], "properties": {
                         "kind": {"type": "string", "enum": [k.value for k in CaseKind]},
                         "title": {"type": "string"}, "summary": {"type": "string"}, "body": {"type": "string"},
                         "task_id": {"type": "integer"}, "focus_item_id": {"type": "integer"},
                         "attachments": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}},
                 "responses": {"201": _ok({"type": "object", "properties": {"case": _CASE, "attachments": {
                     "type": "array", "items": {"type": "object"}}}}, "已报送"),
                     "401": _ERROR, "403": _ERROR, "413": _ERROR, "422": _ERROR,
                     "503": {"description": "附件暂时无法保存（上传目录只读或已满），未保存任何内容",
                             "content": {"application/json": {"schema": _ref("Error")}}}}},
    },
    "/cases/{case_id}/review": {"parameters": _CASE_ID, "post": {
        "summary": "审核案例：采用、退回（附意见）或入选汇编",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["action"], "properties": {
                "action": {"type": "string", "enum": ["accept", "return", "feature"]},
                "comment": {"type": "string"}}}}}},
        "responses": {"200": _ok({"type": "object", "properties": {"case": _CASE}}), "400": _ERROR, "401": _ERROR,
                      "403": _ERROR, "404": _ERROR, "409": _ERROR, "422": _ERROR}}},
}
