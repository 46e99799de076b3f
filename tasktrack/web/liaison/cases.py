"""A unit's case reports: submitting one, revising a returned one (liaisons and observation points alike; the
unit is checked in permissions.py)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tasktrack import context
from tasktrack.extensions import db
from tasktrack.models import CaseKind, CaseStatus, FocusItem, Plan, Task
from tasktrack.permissions import Action, require
from tasktrack.services import cases, observations
from tasktrack.services.cases import CaseText
from tasktrack.services.read import overview
from tasktrack.web import forms, loaders
from tasktrack.web.forms import done, form_view
from tasktrack.web.liaison import bp
from tasktrack.web.liaison.forms import CaseForm
from tasktrack.web.uploads import uploads_from_request


def _form_choices(form: CaseForm, plan: Plan) -> None:
    tasks = db.session.scalars(db.select(Task).where(Task.plan_id == plan.id, Task.is_deleted.is_(False))
                               .order_by(Task.number))
    form.task_id.choices = [(0, "（无）")] + [(t.id, f"{t.number}. {t.text[:40]}") for t in tasks]
    form.focus_item_id.choices = [(0, "（无）")] + [(f.id, f.name) for f in observations.list_focus_items()]


def _text(form: CaseForm) -> CaseText:
    return CaseText(kind=CaseKind(form.kind.data), title=form.title.data or "", summary=form.summary.data or "",
                    body=form.body.data or "",
                    task=db.session.get(Task, form.task_id.data) if form.task_id.data else None,
                    focus_item=db.session.get(FocusItem, form.focus_item_id.data) if form.focus_item_id.data else None)


@bp.route("/cases/new", methods=["GET", "POST"])
@form_view
def new_case() -> ResponseReturnValue:
    """Submit a case report for the user's unit."""
    unit = current_user.unit
    require(current_user, Action.SUBMIT_CASE, unit)
    plan = overview.require_current_plan(context.today(), current_user)
    form = CaseForm()
    _form_choices(form, plan)
    return forms.handle(
        form, lambda: cases.submit_case(plan, unit, _text(form), actor=current_user, files=uploads_from_request(),
                                        now=context.now()),
        success=lambda case: done(f"已报送《{case.title}》，等待专班办公室审核",
                                  url_for("everyone.case_detail", case_id=case.id)),
        render=lambda: render_template("cases/form.html", form=form, case=None), refused=422, fallback="attachments")


@bp.route("/cases/<int:case_id>/revise", methods=["GET", "POST"])
@form_view
def revise_case(case_id: int) -> ResponseReturnValue:
    """Revise a returned case and resubmit it as a new version."""
    case = loaders.case(case_id)
    require(current_user, Action.VIEW_CASE, case)
    require(current_user, Action.SUBMIT_CASE, case.unit)
    if case.status is not CaseStatus.RETURNED:  # say why instead of a form that would be refused
        return render_template("cases/form.html", form=None, case=case, refusal=cases.REVISE_REFUSED), (
            409 if request.method == "POST" else 200)
    form = CaseForm()
    _form_choices(form, case.plan)
    files = cases.current_files(case)
    # Which of the current version's files the new version keeps (all, until the unit unticks some).
    kept = {f.id for f in files} if request.method == "GET" else {
        int(v) for v in request.form.getlist("keep") if v.isdigit()}
    if request.method == "GET":
        form.kind.data, form.title.data, form.summary.data, form.body.data = (
            case.kind.value, case.title, case.summary, case.body)
        form.task_id.data, form.focus_item_id.data = case.task_id or 0, case.focus_item_id or 0
    return forms.handle(
        form, lambda: cases.revise_case(case, _text(form), actor=current_user, files=uploads_from_request(),
                                        now=context.now(), keep=sorted(kept)),
        success=lambda _r: done(f"已重新报送《{case.title}》（第 {case.version} 版）",
                                url_for("everyone.case_detail", case_id=case.id)),
        render=lambda: render_template("cases/form.html", form=form, case=case, files=files, kept=kept),
        refused=422, fallback="attachments")
