"""The secretariat's side of the observation points: who chose what (the matrix), the choice deadline, reopening."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tasktrack import context
from tasktrack.models import Plan
from tasktrack.permissions import Action
from tasktrack.services import observations
from tasktrack.services.read import overview
from tasktrack.web import forms, loaders
from tasktrack.web.forms import done, form_view
from tasktrack.web.secretariat import bp
from tasktrack.web.secretariat.forms import ChoiceReopenForm, DeadlineForm


def _plan() -> Plan:
    return overview.require_current_plan(context.today(), current_user, own=True)


@bp.route("/observation/points/<int:unit_id>/reopen", methods=["POST"])
def reopen_choice(unit_id: int) -> ResponseReturnValue:
    """Reopen a point's locked choice (secretariat)."""
    unit = loaders.observation_point(unit_id, Action.ADMIN)
    form = ChoiceReopenForm()
    back = (request.referrer if request.referrer and request.referrer.startswith(request.host_url)
            else url_for("secretariat.focus_matrix"))
    return forms.handle(
        form, lambda: observations.reopen_choice(_plan(), unit, actor=current_user, reason=form.reason.data or "",
                                                 now=context.now()),
        success=lambda _r: done(f"已重新开放 {unit.name} 的工作重点选择（此后提交将标记为逾期）", back), back=back)


@bp.route("/observation/matrix")
def focus_matrix() -> str:
    """The secretariat's matrix: who chose what, counts per item, who has not chosen."""
    plan = _plan()
    deadline = plan.focus_choice_deadline
    return render_template("observation/matrix.html", plan=plan, matrix=observations.matrix(plan),
                           reopen_form=ChoiceReopenForm(), past_deadline=bool(deadline and context.today() > deadline))


@bp.route("/observation/settings", methods=["GET", "POST"])
@form_view
def focus_settings() -> ResponseReturnValue:
    """Set the plan's focus-choice deadline (secretariat)."""
    plan = _plan()
    form = DeadlineForm()
    if request.method == "GET":
        form.deadline.data = plan.focus_choice_deadline
    return forms.handle(
        form, lambda: observations.set_choice_deadline(plan, actor=current_user, deadline=form.deadline.data,
                                                       now=context.now()),
        success=lambda _r: done("已保存工作重点选择截止日期", url_for("secretariat.focus_matrix")),
        render=lambda: render_template("observation/settings.html", form=form, plan=plan), fallback="deadline")
