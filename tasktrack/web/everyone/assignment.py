"""An assignment's page for everyone signed in: its history, supervision records and extension requests.

Reporting is the unit's (web/liaison/reports.py), review the secretariat's (web/secretariat/review.py); 签收 is here
because the lower work group's secretariat signs for an inbound assignment too (permissions.py, ACKNOWLEDGE)."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.permissions import Action, can, inbound_to, require
from tasktrack.services import acknowledgements, cascade
from tasktrack.services import extension_requests as extensions
from tasktrack.services.read import tracking
from tasktrack.web import forms, loaders
from tasktrack.web.everyone import bp
from tasktrack.web.everyone.forms import AcknowledgeForm
from tasktrack.web.forms import done
from tasktrack.web.liaison.forms import UnchangedForm
from tasktrack.web.secretariat.review_forms import ReopenForm, ReviewForm


@bp.route("/assignments/<int:assignment_id>")
def assignment(assignment_id: int) -> str:
    """Show an assignment with every report version, supervision records and extension requests."""
    page = tracking.assignment_page(assignment_id, context.today())
    latest = page.latest
    a = page.assignment
    # A higher plan's task addressed to a lower work group: the drill-down the higher level reads (分解落实情况).
    decomposition = (cascade.inbound_detail(a, context.today())
                     if inbound_to(a) is not None and can(current_user, Action.VIEW_ASSIGNMENT, a) else None)
    return render_template("progress/assignment.html", page=page, a=a, review=ReviewForm(),
                           decomposition=decomposition,
                           unchanged=UnchangedForm(base_report_id=latest.id if latest else ""),
                           reopen=ReopenForm(formdata=None),
                           extension_refusal=extensions.refusal(page.assignment, today=context.today(),
                                                                pending=page.pending_extension))


@bp.route("/assignments/<int:assignment_id>/acknowledge", methods=["POST"])
def acknowledge(assignment_id: int) -> Any:
    """签收 in one click (the optional 承办人 and phone ride along); a repeat changes nothing and says 已签收."""
    a = loaders.assignment(assignment_id)
    require(current_user, Action.ACKNOWLEDGE, a)
    form = AcknowledgeForm()
    back = (form.next.data == "my" and url_for("liaison.my_tasks")) or url_for("everyone.assignment",
                                                                             assignment_id=a.id)

    def said(result: acknowledgements.Acknowledged) -> Response:
        if result.newly:
            return done(f"已签收：任务 {a.task.number}", back)
        if result.changed:
            return done(f"已更新任务 {a.task.number} 的承办人", back)
        return done(f"任务 {a.task.number} 已签收，无需重复签收", back, "info")

    return forms.handle(
        form, lambda: acknowledgements.acknowledge(a, actor=current_user, now=context.now(),
                                                   handler_name=form.handler_name.data,
                                                   handler_phone=form.handler_phone.data),
        success=said, back=back)
