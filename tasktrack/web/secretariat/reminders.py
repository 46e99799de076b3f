"""Reminder pages: the secretariat's preview, outbox, resend and urging; a liaison's digest settings."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.models import NotificationStatus
from tasktrack.permissions import Action, administered_assignments, own_notifications
from tasktrack.services import ServiceError, outbox, reminders, urging
from tasktrack.services.work_groups import home_work_group
from tasktrack.settings import settings
from tasktrack.web import forms, loaders
from tasktrack.web.forms import done, form_view
from tasktrack.web.params import enum_arg
from tasktrack.web.secretariat import bp
from tasktrack.web.secretariat.reminder_forms import DeliverForm, ResendForm, UrgeForm

#: The stored e-mail HTML has its own <style>; shown alone, with no script and nothing external.
EMAIL_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


@bp.route("/admin/reminders/")
def preview() -> str:
    """Show the messages today's sweep would queue to the secretariat's own work group's units (nothing is written)."""
    typed = settings()
    planned = reminders.plan_messages(context.today(), typed.reminders, base_url=typed.base_url,
                                      work_group_ids={current_user.work_group_id})
    return render_template("reminders/preview.html", planned=planned, today=context.today(),
                           group=home_work_group(current_user))


@bp.route("/admin/reminders/outbox")
def outbox_list() -> str:
    """List the outbox, failures first."""
    chosen = enum_arg("status", NotificationStatus)
    status = chosen.value if chosen is not None else None
    statuses = [chosen] if chosen is not None else None
    own = own_notifications(current_user)
    counts = outbox.status_counts(where=own)
    return render_template("reminders/outbox.html", rows=outbox.list_outbox(statuses=statuses, where=own),
                           counts=counts,
                           status=status, form=ResendForm(), deliver_form=DeliverForm(),
                           waiting=counts[NotificationStatus.PENDING] + counts[NotificationStatus.FAILED])


@bp.route("/admin/reminders/outbox/deliver", methods=["POST"])
def outbox_deliver() -> Response:
    """立即发送: send the work group's own pending and failed messages now, backoff or not (dead ones need 重新发送);
    another group's mail waits for the scheduler's delivery or its own office."""
    form = DeliverForm()
    if not form.validate_on_submit():
        flash("页面已过期或安全校验未通过，请刷新后重试。", "danger")
        return redirect(url_for("secretariat.outbox_list"))
    typed = settings()
    report = outbox.deliver_due(typed.smtp, robot_settings=typed.robots, now=context.now, policy=typed.delivery,
                                ignore_backoff=True, where=own_notifications(current_user))
    if not (report.sent or report.retried or report.dead):
        flash("没有待发送的邮件（无法投递的邮件需先点“重新发送”）", "info")
    else:
        flash(f"已发送 {len(report.sent)} 封，稍后重试 {len(report.retried)} 封，无法投递 {len(report.dead)} 封",
              "success" if not (report.retried or report.dead) else "warning")
    return redirect(url_for("secretariat.outbox_list"))


@bp.route("/admin/reminders/outbox/<int:notification_id>")
def outbox_show(notification_id: int) -> str:
    """Show one message: recipients, state, text."""
    row = loaders.notification(notification_id)
    return render_template("reminders/message.html", row=row, form=ResendForm())


@bp.route("/admin/reminders/outbox/<int:notification_id>/html")
def outbox_html(notification_id: int) -> Response:
    """Show one message's HTML part as the recipient sees it."""
    row = loaders.notification(notification_id)
    response = current_app.response_class(row.body_html or "", mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMAIL_CSP
    return response


@bp.route("/admin/reminders/outbox/<int:notification_id>/resend", methods=["POST"])
def outbox_resend(notification_id: int) -> ResponseReturnValue:
    """Queue a failed message again."""
    loaders.notification(notification_id)
    back = url_for("secretariat.outbox_list")
    return forms.handle(
        ResendForm(), lambda: outbox.resend(notification_id, actor=current_user, now=context.now()),
        success=lambda _r: done("已重新放入发件箱，将在下次投递时发送", back), back=back)


@bp.route("/admin/reminders/urges")
def urge_list() -> str:
    """List recent manual urges and whether each unit has reported since."""
    rows = urging.recent_urges(where=administered_assignments(current_user))
    return render_template("reminders/urges.html", rows=rows)


@bp.route("/admin/reminders/assignments/<int:assignment_id>/urge", methods=["GET", "POST"])
@form_view
def urge(assignment_id: int) -> ResponseReturnValue:
    """Urge a unit on one assignment (一键催办), sent at once through the outbox."""
    assignment = loaders.assignment(assignment_id, Action.REVIEW_PROGRESS)
    form = UrgeForm()
    here = url_for("secretariat.urge", assignment_id=assignment.id)

    def sent(new_id: int) -> Response:
        typed = settings()
        report = outbox.deliver_due(typed.smtp, robot_settings=typed.robots, now=context.now, policy=typed.delivery,
                                    where=outbox.same_message(new_id))
        if new_id in report.sent:
            return done(f"已向{assignment.unit.name}发出催办邮件", here)
        return done("催办已记录；邮件暂未发出，发件箱会自动重试", here, "warning")

    def not_on_the_note(exc: ServiceError) -> Response | None:
        # e.g. already urged today (a double click): nothing to correct in the form
        return None if exc.field == "note" else done(exc.message, here, "warning")

    return forms.handle(
        form, lambda: urging.urge(assignment, actor=current_user, note=form.note.data or "", now=context.now(),
                                  base_url=settings().base_url),
        success=sent, on_refusal=not_on_the_note,
        render=lambda: render_template("reminders/urge.html", assignment=assignment, form=form,
                                       refusal=urging.refusal(assignment, context.today()),
                                       history=urging.urge_history(assignment)))
