"""API: 交办事项 (``GET|POST /matters``, ``GET /matters/{id}``) and 联络员会议 (``GET|POST /meetings``,
``GET /meetings/{id}``). The same services and policy as the pages; a matter's assignments are ordinary assignments
(``/assignments/{id}`` and its reports)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from tasktrack import context
from tasktrack.extensions import db
from tasktrack.models import Matter, MatterSource, Meeting
from tasktrack.permissions import Action, require
from tasktrack.services import ServiceError, matters, meetings
from tasktrack.services.work_groups import home_work_group
from tasktrack.settings import settings
from tasktrack.web.api.schemas import DATE, LIGHTS, assignment_json, nullable, ref
from tasktrack.web.api.views import api_user, bp
from tasktrack.web.params import json_body

SOURCES = [s.value for s in MatterSource]


def _matter_json(row: matters.MatterRow) -> dict[str, Any]:
    m, task = row.matter, row.matter.task
    return {
        "id": m.id, "number": task.number, "source": m.source.value, "source_label": m.source.label,
        "reference": m.reference, "meeting_id": m.meeting_id, "task_id": task.id, "plan_id": task.plan_id,
        "text": task.text, "deadline_phrase": task.deadline_phrase,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "responsible_phrase": task.responsible_phrase, "light": row.state,
        "assignments": [assignment_json(r) for r in row.row.rows],
    }


def _body() -> dict[str, Any]:
    body = json_body()
    if not isinstance(body, dict):
        raise ServiceError("请求体必须是 JSON 对象")
    return body


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ServiceError(f"{name} 必须是文字", field=name)
    return value


@bp.route("/matters")
def matter_list() -> Response:
    """List the 交办事项 the caller reads (``source``, ``state`` = light), newest first."""
    source_raw = request.args.get("source", "")
    source = matters.parse_source(source_raw) if source_raw else None
    state = matters.parse_state(request.args.get("state"))
    rows = matters.list_matters(api_user(), context.today(), source=source, state=state)
    return jsonify({"matters": [_matter_json(r) for r in rows]})


@bp.route("/matters", methods=["POST"])
def matter_create() -> tuple[Response, int]:
    """Record a 交办事项 of the caller's work group (its secretariat) and open its assignments."""
    user = api_user()
    require(user, Action.ADMIN)
    body = _body()
    raw_source = body.get("source")
    matter = matters.create_matter(
        home_work_group(user), source=matters.parse_source(raw_source if isinstance(raw_source, str) else ""),
        reference=_text(body, "reference"), text=_text(body, "text"), deadline_phrase=_text(body, "deadline_phrase"),
        responsible_phrase=_text(body, "responsible_phrase"), actor=user, now=context.now())
    db.session.commit()
    return jsonify({"matter": _matter_json(matters.matter_row(matters.get_matter(matter.id), context.today()))}), 201


def _readable_matter(matter_id: int) -> Matter:
    m = matters.get_matter(matter_id)
    require(api_user(), Action.VIEW_MATTER, m)
    return m


@bp.route("/matters/<int:matter_id>")
def matter_get(matter_id: int) -> Response:
    """Return one 交办事项 with its assignments and lights."""
    return jsonify({"matter": _matter_json(matters.matter_row(_readable_matter(matter_id), context.today()))})


def _meeting_json(meeting: Meeting, *, details: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": meeting.id, "title": meeting.title, "held_on": meeting.held_on.isoformat(), "place": meeting.place,
        "agenda": meeting.agenda, "minutes": meeting.minutes,
        "invited": [{"id": u.id, "name": u.name} for u in meeting.invited],
        "present": [{"id": u.id, "name": u.name} for u in meeting.present],
        "matter_ids": [m.id for m in meeting.matters],
    }
    if details:
        today = context.today()
        data["matters"] = [_matter_json(matters.matter_row(m, today)) for m in meeting.matters]
    return data


@bp.route("/meetings")
def meeting_list() -> Response:
    """List the 联络员会议 the caller reads, newest first."""
    return jsonify({"meetings": [_meeting_json(m, details=False) for m in meetings.list_meetings(api_user())]})


@bp.route("/meetings", methods=["POST"])
def meeting_create() -> tuple[Response, int]:
    """Record a 联络员会议 of the caller's work group and queue its notice to the invited units; ``decisions``
    (text, deadline_phrase, responsible_phrase) become 交办事项 linked to it, all or nothing."""
    user = api_user()
    require(user, Action.ADMIN)
    body = _body()
    invited = body.get("invited")
    if not isinstance(invited, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in invited):
        raise ServiceError(meetings.NO_UNITS + "：invited 应为单位 id 的数组", field="invited")
    decisions = body.get("decisions") or []
    if not isinstance(decisions, list) or not all(isinstance(d, dict) for d in decisions):
        raise ServiceError("decisions 应为议定事项对象的数组", field="decisions")
    meeting = meetings.create_meeting(
        home_work_group(user), title=_text(body, "title"), held_on=body.get("held_on"), place=_text(body, "place"),
        agenda=_text(body, "agenda"), invited=invited, actor=user, now=context.now(), base_url=settings().base_url)
    for position, decision in enumerate(decisions, start=1):
        try:
            meetings.add_decision(meeting, text=_text(decision, "text"),
                                  deadline_phrase=_text(decision, "deadline_phrase"),
                                  responsible_phrase=_text(decision, "responsible_phrase"), actor=user,
                                  now=context.now())
        except ServiceError as exc:
            raise ServiceError(f"议定事项第 {position} 项：{exc.message}",
                               field=f"decisions[{position - 1}].{exc.field or 'text'}") from None
    db.session.commit()
    return jsonify({"meeting": _meeting_json(meetings.get_meeting(meeting.id), details=True)}), 201


@bp.route("/meetings/<int:meeting_id>")
def meeting_get(meeting_id: int) -> Response:
    """Return one 联络员会议 with its decisions (交办事项)."""
    meeting = meetings.get_meeting(meeting_id)
    require(api_user(), Action.VIEW_MEETING, meeting)
    return jsonify({"meeting": _meeting_json(meeting, details=True)})


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_INT, _STR = {"type": "integer"}, {"type": "string"}
_UNITS = {"type": "array", "items": ref("UnitRef")}
OPENAPI_SCHEMAS: dict[str, Any] = {
    "Matter": {"type": "object", "additionalProperties": False, "required": [
        "id", "number", "source", "source_label", "reference", "meeting_id", "task_id", "plan_id", "text",
        "deadline_phrase", "due_date", "responsible_phrase", "light", "assignments"], "properties": {
        "id": _INT, "number": _INT, "source": {"type": "string", "enum": SOURCES}, "source_label": _STR,
        "reference": _STR, "meeting_id": nullable(_INT), "task_id": _INT, "plan_id": _INT, "text": _STR,
        "deadline_phrase": _STR, "due_date": nullable(DATE), "responsible_phrase": _STR,
        "light": nullable({"type": "string", "enum": LIGHTS}),
        "assignments": {"type": "array", "items": ref("Assignment")}}},
    "NewMatter": {"type": "object", "required": ["source", "text", "deadline_phrase", "responsible_phrase"],
                  "properties": {
                      "source": {"type": "string", "enum": SOURCES,
                                 "description": "或其中文：会议议定、领导批示、上级交办、其他"},
                      "reference": {"type": "string", "description": "依据：会议、文号或批示内容"},
                      "text": _STR,
                      "deadline_phrase": {"type": "string", "description": "与工作计划相同的写法，如 2024年9月底前"},
                      "responsible_phrase": {"type": "string",
                                             "description": "单位或类别全称，如 省民政厅牵头，省教育厅配合"}}},
    "Meeting": {"type": "object", "additionalProperties": False, "required": [
        "id", "title", "held_on", "place", "agenda", "minutes", "invited", "present", "matter_ids"], "properties": {
        "id": _INT, "title": _STR, "held_on": DATE, "place": _STR, "agenda": _STR, "minutes": _STR,
        "invited": _UNITS, "present": _UNITS, "matter_ids": {"type": "array", "items": _INT},
        "matters": {"type": "array", "items": ref("Matter")}}},
    "NewMeeting": {"type": "object", "required": ["title", "held_on", "invited"], "properties": {
        "title": _STR, "held_on": DATE, "place": _STR, "agenda": _STR,
        "invited": {"type": "array", "items": _INT, "description": "本专班单位 id；会议通知发给这些单位"},
        "decisions": {"type": "array", "items": {"type": "object", "required": [
            "text", "deadline_phrase", "responsible_phrase"], "properties": {
            "text": _STR, "deadline_phrase": _STR, "responsible_phrase": _STR}}}}},
}

_ID = {"in": "path", "required": True, "schema": _INT}
OPENAPI_PATHS: dict[str, Any] = {
    "/matters": {
        "get": {"operationId": "listMatters", "summary": "交办事项（可按来源、灯色筛选）",
                "parameters": [{"name": "source", "in": "query", "schema": {"type": "string", "enum": SOURCES}},
                               {"name": "state", "in": "query", "schema": {"type": "string", "enum": LIGHTS}}],
                "responses": {"200": _ok("交办事项", {"type": "object", "required": ["matters"], "properties": {
                    "matters": {"type": "array", "items": ref("Matter")}}}),
                    "401": _error("未认证"), "422": _error("参数无效")}},
        "post": {"operationId": "createMatter", "summary": "登记交办事项并分配给责任单位（专班办公室）",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": ref("NewMatter")}}},
                 "responses": {"201": _ok("已登记", {"type": "object", "required": ["matter"],
                                                    "properties": {"matter": ref("Matter")}}),
                               "400": _error("请求体不是有效的 JSON"), "401": _error("未认证"),
                               "403": _error("非专班办公室"), "422": _error("内容无效（field 指明字段）")}}},
    "/matters/{matter_id}": {"get": {
        "operationId": "getMatter", "summary": "一项交办事项及其责任单位的办理情况",
        "parameters": [{"name": "matter_id", **_ID}],
        "responses": {"200": _ok("交办事项", {"type": "object", "required": ["matter"],
                                          "properties": {"matter": ref("Matter")}}),
                      "401": _error("未认证"), "403": _error("无权查看"), "404": _error("不存在")}}},
    "/meetings": {
        "get": {"operationId": "listMeetings", "summary": "联络员会议",
                "responses": {"200": _ok("会议", {"type": "object", "required": ["meetings"], "properties": {
                    "meetings": {"type": "array", "items": ref("Meeting")}}}), "401": _error("未认证")}},
        "post": {"operationId": "createMeeting",
                 "summary": "登记联络员会议，向参会单位发送会议通知；议定事项转为交办事项（专班办公室）",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": ref("NewMeeting")}}},
                 "responses": {"201": _ok("已登记", {"type": "object", "required": ["meeting"],
                                                    "properties": {"meeting": ref("Meeting")}}),
                               "400": _error("请求体不是有效的 JSON"), "401": _error("未认证"),
                               "403": _error("非专班办公室"), "422": _error("内容无效（field 指明字段）")}}},
    "/meetings/{meeting_id}": {"get": {
        "operationId": "getMeeting", "summary": "一次联络员会议及其议定事项",
        "parameters": [{"name": "meeting_id", **_ID}],
        "responses": {"200": _ok("会议", {"type": "object", "required": ["meeting"],
                                        "properties": {"meeting": ref("Meeting")}}),
                      "401": _error("未认证"), "403": _error("无权查看"), "404": _error("不存在")}}},
}
