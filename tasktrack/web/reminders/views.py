"""Reminder pages: the secretariat's preview, outbox, resend and urging; a liaison's digest settings."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.extensions import db, login_manager
from tasktrack.models import Notification, NotificationStatus
from tasktrack.permissions import Action, require
from tasktrack.security import rerender_on_csrf_error
from tasktrack.services import ServiceError, digests, outbox, recipients, reminders, urging
from tasktrack.settings import settings as current_settings
from tasktrack.web.guards import guard_blueprint
from tasktrack.web.params import enum_arg
from tasktrack.web.reminders.forms import DeliverForm, DigestPreferenceForm, ResendForm, UrgeForm

bp = Blueprint("reminders", __name__, url_prefix="/admin/reminders")
guard_blueprint(bp, Action.ADMIN)

digest_bp = Blueprint("digest", __name__, url_prefix="/my/digest")
guard_blueprint(digest_bp, Action.REPORT_PROGRESS)

def _recheck(action: Action) -> Response | None:
    """Ask the policy again inside a form view: a CSRF re-render calls the view without the guard."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    require(current_user, action)
    return None


#: The stored e-mail HTML has its own <style>; shown alone, with no script and nothing external.
EMAIL_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


@bp.route("/")
def preview() -> str:
    """Show the messages today's sweep would queue (nothing is written)."""
    typed = current_settings()
    planned = reminders.plan_messages(context.today(), typed.reminders, base_url=typed.base_url)
    return render_template("reminders/preview.html", planned=planned, today=context.today())


@bp.route("/outbox")
def outbox_list() -> str:
    """List the outbox, failures first."""
    chosen = enum_arg("status", NotificationStatus)
    status = chosen.value if chosen is not None else None
    statuses = [chosen] if chosen is not None else None
    counts = outbox.status_counts()
    return render_template("reminders/outbox.html", rows=outbox.list_outbox(statuses=statuses), counts=counts,
                           status=status, form=ResendForm(), deliver_form=DeliverForm(),
                           waiting=counts[NotificationStatus.PENDING] + counts[NotificationStatus.FAILED])


@bp.route("/outbox/deliver", methods=["POST"])
def outbox_deliver() -> Response:
    """立即发送: send every pending and failed message now, backoff or not (dead ones need 重新发送)."""
    form = DeliverForm()
    if not form.validate_on_submit():
        flash("页面已过期或安全校验未通过，请刷新后重试。", "danger")
        return redirect(url_for("reminders.outbox_list"))
    typed = current_settings()
    report = outbox.deliver_due(typed.smtp, now=context.now, policy=typed.delivery, ignore_backoff=True)
    if not (report.sent or report.retried or report.dead):
        flash("没有待发送的邮件（无法投递的邮件需先点“重新发送”）", "info")
    else:
        flash(f"已发送 {len(report.sent)} 封，稍后重试 {len(report.retried)} 封，无法投递 {len(report.dead)} 封",
              "success" if not (report.retried or report.dead) else "warning")
    return redirect(url_for("reminders.outbox_list"))


@bp.route("/outbox/<int:notification_id>")
def outbox_show(notification_id: int) -> str:
    """Show one message: recipients, state, text."""
    row = db.get_or_404(Notification, notification_id)
    return render_template("reminders/message.html", row=row, form=ResendForm())


@bp.route("/outbox/<int:notification_id>/html")
def outbox_html(notification_id: int) -> Response:
    """Show one message's HTML part as the recipient sees it."""
    row = db.get_or_404(Notification, notification_id)
    response = current_app.response_class(row.body_html or "", mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMAIL_CSP
    return response


@bp.route("/outbox/<int:notification_id>/resend", methods=["POST"])
def outbox_resend(notification_id: int) -> Response:
    """Queue a failed message again."""
    form = ResendForm()
    if form.validate_on_submit():
        try:
            outbox.resend(notification_id, actor=current_user, now=context.now())
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash("已重新放入发件箱，将在下次投递时发送", "success")
    return redirect(url_for("reminders.outbox_list"))


#: Kept for old callers: whom a resent message goes to is decided in services/recipients.py.
_recipients_of = recipients.for_notification


@bp.route("/urges")
def urge_list() -> str:
    """List recent manual urges and whether each unit has reported since."""
    return render_template("reminders/urges.html", rows=urging.recent_urges())


@bp.route("/assignments/<int:assignment_id>/urge", methods=["GET", "POST"])
@rerender_on_csrf_error
def urge(assignment_id: int) -> str | Response | tuple[str, int]:
    """Urge a unit on one assignment (一键催办), sent at once through the outbox."""
    if (refused := _recheck(Action.ADMIN)) is not None:
        return refused
    try:
        assignment = urging.get_assignment(assignment_id)
    except ServiceError:
        abort(404)
    form = UrgeForm()
    if form.validate_on_submit():
        try:
            new_id = urging.urge(assignment, actor=current_user, note=form.note.data or "", now=context.now(),
                                 base_url=current_settings().base_url)
        except ServiceError as exc:
            db.session.rollback()
            if exc.field == "note":
                form.note.errors = [exc.message]
            else:  # e.g. already urged today (a double click): nothing to correct in the form
                flash(exc.message, "warning")
                return redirect(url_for("reminders.urge", assignment_id=assignment.id))
        else:
            db.session.commit()
            report = outbox.deliver_due(current_settings().smtp, now=context.now, policy=current_settings().delivery,
                                        only=[new_id])
            if report.sent:
                flash(f"已向{assignment.unit.name}发出催办邮件", "success")
            else:
                flash("催办已记录；邮件暂未发出，发件箱会自动重试", "warning")
            return redirect(url_for("reminders.urge", assignment_id=assignment.id))
    status = 400 if request.method == "POST" else 200
    return render_template("reminders/urge.html", assignment=assignment, form=form,
                           refusal=urging.refusal(assignment, context.today()),
                           history=urging.urge_history(assignment)), status


@digest_bp.route("/", methods=["GET", "POST"])
@rerender_on_csrf_error
def settings() -> str | Response | tuple[str, int]:
    """Choose the weekday of the weekly digest, or pause it."""
    if (refused := _recheck(Action.REPORT_PROGRESS)) is not None:
        return refused
    weekday, paused = digests.preference(current_user, default_weekday=current_settings().digest_weekday)
    form = DigestPreferenceForm() if request.method == "POST" else DigestPreferenceForm(weekday=weekday,
                                                                                         paused=paused)
    if form.validate_on_submit():
        try:
            digests.set_preference(current_user, weekday=form.weekday.data, paused=form.paused.data,
                                   now=context.now())
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash("已保存每周摘要设置", "success")
            return redirect(url_for("digest.settings"))
    status = 400 if request.method == "POST" else 200
    return render_template("reminders/digest_settings.html", form=form), status
