"""The audit trail for the secretariat: who did what, when, to which object — filtered, paged, as CSV.

Each secretariat reads its part of the trail (permissions.visible_audit_events): the top work group's every event;
a lower one's, the events whose actor works in its part of the tree or whose object lies in it. The command line's
``audit list`` stays global, for operators."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from flask import render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.permissions import visible_audit_events, visible_group_ids
from tasktrack.services import audit_csv, audit_filter, audit_log
from tasktrack.uploads.headers import content_disposition
from tasktrack.web.secretariat import bp

logger = logging.getLogger(__name__)


#: The page of each kind of target (services.audit_log.Target): endpoint and its id argument.
TARGET_PAGES = {
    "user": ("secretariat.user_edit", "user_id"),
    "unit": ("everyone.unit", "unit_id"),
    "plan": ("everyone.plan", "plan_id"),
    "task": ("everyone.task", "task_id"),
    "assignment": ("everyone.assignment", "assignment_id"),
    "case": ("everyone.case_detail", "case_id"),
    "notification": ("secretariat.outbox_show", "notification_id"),
    "observation_point": ("everyone.observation_point", "unit_id"),
}


def target_url(target: audit_log.Target | None) -> str | None:
    """Return the URL of an event's object page, or None when it has none."""
    if target is None or target.kind not in TARGET_PAGES:
        return None
    endpoint, argument = TARGET_PAGES[target.kind]
    values: dict[str, Any] = {argument: target.id}
    return url_for(endpoint, **values)


def _choices() -> audit_filter.FilterChoices:
    return audit_filter.filter_choices(visible_group_ids(current_user))


def _filter() -> audit_filter.AuditFilter:
    """Read the filter from the query string, narrowed to the reader's part of the trail."""
    return dataclasses.replace(audit_filter.parse_filter(request.args), scope=visible_audit_events(current_user))


def _refused(exc: audit_filter.FilterErrors) -> tuple[str, int]:
    return render_template("audit/index.html", page=None, errors=exc.errors, form=request.args, args={},
                           choices=_choices(), target_url=target_url), 400


@bp.route("/admin/audit")
def audit() -> str | tuple[str, int]:
    """Show the audit trail newest first, filtered by who, unit, object, action and days, 50 a page."""
    try:
        flt = _filter()
        page_no = audit_filter.parse_page(request.args.get("page"))
    except audit_filter.FilterErrors as exc:
        return _refused(exc)
    page = audit_log.search(flt, page=page_no)
    return render_template("audit/index.html", page=page, errors={}, form=request.args, args=flt.query_args(),
                           choices=_choices(), target_url=target_url)


@bp.route("/admin/audit.csv")
def audit_export() -> Response | tuple[str, int]:
    """Download the filtered events as CSV (UTF-8 with BOM; no cell can start a formula)."""
    try:
        flt = _filter()
    except audit_filter.FilterErrors as exc:
        return _refused(exc)
    logger.info("audit log CSV downloaded by %s: %s", current_user.email, audit_filter.describe_filter(flt))
    response = Response(audit_csv.read_and_close(audit_csv.spooled(flt)), content_type="text/csv; charset=utf-8",
                        direct_passthrough=True)
    response.headers["Content-Disposition"] = content_disposition(audit_csv.csv_filename(context.today()))
    response.headers["Cache-Control"] = "no-store"
    return response
