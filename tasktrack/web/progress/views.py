"""Progress of one assignment: its page and history, reporting, completion review and extension requests."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.domain.inputs import parse_id
from tasktrack.extensions import db, login_manager
from tasktrack.models import AssignmentStatus, ExtensionRequest, ProgressReport
from tasktrack.permissions import Action, can, require
from tasktrack.security import rerender_on_csrf_error
from tasktrack.services import NotFound, ServiceError, progress
from tasktrack.services import extension_requests as extensions
from tasktrack.services.attachments import Upload
from tasktrack.services.read import tracking
from tasktrack.web.guards import guard_blueprint
from tasktrack.web.progress.forms import (
    DecisionForm,
    ExtensionForm,
    ReopenForm,
    ReportForm,
    ReviewForm,
    UnchangedForm,
)
from tasktrack.web.uploads import refused_status

bp = Blueprint("progress", __name__)
guard_blueprint(bp, Action.VIEW_ASSIGNMENT)


def _apply_error(form: Any, exc: ServiceError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "danger")


def _load_reportable(assignment_id: int) -> Any:
    """Load an assignment the user may report on; raise 403/404.

    A form view is also called from the CSRF error handler (``rerender_on_csrf_error``), before the
    blueprint guard and where a raised exception would not reach the error pages: there, a refusal is
    returned as a response instead (the handler turns it into a 400 that changed nothing).
    """
    if g.get("csrf_rerender"):
        if not current_user.is_authenticated:
            return None, login_manager.unauthorized()
        try:
            a = tracking.load_assignment(assignment_id)
        except NotFound:
            return None, (render_template("errors/error.html", code=404, title="页面不存在",
                                          message="您要找的内容不存在或已被删除。"), 404)
        if not can(current_user, Action.REPORT_PROGRESS, a):
            return None, (render_template("errors/error.html", code=403, title="没有权限",
                                          message="您的账号没有权限执行该操作。"), 403)
        return a, None
    a = tracking.load_assignment(assignment_id)
    require(current_user, Action.REPORT_PROGRESS, a)
    return a, None


def _report_of(assignment_id: int, raw: str | None) -> ProgressReport | None:
    """Return the report a form field names, if it is a report of this assignment."""
    report_id = parse_id(str(raw)) if raw else None
    if report_id is None:
        return None
    report = db.session.get(ProgressReport, report_id)
    return report if report is not None and report.assignment_id == assignment_id else None


@bp.route("/assignments/<int:assignment_id>")
def assignment(assignment_id: int) -> str:
    """Show an assignment with every report version, supervision records and extension requests."""
    page = tracking.assignment_page(assignment_id, context.today())
    latest = page.latest
    return render_template("progress/assignment.html", page=page, a=page.assignment, review=ReviewForm(),
                           unchanged=UnchangedForm(base_report_id=latest.id if latest else ""),
                           reopen=ReopenForm(formdata=None),
                           extension_refusal=extensions.refusal(page.assignment, today=context.today(),
                                                                pending=page.pending_extension))


@bp.route("/assignments/<int:assignment_id>/report", methods=["GET", "POST"])
@rerender_on_csrf_error
def report(assignment_id: int) -> Any:
    """Report progress (a new version; a correction names the report it corrects)."""
    a, refused = _load_reportable(assignment_id)
    if refused is not None:
        return refused
    latest = progress.latest_report(a)
    correcting = _report_of(a.id, request.values.get("correct") or request.form.get("supersedes_id"))
    if request.values.get("correct") and correcting is None:
        abort(404)
    form = ReportForm()
    if request.method == "GET":
        start = correcting or latest  # 最多报一次: the form starts from the last report
        if start is not None:
            form.status.data = start.status.value
            form.percent.data = "" if start.percent is None else str(start.percent)
            form.completed_on.data, form.narrative.data = start.completed_on, start.narrative
        form.base_report_id.data = latest.id if latest else ""
        form.supersedes_id.data = correcting.id if correcting else ""
    stale, status_of_refusal = None, 400
    if form.validate_on_submit():
        try:
            percent = form.percent_value()
        except ValueError:
            form.percent.errors = ["完成比例必须是 0 到 100 之间的整数"]
        else:
            uploads = [Upload(f.filename or "", f.read()) for f in request.files.getlist(form.attachments.name)
                       if f and f.filename]
            base = _report_of(a.id, form.base_report_id.data) if form.base_report_id.data else None
            status = AssignmentStatus(form.status.data)
            # The form starts from the last report, completion date included; the date belongs to the
            # "completed" status only, so changing the status (reopening) leaves it behind instead of
            # having the form refuse its own pre-filled value.
            completed_on = form.completed_on.data if status is AssignmentStatus.COMPLETED else None
            try:
                progress.submit_report(
                    a, author=current_user, status=status, percent=percent,
                    completed_on=completed_on, narrative=form.narrative.data or "", now=context.now(),
                    supersedes=correcting, base_report=base, attachments=uploads, reason=form.reason.data,
                )
            except progress.StaleReport as exc:
                db.session.rollback()
                stale = exc.latest
                form.base_report_id.data = stale.id  # submitting again is now a deliberate choice
            except ServiceError as exc:
                db.session.rollback()
                _apply_error(form, exc)
                status_of_refusal = refused_status(exc, status_of_refusal)  # 503: uploads cannot be stored now
            else:
                db.session.commit()
                claimed = form.status.data == "completed"
                flash("进展已报送" + ("，已标记为“待确认办结”，等待专班办公室确认" if claimed else ""), "success")
                return redirect(url_for("progress.assignment", assignment_id=a.id))
    status = 409 if stale is not None else (status_of_refusal if request.method == "POST" else 200)
    return render_template("progress/report_form.html", form=form, a=a, latest=latest, correcting=correcting,
                           stale=stale), status


@bp.route("/assignments/<int:assignment_id>/unchanged", methods=["POST"])
def unchanged(assignment_id: int) -> Response:
    """情况无变化，确认报送: repeat the last report as a new one, in one click."""
    a = tracking.load_assignment(assignment_id)
    require(current_user, Action.REPORT_PROGRESS, a)
    form = UnchangedForm()
    back = redirect((request.form.get("next") == "my" and url_for("liaison.my_tasks"))
                    or url_for("progress.assignment", assignment_id=a.id))
    if not form.validate_on_submit():
        flash("页面已过期或安全校验未通过，请刷新后重试。", "danger")
        return back
    try:
        progress.confirm_unchanged(a, author=current_user, base_report=_report_of(a.id, form.base_report_id.data),
                                   now=context.now())
    except progress.StaleReport:
        db.session.rollback()
        flash("在您确认之前，本单位已有人报送了新的进展，请先查看最新报送。", "warning")
        return redirect(url_for("progress.assignment", assignment_id=a.id))
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return back
    db.session.commit()
    flash(f"已确认报送：任务 {a.task.number} 情况无变化", "success")
    return back


@bp.route("/assignments/<int:assignment_id>/confirm", methods=["POST"])
def confirm(assignment_id: int) -> Response:
    """Confirm a claimed completion (办结)."""
    require(current_user, Action.REVIEW_PROGRESS)
    a = tracking.load_assignment(assignment_id)
    return _review(a, lambda note: progress.confirm_completion(a, actor=current_user, note=note, now=context.now()),
                   "已确认办结")


@bp.route("/assignments/<int:assignment_id>/send-back", methods=["POST"])
def send_back(assignment_id: int) -> Response:
    """Send a claimed completion back (退回) with a comment."""
    require(current_user, Action.REVIEW_PROGRESS)
    a = tracking.load_assignment(assignment_id)
    return _review(a, lambda note: progress.send_back(a, actor=current_user, note=note or "", now=context.now()),
                   "已退回，单位将看到退回意见")


@bp.route("/assignments/<int:assignment_id>/reopen", methods=["POST"])
def reopen(assignment_id: int) -> Response | tuple[str, int]:
    """Reopen a confirmed completion (办结), with a reason (the secretariat)."""
    a = tracking.load_assignment(assignment_id)
    require(current_user, Action.REOPEN_COMPLETION, a)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            progress.reopen_completion(a, actor=current_user, reason=form.reason.data or "", now=context.now())
        except ServiceError as exc:
            db.session.rollback()
            _apply_error(form, exc)
        else:
            db.session.commit()
            flash(f"已重新打开：{a.unit.name} 任务 {a.task.number}，单位可以继续报送", "success")
            return redirect(url_for("progress.assignment", assignment_id=a.id))
    elif not form.errors.get("reason"):
        flash("页面已过期或安全校验未通过，请刷新后重试。", "danger")
        return redirect(url_for("progress.assignment", assignment_id=a.id))
    page = tracking.assignment_page(assignment_id, context.today())
    return render_template("progress/assignment.html", page=page, a=page.assignment, review=ReviewForm(),
                           unchanged=UnchangedForm(), reopen=form, extension_refusal=None), 400


def _review(a: Any, action: Any, done: str) -> Response:
    form = ReviewForm()
    target = url_for("progress.completions") if request.form.get("next") == "queue" else url_for(
        "progress.assignment", assignment_id=a.id)
    if not form.validate_on_submit():
        flash("页面已过期或安全校验未通过，请刷新后重试。", "danger")
        return redirect(target)
    try:
        action(form.note.data)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(target)
    db.session.commit()
    flash(f"{done}：{a.unit.name} 任务 {a.task.number}", "success")
    return redirect(target)


@bp.route("/assignments/<int:assignment_id>/extension", methods=["GET", "POST"])
@rerender_on_csrf_error
def extension(assignment_id: int) -> Any:
    """Ask for a later due date (延期申请)."""
    a, refused = _load_reportable(assignment_id)
    if refused is not None:
        return refused
    why_not = extensions.refusal(a, today=context.today(), pending=extensions.pending_request(a))
    if why_not is not None:  # say why instead of offering a form that would be refused
        return render_template("progress/extension_form.html", form=None, a=a, refusal=why_not), (
            409 if request.method == "POST" else 200)
    form = ExtensionForm()
    if form.validate_on_submit():
        try:
            extensions.request_extension(a, author=current_user, requested_due=form.requested_due.data,
                                         reason=form.reason.data or "", now=context.now())
        except ServiceError as exc:
            db.session.rollback()
            _apply_error(form, exc)
        else:
            db.session.commit()
            flash("延期申请已提交，等待专班办公室审核", "success")
            return redirect(url_for("progress.assignment", assignment_id=a.id))
    status = 400 if request.method == "POST" else 200
    return render_template("progress/extension_form.html", form=form, a=a, refusal=None), status


@bp.route("/review/completions")
def completions() -> str:
    """List the claimed completions awaiting confirmation."""
    require(current_user, Action.REVIEW_PROGRESS)
    claims = progress.pending_claims()
    latest = progress.latest_reports([a.id for a in claims])
    return render_template("progress/completions.html", claims=claims, latest=latest, form=ReviewForm())


@bp.route("/review/extensions")
def extension_queue() -> str:
    """List the extension requests awaiting a decision."""
    require(current_user, Action.REVIEW_PROGRESS)
    return render_template("progress/extensions.html", requests=extensions.pending_requests(), form=DecisionForm())


@bp.route("/extensions/<int:request_id>/decide", methods=["POST"])
def decide_extension(request_id: int) -> Response:
    """Approve or refuse an extension request."""
    require(current_user, Action.REVIEW_PROGRESS)
    row = db.get_or_404(ExtensionRequest, request_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash("页面已过期或安全校验未通过，请刷新后重试。", "danger")
        return redirect(url_for("progress.extension_queue"))
    try:
        extensions.decide(row, actor=current_user, approve=form.decision.data == "approve", note=form.note.data,
                          now=context.now())
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("progress.extension_queue"))
    db.session.commit()
    flash("已同意延期" if form.decision.data == "approve" else "已答复不同意延期", "success")
    return redirect(url_for("progress.extension_queue"))
