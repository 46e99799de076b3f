"""An assignment's page for everyone signed in: its history, supervision records and extension requests.

Reporting is the unit's (web/liaison/reports.py), review the secretariat's (web/secretariat/review.py)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from tasktrack import context
from tasktrack.permissions import Action, can, inbound_to
from tasktrack.services import cascade
from tasktrack.services import extension_requests as extensions
from tasktrack.services.read import tracking
from tasktrack.web.everyone import bp
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
