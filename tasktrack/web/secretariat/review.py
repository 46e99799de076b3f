"""The secretariat's review work: claimed completions (办结), reopening, extension requests, case reports and
the compilation's order."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tasktrack import context
from tasktrack.domain.inputs import MAX_ID, parse_int
from tasktrack.permissions import Action, administered_assignments, require
from tasktrack.services import cases, progress
from tasktrack.services import extension_requests as extensions
from tasktrack.services.read import overview, tracking
from tasktrack.web import forms, loaders
from tasktrack.web.forms import done, form_view
from tasktrack.web.liaison.forms import UnchangedForm
from tasktrack.web.secretariat import bp
from tasktrack.web.secretariat.review_forms import CaseReviewForm, DecisionForm, OrderForm, ReopenForm, ReviewForm


@bp.route("/assignments/<int:assignment_id>/confirm", methods=["POST"])
def confirm(assignment_id: int) -> Any:
    """Confirm a claimed completion (办结)."""
    a = loaders.assignment(assignment_id, Action.REVIEW_PROGRESS)
    return _review(a, lambda note: progress.confirm_completion(a, actor=current_user, note=note, now=context.now()),
                   "已确认办结")


@bp.route("/assignments/<int:assignment_id>/send-back", methods=["POST"])
def send_back(assignment_id: int) -> Any:
    """Send a claimed completion back (退回) with a comment."""
    a = loaders.assignment(assignment_id, Action.REVIEW_PROGRESS)
    return _review(a, lambda note: progress.send_back(a, actor=current_user, note=note or "", now=context.now()),
                   "已退回，单位将看到退回意见")


@bp.route("/assignments/<int:assignment_id>/reopen", methods=["POST"])
@form_view
def reopen_completion(assignment_id: int) -> Any:
    """Reopen a confirmed completion (办结), with a reason (the secretariat)."""
    a = loaders.assignment(assignment_id, Action.REVIEW_PROGRESS)
    require(current_user, Action.REOPEN_COMPLETION, a)
    form = ReopenForm()

    def page() -> str:
        page = tracking.assignment_page(assignment_id, context.today())
        return render_template("progress/assignment.html", page=page, a=page.assignment, review=ReviewForm(),
                               unchanged=UnchangedForm(), reopen=form, extension_refusal=None)

    return forms.handle(
        form, lambda: progress.reopen_completion(a, actor=current_user, reason=form.reason.data or "",
                                                 now=context.now()),
        success=lambda _r: done(f"已重新打开：{a.unit.name} 任务 {a.task.number}，单位可以继续报送",
                                url_for("everyone.assignment", assignment_id=a.id)),
        render=page)


def _review(a: Any, action: Any, done_message: str) -> Any:
    form = ReviewForm()
    target = url_for("secretariat.completions") if request.form.get("next") == "queue" else url_for(
        "everyone.assignment", assignment_id=a.id)
    return forms.handle(form, lambda: action(form.note.data), back=target,
                        success=lambda _r: done(f"{done_message}：{a.unit.name} 任务 {a.task.number}", target))


@bp.route("/review/completions")
def completions() -> str:
    """List the claimed completions awaiting confirmation."""
    claims = progress.pending_claims(where=administered_assignments(current_user))
    latest = progress.latest_reports([a.id for a in claims])
    return render_template("progress/completions.html", claims=claims, latest=latest, form=ReviewForm())


@bp.route("/review/extensions")
def extension_queue() -> str:
    """List the extension requests awaiting a decision."""
    requests = extensions.pending_requests(where=administered_assignments(current_user))
    return render_template("progress/extensions.html", requests=requests, form=DecisionForm())


@bp.route("/extensions/<int:request_id>/decide", methods=["POST"])
def decide_extension(request_id: int) -> Any:
    """Approve or refuse an extension request."""
    row = loaders.extension_request(request_id)
    form = DecisionForm()
    back = url_for("secretariat.extension_queue")
    return forms.handle(
        form, lambda: extensions.decide(row, actor=current_user, approve=form.decision.data == "approve",
                                        note=form.note.data, now=context.now()),
        success=lambda _r: done("已同意延期" if form.decision.data == "approve" else "已答复不同意延期", back),
        back=back)


@bp.route("/cases/<int:case_id>/review", methods=["POST"])
def review_case(case_id: int) -> ResponseReturnValue:
    """Accept, return (with a comment), feature or unfeature a case (secretariat)."""
    case = loaders.case(case_id, Action.REVIEW_CASE)
    form = CaseReviewForm()
    back = url_for("everyone.case_detail", case_id=case.id)
    return forms.handle(
        form, lambda: cases.review_case(case, actor=current_user, action=form.action.data,
                                        comment=form.comment.data or "", now=context.now()),
        success=lambda review: done(f"已{review.action_label}《{case.title}》", back), back=back)


@bp.route("/cases/compilation", methods=["GET", "POST"])
def compilation_page() -> ResponseReturnValue:
    """List the featured cases in compilation order and let the secretariat reorder them."""
    plan = overview.require_current_plan(context.today(), current_user, own=True)
    form = OrderForm()
    if request.method == "GET":
        return render_template("cases/compilation.html", plan=plan, featured=cases.featured_cases(plan), form=form)

    def reorder() -> None:
        featured = cases.featured_cases(plan)
        positions = {}
        for case in featured:
            position = parse_int(request.form.get(f"order_{case.id}", ""), low=0, high=MAX_ID)
            positions[case.id] = 10_000 if position is None else position
        ordered = sorted(featured, key=lambda c: (positions[c.id], c.feature_order or 0))
        cases.set_feature_order(plan, [c.id for c in ordered], actor=current_user, now=context.now())

    back = url_for("secretariat.compilation_page")
    return forms.handle(form, reorder, success=lambda _r: done("已保存汇编顺序", back), back=back)
