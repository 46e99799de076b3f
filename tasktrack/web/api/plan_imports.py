"""API: plan imports — upload a document (multipart) for a draft, read the draft with its problems, publish it.

The secretariat's, like the 导入工作计划 page: the same services, the same messages (as JSON errors).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.domain.inputs import parse_int
from tasktrack.extensions import db
from tasktrack.models import PlanImport
from tasktrack.permissions import Action, can, require
from tasktrack.services import NotFound, plan_imports
from tasktrack.web.api.schemas import nullable
from tasktrack.web.api.views import api_error, api_user, bp

_ERROR = {"description": "错误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _load(import_id: int) -> PlanImport:
    require(api_user(), Action.ADMIN)
    imp = plan_imports.get_import(import_id)
    if imp is None or not can(api_user(), Action.ADMIN, imp):
        raise NotFound("导入草稿不存在")
    return imp


def import_json(imp: PlanImport) -> dict[str, Any]:
    """Return a draft with each row's readings and problems."""
    review = plan_imports.review_of(imp)
    return {
        "id": imp.id, "status": imp.status.value, "title": imp.title, "year": imp.year, "end_year": imp.end_year,
        "issuer": imp.issuer, "document_number": imp.document_number,
        "issued_on": imp.issued_on.isoformat() if imp.issued_on else None, "layout": imp.layout,
        "notes": imp.notes.splitlines(), "member_units": imp.member_units.splitlines(),
        "source": {"name": imp.source_name, "format": imp.source_format, "size": imp.source_size,
                   "sha256": imp.source_sha256},
        "plan_id": imp.plan_id, "version": imp.version, "ready": review.ready, "problem_count": review.problem_count,
        "unknown_names": {k: list(v) for k, v in review.unknown_names.items()},
        "vague_names": {k: list(v) for k, v in review.vague_names.items()},
        "review_url": url_for("secretariat.plan_import_review", import_id=imp.id, _external=True),
        "rows": [{
            "id": r.row.key, "section_number": r.row.section_number, "section_title": r.row.section_title,
            "number": r.row.number, "text": r.row.text, "deadline_phrase": r.row.deadline_phrase,
            "deadline_reading": r.deadline_reading or None,
            "due_date": r.deadline.due.isoformat() if r.deadline and r.deadline.due else None,
            "deadline_kind": r.deadline.kind.value if r.deadline else None,
            "responsible_phrase": r.row.responsible_phrase, "leads": list(r.leads), "co_owners": list(r.co_owners),
            "problems": [{"field": p.field, "kind": p.kind, "message": p.message, "name": p.name or None}
                         for p in r.problems],
        } for r in review.rows],
    }


@bp.route("/plan-imports", methods=["POST"])
def create_plan_import() -> tuple[Response, int]:
    """Read an uploaded plan document (multipart ``file``, or ``text``; optional ``title``, ``year``) into a draft."""
    user = api_user()
    require(user, Action.ADMIN)
    upload = request.files.get("file")
    received = plan_imports.Received(upload.read(), upload.filename or "") if upload and upload.filename else None
    year_text = request.form.get("year", "").strip()
    year = parse_int(year_text, low=2000, high=2100) if year_text else None
    if year_text and year is None:
        return api_error("年度须为 2000—2100 之间的整数", 422, field="year")
    try:
        imp = plan_imports.start(received, pasted=request.form.get("text"), title=request.form.get("title"),
                                 year=year, actor=user, now=context.now())
    except plan_imports.AlreadyImported as exc:  # a refusal that names the import it repeats
        db.session.rollback()
        return api_error(exc.message, 409, field="file", import_id=exc.existing.id, plan_id=exc.existing.plan_id)
    db.session.commit()
    return jsonify(import_json(imp)), 201


@bp.route("/plan-imports/<int:import_id>", methods=["GET"])
def get_plan_import(import_id: int) -> Response:
    """Return a draft with its rows, readings and problems."""
    return jsonify(import_json(_load(import_id)))


@bp.route("/plan-imports/<int:import_id>/publish", methods=["POST"])
def publish_plan_import(import_id: int) -> Response | tuple[Response, int]:
    """Publish a draft with no problem left: the plan, its tasks and assignments."""
    imp = _load(import_id)
    plan = plan_imports.publish(imp, actor=api_user(), now=context.now())
    db.session.commit()
    return jsonify({"plan_id": plan.id, "title": plan.title, "import": import_json(imp)})


_IMPORT = {"type": "object", "required": ["id", "status", "title", "year", "rows", "ready", "problem_count", "source"],
           "properties": {"id": {"type": "integer"}, "status": {"type": "string"}, "title": {"type": "string"},
                          "year": {"type": "integer"}, "ready": {"type": "boolean"},
                          "problem_count": {"type": "integer"}, "rows": {"type": "array", "items": {"type": "object"}},
                          "source": {"type": "object"}, "plan_id": nullable({"type": "integer"})}}
_ID = [{"name": "import_id", "in": "path", "required": True, "schema": {"type": "integer"}}]


def _ok(schema: dict[str, Any], description: str = "成功") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


OPENAPI_PATHS: dict[str, Any] = {
    "/plan-imports": {"post": {
        "summary": "导入工作计划：上传文件（multipart：file，或 text 粘贴文本；可选 title、year），生成草稿",
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "properties": {
                "file": {"type": "string", "format": "binary"}, "text": {"type": "string"},
                "title": {"type": "string"}, "year": {"type": "integer"}}}}}},
        "responses": {"201": _ok(_IMPORT, "已生成草稿"), "401": _ERROR, "403": _ERROR, "409": _ERROR,
                      "413": _ERROR, "422": _ERROR}}},
    "/plan-imports/{import_id}": {"parameters": _ID, "get": {
        "summary": "导入草稿：逐行识别结果与问题", "responses": {"200": _ok(_IMPORT), "401": _ERROR, "403": _ERROR,
                                                      "404": _ERROR}}},
    "/plan-imports/{import_id}/publish": {"parameters": _ID, "post": {
        "summary": "发布草稿（无待处理问题时）：创建计划、任务和单位任务",
        "responses": {"200": _ok({"type": "object", "properties": {"plan_id": {"type": "integer"},
                                                                   "title": {"type": "string"}, "import": _IMPORT}}),
                      "401": _ERROR, "403": _ERROR, "404": _ERROR, "409": _ERROR, "422": _ERROR}}},
}
