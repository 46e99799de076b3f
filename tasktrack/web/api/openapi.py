"""The OpenAPI 3 document of /api/v1, merged from the ``OPENAPI_PATHS``/``OPENAPI_SCHEMAS`` of every API module.

The core routes of views.py are described here; each module in ``modules.API_MODULES`` adds its own.
Tests check that the document is valid, lists exactly the routes of the app, and that real responses
match their schemas.
"""

from __future__ import annotations

import importlib
from typing import Any

from flask import Response, jsonify

from tasktrack.web.api.schemas import DATE, SCHEMAS, nullable, ref
from tasktrack.web.api.views import bp


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


UNAUTHORIZED = _json("未认证", ref("Error"))

CORE_SCHEMAS: dict[str, Any] = {
    "Me": {"type": "object", "required": ["id", "email", "name", "role", "unit"], "properties": {
        "id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"},
        "role": {"type": "string", "enum": ["secretariat", "liaison", "observation_point", "viewer"]},
        "unit": nullable(ref("UnitRef"))}},
    "Plans": {"type": "object", "required": ["plans"], "properties": {"plans": {"type": "array", "items": {
        "type": "object", "required": ["id", "year", "title", "issuer", "document_number", "issued_on"],
        "properties": {"id": {"type": "integer"}, "year": {"type": "integer"}, "title": {"type": "string"},
                       "issuer": {"type": "string"}, "document_number": {"type": "string"},
                       "issued_on": nullable(DATE)}}}}},
    "PlanTasks": {"type": "object", "required": ["plan", "tasks"], "properties": {
        "plan": {"type": "object", "required": ["id", "title"],
                 "properties": {"id": {"type": "integer"}, "title": {"type": "string"}}},
        "tasks": {"type": "array", "items": {"type": "object", "required": [
            "id", "number", "section", "section_title", "text", "deadline_phrase", "deadline_kind", "due_date",
            "responsible_phrase", "light", "assignments"], "properties": {
            "id": {"type": "integer"}, "number": {"type": "integer"}, "section": {"type": "integer"},
            "section_title": {"type": "string"}, "text": {"type": "string"},
            "deadline_phrase": {"type": "string"}, "deadline_kind": {"type": "string"},
            "due_date": nullable(DATE), "responsible_phrase": {"type": "string"},
            "light": nullable({"type": "string", "enum": ["red", "yellow", "green", "done"]}),
            "assignments": {"type": "array", "items": {"type": "object", "required": [
                "id", "unit", "is_lead", "status", "percent", "light", "days_left"], "properties": {
                "id": {"type": "integer"}, "unit": ref("UnitRef"), "is_lead": {"type": "boolean"},
                "status": {"type": "string"}, "percent": nullable({"type": "integer"}),
                "light": {"type": "string"}, "days_left": nullable({"type": "integer"})}}}}}}}},
}

CORE_PATHS: dict[str, Any] = {
    "/me": {"get": {"operationId": "getMe", "summary": "当前账号",
                    "responses": {"200": _json("账号", ref("Me")), "401": UNAUTHORIZED}}},
    "/plans": {"get": {"operationId": "listPlans", "summary": "工作计划列表",
                       "responses": {"200": _json("计划", ref("Plans")), "401": UNAUTHORIZED}}},
    "/plans/{plan_id}/tasks": {"get": {
        "operationId": "listPlanTasks", "summary": "计划的具体工作及各单位灯色",
        "parameters": [{"name": "plan_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": _json("任务", ref("PlanTasks")), "401": UNAUTHORIZED,
                      "404": _json("计划不存在", ref("Error"))}}},
    "/openapi.json": {"get": {"operationId": "getOpenApi", "summary": "本 OpenAPI 文档",
                              "responses": {"200": _json("OpenAPI 3 文档", {"type": "object"}),
                                            "401": UNAUTHORIZED}}},
}


def document() -> dict[str, Any]:
    """Return the merged OpenAPI document."""
    from tasktrack.web.api.modules import API_MODULES

    paths = dict(CORE_PATHS)
    schemas = {**SCHEMAS, **CORE_SCHEMAS}
    for name in API_MODULES:
        module = importlib.import_module(name)
        for path, item in getattr(module, "OPENAPI_PATHS", {}).items():
            paths.setdefault(path, {}).update(item)
        schemas.update(getattr(module, "OPENAPI_SCHEMAS", {}))
    return {
        "openapi": "3.0.3",
        "info": {"title": "清廉社会组织建设任务督办 API", "version": "1.0.0",
                 "description": "所有请求需携带 `Authorization: Bearer <令牌>`"
                                "（flask --app wsgi users token --email …）。"
                                "错误以 JSON 返回：{\"error\": 说明, \"field\": 出错字段}。"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                       "schemas": dict(sorted(schemas.items()))},
    }


@bp.route("/openapi.json")
def openapi() -> Response:
    """Return the OpenAPI 3 document of this API."""
    return jsonify(document())
