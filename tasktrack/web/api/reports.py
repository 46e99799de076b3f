"""API: the secretariat's drafted documents as .docx — the 进展通报 as of a date and the 工作总结 over a period
(the /reports/ page's documents; errors as JSON)."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from tasktrack.models import Plan
from tasktrack.permissions import Action, require
from tasktrack.services import reports
from tasktrack.web import report_files
from tasktrack.web.api.views import api_user, bp
from tasktrack.web.downloads import DOCX, file_response
from tasktrack.web.params import required_date_arg, required_id_arg


def _plan() -> Plan:
    require(api_user(), Action.ADMIN)
    plan = reports.get_plan(required_id_arg("plan", "工作计划"))  # NotFound: the JSON 404
    require(api_user(), Action.ADMIN, plan)  # another work group's plan: 403
    return plan


@bp.route("/reports/bulletin.docx")
def report_bulletin() -> Response:
    """Return the 工作进展情况通报 of a plan as of a date (.docx)."""
    plan = _plan()
    name, data = report_files.bulletin(plan.id, required_date_arg("as_of", "截止日期"))
    return file_response(data, filename=name, content_type=DOCX, cache_control="private, no-store")


@bp.route("/reports/summary.docx")
def report_summary() -> Response:
    """Return the 工作总结 draft of a plan over a period (.docx)."""
    plan = _plan()
    name, data = report_files.work_summary(plan.id, required_date_arg("from", "开始日期"),
                                           required_date_arg("to", "结束日期"))
    return file_response(data, filename=name, content_type=DOCX, cache_control="private, no-store")


_DATE = {"type": "string", "format": "date"}
_DOCX = {"description": "Word 文稿（公文格式）", "content": {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
        "schema": {"type": "string", "format": "binary"}}}}
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_ERRORS = {code: {"description": text, "content": _ERROR}
           for code, text in (("400", "参数缺失或无效"), ("401", "未认证"), ("403", "没有权限"), ("404", "计划不存在"),
                              ("422", "日期不合理"))}
_PLAN = {"name": "plan", "in": "query", "required": True, "schema": {"type": "integer"}, "description": "计划 id"}

OPENAPI_PATHS: dict[str, Any] = {
    "/reports/bulletin.docx": {"get": {
        "operationId": "getBulletinDocx", "summary": "工作进展情况通报（截至某日，.docx）",
        "parameters": [_PLAN, {"name": "as_of", "in": "query", "required": True, "schema": _DATE,
                               "description": "截止日期；之后的报送不计入"}],
        "responses": {"200": _DOCX, **_ERRORS}}},
    "/reports/summary.docx": {"get": {
        "operationId": "getSummaryDocx", "summary": "半年 / 年度工作总结初稿（期间，.docx）",
        "parameters": [_PLAN, {"name": "from", "in": "query", "required": True, "schema": _DATE},
                       {"name": "to", "in": "query", "required": True, "schema": _DATE}],
        "responses": {"200": _DOCX, **_ERRORS}}},
}
