"""The secretariat's documents (/reports/): the 进展通报 as of a date and the 工作总结 over a period as .docx, with
links to the existing exports and the case compilation. Bad or missing parameters get the Chinese 400 page; a plan
of another work group is 404 (loaders.administered_plan)."""

from __future__ import annotations

import datetime as dt

from flask import render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.permissions import Action, can
from tasktrack.services import ServiceError
from tasktrack.services.read import overview
from tasktrack.web import loaders, report_files
from tasktrack.web.downloads import DOCX, file_response
from tasktrack.web.params import BadInput, required_date_arg, required_id_arg
from tasktrack.web.secretariat import bp


@bp.route("/reports/")
def reports_page() -> str:
    """Offer the bulletin (plan, as-of date) and the summary (plan, period) forms and the other documents."""
    today = context.today()
    plans = [p for p in overview.list_plans(current_user) if can(current_user, Action.ADMIN, p)]
    current = next((p for p in plans if p.year == today.year), plans[0] if plans else None)
    return render_template("reports/index.html", plans=plans, current=current, today=today,
                           year_start=dt.date(today.year, 1, 1))


def _document(build: str) -> Response:
    plan = loaders.administered_plan(required_id_arg("plan", "工作计划"))
    try:
        if build == "bulletin":
            name, data = report_files.bulletin(plan.id, required_date_arg("as_of", "截止日期"))
        else:
            name, data = report_files.work_summary(plan.id, required_date_arg("from", "开始日期"),
                                                   required_date_arg("to", "结束日期"))
    except ServiceError as exc:
        raise BadInput(exc.message, field=exc.field) from None
    return file_response(data, filename=name, content_type=DOCX, cache_control="private, no-store")


@bp.route("/reports/bulletin.docx")
def bulletin_download() -> Response:
    """Download the 工作进展情况通报 of a plan as of a date (.docx, 公文 format)."""
    return _document("bulletin")


@bp.route("/reports/summary.docx")
def summary_download() -> Response:
    """Download the 工作总结 draft of a plan over a period (.docx, 公文 format)."""
    return _document("summary")
