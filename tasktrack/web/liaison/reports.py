"""A unit's reporting on one assignment: a progress report (or a correction), 情况无变化 in one click, 延期申请.
Who may report on which assignment is permissions.py's (REPORT_PROGRESS on the assignment)."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.domain.inputs import parse_id
from tasktrack.domain.targets import amount_label
from tasktrack.extensions import db
from tasktrack.models import AssignmentStatus, ProgressReport
from tasktrack.permissions import Action, require
from tasktrack.services import ServiceError, progress
from tasktrack.services import extension_requests as extensions
from tasktrack.services import targets as target_service
from tasktrack.services.attachments import Upload
from tasktrack.web import forms, loaders
from tasktrack.web.forms import done, form_view
from tasktrack.web.liaison import bp
from tasktrack.web.liaison.forms import ExtensionForm, ReportForm, UnchangedForm, report_form_with_targets


def _load_reportable(assignment_id: int) -> Any:
    """Load an assignment the user may report on (404, 403 raised)."""
    a = loaders.assignment(assignment_id)
    require(current_user, Action.REPORT_PROGRESS, a)
    return a


def _report_of(assignment_id: int, raw: str | None) -> ProgressReport | None:
    """Return the report a form field names, if it is a report of this assignment."""
    report_id = parse_id(str(raw)) if raw else None
    if report_id is None:
        return None
    report = db.session.get(ProgressReport, report_id)
    return report if report is not None and report.assignment_id == assignment_id else None


@bp.route("/assignments/<int:assignment_id>/report", methods=["GET", "POST"])
@form_view
def report(assignment_id: int) -> Any:
    """Report progress (a new version; a correction names the report it corrects)."""
    a = _load_reportable(assignment_id)
    # A GET starts the form from the latest report. A POST's stale check is the service's (from the assignment's
    # locked mirror of it), so a POST reads the latest report only to show the form again.
    latest = progress.latest_report(a) if request.method == "GET" else None
    correcting = _report_of(a.id, request.values.get("correct") or request.form.get("supersedes_id"))
    if request.values.get("correct") and correcting is None:
        abort(404)
    targets = target_service.reportable(a)
    form: ReportForm = report_form_with_targets(targets)()
    if request.method == "GET":
        start = correcting or latest  # 最多报一次: the form starts from the last report
        if start is not None:
            form.status.data = start.status.value
            form.percent.data = "" if start.percent is None else str(start.percent)
            form.completed_on.data, form.narrative.data = start.completed_on, start.narrative
        form.base_report_id.data = latest.id if latest else ""
        form.supersedes_id.data = correcting.id if correcting else ""
    stale: list[ProgressReport] = []

    def submit() -> ProgressReport:
        try:
            percent = form.percent_value()
        except ValueError:
            raise ServiceError("完成比例必须是 0 到 100 之间的整数", field="percent") from None
        uploads = [Upload(f.filename or "", f.read()) for f in request.files.getlist(form.attachments.name)
                   if f and f.filename]
        base = _report_of(a.id, form.base_report_id.data) if form.base_report_id.data else None
        status = AssignmentStatus(form.status.data)
        # The form starts from the last report, completion date included; the date belongs to the
        # "completed" status only, so changing the status (reopening) leaves it behind instead of
        # having the form refuse its own pre-filled value.
        completed_on = form.completed_on.data if status is AssignmentStatus.COMPLETED else None
        return progress.submit_report(
            a, author=current_user, status=status, percent=percent,
            completed_on=completed_on, narrative=form.narrative.data or "", now=context.now(),
            supersedes=correcting, base_report=base, attachments=uploads, reason=form.reason.data,
            target_values={t.id: form[target_service.field_name(t)].data for t in targets},
        )

    def if_stale(exc: ServiceError) -> int | None:
        if not isinstance(exc, progress.StaleReport):
            return None
        stale.append(exc.latest)
        form.base_report_id.data = exc.latest.id  # submitting again is now a deliberate choice
        return 409

    claimed = "，已标记为“待确认办结”，等待专班办公室确认"
    return forms.handle(
        form, submit, on_refusal=if_stale,
        success=lambda _r: done("进展已报送" + (claimed if form.status.data == "completed" else ""),
                                url_for("everyone.assignment", assignment_id=a.id)),
        render=lambda: render_template("progress/report_form.html", form=form, a=a,
                                       latest=latest if request.method == "GET" else progress.latest_report(a),
                                       correcting=correcting, stale=stale[0] if stale else None,
                                       targets=_target_fields(form, targets, a.unit_id)))


def _target_fields(form: ReportForm, targets: list[Any], unit_id: int) -> list[tuple[Any, Any, str]]:
    """Return (target, its 当前值 field, the unit's last value or "") for the form's 指标 section."""
    last = target_service.latest_values([t.id for t in targets], unit_id=unit_id)
    shown = {tid: f"上次填报：{amount_label(v[0].value, v[0].target.unit)}（{v[0].reported_at:%Y-%m-%d}）"
             for tid, v in last.items()}
    return [(t, form[target_service.field_name(t)], shown.get(t.id, "")) for t in targets]


@bp.route("/assignments/<int:assignment_id>/unchanged", methods=["POST"])
def unchanged(assignment_id: int) -> Any:
    """情况无变化，确认报送: repeat the last report as a new one, in one click."""
    a = _load_reportable(assignment_id)
    form = UnchangedForm()
    back = (request.form.get("next") == "my" and url_for("liaison.my_tasks")) or url_for(
        "everyone.assignment", assignment_id=a.id)

    def if_stale(exc: ServiceError) -> Response | None:
        if not isinstance(exc, progress.StaleReport):
            return None
        return done("在您确认之前，本单位已有人报送了新的进展，请先查看最新报送。",
                    url_for("everyone.assignment", assignment_id=a.id), "warning")

    return forms.handle(
        form, lambda: progress.confirm_unchanged(a, author=current_user, now=context.now(),
                                                 base_report=_report_of(a.id, form.base_report_id.data)),
        success=lambda _r: done(f"已确认报送：任务 {a.task.number} 情况无变化", back), back=back,
        on_refusal=if_stale)


@bp.route("/assignments/<int:assignment_id>/extension", methods=["GET", "POST"])
@form_view
def extension(assignment_id: int) -> Any:
    """Ask for a later due date (延期申请)."""
    a = _load_reportable(assignment_id)
    why_not = extensions.refusal(a, today=context.today(), pending=extensions.pending_request(a))
    if why_not is not None:  # say why instead of offering a form that would be refused
        return render_template("progress/extension_form.html", form=None, a=a, refusal=why_not), (
            409 if request.method == "POST" else 200)
    form = ExtensionForm()
    return forms.handle(
        form, lambda: extensions.request_extension(a, author=current_user, requested_due=form.requested_due.data,
                                                   reason=form.reason.data or "", now=context.now()),
        success=lambda _r: done("延期申请已提交，等待专班办公室审核",
                                url_for("everyone.assignment", assignment_id=a.id)),
        render=lambda: render_template("progress/extension_form.html", form=form, a=a, refusal=None))
